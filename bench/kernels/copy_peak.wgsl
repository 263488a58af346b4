// Bandwidth probe: a plain vec4 copy, one 16-byte load and store per invocation. Its GB/s is the
// memory bandwidth the bench harness reports kernels against.
@group(0) @binding(0) var<uniform> count: vec4u;   // x: number of vec4s
@group(0) @binding(1) var<storage, read> src: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec4f>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * 256u + lid;
  if (i >= count.x) { return; }
  dst[i] = src[i];
}
