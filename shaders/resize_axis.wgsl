// Shared by resize_bilinear.wgsl and resize_argmax.wgsl (the host prepends it): where an output
// row or column reads its input (axis, source) and how the four values blend (blend). ALIGN (Caffe Interp, PyTorch/TF align_corners=True):
// src = r·o with r = (in−1)/(out−1). Otherwise PyTorch's half-pixel rule:
// src = max(r·(o + 0.5) − 0.5, 0) with r = in/out. r comes from the host already rounded to f32,
// as the references compute it.
override ALIGN: bool = true;

// Source index pair and the weight of the second one along one axis. PyTorch's CPU kernel gets its
// weight with a fused multiply-add (the compiler contracts `r·t − c − i0`), i.e. λ is the exact
// src − i0 rounded once; rounding src first is off by up to an ulp of src (3e-5 at 513 rows).
// Rounding once without relying on fma (lavapipe does not fuse it): split r into rh (11 significant
// bits) and rl, so rh·t and rh·t − c − i0 are exact for t < 4096 and only the small rl·t rounds.
fn axis(o: u32, r: f32, n: u32) -> vec3f {
  let rh = bitcast<f32>(bitcast<u32>(r) & 0xFFFFE000u);
  let rl = r - rh;
  var t = f32(o);
  var c = 0.0;
  if (!ALIGN) { t += 0.5; c = 0.5; }
  let hi = rh * t - c;
  let lo = rl * t;
  let i0 = min(u32(max(hi + lo, 0.0)), n - 1u);
  let l = clamp((hi - f32(i0)) + lo, 0.0, 1.0);
  return vec3f(f32(i0), f32(min(i0 + 1u, n - 1u)), l);
}

// Output element i of a [planes, hout, wout] grid: its plane, the offsets (within a plane) of the
// four input values it blends, and the weights of the second row and column.
struct Source { plane: u32, i00: u32, i01: u32, i10: u32, i11: u32, ly: f32, lx: f32 }

fn source(i: u32, hin: u32, win: u32, hout: u32, wout: u32, rh: f32, rw: f32) -> Source {
  let ox = i % wout;
  let t = i / wout;
  let ay = axis(t % hout, rh, hin);
  let ax = axis(ox, rw, win);
  let r0 = u32(ay.x) * win;
  let r1 = u32(ay.y) * win;
  return Source(t / hout, r0 + u32(ax.x), r0 + u32(ax.y), r1 + u32(ax.x), r1 + u32(ax.y), ay.z, ax.z);
}

// The bilinear blend of the four values, row weight ly and column weight lx, in the references' order.
fn blend(ly: f32, lx: f32, v00: f32, v01: f32, v10: f32, v11: f32) -> f32 {
  let top = (1.0 - lx) * v00 + lx * v01;
  let bottom = (1.0 - lx) * v10 + lx * v11;
  return (1.0 - ly) * top + ly * bottom;
}
