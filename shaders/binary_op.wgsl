// The op of the binary kernels (binary.wgsl, binary_vec4.wgsl), prepended to each by the host:
// OP is chosen at pipeline creation (override), so each op is its own specialised pipeline.
override OP: u32 = 0;   // 0 add, 1 sub, 2 mul, 3 div, 4 max, 5 min
override RELU: bool = false;  // fused max(z, 0): a residual unit's add + ReLU in one pass

fn apply(x: f32, y: f32) -> f32 {
  var v: f32;
  switch OP {
    case 0u: { v = x + y; }
    case 1u: { v = x - y; }
    case 2u: { v = x * y; }
    case 3u: { v = x / y; }
    case 4u: { v = max(x, y); }
    default: { v = min(x, y); }
  }
  return select(v, max(v, 0.0), RELU);
}
