// 2-D max / average pooling with Caffe's window rule, one invocation per output element (W
// fastest, so neighbouring lanes read neighbouring inputs). A window starts at o·stride − pad and
// is clipped to the input; AVG divides by the window clipped to H + pad instead, i.e. padded
// cells count as zeros (Caffe's AVE). MAX starts at −FLT_MAX as Caffe does: padding never wins.
struct Params { count: u32, H: u32, W: u32, OH: u32, OW: u32, k: u32, stride: u32, pad: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

override AVG: bool = false;
override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= p.count) { return; }
  let ox = i % p.OW;
  let t = i / p.OW;
  let oy = t % p.OH;
  let plane = t / p.OH;
  let h = i32(p.H);
  let w = i32(p.W);
  let pad = i32(p.pad);
  let y0 = i32(oy * p.stride) - pad;
  let x0 = i32(ox * p.stride) - pad;
  // Window end clipped to the padded input (for AVG's divisor), then to the input itself.
  let ye = min(y0 + i32(p.k), h + pad);
  let xe = min(x0 + i32(p.k), w + pad);
  let base = plane * p.H * p.W;
  var acc = select(-3.40282346638528859812e+38f, 0.0, AVG);
  for (var iy = max(y0, 0); iy < min(ye, h); iy++) {
    let row = base + u32(iy) * p.W;
    for (var ix = max(x0, 0); ix < min(xe, w); ix++) {
      let v = x[row + u32(ix)];
      if (AVG) { acc += v; } else { acc = max(acc, v); }
    }
  }
  if (AVG) { acc = acc / f32((ye - y0) * (xe - x0)); }
  y[i] = acc;
}

// Global average pooling: one workgroup per (n, c) plane; lanes take strided partial sums, then a
// tree reduction in workgroup memory.
const GWG: u32 = 64;
var<workgroup> partial: array<f32, GWG>;

@compute @workgroup_size(GWG)
fn global_avg(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
              @builtin(local_invocation_index) lid: u32) {
  let plane = wid.x + wid.y * nwg.x;   // uniform across the workgroup, so barriers stay uniform
  let hw = p.H * p.W;
  var s = 0.0;
  if (plane < p.count) {
    for (var j = lid; j < hw; j += GWG) { s += x[plane * hw + j]; }
  }
  partial[lid] = s;
  for (var half = GWG / 2u; half > 0u; half = half / 2u) {
    workgroupBarrier();
    if (lid < half) { partial[lid] += partial[lid + half]; }
  }
  if (lid == 0u && plane < p.count) { y[plane] = partial[0] / f32(hw); }
}
