// Labels of bilinearly resized scores without the resized scores: for each output pixel, the
// index of the largest channel of the bilinear resize of [N, C, Hin, Win] (resize_axis.wgsl,
// prepended by the host, gives the source pixels and weights; each channel's value is
// resize_bilinear.wgsl's to the bit). A strict > keeps the first index on ties, as argmax does.
// Writes N×Hout×Wout labels and reads the input once per output pixel: a full-resolution map of
// C scores, which large images cannot hold in one binding (lavapipe: 128 MiB), is never formed.
struct Params { count: u32, C: u32, Hin: u32, Win: u32, Hout: u32, Wout: u32, rh: f32, rw: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> labels: array<i32>;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= p.count) { return; }
  let s = source(i, p.Hin, p.Win, p.Hout, p.Wout, p.rh, p.rw);
  let plane = p.Hin * p.Win;
  var best = 0.0;
  var arg = 0u;
  for (var c = 0u; c < p.C; c++) {
    let base = (s.plane * p.C + c) * plane;
    let v = blend(s.ly, s.lx, x[base + s.i00], x[base + s.i01], x[base + s.i10], x[base + s.i11]);
    if (c == 0u || v > best) {
      best = v;
      arg = c;
    }
  }
  labels[i] = i32(arg);
}
