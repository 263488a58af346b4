// One blur pass along one lattice direction: v'[i] = v[i] + 0.5·(v[n1] + v[n2]). Missing
// neighbours point at the all-zero last row. One invocation per (vertex, word of labels), over the
// words [first, end): a lattice whose directions are all done (the positional one past its 3) is
// left out instead of copied through identity passes.
struct Params { first: u32, end: u32, pass_offset: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<vec4u>;        // rows × WORDS
@group(0) @binding(2) var<storage, read> neighbours: array<vec2u>; // passes × rows
@group(0) @binding(3) var<storage, read_write> dst: array<vec4u>;  // rows × WORDS

override C4: u32;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let g = p.first + (wid.x + wid.y * nwg.x) * 64u + lid;
  if (g >= p.end) { return; }
  let c = g % WORDS;
  let n = neighbours[p.pass_offset + g / WORDS];
  let v = unpackWord(HALF, src[g]);
  let a = unpackWord(HALF, src[n.x * WORDS + c]);
  let b = unpackWord(HALF, src[n.y * WORDS + c]);
  dst[g] = packWord(HALF, v[0] + 0.5 * (a[0] + b[0]), v[1] + 0.5 * (a[1] + b[1]));
}
