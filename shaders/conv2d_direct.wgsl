// conv2d, direct: the readable reference. One invocation per output element (n, o, oy, ox) sums
// x · w over the (ci, kh, kw) window, skipping taps that fall in the zero padding.
// Weights are in the packed layout every conv2d variant shares (see src/kernels/conv2d.ts):
// [ceil(O/8)][K][8], K = C·KH·KW in (ci, kh, kw) order.
struct Params {
  c: u32, h: u32, w: u32, o: u32,
  oh: u32, ow: u32, kh: u32, kw: u32,
  stride: u32, pad: u32, dil: u32, relu: u32,
  count: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> wt: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

override WG: u32 = 256;

fn weight(o: u32, k: u32) -> f32 {
  let K = p.c * p.kh * p.kw;
  return wt[((o / 8u) * K + k) * 8u + o % 8u];
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= p.count) { return; }
  let ox = i % p.ow;
  let oy = (i / p.ow) % p.oh;
  let o = (i / (p.ow * p.oh)) % p.o;
  let n = i / (p.ow * p.oh * p.o);
  var acc = bias[o];
  for (var ci = 0u; ci < p.c; ci++) {
    let plane = (n * p.c + ci) * p.h * p.w;
    for (var kh = 0u; kh < p.kh; kh++) {
      let iy = i32(oy * p.stride + kh * p.dil) - i32(p.pad);
      if (iy < 0 || iy >= i32(p.h)) { continue; }
      for (var kw = 0u; kw < p.kw; kw++) {
        let ix = i32(ox * p.stride + kw * p.dil) - i32(p.pad);
        if (ix < 0 || ix >= i32(p.w)) { continue; }
        acc += x[plane + u32(iy) * p.w + u32(ix)] * weight(o, (ci * p.kh + kh) * p.kw + kw);
      }
    }
  }
  if (p.relu != 0u) { acc = max(acc, 0.0); }
  y[i] = acc;
}
