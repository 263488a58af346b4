// z = op(a, b) (binary_op.wgsl) for two operands of one shape, four elements per invocation: one
// vec4 load per operand and one store, and none of the broadcasting kernel's index arithmetic
// (binary.wgsl), whose integer divisions run one lane at a time on lavapipe. The host takes this path when the
// shapes are equal and the size a multiple of 4 (a residual unit's add + ReLU, ASPP sums).
struct Params { count4: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4f>;
@group(0) @binding(2) var<storage, read> b: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> z: array<vec4f>;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= p.count4) { return; }
  let u = a[i];
  let v = b[i];
  z[i] = vec4f(apply(u.x, v.x), apply(u.y, v.y), apply(u.z, v.z), apply(u.w, v.w));
}
