// One blur pass along one lattice direction: v'[i] = v[i] + 0.5·(v[n1] + v[n2]). Missing
// neighbours point at the all-zero last row. One invocation per (vertex, vec4 of labels), over the
// vec4s [first, end): a lattice whose directions are all done (the positional one past its 3) is
// left out instead of copied through identity passes.
struct Params { first: u32, end: u32, pass_offset: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<vec4f>;        // rows × C4
@group(0) @binding(2) var<storage, read> neighbours: array<vec2u>; // passes × rows
@group(0) @binding(3) var<storage, read_write> dst: array<vec4f>;  // rows × C4

override C4: u32;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let g = p.first + (wid.x + wid.y * nwg.x) * 64u + lid;
  if (g >= p.end) { return; }
  let c = g % C4;
  let n = neighbours[p.pass_offset + g / C4];
  dst[g] = src[g] + 0.5 * (src[n.x * C4 + c] + src[n.y * C4 + c]);
}
