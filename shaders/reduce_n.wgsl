// Elementwise sum or max of up to 8 same-shape tensors per dispatch (ASPP branch sums, multi-scale
// max fusion). K inputs are live; the host binds the unused slots to x0, since WGSL cannot index
// bindings and every declared binding must be bound. Longer lists chain dispatches with ACC, which
// folds the output so far in first: the result is the left fold ((x0 ∘ x1) ∘ x2) ∘ …, the order
// PyTorch's a + b + c and Caffe's Eltwise use, so sums agree bit for bit.
struct Params { count: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x0: array<f32>;
@group(0) @binding(2) var<storage, read> x1: array<f32>;
@group(0) @binding(3) var<storage, read> x2: array<f32>;
@group(0) @binding(4) var<storage, read> x3: array<f32>;
@group(0) @binding(5) var<storage, read> x4: array<f32>;
@group(0) @binding(6) var<storage, read> x5: array<f32>;
@group(0) @binding(7) var<storage, read> x6: array<f32>;
@group(0) @binding(8) var<storage, read> x7: array<f32>;
@group(0) @binding(9) var<storage, read_write> y: array<f32>;

override K: u32 = 2;        // live inputs, 1..8
override MAX: bool = false;
override ACC: bool = false; // fold in y's current value first
override WG: u32 = 256;

fn op(a: f32, b: f32) -> f32 {
  if (MAX) { return max(a, b); }
  return a + b;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= p.count) { return; }
  var v = x0[i];
  if (ACC) { v = op(y[i], v); }
  if (K > 1u) { v = op(v, x1[i]); }
  if (K > 2u) { v = op(v, x2[i]); }
  if (K > 3u) { v = op(v, x3[i]); }
  if (K > 4u) { v = op(v, x4[i]); }
  if (K > 5u) { v = op(v, x5[i]); }
  if (K > 6u) { v = op(v, x6[i]); }
  if (K > 7u) { v = op(v, x7[i]); }
  y[i] = v;
}
