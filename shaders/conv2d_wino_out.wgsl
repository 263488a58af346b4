// Winograd F(4×4, 3×3), step 3 of 3: Y = Aᵀ·M·A per tile and output channel, plus bias and the
// optional ReLU, scattered to NCHW (only the in-range pixels of edge tiles are stored).
struct Params {
  o: u32, oh: u32, ow: u32, th: u32,
  tw: u32, tiles: u32, tpad: u32, opad: u32,
  count: u32, relu: u32, ty0: u32,   // th, tiles: of this band of tile rows starting at ty0
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> m: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

override WG: u32 = 64;
override D: u32 = 1;

// Aᵀ·a for a 6-vector a.
fn at(a: array<f32, 6>) -> vec4f {
  return vec4f(a[0] + a[1] + a[2] + a[3] + a[4],
               a[1] - a[2] + 2.0 * (a[3] - a[4]),
               a[1] + a[2] + 4.0 * (a[3] + a[4]),
               a[1] - a[2] + 8.0 * (a[3] - a[4]) + a[5]);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= p.count) { return; }
  let t = i % p.tiles;
  let o = i / p.tiles;
  let stride = p.opad * p.tpad;
  let b = o * p.tpad + t;
  var rows: array<array<f32, 6>, 4>;   // rows[r] = Aᵀ applied down column c, for r < 4
  for (var c = 0u; c < 6u; c++) {
    var col: array<f32, 6>;
    for (var r = 0u; r < 6u; r++) { col[r] = m[b + (r * 6u + c) * stride]; }
    let a = at(col);
    for (var r = 0u; r < 4u; r++) { rows[r][c] = a[r]; }
  }
  let tx = t % p.tw;
  let ty = (t / p.tw) % p.th + p.ty0;
  let n = t / (p.tw * p.th);
  let y0 = (ty / D) * 4u * D + ty % D;
  let x0 = (tx / D) * 4u * D + tx % D;
  let bo = bias[o];
  let dst = (n * p.o + o) * p.oh * p.ow;
  for (var r = 0u; r < 4u; r++) {
    let oy = y0 + r * D;
    if (oy >= p.oh) { break; }
    let q = at(rows[r]);
    for (var c = 0u; c < 4u; c++) {
      let ox = x0 + c * D;
      if (ox < p.ow) {
        var val = q[c] + bo;
        if (p.relu != 0u) { val = max(val, 0.0); }
        y[dst + oy * p.ow + ox] = val;
      }
    }
  }
}
