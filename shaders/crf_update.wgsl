// One mean-field update per pixel: slice both kernels' blurred lattices at the pixel's vertices,
// next = -U + wA·normA·(KA Q) + wB·normB·(KB Q), then Q = softmax(next) in place (the slice reads
// only the lattice values, never Q, so no second Q buffer is needed). One invocation per pixel:
// the softmax needs the whole label vector.
struct Params { pixels: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> valuesA: array<vec4f>;    // rows × C4, kernel A's rows blurred
@group(0) @binding(2) var<storage, read> valuesB: array<vec4f>;    // rows × C4, kernel B's rows blurred
@group(0) @binding(3) var<storage, read> slices: array<vec2u>;     // pixels × (KA + KB): (row, bitcast weight·alpha)
@group(0) @binding(4) var<storage, read> coef: array<vec2f>;       // pixels: (wA·normA, wB·normB)
@group(0) @binding(5) var<storage, read> unary: array<vec4f>;      // pixels × C4
@group(0) @binding(6) var<storage, read_write> q: array<vec4f>;    // pixels × C4

override KA: u32;   // vertices per pixel of the positional lattice (d + 1 = 3)
override KB: u32;   // ... of the bilateral lattice (6)
const MAX_C4 = 64u;  // 256 labels

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (i >= p.pixels) { return; }
  let s = i * (KA + KB);
  let wn = coef[i];
  let base = i * C4;
  // Each slice entry is read once and applied to every label; the sums per kernel stay separate
  // and in vertex order, as the reference slices each kernel on its own.
  var ta: array<vec4f, MAX_C4>;
  var tb: array<vec4f, MAX_C4>;
  for (var k = 0u; k < KA; k += 1u) {
    let e = slices[s + k];
    let w = bitcast<f32>(e.y);
    for (var c = 0u; c < C4; c += 1u) { ta[c] += w * valuesA[e.x * C4 + c]; }
  }
  for (var k = KA; k < KA + KB; k += 1u) {
    let e = slices[s + k];
    let w = bitcast<f32>(e.y);
    for (var c = 0u; c < C4; c += 1u) { tb[c] += w * valuesB[e.x * C4 + c]; }
  }
  // next, then its softmax in registers (ta reused for it); Q is written once.
  for (var c = 0u; c < C4; c += 1u) { ta[c] = -unary[base + c] + wn.x * ta[c] + wn.y * tb[c]; }
  softmax(&ta);
  for (var c = 0u; c < C4; c += 1u) { q[base + c] = ta[c]; }
}
