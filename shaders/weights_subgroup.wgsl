// weights_uniform.wgsl (read that first) for devices with subgroups of a fixed size SG (8 lanes on
// lavapipe). There each k costs two loads at a workgroup-uniform address, and on lavapipe a uniform
// load costs about as much as a per-lane one. Here the lanes of a subgroup load SG consecutive
// weight vec4s (SG/2 values of k) in one per-lane load, at every SG/2-th k, and pass them around
// with subgroupShuffle, a register move: a GEMM's loads per k drop from 3 to 1.25. Same values in
// the same order, so bit-identical; GEMMs 1.6–1.9× faster on lavapipe (LargeFOV's Winograd shapes,
// 1024³, fc8's). The shuffles need every lane of the subgroup active: the kernels keep lanes past
// their end running on clamped indices, and call weight() in uniform control flow. Past the last
// k a chunk may read beyond the block's weights: those slots are never used.
enable subgroups;

override SG: u32 = 8;

var<private> sid: u32;
var<private> chunk: vec4f;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32,
        @builtin(subgroup_invocation_id) s: u32) {
  sid = s;
  kernel(wid, lid);
}

fn weightsFrom(base: u32, k: u32) {
  if (k % (SG / 2u) == 0u) { chunk = wt[base + 2u * k + sid]; }
}

fn weight(base: u32, k: u32, j: u32) -> vec4f {
  return subgroupShuffle(chunk, 2u * (k % (SG / 2u)) + j);
}
