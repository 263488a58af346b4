// conv2d as a tiled implicit GEMM for real GPUs, the larger sibling of conv2d_tiled.wgsl (same
// algorithm, Y[o, pos] = Σ_k W[o, k] · X[k, pos]; read that one first). What changes, and why:
// - 128 channels × 128 positions per workgroup, 8 × 8 outputs per invocation: each 8-deep slice
//   of k costs an invocation 4 vec4 reads of workgroup memory for 64 multiply-adds (the 4 × 4
//   block's ratio is half that), and every global element loaded feeds 128 outputs, not 64.
// - An invocation's 8 × 8 block is four 4 × 4 blocks 64 apart, so the 16 invocations of a row
//   read 16 consecutive vec4s of a tile row (no bank conflicts), and so do the 16 of a column.
// - The weights arrive as vec4s, 16 consecutive invocations reading one packed run of 64 floats
//   ([O/8][K][8]: 8 channels × 8 k), written to workgroup memory whole.
// - Two buffers of each tile: the next slice is loaded into registers before the current one is
//   multiplied, written after, and one barrier per slice separates the two uses of a buffer.
// - Batches: grid z also counts independent GEMMs of one shape, their x, w and y at fixed
//   strides: Winograd's (T+2)² GEMMs on GPUs, a 1×1 conv each, in one dispatch (conv2d_winograd.ts).
struct Params {
  c: u32, h: u32, w: u32, o: u32,
  oh: u32, ow: u32, k: u32, positions: u32,   // K = C·KH·KW, positions = N·OH·OW
  stride: u32, pad: u32, dil: u32, relu: u32,
  tiles: u32,                                 // ⌈positions / 128⌉, numbered across grid x and z
  z_tiles: u32,                               // grid z slices per batch (z = batch · z_tiles + slice)
  x_batch: u32, w_batch: u32, y_batch: u32,   // per-batch strides of x, wt (vec4s) and y
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> wt: array<vec4f>;   // packed [O/8][K][8] as vec4s
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

override KH: u32 = 3;
override KW: u32 = 3;
override BIAS: bool = true;   // false: no bias (the binding is not read)
const BK = 8u;   // k per slice; tiles are 128 wide (32 vec4s)

// [buffer · BK + kk][vec4 of 4 channels (As) or 4 positions (Bs)]
var<workgroup> As: array<array<vec4f, 32>, 16>;
var<workgroup> Bs: array<array<vec4f, 32>, 16>;

// acc[base + i] += a[i] · b: a 4 × 4 block of channels (a) by positions (b).
fn outer4(acc: ptr<function, array<vec4f, 16>>, base: u32, a: vec4f, b: vec4f) {
  (*acc)[base] = fma(vec4f(a.x), b, (*acc)[base]);
  (*acc)[base + 1u] = fma(vec4f(a.y), b, (*acc)[base + 1u]);
  (*acc)[base + 2u] = fma(vec4f(a.z), b, (*acc)[base + 2u]);
  (*acc)[base + 3u] = fma(vec4f(a.w), b, (*acc)[base + 3u]);
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let batch = wid.z / p.z_tiles;
  let tile = wid.x + (wid.z % p.z_tiles) * nwg.x;
  if (tile >= p.tiles) { return; }
  let xbase = batch * p.x_batch;
  let wbase = batch * p.w_batch;
  let ybase = batch * p.y_batch;
  let o0 = wid.y * 128u;
  let pos0 = tile * 128u;
  let tx = lid % 16u;   // positions 4tx.. and 64 + 4tx..
  let ty = lid / 16u;   // channels 4ty.. and 64 + 4ty..

  // The weight vec4 this invocation loads per slice: k = k0 + wk of the 8-channel block wb,
  // its half wh (channels wb·8 + 4wh ..).
  let wh = lid % 2u;
  let wk = (lid / 2u) % BK;
  let wb = o0 / 8u + lid / 16u;
  let wvalid = wb < (p.o + 7u) / 8u;
  // The one position this invocation gathers for the X tile (at k = k0 + lid/128 + 2j), fixed
  // for the whole k loop.
  let col = lid % 128u;
  let gp = gatherPos(pos0 + col);

  var ra: vec4f;
  var rb: array<f32, 4>;
  var acc: array<vec4f, 16>;
  let slices = (p.k + BK - 1u) / BK;
  for (var s = 0u; s <= slices; s++) {
    // Load slice s into registers (while slice s − 1's buffer is being read), then multiply
    // slice s − 1, then store slice s into the other buffer.
    if (s < slices) {
      let k = s * BK + wk;
      ra = vec4f(0.0);
      if (wvalid && k < p.k) { ra = wt[wbase + (wb * p.k + k) * 2u + wh]; }
      for (var j = 0u; j < 4u; j++) { rb[j] = gatherX(gp, s * BK + lid / 128u + 2u * j, xbase); }
    }
    if (s > 0u) {
      let buf = ((s - 1u) % 2u) * BK;
      for (var kk = 0u; kk < BK; kk++) {
        let a0 = As[buf + kk][ty];
        let a1 = As[buf + kk][ty + 16u];
        let b0 = Bs[buf + kk][tx];
        let b1 = Bs[buf + kk][tx + 16u];
        outer4(&acc, 0u, a0, b0);
        outer4(&acc, 4u, a0, b1);
        outer4(&acc, 8u, a1, b0);
        outer4(&acc, 12u, a1, b1);
      }
    }
    if (s < slices) {
      let buf = (s % 2u) * BK;
      As[buf + wk][(lid / 16u) * 2u + wh] = ra;
      for (var j = 0u; j < 4u; j++) { Bs[buf + lid / 128u + 2u * j][col / 4u][col % 4u] = rb[j]; }
    }
    workgroupBarrier();
  }

  // acc[(2·channel half + position half)·4 + i][j]: channel o0 + 64·half + 4ty + i, position
  // pos0 + 64·half + 4tx + j.
  for (var ph = 0u; ph < 2u; ph++) {
    for (var j = 0u; j < 4u; j++) {
      let pos = pos0 + 64u * ph + 4u * tx + j;
      if (pos >= p.positions) { break; }
      let ox = pos % p.ow;
      let oy = (pos / p.ow) % p.oh;
      let n = pos / (p.ow * p.oh);
      for (var ch = 0u; ch < 2u; ch++) {
        for (var i = 0u; i < 4u; i++) {
          let o = o0 + 64u * ch + 4u * ty + i;
          if (o >= p.o) { break; }
          var v = acc[(2u * ch + ph) * 4u + i][j];
          if (BIAS) { v += bias[o]; }
          if (p.relu != 0u) { v = max(v, 0.0); }
          y[ybase + ((n * p.o + o) * p.oh + oy) * p.ow + ox] = v;
        }
      }
    }
  }
}
