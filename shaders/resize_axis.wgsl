// Shared by resize_bilinear.wgsl and resize_argmax.wgsl (the host prepends it): where an output
// row or column reads its input. ALIGN (Caffe Interp, PyTorch/TF align_corners=True):
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
