// conv2d with stride 1 and dilation 1 as a register-blocked implicit GEMM for lavapipe: like
// conv2d_blocked.wgsl, no workgroup memory (weights fetched as weights_*.wgsl choose),
// but reading the input as aligned vec4s: the input is padded with rows a multiple of 4 long, so a
// lane's 8 + KW − 1 input columns for one (ci, kh) are the three vec4s at its own aligned offset,
// loaded once and shifted in registers for each of the KW taps. On lavapipe every load costs about
// the same, per-lane or uniform (dawn-notes.md), so the blocking minimises loads per multiply:
// 4 output channels × 8 columns per lane take 3 input + KW weight loads per input row, where
// 8 × 4 took 2 + 2·KW (conv1_1 at 321²: 37 against 50 ms, in-process A/B, bit-identical).
struct Params {
  c: u32, plane4: u32, img4: u32, wp4: u32,  // input: channels, plane, image and row strides in vec4s
  o: u32, oh: u32, ow: u32, ow8: u32,        // output channels, rows, columns, column groups of 8
  lanes: u32, k: u32, relu: u32,             // N·OH·OW8, K = C·KH·KW
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4f>;
@group(0) @binding(2) var<storage, read> wt: array<vec4f>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

override WG: u32 = 64;
override KH: u32 = 3;
// 1 to 5: the taps of one row then span at most the three vec4s a lane loads.
override KW: u32 = 3;

// The 32 accumulators (4 channels × 2 vec4s of columns), as named members indexed only by
// constants (as conv2d_wino_gemm.wgsl's a0…a7), so that they can live in registers.
struct Acc { a0: vec4f, a1: vec4f, a2: vec4f, a3: vec4f, b0: vec4f, b1: vec4f, b2: vec4f, b3: vec4f }

// One tap, step k: its 4 weights (one half of the packed vec4 pair) times the lane's 8 inputs.
fn tap(a: Acc, u: vec4f, v: vec4f, wbase: u32, k: u32, half: u32) -> Acc {
  weightsFrom(0u, wbase, k);
  let w = weight(0u, wbase, k, half);
  return Acc(fma(vec4f(w.x), u, a.a0), fma(vec4f(w.y), u, a.a1), fma(vec4f(w.z), u, a.a2), fma(vec4f(w.w), u, a.a3),
             fma(vec4f(w.x), v, a.b0), fma(vec4f(w.y), v, a.b1), fma(vec4f(w.z), v, a.b2), fma(vec4f(w.w), v, a.b3));
}

// Stores without a per-lane condition: on lavapipe a store under a divergent `if` took a slow
// path that cost a third of conv1_1's time. A lane's columns past the last one instead write the
// last column again, with its own value (the same lane writes it, so there is no race).
fn store(base: u32, ox0: u32, o: u32, u: vec4f, v: vec4f) {
  if (o >= p.o) { return; }
  var r = u + bias[o];
  var s = v + bias[o];
  if (p.relu != 0u) { r = max(r, vec4f(0.0)); s = max(s, vec4f(0.0)); }
  let b = base + o * p.oh * p.ow;
  let last = p.ow - 1u - ox0;  // the lane's column holding the row's last one, if < 7
  let r1 = select(r.y, r.x, last < 1u);
  let r2 = select(r.z, r1, last < 2u);
  let r3 = select(r.w, r2, last < 3u);
  let r4 = select(s.x, r3, last < 4u);
  let r5 = select(s.y, r4, last < 5u);
  let r6 = select(s.z, r5, last < 6u);
  let r7 = select(s.w, r6, last < 7u);
  y[b] = r.x;
  y[b + min(1u, last)] = r1;
  y[b + min(2u, last)] = r2;
  y[b + min(3u, last)] = r3;
  y[b + min(4u, last)] = r4;
  y[b + min(5u, last)] = r5;
  y[b + min(6u, last)] = r6;
  y[b + min(7u, last)] = r7;
}

// Entry point and weight fetch: weights_uniform.wgsl or weights_subgroup.wgsl, prepended.
fn kernel(wid: vec3u, lid: u32) {
  let lane = wid.x * WG + lid;
  // Lanes past the end repeat the last lane's reads (keeping control flow uniform) and store nothing.
  let l = min(lane, p.lanes - 1u);
  let q = l % p.ow8;
  let oy = (l / p.ow8) % p.oh;
  let n = l / (p.ow8 * p.oh);
  let ob = wid.y;  // block of 4 output channels: one half of a packed block of 8
  let xi = n * p.img4 + oy * p.wp4 + q * 2u;
  let wbase = (ob / 2u) * p.k * 2u;
  let half = ob % 2u;
  var k = 0u;
  var a = Acc(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  // One flat loop over the C·KH input rows of the window (r is uniform, so its offset is scalar
  // math; measured faster here than nested ci and kh loops).
  for (var r = 0u; r < p.c * KH; r++) {
    let xr = xi + (r / KH) * p.plane4 + (r % KH) * p.wp4;
    let v0 = x[xr];
    let v1 = x[xr + 1u];
    let v2 = x[xr + 2u];
    a = tap(a, v0, v1, wbase, k, half);
    if (KW > 1u) { a = tap(a, vec4f(v0.yzw, v1.x), vec4f(v1.yzw, v2.x), wbase, k + 1u, half); }
    if (KW > 2u) { a = tap(a, vec4f(v0.zw, v1.xy), vec4f(v1.zw, v2.xy), wbase, k + 2u, half); }
    if (KW > 3u) { a = tap(a, vec4f(v0.w, v1.xyz), vec4f(v1.w, v2.xyz), wbase, k + 3u, half); }
    if (KW > 4u) { a = tap(a, v1, v2, wbase, k + 4u, half); }
    k += KW;
  }
  if (lane >= p.lanes) { return; }
  let ox0 = q * 8u;
  let base = n * p.o * p.oh * p.ow + oy * p.ow + ox0;
  let o = ob * 4u;
  store(base, ox0, o, a.a0, a.b0); store(base, ox0, o + 1u, a.a1, a.b1);
  store(base, ox0, o + 2u, a.a2, a.b2); store(base, ox0, o + 3u, a.a3, a.b3);
}
