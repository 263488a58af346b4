// conv2d with stride 1 and dilation 1 as a register-blocked implicit GEMM for lavapipe: like
// conv2d_blocked.wgsl, no workgroup memory (weights fetched as weights_*.wgsl choose),
// but reading the input as aligned vec4s: the input is padded with rows a multiple of 4 long, so a
// lane's 8 + KW − 1 input columns for one (ci, kh) are the three vec4s at its own aligned offset,
// loaded once and shifted in registers for each of the KW taps. On lavapipe every load costs about
// the same, per-lane or uniform (dawn-notes.md), so the blocking minimises loads per multiply:
// 8 output channels × 8 columns per lane share 3 input loads per input row (conv1_1 at 321²:
// 24.5–28.6 against 31.5–32.3 ms for 4 × 8, alternated; 4 × 8 had beaten 8 × 4, whose 2 + 2·KW
// loads per row ran 50 against 37 ms). The 16 accumulators spill some registers: cheap next to
// lavapipe's scalarised loads (conv2d_wino_gemm.wgsl).
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

// One tap, step k: its 8 weights times the lane's 8 inputs (u, v), into the 16 accumulators
// (channel j's two vec4s of columns at 2j, 2j + 1).
fn tap(a: ptr<function, array<vec4f, 16>>, u: vec4f, v: vec4f, wbase: u32, k: u32) {
  weightsFrom(0u, wbase, k);
  let w0 = weight(0u, wbase, k, 0u);
  let w1 = weight(0u, wbase, k, 1u);
  let w = array<f32, 8>(w0.x, w0.y, w0.z, w0.w, w1.x, w1.y, w1.z, w1.w);
  for (var j = 0u; j < 8u; j++) {
    (*a)[2u * j] = fma(vec4f(w[j]), u, (*a)[2u * j]);
    (*a)[2u * j + 1u] = fma(vec4f(w[j]), v, (*a)[2u * j + 1u]);
  }
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
  let ob = wid.y;  // block of 8 output channels
  let xi = n * p.img4 + oy * p.wp4 + q * 2u;
  let wbase = ob * p.k * 2u;
  var k = 0u;
  var a: array<vec4f, 16>;
  // One flat loop over the C·KH input rows of the window (r is uniform, so its offset is scalar
  // math; measured faster here than nested ci and kh loops).
  for (var r = 0u; r < p.c * KH; r++) {
    let xr = xi + (r / KH) * p.plane4 + (r % KH) * p.wp4;
    let v0 = x[xr];
    let v1 = x[xr + 1u];
    let v2 = x[xr + 2u];
    tap(&a, v0, v1, wbase, k);
    if (KW > 1u) { tap(&a, vec4f(v0.yzw, v1.x), vec4f(v1.yzw, v2.x), wbase, k + 1u); }
    if (KW > 2u) { tap(&a, vec4f(v0.zw, v1.xy), vec4f(v1.zw, v2.xy), wbase, k + 2u); }
    if (KW > 3u) { tap(&a, vec4f(v0.w, v1.xyz), vec4f(v1.w, v2.xyz), wbase, k + 3u); }
    if (KW > 4u) { tap(&a, v1, v2, wbase, k + 4u); }
    k += KW;
  }
  if (lane >= p.lanes) { return; }
  let ox0 = q * 8u;
  let base = n * p.o * p.oh * p.ow + oy * p.ow + ox0;
  for (var j = 0u; j < 8u; j++) { store(base, ox0, ob * 8u + j, a[2u * j], a[2u * j + 1u]); }
}
