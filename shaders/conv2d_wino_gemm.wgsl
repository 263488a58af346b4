// Winograd F(T×T, 3×3), step 2 of 3: (T+2)² independent GEMMs, M[ξ] = U[ξ]·V[ξ] (O×C times C×T),
// register-blocked like conv2d_blocked.wgsl for lavapipe: a workgroup shares NB blocks of 8 output
// channels (weights fetched as weights_*.wgsl choose), each lane owns 4 adjacent tiles (one
// aligned vec4 of V) for all NB blocks. lavapipe prices a load per instruction, whatever it
// holds, so one V load feeding 8·NB multiply-adds is what makes it fast: with NB = 4 the 32
// accumulators no longer fit the CPU's registers, yet with the subgroup fetch a 1024³ GEMM ran
// 1.5× faster than with NB = 1 (17–18 against 27 GFLOP/s, in-process A/B): spilled registers cost
// a core little, a scalarised load costs it a loop over the lanes. Weights for all NB blocks are
// fetched before V's load (measured faster than fetching each block's just before its use).
// U is [ξ][O/8][C][8], V is [ξ][C][tpad/4] vec4s, M is [ξ][Opad][tpad/4] vec4s.
// Also serves 1×1 convs (batch = images, one U shared by all: uBatch = 0) with EPILOGUE adding
// the bias and the optional ReLU.
struct Params { c: u32, opad: u32, tpad4: u32, uBatch: u32, relu: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> wt: array<vec4f>;
@group(0) @binding(2) var<storage, read> v: array<vec4f>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> m: array<vec4f>;

override WG: u32 = 64;
override NB: u32 = 1;  // blocks of 8 output channels per lane, ≤ MAX_SLOTS; divides Opad / 8
override EPILOGUE: bool = false;

fn finish(a: vec4f, o: u32) -> vec4f {
  if (!EPILOGUE) { return a; }
  let r = a + bias[o];
  return select(r, max(r, vec4f(0.0)), p.relu != 0u);
}

// Entry point and weight fetch: weights_uniform.wgsl or weights_subgroup.wgsl, prepended.
fn kernel(wid: vec3u, lid: u32) {
  // Row blocks vary fastest across the grid (wid.x), so workgroups that run together share one
  // slice of V (kept in cache) and stream the small weight blocks: 1.8× faster on a 1024×1024×4225 GEMM.
  let lane = wid.y * WG + lid;
  let l = min(lane, p.tpad4 - 1u);   // lanes past the end repeat the last one's reads, store nothing
  let ob = wid.x * NB;
  let xi = wid.z;
  var vi = xi * p.c * p.tpad4 + l;
  let wbase = ((xi * p.uBatch * (p.opad / 8u) + ob) * p.c) * 2u;
  // Indexed only by constants once the loops over NB are unrolled, so the compiler keeps it out
  // of memory (as registers, or spilled stack slots).
  var a: array<vec4f, 8 * MAX_SLOTS>;
  for (var c = 0u; c < p.c; c++) {
    for (var j = 0u; j < NB; j++) { weightsFrom(j, wbase + j * p.c * 2u, c); }
    let b = v[vi];
    vi += p.tpad4;
    for (var j = 0u; j < NB; j++) {
      let wb = wbase + j * p.c * 2u;
      let w0 = weight(j, wb, c, 0u);
      let w1 = weight(j, wb, c, 1u);
      let r = 8u * j;
      a[r] = fma(vec4f(w0.x), b, a[r]); a[r + 1u] = fma(vec4f(w0.y), b, a[r + 1u]);
      a[r + 2u] = fma(vec4f(w0.z), b, a[r + 2u]); a[r + 3u] = fma(vec4f(w0.w), b, a[r + 3u]);
      a[r + 4u] = fma(vec4f(w1.x), b, a[r + 4u]); a[r + 5u] = fma(vec4f(w1.y), b, a[r + 5u]);
      a[r + 6u] = fma(vec4f(w1.z), b, a[r + 6u]); a[r + 7u] = fma(vec4f(w1.w), b, a[r + 7u]);
    }
  }
  if (lane >= p.tpad4) { return; }
  let c0 = ob * 8u;
  let o = (xi * p.opad + c0) * p.tpad4 + lane;
  for (var r = 0u; r < 8u * NB; r++) { m[o + r * p.tpad4] = finish(a[r], c0 + r); }
}
