// conv2d as a classic tiled implicit GEMM for real GPUs: Y[o, pos] = Σ_k W[o, k] · X[k, pos],
// k = (ci, kh, kw), pos = (n, oy, ox). Each workgroup computes a 64-channel × 64-position tile;
// per 16-deep slice of k it stages W and the im2col'd X (gathered on the fly by
// conv2d_gather.wgsl, zero outside the padded input) in workgroup memory, then each of 256 invocations accumulates a 4×4 block from
// vec4 reads of the shared tiles. Every global element is loaded once per tile, not 64 times.
struct Params {
  c: u32, h: u32, w: u32, o: u32,
  oh: u32, ow: u32, k: u32, positions: u32,   // K = C·KH·KW, positions = N·OH·OW
  stride: u32, pad: u32, dil: u32, relu: u32,
  tiles: u32,                                 // ⌈positions / 64⌉, numbered across grid x and z
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> wt: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

override KH: u32 = 3;
override KW: u32 = 3;
const BM = 64u;   // output channels per tile
const BN = 64u;   // positions per tile
const BK = 16u;   // k per slice

var<workgroup> As: array<vec4f, 256>;   // [BK][BM/4]
var<workgroup> Bs: array<vec4f, 256>;   // [BK][BN/4]

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let tile = wid.x + wid.z * nwg.x;
  if (tile >= p.tiles) { return; }
  let o0 = wid.y * BM;
  let pos0 = tile * BN;
  let tx = lid % 16u;   // 4 positions
  let ty = lid / 16u;   // 4 channels

  // The one position this invocation gathers for the X tile, fixed for the whole k loop.
  let gp = gatherPos(pos0 + lid % BN);
  let opad = (p.o + 7u) / 8u * 8u;

  var acc: array<vec4f, 4>;
  for (var k0 = 0u; k0 < p.k; k0 += BK) {
    for (var j = 0u; j < 4u; j++) {
      let idx = lid + 256u * j;
      // W tile: (kk, oo); the packed layout [O/8][K][8] makes runs of 8 channels contiguous.
      let kk = idx / BM;
      let oo = idx % BM;
      let k = k0 + kk;
      let o = o0 + oo;
      var wv = 0.0;
      if (k < p.k && o < opad) { wv = wt[((o / 8u) * p.k + k) * 8u + o % 8u]; }
      As[kk * 16u + oo / 4u][oo % 4u] = wv;
      // X tile: (kb, lid % BN).
      let kb = lid / BN + 4u * j;
      Bs[kb * 16u + (lid % BN) / 4u][lid % 4u] = gatherX(gp, k0 + kb, 0u);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      let a = As[kk * 16u + ty];
      let b = Bs[kk * 16u + tx];
      acc[0] = fma(vec4f(a.x), b, acc[0]);
      acc[1] = fma(vec4f(a.y), b, acc[1]);
      acc[2] = fma(vec4f(a.z), b, acc[2]);
      acc[3] = fma(vec4f(a.w), b, acc[3]);
    }
    workgroupBarrier();
  }

  for (var j = 0u; j < 4u; j++) {
    let pos = pos0 + tx * 4u + j;
    if (pos >= p.positions) { break; }
    let ox = pos % p.ow;
    let oy = (pos / p.ow) % p.oh;
    let n = pos / (p.ow * p.oh);
    for (var i = 0u; i < 4u; i++) {
      let o = o0 + ty * 4u + i;
      if (o >= p.o) { break; }
      var v = acc[i][j] + bias[o];
      if (p.relu != 0u) { v = max(v, 0.0); }
      y[((n * p.o + o) * p.oh + oy) * p.ow + ox] = v;
    }
  }
}
