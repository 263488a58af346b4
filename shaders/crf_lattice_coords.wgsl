// Each pixel's place in the permutohedral lattice, as src/deeplab/lattice.ts computes it on the
// CPU (and the reference's SSE code before it): elevate its D features onto the hyperplane, find
// the nearest remainder-0 point (round half to even), rank the residuals, take the barycentric
// weights and the D + 1 enclosing vertices' keys. float32 arithmetic in the reference's order,
// each operation rounded on its own, so the keys and weights are the CPU's bit for bit where the
// GPU neither fuses multiply-adds nor flushes them differently (lavapipe: tested).
// One invocation per pixel. `main` writes the keys as D integers; `packed` writes each as one
// 64-bit word for the GPU lattice build (src/deeplab/crf_plan_gpu.ts), see crf_lattice_key.wgsl.
struct Params { n: u32, inv_d1: f32, scale: array<vec4f, 2>, key: KeyLayout }   // scale[i] = E's diagonal entry, float32

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> features: array<f32>;   // n × D
@group(0) @binding(2) var<storage, read_write> keys: array<i32>;  // main: n × (D + 1) × D
@group(0) @binding(2) var<storage, read_write> packed_keys: array<vec2u>;  // packed: n × (D + 1)
@group(0) @binding(3) var<storage, read_write> weights: array<f32>;  // n × (D + 1)
@group(0) @binding(4) var<storage, read_write> entries: array<u32>;  // packed: n × (D + 1), k·(D + 1) + r

override D: u32;        // feature dimension, 1..7
const MAX_D1 = 8u;

fn scale(i: u32) -> f32 { return p.scale[i / 4u][i % 4u]; }

var<private> rem0: array<f32, MAX_D1>;
var<private> rank: array<i32, MAX_D1>;
var<private> bary: array<f32, 9>;

/** Pixel k's remainder-0 point, ranks and barycentric weights. */
fn locate(k: u32) {
  let d1 = D + 1u;
  var elevated: array<f32, MAX_D1>;
  var residual: array<f32, MAX_D1>;
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
}

/** Coordinate i of the vertex of remainder r: rem0 plus r, or r − (d + 1), by rank. */
fn vertex_coord(r: u32, i: u32) -> i32 {
  return i32(rem0[i]) + select(i32(r) - i32(D + 1u), i32(r), u32(rank[i]) <= D - r);
}

fn pixel(wid: vec3u, nwg: vec3u, lid: u32) -> u32 { return (wid.x + wid.y * nwg.x) * 64u + lid; }

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let k = pixel(wid, nwg, lid);
  if (k >= p.n) { return; }
  locate(k);
  let d1 = D + 1u;
  for (var r = 0u; r < d1; r++) {
    for (var i = 0u; i < D; i++) { keys[(k * d1 + r) * D + i] = vertex_coord(r, i); }
    weights[k * d1 + r] = bary[r];
  }
}

@compute @workgroup_size(64)
fn packed(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
          @builtin(local_invocation_index) lid: u32) {
  let k = pixel(wid, nwg, lid);
  if (k >= p.n) { return; }
  locate(k);
  let d1 = D + 1u;
  for (var r = 0u; r < d1; r++) {
    var key: LatticeKey;
    for (var i = 0u; i < D; i++) { key[i] = vertex_coord(r, i); }
    // The layout's bounds hold every vertex of these features, so ok is true here.
    packed_keys[k * d1 + r] = pack_key(&key).word;
    weights[k * d1 + r] = bary[r];
    entries[k * d1 + r] = k * d1 + r;
  }
}
