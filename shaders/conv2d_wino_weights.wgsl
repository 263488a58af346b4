// Winograd F(T×T, 3×3) weights (T = TILE, 4 or 6), U = G·g·Gᵀ for every (o, c), computed once per
// layer and tile size, at its first such conv: from the packed [O/8][K][8] weights (K = C·9; rows
// past O are zeros, so are their U) to [(T+2)²][O/8][C][8], the GEMM pass's A. On the device
// rather than the host: the host spent ~1 s of LargeFOV's model build on the transform and on
// uploading the 4× larger result.
struct Params { c: u32, blocks: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> packed: array<f32>;
@group(0) @binding(2) var<storage, read_write> u: array<f32>;

override TILE: u32 = 6;
override N: u32 = TILE + 2u;

// G of F(6, 3), 8×3, by rows (points 0, ±1, ±2, ±1/2, ∞; Bᵀ in conv2d_wino_in.wgsl, Aᵀ in _out).
const G6 = array<vec3f, 8>(
  vec3f(1.0, 0.0, 0.0),
  vec3f(-2.0 / 9.0, -2.0 / 9.0, -2.0 / 9.0),
  vec3f(-2.0 / 9.0, 2.0 / 9.0, -2.0 / 9.0),
  vec3f(1.0 / 90.0, 1.0 / 45.0, 2.0 / 45.0),
  vec3f(1.0 / 90.0, -1.0 / 45.0, 2.0 / 45.0),
  vec3f(32.0 / 45.0, 16.0 / 45.0, 8.0 / 45.0),
  vec3f(32.0 / 45.0, -16.0 / 45.0, 8.0 / 45.0),
  vec3f(0.0, 0.0, 1.0));

// G of F(4, 3), 6×3 (points 0, ±1, ±2, ∞).
const G4 = array<vec3f, 6>(
  vec3f(1.0 / 4.0, 0.0, 0.0),
  vec3f(-1.0 / 6.0, -1.0 / 6.0, -1.0 / 6.0),
  vec3f(-1.0 / 6.0, 1.0 / 6.0, -1.0 / 6.0),
  vec3f(1.0 / 24.0, 1.0 / 12.0, 1.0 / 6.0),
  vec3f(1.0 / 24.0, -1.0 / 12.0, 1.0 / 6.0),
  vec3f(0.0, 0.0, 1.0));

fn G(r: u32) -> vec3f {
  if (TILE == 6u) { return G6[r]; }
  return G4[r];
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  // i = (block·C + c)·8 + o % 8: U's index within each of its N² planes.
  let i = (wid.x + wid.y * nwg.x) * 64u + lid;
  let plane = p.blocks * p.c * 8u;
  if (i >= plane) { return; }
  let o8 = i % 8u;
  let bc = i / 8u;  // block·C + c
  let k0 = (bc / p.c) * p.c * 9u + (bc % p.c) * 9u;  // the block's k = c·9 of its [K][8] rows
  var g: array<vec3f, 3>;  // g[kw] = the 3×3 kernel's column kw, down its rows
  for (var kw = 0u; kw < 3u; kw++) {
    g[kw] = vec3f(packed[(k0 + kw) * 8u + o8], packed[(k0 + 3u + kw) * 8u + o8], packed[(k0 + 6u + kw) * 8u + o8]);
  }
  for (var r = 0u; r < N; r++) {
    let gk = vec3f(dot(G(r), g[0]), dot(G(r), g[1]), dot(G(r), g[2]));  // row r of G·g
    for (var s = 0u; s < N; s++) { u[(r * N + s) * plane + i] = dot(gk, G(s)); }
  }
}
