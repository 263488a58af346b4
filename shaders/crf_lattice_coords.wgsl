// Each pixel's place in the permutohedral lattice, as src/deeplab/lattice.ts computes it on the
// CPU (and the reference's SSE code before it): elevate its D features onto the hyperplane, find
// the nearest remainder-0 point (round half to even), rank the residuals, take the barycentric
// weights, and write the D + 1 enclosing vertices' keys. float32 arithmetic in the reference's
// order, each operation rounded on its own, so the keys and weights are the CPU's bit for bit
// where the GPU neither fuses multiply-adds nor flushes them differently (lavapipe: tested).
// One invocation per pixel; the hashing of keys into vertex ids stays on the CPU.
struct Params { n: u32, inv_d1: f32, scale: array<vec4f, 2> }   // scale[i] = E's diagonal entry, float32

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> features: array<f32>;   // n × D
@group(0) @binding(2) var<storage, read_write> keys: array<i32>;  // n × (D + 1) × D
@group(0) @binding(3) var<storage, read_write> weights: array<f32>;  // n × (D + 1)

override D: u32;        // feature dimension, 1..7
const MAX_D1 = 8u;

fn scale(i: u32) -> f32 { return p.scale[i / 4u][i % 4u]; }

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let k = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (k >= p.n) { return; }
  let d1 = D + 1u;
  var elevated: array<f32, MAX_D1>;
  var rem0: array<f32, MAX_D1>;
  var residual: array<f32, MAX_D1>;
  var rank: array<i32, MAX_D1>;
  var bary: array<f32, 9>;
  // Elevate onto the hyperplane (y = E f).
  var sm = 0.0;
  for (var j = D; j > 0u; j--) {
    let cf = features[k * D + j - 1u] * scale(j - 1u);
    elevated[j] = sm - f32(j) * cf;
    sm = sm + cf;
  }
  elevated[0] = sm;
  // Nearest remainder-0 point.
  var sum = 0;
  for (var i = 0u; i < d1; i++) {
    let v = round(p.inv_d1 * elevated[i]);
    rem0[i] = v * f32(d1);
    sum += i32(v);
    residual[i] = elevated[i] - rem0[i];
  }
  // Rank of each coordinate's residual (ties: the later coordinate ranks higher).
  for (var i = 0u; i < D; i++) {
    for (var j = i + 1u; j < d1; j++) {
      if (residual[i] < residual[j]) { rank[i]++; } else { rank[j]++; }
    }
  }
  // Back onto the plane if the rounding left it off (sum ≠ 0).
  for (var i = 0u; i < d1; i++) {
    rank[i] += sum;
    if (rank[i] < 0) {
      rank[i] += i32(d1);
      rem0[i] += f32(d1);
      residual[i] = elevated[i] - rem0[i];
    } else if (rank[i] >= i32(d1)) {
      rank[i] -= i32(d1);
      rem0[i] -= f32(d1);
      residual[i] = elevated[i] - rem0[i];
    }
  }
  // Barycentric coordinates, float32 accumulation in the reference's order.
  for (var i = 0u; i < d1; i++) {
    let v = residual[i] * p.inv_d1;
    let q = D - u32(rank[i]);
    bary[q] = bary[q] + v;
    bary[q + 1u] = bary[q + 1u] - v;
  }
  bary[0] = bary[0] + (1.0 + bary[d1]);
  // The d + 1 vertices: remainder r's key is rem0 plus r, or r − (d + 1), by rank.
  for (var r = 0u; r < d1; r++) {
    for (var i = 0u; i < D; i++) {
      let off = select(i32(r) - i32(d1), i32(r), u32(rank[i]) <= D - r);
      keys[(k * d1 + r) * D + i] = i32(rem0[i]) + off;
    }
    weights[k * d1 + r] = bary[r];
  }
}
