// Exact dense-CRF update, O(N²): the independent reference for the lattice path, small images
// only. For pixel i and each kernel k: message = Σj exp(-|f_i - f_j|²/2)·Q_j / Σj exp(-|f_i - f_j|²/2)
// (j = i included, normalised after filtering like the reference), then
// next = -U + wA·msgA + wB·msgB and Q = softmax(next). One invocation per pixel.
struct Params { pixels: u32, wa: f32, wb: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> fa: array<f32>;        // pixels × DA features
@group(0) @binding(2) var<storage, read> fb: array<f32>;        // pixels × DB features
@group(0) @binding(3) var<storage, read> qin: array<vec4f>;     // pixels × C4
@group(0) @binding(4) var<storage, read> unary: array<vec4f>;   // pixels × C4
@group(0) @binding(5) var<storage, read_write> q: array<vec4f>; // pixels × C4

override DA: u32;
override DB: u32;
const MAX_C4 = 8u;   // up to 32 labels

fn sqdist(f: ptr<function, array<f32, 8>>, g: u32, d: u32, isA: bool) -> f32 {
  var s = 0.0;
  for (var k = 0u; k < d; k += 1u) {
    let x = (*f)[k] - select(fb[g * d + k], fa[g * d + k], isA);
    s += x * x;
  }
  return s;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (i >= p.pixels) { return; }
  var ai: array<f32, 8>;
  var bi: array<f32, 8>;
  for (var k = 0u; k < DA; k += 1u) { ai[k] = fa[i * DA + k]; }
  for (var k = 0u; k < DB; k += 1u) { bi[k] = fb[i * DB + k]; }
  var sa: array<vec4f, MAX_C4>;
  var sb: array<vec4f, MAX_C4>;
  var na = 0.0;
  var nb = 0.0;
  for (var j = 0u; j < p.pixels; j += 1u) {
    let ka = exp(-0.5 * sqdist(&ai, j, DA, true));
    let kb = exp(-0.5 * sqdist(&bi, j, DB, false));
    na += ka;
    nb += kb;
    for (var c = 0u; c < C4; c += 1u) {
      let qj = qin[j * C4 + c];
      sa[c] += ka * qj;
      sb[c] += kb * qj;
    }
  }
  for (var c = 0u; c < C4; c += 1u) {
    sa[c] = -unary[i * C4 + c] + p.wa * (sa[c] / na) + p.wb * (sb[c] / nb);
  }
  softmax(&sa);
  for (var c = 0u; c < C4; c += 1u) { q[i * C4 + c] = sa[c]; }
}
