// Softmax over the channels of NCHW, one invocation per (n, pixel): lanes walk the channels in
// step, so each read is coalesced across neighbouring pixels. One online pass keeps the running
// max m and the sum s of exp(x − m), rescaling s when m grows (one exp per element); a second
// pass writes exp(x − m) / s. Subtracting the max keeps exp from overflowing.
struct Params { count: u32, C: u32, HW: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= p.count) { return; }
  let n = i / p.HW;
  let base = i + n * (p.C - 1u) * p.HW;   // n·C·HW + pixel
  var m = x[base];
  var s = 1.0;
  for (var c = 1u; c < p.C; c++) {
    let v = x[base + c * p.HW];
    if (v > m) {
      s = s * exp(m - v) + 1.0;
      m = v;
    } else {
      s += exp(v - m);
    }
  }
  for (var c = 0u; c < p.C; c++) {
    let j = base + c * p.HW;
    y[j] = exp(x[j] - m) / s;
  }
}
