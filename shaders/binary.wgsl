// z = op(a, b) (binary_op.wgsl) with NumPy broadcasting over up to 4 dims (NCHW). Shapes are
// padded to rank 4 on the host; a broadcast dimension has stride 0, so one index formula serves
// every case.
struct Params {
  count: u32, d1: u32, d2: u32, d3: u32,   // out dims 1..3 (dim 0 is implied by count)
  aStride: vec4u,
  bStride: vec4u,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> z: array<f32>;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= p.count) { return; }
  var r = i;
  let i3 = r % p.d3; r = r / p.d3;
  let i2 = r % p.d2; r = r / p.d2;
  let i1 = r % p.d1;
  let i0 = r / p.d1;
  let idx = vec4u(i0, i1, i2, i3);
  z[i] = apply(a[dot(idx, p.aStride)], b[dot(idx, p.bStride)]);
}
