// A 1×1 stride-1 conv is a GEMM per image, Y[n][O×HW] = W[O×C]·X[n][C×HW], blocked as
// conv2d_wino_gemm.wgsl (8 output channels per block, weights fetched as weights_*.wgsl choose;
// each lane owns 4
// adjacent positions), for up to 64 output channels over maps whose HW is not a multiple of 4
// (LargeFOV's fc8: 21 over 41×41 = 1681). Channel c's row then starts at phase (n·C·HW + c·HW) % 4,
// the same for every lane, so a lane reads the two aligned vec4s its 4 positions straddle and
// shifts them (2 loads, 1 at phase 0) instead of 4 scalar loads, and writes Y unpadded: no padding
// copies of X in and Y out, which on lavapipe took about half as long as fc8's GEMM itself.
struct Params { c: u32, o: u32, hw: u32, lanes: u32, relu: u32 }   // lanes = ceil(HW / 4) per image

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4f>;   // N×C×HW floats (+ slack to a vec4)
@group(0) @binding(2) var<storage, read> wt: array<vec4f>;  // [O/8][C][8]
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

override WG: u32 = 16;

fn store(o: u32, row: u32, col: u32, a: vec4f) {
  if (o >= p.o) { return; }
  var r = a + bias[o];
  if (p.relu != 0u) { r = max(r, vec4f(0.0)); }
  for (var j = 0u; j < 4u; j++) {
    if (col + j < p.hw) { y[row + j] = r[j]; }
  }
}

// The lane's 4 positions of the channel row starting at flat index `start`. The row start is kept
// apart from the lane's offset so that the phase is visibly uniform: the branch on it is then a
// plain jump for the whole SIMD group, not a masked pair of paths.
fn row(start: u32, l: u32) -> vec4f {
  let phase = start & 3u;
  let i = (start >> 2u) + l;
  var b = x[i];
  if (phase != 0u) {
    let v = x[i + 1u];
    b = select(select(vec4f(b.w, v.xyz), vec4f(b.zw, v.xy), phase == 2u), vec4f(b.yzw, v.x), phase == 1u);
  }
  return b;
}

// Entry point and weight fetch: weights_uniform.wgsl or weights_subgroup.wgsl, prepended.
fn kernel(wid: vec3u, lid: u32) {
  let lane = wid.y * WG + lid;
  let l = min(lane, p.lanes - 1u);  // lanes past the end repeat the last one's reads, store nothing
  let n = wid.z;
  // A lane runs every block of 8 output channels in turn, so its slice of X, read for the first,
  // is still in this core's cache for the others (at most 8 of them: a few hundred KiB).
  for (var ob = 0u; ob < (p.o + 7u) / 8u; ob++) {
    block(l, lane, n, ob);
  }
}

fn block(l: u32, lane: u32, n: u32, ob: u32) {
  var start = n * p.c * p.hw;
  let wbase = ob * p.c * 2u;
  var a0 = vec4f(0.0); var a1 = vec4f(0.0); var a2 = vec4f(0.0); var a3 = vec4f(0.0);
  var a4 = vec4f(0.0); var a5 = vec4f(0.0); var a6 = vec4f(0.0); var a7 = vec4f(0.0);
  for (var c = 0u; c < p.c; c++) {
    weightsFrom(wbase, c);
    let b = row(start, l);
    let w0 = weight(wbase, c, 0u);
    let w1 = weight(wbase, c, 1u);
    start += p.hw;
    a0 = fma(vec4f(w0.x), b, a0); a1 = fma(vec4f(w0.y), b, a1);
    a2 = fma(vec4f(w0.z), b, a2); a3 = fma(vec4f(w0.w), b, a3);
    a4 = fma(vec4f(w1.x), b, a4); a5 = fma(vec4f(w1.y), b, a5);
    a6 = fma(vec4f(w1.z), b, a6); a7 = fma(vec4f(w1.w), b, a7);
  }
  if (lane >= p.lanes) { return; }
  let o = ob * 8u;
  let col = lane * 4u;
  let dst = (n * p.o + o) * p.hw + col;
  store(o, dst, col, a0); store(o + 1u, dst + p.hw, col, a1);
  store(o + 2u, dst + 2u * p.hw, col, a2); store(o + 3u, dst + 3u * p.hw, col, a3);
  store(o + 4u, dst + 4u * p.hw, col, a4); store(o + 5u, dst + 5u * p.hw, col, a5);
  store(o + 6u, dst + 6u * p.hw, col, a6); store(o + 7u, dst + 7u * p.hw, col, a7);
}
