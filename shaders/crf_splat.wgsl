// Splat as a gather (WGSL has no float atomics): each lattice vertex sums w·Q over the pixels
// that touch it, from a CSR list built on the CPU in pixel order, so each sum adds the same
// float32 terms in the same order as the reference's scatter. One invocation per
// (vertex, vec4 of labels), labels innermost: the invocations of one vertex sit side by side,
// walk the same CSR entries (same trip count, no divergence) and together read each pixel's
// contiguous label vector.
struct Params { rows: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<vec4f>;          // pixels × C4
@group(0) @binding(2) var<storage, read> start: array<u32>;        // rows + 1
@group(0) @binding(3) var<storage, read> entries: array<vec2u>;    // (pixel, bitcast weight)
@group(0) @binding(4) var<storage, read_write> values: array<vec4f>;  // rows × C4

override C4: u32;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let g = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (g >= p.rows * C4) { return; }
  let row = g / C4;
  let c = g % C4;
  // Bounds read once (re-reading them per trip nearly doubled the time on lavapipe); four
  // entries per trip, still added in order.
  let end = start[row + 1u];
  var e = start[row];
  var acc = vec4f(0.0);
  for (; e + 4u <= end; e += 4u) {
    let a = entries[e];
    let b = entries[e + 1u];
    let d = entries[e + 2u];
    let f = entries[e + 3u];
    let qa = q[a.x * C4 + c];
    let qb = q[b.x * C4 + c];
    let qd = q[d.x * C4 + c];
    let qf = q[f.x * C4 + c];
    acc += bitcast<f32>(a.y) * qa;
    acc += bitcast<f32>(b.y) * qb;
    acc += bitcast<f32>(d.y) * qd;
    acc += bitcast<f32>(f.y) * qf;
  }
  for (; e < end; e += 1u) {
    let a = entries[e];
    acc += bitcast<f32>(a.y) * q[a.x * C4 + c];
  }
  values[g] = acc;
}
