// Splat as a gather (WGSL has no float atomics): each lattice vertex sums w·Q over the pixels
// that touch it, from a CSR list built on the CPU in pixel order, so each sum adds the same
// float32 terms in the same order as the reference's scatter. One invocation per
// (vertex, word of labels), labels innermost: the invocations of one vertex sit side by side,
// walk the same CSR entries (same trip count, no divergence) and together read each pixel's
// contiguous label vector. With HALF, each lattice's sums are scaled by a power of two that keeps
// its blurred values inside float16's range (exact: no rounding beyond float16's own).
struct Params { rows: u32, rows_a: u32, scale_a: f32, scale_b: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<vec4u>;          // pixels × WORDS
@group(0) @binding(2) var<storage, read> start: array<u32>;        // rows + 1
@group(0) @binding(3) var<storage, read> entries: array<vec2u>;    // (pixel, bitcast weight)
@group(0) @binding(4) var<storage, read_write> values: array<vec4u>;  // rows × WORDS

override C4: u32;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let g = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (g >= p.rows * WORDS) { return; }
  let row = g / WORDS;
  let c = g % WORDS;
  // Bounds read once (re-reading them per trip nearly doubled the time on lavapipe); four
  // entries per trip, still added in order. acc1 holds a half word's upper four labels (unused,
  // and compiled away, in float32).
  let end = start[row + 1u];
  var e = start[row];
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  for (; e + 4u <= end; e += 4u) {
    let a = entries[e];
    let b = entries[e + 1u];
    let d = entries[e + 2u];
    let f = entries[e + 3u];
    let qa = unpackWord(HALF, q[a.x * WORDS + c]);
    let qb = unpackWord(HALF, q[b.x * WORDS + c]);
    let qd = unpackWord(HALF, q[d.x * WORDS + c]);
    let qf = unpackWord(HALF, q[f.x * WORDS + c]);
    acc0 += bitcast<f32>(a.y) * qa[0];
    acc1 += bitcast<f32>(a.y) * qa[1];
    acc0 += bitcast<f32>(b.y) * qb[0];
    acc1 += bitcast<f32>(b.y) * qb[1];
    acc0 += bitcast<f32>(d.y) * qd[0];
    acc1 += bitcast<f32>(d.y) * qd[1];
    acc0 += bitcast<f32>(f.y) * qf[0];
    acc1 += bitcast<f32>(f.y) * qf[1];
  }
  for (; e < end; e += 1u) {
    let a = entries[e];
    let qa = unpackWord(HALF, q[a.x * WORDS + c]);
    acc0 += bitcast<f32>(a.y) * qa[0];
    acc1 += bitcast<f32>(a.y) * qa[1];
  }
  if (HALF) {
    let s = select(p.scale_b, p.scale_a, row < p.rows_a);
    acc0 *= s;
    acc1 *= s;
  }
  values[g] = packWord(HALF, acc0, acc1);
}
