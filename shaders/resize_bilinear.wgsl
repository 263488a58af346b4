// Bilinear resize of each (n, c) plane, one invocation per output element (W fastest). The
// source coordinates: resize_axis.wgsl, prepended by the host.
struct Params { count: u32, Hin: u32, Win: u32, Hout: u32, Wout: u32, rh: f32, rw: f32, _pad: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= p.count) { return; }
  let s = source(i, p.Hin, p.Win, p.Hout, p.Wout, p.rh, p.rw);
  let base = s.plane * p.Hin * p.Win;
  y[i] = blend(s.ly, s.lx, x[base + s.i00], x[base + s.i01], x[base + s.i10], x[base + s.i11]);
}

// Four adjacent outputs of a row per invocation: the row's source pair and weight, and the index
// arithmetic (integer divisions run lane by lane on lavapipe), are paid once per four outputs.
// Same arithmetic per output as main, so the results are identical.
const R: u32 = 4u;

@compute @workgroup_size(WG)
fn row4(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;   // count = planes·Hout·⌈Wout/R⌉
  if (i >= p.count) { return; }
  let quads = (p.Wout + R - 1u) / R;
  let q = i % quads;
  let t = i / quads;
  let oy = t % p.Hout;
  let plane = t / p.Hout;
  let ay = axis(oy, p.rh, p.Hin);
  let r0 = plane * p.Hin * p.Win + u32(ay.x) * p.Win;
  let r1 = plane * p.Hin * p.Win + u32(ay.y) * p.Win;
  let out = t * p.Wout;
  for (var o = 0u; o < R; o++) {
    let ox = q * R + o;
    if (ox < p.Wout) {
      let ax = axis(ox, p.rw, p.Win);
      let x0 = u32(ax.x);
      let x1 = u32(ax.y);
      y[out + ox] = blend(ay.z, ax.z, x[r0 + x0], x[r0 + x1], x[r1 + x0], x[r1 + x1]);
    }
  }
}
