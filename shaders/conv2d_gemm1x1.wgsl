// A 1×1 stride-1 conv is a GEMM per image, Y[n][O×HW] = W[O×C]·X[n][C×HW], blocked as
// conv2d_wino_gemm.wgsl (each lane owns 4·NC adjacent positions for NB blocks of 8 output
// channels, weights fetched as weights_*.wgsl choose; a workgroup per NB blocks), for maps whose
// HW is not a multiple of 4 or O not of 8 (LargeFOV's fc7 and fc8 over 41×41 = 1681). Channel c's
// row starts at phase (n·C·HW + c·HW) % 4, the same for every lane, so a lane shifts the NC + 1
// aligned vec4s its positions straddle (the last one, the next lane's first, passed over by
// subgroup shuffle where there are subgroups) and writes Y unpadded: no padding copies of X in and
// Y out.
struct Params { c: u32, o: u32, hw: u32, lanes: u32, relu: u32 }   // lanes = ceil(HW / (4·NC)) per image

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4f>;   // N×C×HW floats (+ slack to a vec4)
@group(0) @binding(2) var<storage, read> wt: array<vec4f>;  // [O/8][C][8]
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

override WG: u32 = 16;
override NB: u32 = 1;  // blocks of 8 output channels per lane, ≤ MAX_SLOTS
override NC: u32 = 1;  // vec4s of positions per lane, 1 or 2

fn store(o: u32, row: u32, col: u32, a: vec4f) {
  if (o >= p.o) { return; }
  var r = a + bias[o];
  if (p.relu != 0u) { r = max(r, vec4f(0.0)); }
  for (var j = 0u; j < 4u; j++) {
    if (col + j < p.hw) { y[row + j] = r[j]; }
  }
}

// The lane's 4·NC positions of the channel row starting at flat index `start`, as NC vec4s. The
// row start is kept apart from the lane's offset so that the phase is visibly uniform: the branch
// on it is then a plain jump for the whole SIMD group, not a masked pair of paths.
fn row(start: u32, l: u32, own: bool) -> array<vec4f, 2> {
  let phase = start & 3u;
  let i = (start >> 2u) + l * NC;
  var b: array<vec4f, 3>;
  for (var q = 0u; q < NC; q++) { b[q] = x[i + q]; }
  if (phase == 0u) { return array<vec4f, 2>(b[0], b[1]); }
  var v = fromNextLane(b[0]);
  if (own) { v = x[i + NC]; }
  b[NC] = v;
  var r: array<vec4f, 2>;
  for (var q = 0u; q < NC; q++) {
    let u = b[q];
    let w = b[q + 1u];
    r[q] = select(select(vec4f(u.w, w.xyz), vec4f(u.zw, w.xy), phase == 2u), vec4f(u.yzw, w.x), phase == 1u);
  }
  return r;
}

// Entry point and weight fetch: weights_uniform.wgsl or weights_subgroup.wgsl, prepended.
fn kernel(wid: vec3u, lid: u32) {
  let lane = wid.y * WG + lid;
  let l = min(lane, p.lanes - 1u);  // lanes past the end repeat the last one's reads, store nothing
  let own = ownsNext(l);
  let n = wid.z;
  blocks(l, lane, n, wid.x * NB, own);
}

// Blocks [ob, ob + NB): those past the last one compute on clamped weight reads, store nothing.
fn blocks(l: u32, lane: u32, n: u32, ob: u32, own: bool) {
  var start = n * p.c * p.hw;
  let wbase = ob * p.c * 2u;
  var a: array<vec4f, 8 * MAX_SLOTS * 2>;  // row r, vec4 q at r·NC + q
  for (var c = 0u; c < p.c; c++) {
    for (var j = 0u; j < NB; j++) { weightsFrom(j, wbase + j * p.c * 2u, c); }
    let bs = row(start, l, own);
    start += p.hw;
    for (var j = 0u; j < NB; j++) {
      let wb = wbase + j * p.c * 2u;
      let w0 = weight(j, wb, c, 0u);
      let w1 = weight(j, wb, c, 1u);
      for (var q = 0u; q < NC; q++) {
        let b = bs[q];
        let r = 8u * j * NC + q;
        a[r] = fma(vec4f(w0.x), b, a[r]); a[r + NC] = fma(vec4f(w0.y), b, a[r + NC]);
        a[r + 2u * NC] = fma(vec4f(w0.z), b, a[r + 2u * NC]); a[r + 3u * NC] = fma(vec4f(w0.w), b, a[r + 3u * NC]);
        a[r + 4u * NC] = fma(vec4f(w1.x), b, a[r + 4u * NC]); a[r + 5u * NC] = fma(vec4f(w1.y), b, a[r + 5u * NC]);
        a[r + 6u * NC] = fma(vec4f(w1.z), b, a[r + 6u * NC]); a[r + 7u * NC] = fma(vec4f(w1.w), b, a[r + 7u * NC]);
      }
    }
  }
  if (lane >= p.lanes) { return; }
  let col = lane * 4u * NC;
  let dst = (n * p.o + ob * 8u) * p.hw + col;
  for (var r = 0u; r < 8u * NB; r++) {
    for (var q = 0u; q < NC; q++) { store(ob * 8u + r, dst + r * p.hw + 4u * q, col + 4u * q, a[r * NC + q]); }
  }
}
