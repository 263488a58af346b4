// Explicit im2col for the GEMM path of convs Winograd does not cover (strided, 4×4, 7×7, …):
// B[k][p] = x[n, ci, oy·S + kh·D − pad, ox·S + kw·D − pad] (0 in the padding), k = (ci, kh, kw),
// p = (n, oy, ox) over one band of output rows, rows of B padded to a multiple of 4 columns.
// One workgroup per (output row, k): k's split into (ci, kh, kw) is uniform, so the divisions are
// done once per workgroup, not per lane (lavapipe runs integer division lane by lane).
struct Params {
  c: u32, h: u32, w: u32, kh: u32,
  kw: u32, oh: u32, ow: u32, rows: u32,   // rows: output rows (of all images) in this band
  oy0: u32, stride: u32, pad: u32, dil: u32,
  ldb: u32, n: u32,                       // B's row length (multiple of 4); images
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> b: array<f32>;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = wid.x;                 // the band's rows are (image, output row) pairs
  let k = wid.y;
  let kx = k % p.kw;
  let ky = (k / p.kw) % p.kh;
  let ci = k / (p.kw * p.kh);
  let perImage = p.rows / p.n;
  let n = r / perImage;
  let oy = p.oy0 + r % perImage;
  let iy = i32(oy * p.stride + ky * p.dil) - i32(p.pad);
  let rowIn = iy >= 0 && iy < i32(p.h) && oy < p.oh;
  let src = ((n * p.c + ci) * p.h + u32(max(iy, 0))) * p.w;
  let dst = k * p.ldb + r * p.ow;
  for (var ox = lid; ox < p.ow; ox += WG) {
    let ix = i32(ox * p.stride + kx * p.dil) - i32(p.pad);
    var v = 0.0;
    if (rowIn && ix >= 0 && ix < i32(p.w)) { v = x[src + u32(ix)]; }
    b[dst + ox] = v;
  }
}
