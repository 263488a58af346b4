// Block copy of `rows` runs of `run` 32-bit elements between two strided layouts:
//   dst[dstOffset + r*dstStride + i] = src[srcOffset + r*srcStride + i]
// One shape covers a plain copy (rows = 1), channel concat / slice of NCHW (rows = N) and crops.
// The row comes from the grid (y, z) rather than from dividing a flat index: integer division
// runs one lane at a time on lavapipe. Each invocation moves 4 consecutive elements.
struct Params { run: u32, rows: u32, srcOffset: u32, srcStride: u32, dstOffset: u32, dstStride: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let r = wid.y + wid.z * nwg.y;
  if (r >= p.rows) { return; }
  let i0 = (wid.x * WG + lid) * 4u;
  let s = p.srcOffset + r * p.srcStride;
  let d = p.dstOffset + r * p.dstStride;
  for (var i = i0; i < min(i0 + 4u, p.run); i++) {
    dst[d + i] = src[s + i];
  }
}
