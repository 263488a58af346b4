// y = op(x) elementwise; OP is chosen at pipeline creation (override), so each op is its own
// specialised pipeline with no branch at run time.
struct Params { count: u32, alpha: f32, beta: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

override OP: u32 = 0;   // 0 relu, 1 affine (alpha*x + beta), 2 exp, 3 neg, 4 abs, 5 log
override WG: u32 = 256;

fn apply(v: f32) -> f32 {
  switch OP {
    case 0u: { return max(v, 0.0); }
    case 1u: { return fma(p.alpha, v, p.beta); }
    case 2u: { return exp(v); }
    case 3u: { return -v; }
    case 4u: { return abs(v); }
    default: { return log(v); }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= p.count) { return; }
  y[i] = apply(x[i]);
}
