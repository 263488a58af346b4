// Shared by the tiled implicit GEMMs (conv2d_tiled.wgsl, conv2d_tiled128.wgsl; the host prepends
// it): the im2col'd input X[k, pos], k = (ci, kh, kw), read on the fly from NCHW x, zero outside
// the padded input. The including shader declares p (c, h, w, oh, ow, k, positions, stride, pad,
// dil), x, KH and KW.

// An output position's image and the input cell of its window's top-left tap.
struct GatherPos { valid: bool, n: u32, iy0: i32, ix0: i32 }

fn gatherPos(pos: u32) -> GatherPos {
  let ox = pos % p.ow;
  let oy = (pos / p.ow) % p.oh;
  return GatherPos(pos < p.positions, pos / (p.ow * p.oh), i32(oy * p.stride) - i32(p.pad), i32(ox * p.stride) - i32(p.pad));
}

// X[k, g] of the image at element offset `base` of x.
fn gatherX(g: GatherPos, k: u32, base: u32) -> f32 {
  if (k >= p.k || !g.valid) { return 0.0; }
  let r = k % (KH * KW);
  let iy = g.iy0 + i32((r / KW) * p.dil);
  let ix = g.ix0 + i32((r % KW) * p.dil);
  if (iy < 0 || iy >= i32(p.h) || ix < 0 || ix >= i32(p.w)) { return 0.0; }
  return x[base + ((g.n * p.c + k / (KH * KW)) * p.h + u32(iy)) * p.w + u32(ix)];
}
