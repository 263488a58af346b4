// Weight fetch and entry point for the register-blocked lavapipe kernels (conv2d_wino_gemm,
// conv2d_gemm1x1, conv2d_window), prepended to each: the kernel declares `wt`, its weights packed
// as [O/8][K][8] (two vec4s per k, 4 output channels each) and `fn kernel(wid, lid)`. This plain
// form reads weights at an address uniform across the workgroup; weights_subgroup.wgsl is its
// twin for devices with fixed-size subgroups. A lane may accumulate several blocks of 8 output
// channels at once, each in its own `slot` (< MAX_SLOTS); callers call weightsFrom(slot, base, k)
// at every k, in order, before weight(slot, base, k, j) for that k.

const MAX_SLOTS = 4u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  kernel(wid, lid);
}

fn weightsFrom(slot: u32, base: u32, k: u32) {}

// vec4 j (0 or 1) of step k's weights, in the block whose weights start at vec4 `base`.
fn weight(slot: u32, base: u32, k: u32, j: u32) -> vec4f {
  return wt[base + 2u * k + j];
}

// Reading a vec4 that the next lane has loaded (conv2d_gemm1x1's shifted rows): without
// subgroups a lane always loads it itself.
fn ownsNext(l: u32) -> bool { return true; }
fn fromNextLane(v: vec4f) -> vec4f { return v; }
