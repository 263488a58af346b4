// Winograd F(T×T, 3×3), T = TILE (4 or 6), step 3 of 3: Y = Aᵀ·M·A per tile and output channel,
// plus bias and the optional ReLU, scattered to NCHW (only the in-range pixels of edge tiles are
// stored).
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

override TILE: u32 = 6;
override N: u32 = TILE + 2u;

// Aᵀ·a, the first TILE entries: F(6, 3) (sums and differences of the ± point pairs shared) or F(4, 3).
fn at(a: array<f32, 8>) -> array<f32, 6> {
  let s1 = a[1] + a[2];
  let d1 = a[1] - a[2];
  let s2 = a[3] + a[4];
  let d2 = a[3] - a[4];
  if (TILE == 6u) {
    let s3 = a[5] + a[6];
    let d3 = a[5] - a[6];
    return array<f32, 6>(a[0] + s1 + s2 + s3, d1 + 2.0 * d2 + 0.5 * d3, s1 + 4.0 * s2 + 0.25 * s3,
                         d1 + 8.0 * d2 + 0.125 * d3, s1 + 16.0 * s2 + 0.0625 * s3, d1 + 32.0 * d2 + 0.03125 * d3 + a[7]);
  }
  return array<f32, 6>(a[0] + s1 + s2, d1 + 2.0 * d2, s1 + 4.0 * s2, d1 + 8.0 * d2 + a[5], 0.0, 0.0);
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
  var rows: array<array<f32, 8>, 6>;   // rows[r] = Aᵀ applied down column c, for r < TILE
  for (var c = 0u; c < N; c++) {
    var col: array<f32, 8>;
    for (var r = 0u; r < N; r++) { col[r] = m[b + (r * N + c) * stride]; }
    let a = at(col);
    for (var r = 0u; r < TILE; r++) { rows[r][c] = a[r]; }
  }
  let tx = t % p.tw;
  let ty = (t / p.tw) % p.th + p.ty0;
  let n = t / (p.tw * p.th);
  let y0 = (ty / D) * TILE * D + ty % D;
  let x0 = (tx / D) * TILE * D + tx % D;
  let bo = bias[o];
  let dst = (n * p.o + o) * p.oh * p.ow;
  for (var r = 0u; r < TILE; r++) {
    let oy = y0 + r * D;
    if (oy >= p.oh) { break; }
    let q = at(rows[r]);
    for (var c = 0u; c < TILE; c++) {
      let ox = x0 + c * D;
      if (ox < p.ow) {
        var val = q[c] + bo;
        if (p.relu != 0u) { val = max(val, 0.0); }
        y[dst + oy * p.ow + ox] = val;
      }
    }
  }
}
