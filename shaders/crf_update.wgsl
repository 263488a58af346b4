// One mean-field update per pixel: slice both kernels' blurred lattices at the pixel's vertices,
// next = -U + wA·normA·(KA Q) + wB·normB·(KB Q), then Q = softmax(next) (the slice reads only the
// lattice values, never Q, so Q is overwritten in place). One invocation per pixel: the softmax
// needs the whole label vector. The lattice words are HALF's; Q is written as Q_HALF's words
// (float32 for the result, after the last iteration).
struct Params { pixels: u32, unscale_a: f32, unscale_b: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> valuesA: array<vec4u>;    // rows × WORDS, kernel A's rows blurred
@group(0) @binding(2) var<storage, read> valuesB: array<vec4u>;    // rows × WORDS, kernel B's rows blurred
@group(0) @binding(3) var<storage, read> slices: array<vec2u>;     // pixels × (KA + KB): (row, bitcast weight·alpha)
@group(0) @binding(4) var<storage, read> coef: array<vec2f>;       // pixels: (wA·normA, wB·normB)
@group(0) @binding(5) var<storage, read> unary: array<vec4f>;      // pixels × C4
@group(0) @binding(6) var<storage, read_write> q: array<vec4u>;    // pixels × Q_WORDS

override KA: u32;   // vertices per pixel of the positional lattice (d + 1 = 3)
override KB: u32;   // ... of the bilateral lattice (6)
override Q_HALF: bool = false;
override Q_WORDS: u32 = select(C4, (C4 + 1u) / 2u, Q_HALF);
const MAX_C4 = 64u;  // 256 labels

// t[..] += w · (the lattice word at index i), unpacked to whole vec4s of labels.
fn accumulate(t: ptr<function, array<vec4f, MAX_C4>>, c: u32, w: f32, word: vec4u) {
  let v = unpackWord(HALF, word);
  if (HALF) {
    (*t)[2u * c] += w * v[0];
    (*t)[2u * c + 1u] += w * v[1];
  } else {
    (*t)[c] += w * v[0];
  }
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (i >= p.pixels) { return; }
  let s = i * (KA + KB);
  var wn = coef[i];
  // With HALF the lattices hold scaled values; the power of two comes off in the coefficient.
  if (HALF) { wn *= vec2f(p.unscale_a, p.unscale_b); }
  let base = i * C4;
  // Each slice entry is read once and applied to every label; the sums per kernel stay separate
  // and in vertex order, as the reference slices each kernel on its own.
  var ta: array<vec4f, MAX_C4>;
  var tb: array<vec4f, MAX_C4>;
  for (var k = 0u; k < KA; k += 1u) {
    let e = slices[s + k];
    let w = bitcast<f32>(e.y);
    for (var c = 0u; c < WORDS; c += 1u) { accumulate(&ta, c, w, valuesA[e.x * WORDS + c]); }
  }
  for (var k = KA; k < KA + KB; k += 1u) {
    let e = slices[s + k];
    let w = bitcast<f32>(e.y);
    for (var c = 0u; c < WORDS; c += 1u) { accumulate(&tb, c, w, valuesB[e.x * WORDS + c]); }
  }
  // next, then its softmax in registers (ta reused for it); Q is written once.
  for (var c = 0u; c < C4; c += 1u) { ta[c] = -unary[base + c] + wn.x * ta[c] + wn.y * tb[c]; }
  softmax(&ta);
  // A half word's second vec4 past C4 is ta[C4]: padding the softmax left at zero.
  for (var c = 0u; c < Q_WORDS; c += 1u) {
    let lo = select(c, 2u * c, Q_HALF);
    q[i * Q_WORDS + c] = packWord(Q_HALF, ta[lo], ta[lo + 1u]);
  }
}
