// 2-D max / average pooling (Caffe windows, as pool2d.wgsl), four adjacent outputs of a row per
// invocation: the input cells the four windows share are loaded once, the index arithmetic (and
// its integer divisions, which lavapipe runs lane by lane) is paid once per four outputs, and
// with K and S fixed at pipeline creation every loop unrolls into straight-line code. Cells
// outside the input read as the identity (−FLT_MAX or 0) instead of branching per lane.
struct Params { count: u32, H: u32, W: u32, OH: u32, OW: u32, k: u32, stride: u32, pad: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

override AVG: bool = false;
override K: u32 = 3;
override S: u32 = 2;
override WG: u32 = 64;
const R: u32 = 4;                 // outputs per invocation
override SPAN: u32 = (R - 1u) * S + K;  // input columns the R windows cover, ≤ MAXSPAN
const MAXSPAN: u32 = 16u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;   // count = planes·OH·⌈OW/R⌉
  if (i >= p.count) { return; }
  let quads = (p.OW + R - 1u) / R;
  let q = i % quads;
  let t = i / quads;
  let oy = t % p.OH;
  let plane = t / p.OH;
  let h = i32(p.H);
  let w = i32(p.W);
  let pad = i32(p.pad);
  let y0 = i32(oy * S) - pad;
  let x0 = i32(q * R * S) - pad;
  let identity = select(-3.40282346638528859812e+38f, 0.0, AVG);
  var acc: array<f32, R>;
  for (var o = 0u; o < R; o++) { acc[o] = identity; }
  for (var ky = 0u; ky < K; ky++) {
    let iy = y0 + i32(ky);
    let rowOk = iy >= 0 && iy < h;
    let row = (plane * p.H + u32(clamp(iy, 0, h - 1))) * p.W;
    var v: array<f32, MAXSPAN>;
    for (var j = 0u; j < SPAN; j++) {
      let ix = x0 + i32(j);
      let val = x[row + u32(clamp(ix, 0, w - 1))];
      v[j] = select(identity, val, rowOk && ix >= 0 && ix < w);
    }
    for (var o = 0u; o < R; o++) {
      for (var kx = 0u; kx < K; kx++) {
        if (AVG) { acc[o] += v[o * S + kx]; } else { acc[o] = max(acc[o], v[o * S + kx]); }
      }
    }
  }
  let ye = min(y0 + i32(K), h + pad);
  let outRow = (plane * p.OH + oy) * p.OW;
  for (var o = 0u; o < R; o++) {
    let ox = q * R + o;
    if (ox < p.OW) {
      var r = acc[o];
      if (AVG) {
        let xs = x0 + i32(o * S);
        r = r / f32((ye - y0) * (min(xs + i32(K), w + pad) - xs));
      }
      y[outRow + ox] = r;
    }
  }
}
