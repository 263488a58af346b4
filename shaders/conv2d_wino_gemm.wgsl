// Winograd F(T×T, 3×3), step 2 of 3: (T+2)² independent GEMMs, M[ξ] = U[ξ]·V[ξ] (O×C times C×T),
// register-blocked like conv2d_blocked.wgsl for lavapipe: a workgroup shares NB blocks of 8 output
// channels (weights fetched as weights_*.wgsl choose), each lane owns NC aligned vec4s of V (4·NC
// adjacent tiles) for all NB blocks. lavapipe prices a load per instruction, whatever it
// holds, so one V load feeding 8·NB multiply-adds is what makes it fast: with NB = 4 the 32
// accumulators no longer fit the CPU's registers, yet with the subgroup fetch a 1024³ GEMM ran
// 1.5× faster than with NB = 1 (17–18 against 27 GFLOP/s, in-process A/B): spilled registers cost
// a core little, a scalarised load costs it a loop over the lanes. Weights for all NB blocks are
// fetched before V's load (measured faster than fetching each block's just before its use).
// NC = 2 halves the weight loads per output again: 1.04–1.11× on 1024³, 1.12–1.3× on conv1_2's
// K = 64 GEMMs (in-process A/B, both orders; a whole LargeFOV forward moved within its noise);
// batchedGemm keeps NC = 1 for narrow B, where it would idle lanes.
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
override NC: u32 = 1;  // vec4s of B (and C) per lane, 1 or 2
override EPILOGUE: bool = false;

fn finish(a: vec4f, o: u32) -> vec4f {
  if (!EPILOGUE) { return a; }
  let r = a + bias[o];
  return select(r, max(r, vec4f(0.0)), p.relu != 0u);
}

// Entry point and weight fetch: weights_uniform.wgsl or weights_subgroup.wgsl, prepended.
fn kernel(wid: vec3u, lid: u32) {
  let lane = wid.y * WG + lid;
  let lanes = (p.tpad4 + NC - 1u) / NC;
  let l = min(lane, lanes - 1u);  // lanes past the end repeat the last one's reads, store nothing
  let ob = wid.x * NB;
  let xi = wid.z;
  var vi = xi * p.c * p.tpad4 + l * NC;
  let wbase = ((xi * p.uBatch * (p.opad / 8u) + ob) * p.c) * 2u;
  // Indexed only by constants once the loops over NB and NC are unrolled, so the compiler keeps
  // it out of memory (as registers, or spilled stack slots). Row r, vec4 q at r·NC + q.
  var a: array<vec4f, 8 * MAX_SLOTS * 2>;
  for (var c = 0u; c < p.c; c++) {
    for (var j = 0u; j < NB; j++) { weightsFrom(j, wbase + j * p.c * 2u, c); }
    var bb: array<vec4f, 2>;
    for (var q = 0u; q < NC; q++) { bb[q] = v[vi + q]; }
    vi += p.tpad4;
    for (var j = 0u; j < NB; j++) {
      let wb = wbase + j * p.c * 2u;
      let w0 = weight(j, wb, c, 0u);
      let w1 = weight(j, wb, c, 1u);
      for (var q = 0u; q < NC; q++) {
        let b = bb[q];
        let r = (8u * j) * NC + q;
        a[r] = fma(vec4f(w0.x), b, a[r]); a[r + NC] = fma(vec4f(w0.y), b, a[r + NC]);
        a[r + 2u * NC] = fma(vec4f(w0.z), b, a[r + 2u * NC]); a[r + 3u * NC] = fma(vec4f(w0.w), b, a[r + 3u * NC]);
        a[r + 4u * NC] = fma(vec4f(w1.x), b, a[r + 4u * NC]); a[r + 5u * NC] = fma(vec4f(w1.y), b, a[r + 5u * NC]);
        a[r + 6u * NC] = fma(vec4f(w1.z), b, a[r + 6u * NC]); a[r + 7u * NC] = fma(vec4f(w1.w), b, a[r + 7u * NC]);
      }
    }
  }
  if (lane >= lanes) { return; }
  let c0 = ob * 8u;
  let o = (xi * p.opad + c0) * p.tpad4 + lane * NC;
  for (var r = 0u; r < 8u * NB; r++) {
    for (var q = 0u; q < NC; q++) {
      // (A second vec4 past an odd tpad4 read the next row's values: not stored.)
      if (lane * NC + q < p.tpad4) { m[o + r * p.tpad4 + q] = finish(a[r * NC + q], c0 + r); }
    }
  }
}
