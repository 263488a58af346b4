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
const MAX_SLOTS = 4u;

var<private> sid: u32;
var<private> chunk: array<vec4f, MAX_SLOTS>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32,
        @builtin(subgroup_invocation_id) s: u32) {
  sid = s;
  kernel(wid, lid);
}

fn weightsFrom(slot: u32, base: u32, k: u32) {
  if (k % (SG / 2u) == 0u) { chunk[slot] = wt[base + 2u * k + sid]; }
}

fn weight(slot: u32, base: u32, k: u32, j: u32) -> vec4f {
  return subgroupShuffle(chunk[slot], 2u * (k % (SG / 2u)) + j);
}

// A lane whose row of vec4s continues in the next lane's (l + 1, same row) takes that lane's
// vec4 by a shuffle instead of loading it again; the subgroup's last lane, and lanes clamped past
// the end, load it themselves, under a per-lane branch (fc8 on lavapipe: 5.6 against 6.2 ms with
// both loads, in-process A/B). Checking the next lane's index, rather than assuming subgroups are
// runs of consecutive invocations, keeps this right on any subgroup layout. Call both in uniform
// control flow.
fn ownsNext(l: u32) -> bool {
  let next = subgroupShuffleDown(l, 1u);
  return sid + 1u >= SG || next != l + 1u;
}

fn fromNextLane(v: vec4f) -> vec4f { return subgroupShuffleDown(v, 1u); }
