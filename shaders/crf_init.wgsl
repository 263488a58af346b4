// Q0 = softmax(-U) per pixel (the reference's startInference), written as HALF's words.
// One invocation per pixel.
struct Params { pixels: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> unary: array<vec4f>;      // pixels × C4
@group(0) @binding(2) var<storage, read_write> q: array<vec4u>;    // pixels × WORDS

const MAX_C4 = 64u;  // 256 labels

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (i >= p.pixels) { return; }
  var t: array<vec4f, MAX_C4>;
  for (var c = 0u; c < C4; c += 1u) { t[c] = -unary[i * C4 + c]; }
  softmax(&t);
  for (var c = 0u; c < WORDS; c += 1u) {
    let lo = select(c, 2u * c, HALF);
    q[i * WORDS + c] = packWord(HALF, t[lo], t[lo + 1u]);
  }
}
