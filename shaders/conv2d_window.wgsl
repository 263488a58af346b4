// conv2d with stride 1 and dilation 1 as a register-blocked implicit GEMM for lavapipe, like
// conv2d_blocked.wgsl (8 output channels × 4 adjacent output columns per lane, weights at an
// address uniform across the workgroup, no workgroup memory), but reading the input as aligned
// vec4s: the input is padded with rows a multiple of 4 long, so a lane's 4 + KW − 1 input columns
// for one (ci, kh) are the two vec4s at its own aligned offset, loaded once and shifted in
// registers for each of the KW taps. 'blocked' instead loads 4 scalars per tap, and on lavapipe a
// load from a per-lane address costs one access per lane (dawn-notes.md): for conv1_1 (C = 3,
// K = 27, 64 outputs) those loads, and stores under a per-lane condition, were the cost.
struct Params {
  c: u32, plane4: u32, img4: u32, wp4: u32,  // input: channels, plane, image and row strides in vec4s
  o: u32, oh: u32, ow: u32, ow4: u32,        // output channels, rows, columns, column groups of 4
  lanes: u32, k: u32, relu: u32,             // N·OH·OW4, K = C·KH·KW
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4f>;
@group(0) @binding(2) var<storage, read> wt: array<vec4f>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

override WG: u32 = 64;
override KH: u32 = 3;
// 1 to 5: the taps of one row then span at most the two vec4s a lane loads.
override KW: u32 = 3;

// The 32 accumulators, as named members indexed only by constants (as conv2d_wino_gemm.wgsl's
// a0…a7), so that they can live in registers.
struct Acc { a0: vec4f, a1: vec4f, a2: vec4f, a3: vec4f, a4: vec4f, a5: vec4f, a6: vec4f, a7: vec4f }

// One tap: the 8 weights of k (two vec4s at a workgroup-uniform address) times the lane's 4 inputs.
fn tap(a: Acc, b: vec4f, wi: u32) -> Acc {
  let w0 = wt[wi];
  let w1 = wt[wi + 1u];
  return Acc(fma(vec4f(w0.x), b, a.a0), fma(vec4f(w0.y), b, a.a1), fma(vec4f(w0.z), b, a.a2), fma(vec4f(w0.w), b, a.a3),
             fma(vec4f(w1.x), b, a.a4), fma(vec4f(w1.y), b, a.a5), fma(vec4f(w1.z), b, a.a6), fma(vec4f(w1.w), b, a.a7));
}

// Stores without a per-lane condition: on lavapipe a store under a divergent `if` took a slow
// path that cost a third of conv1_1's time. A lane's columns past the last one instead write the
// last column again, with its own value (the same lane writes it, so there is no race).
fn store(base: u32, ox0: u32, o: u32, v: vec4f) {
  if (o >= p.o) { return; }
  var r = v + bias[o];
  if (p.relu != 0u) { r = max(r, vec4f(0.0)); }
  let b = base + o * p.oh * p.ow;
  let last = p.ow - 1u - ox0;  // the lane's component holding the row's last column, if < 3
  let r1 = select(r.y, r.x, last < 1u);
  let r2 = select(r.z, r1, last < 2u);
  let r3 = select(r.w, r2, last < 3u);
  y[b] = r.x;
  y[b + min(1u, last)] = r1;
  y[b + min(2u, last)] = r2;
  y[b + min(3u, last)] = r3;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let lane = wid.x * WG + lid;
  // Lanes past the end repeat the last lane's reads (keeping control flow uniform) and store nothing.
  let l = min(lane, p.lanes - 1u);
  let q = l % p.ow4;
  let oy = (l / p.ow4) % p.oh;
  let n = l / (p.ow4 * p.oh);
  let ob = wid.y;
  let xi = n * p.img4 + oy * p.wp4 + q;
  var wi = ob * p.k * 2u;
  var a = Acc(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  // One flat loop over the C·KH input rows of the window (r is uniform, so its offset is scalar
  // math; measured faster here than nested ci and kh loops).
  for (var r = 0u; r < p.c * KH; r++) {
    let xr = xi + (r / KH) * p.plane4 + (r % KH) * p.wp4;
    let v0 = x[xr];
    let v1 = x[xr + 1u];
    a = tap(a, v0, wi);
    if (KW > 1u) { a = tap(a, vec4f(v0.yzw, v1.x), wi + 2u); }
    if (KW > 2u) { a = tap(a, vec4f(v0.zw, v1.xy), wi + 4u); }
    if (KW > 3u) { a = tap(a, vec4f(v0.w, v1.xyz), wi + 6u); }
    if (KW > 4u) { a = tap(a, v1, wi + 8u); }
    wi += KW * 2u;
  }
  if (lane >= p.lanes) { return; }
  let base = n * p.o * p.oh * p.ow + oy * p.ow + q * 4u;
  let o = ob * 8u;
  store(base, q * 4u, o, a.a0); store(base, q * 4u, o + 1u, a.a1);
  store(base, q * 4u, o + 2u, a.a2); store(base, q * 4u, o + 3u, a.a3);
  store(base, q * 4u, o + 4u, a.a4); store(base, q * 4u, o + 5u, a.a5);
  store(base, q * 4u, o + 6u, a.a6); store(base, q * 4u, o + 7u, a.a7);
}
