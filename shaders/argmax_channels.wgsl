// Index of the largest channel of each NCHW pixel, one invocation per (n, pixel), channels walked
// in step across lanes (coalesced). A strict > keeps the first index on ties, as PyTorch does.
struct Params { count: u32, C: u32, HW: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<i32>;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= p.count) { return; }
  let n = i / p.HW;
  let base = i + n * (p.C - 1u) * p.HW;   // n·C·HW + pixel
  var best = x[base];
  var arg = 0u;
  for (var c = 1u; c < p.C; c++) {
    let v = x[base + c * p.HW];
    if (v > best) {
      best = v;
      arg = c;
    }
  }
  y[i] = i32(arg);
}
