// z = op(a, b) for two operands of one shape, four elements per invocation: one vec4 load per
// operand and one store, and none of the broadcasting kernel's index arithmetic (binary.wgsl),
// whose integer divisions run one lane at a time on lavapipe. The host takes this path when the
// shapes are equal and the size a multiple of 4 (a residual unit's add + ReLU, ASPP sums).
struct Params { count4: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4f>;
@group(0) @binding(2) var<storage, read> b: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> z: array<vec4f>;

override OP: u32 = 0;   // 0 add, 1 sub, 2 mul, 3 div, 4 max, 5 min (as binary.wgsl)
override RELU: bool = false;
override WG: u32 = 256;

fn apply(x: vec4f, y: vec4f) -> vec4f {
  switch OP {
    case 0u: { return x + y; }
    case 1u: { return x - y; }
    case 2u: { return x * y; }
    case 3u: { return x / y; }
    case 4u: { return max(x, y); }
    default: { return min(x, y); }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= p.count4) { return; }
  let v = apply(a[i], b[i]);
  z[i] = select(v, max(v, vec4f(0.0)), RELU);
}
