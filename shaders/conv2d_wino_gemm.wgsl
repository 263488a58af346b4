// Winograd F(4×4, 3×3), step 2 of 3: 36 independent GEMMs, M[ξ] = U[ξ]·V[ξ] (O×C times C×T),
// register-blocked like conv2d_blocked.wgsl for lavapipe: a workgroup shares one block of 8 output
// channels (its weights fetched as weights_*.wgsl choose), each lane owns 4 adjacent tiles (one aligned vec4 of V).
// U is [36][O/8][C][8], V is [36][C][tpad/4] vec4s, M is [36][Opad][tpad/4] vec4s.
// Also serves 1×1 convs (batch = images, one U shared by all: uBatch = 0) with EPILOGUE adding
// the bias and the optional ReLU.
struct Params { c: u32, opad: u32, tpad4: u32, uBatch: u32, relu: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> wt: array<vec4f>;
@group(0) @binding(2) var<storage, read> v: array<vec4f>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> m: array<vec4f>;

override WG: u32 = 64;
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
  let ob = wid.x;
  let xi = wid.z;
  var vi = xi * p.c * p.tpad4 + l;
  let wbase = ((xi * p.uBatch * (p.opad / 8u) + ob) * p.c) * 2u;
  var a0 = vec4f(0.0); var a1 = vec4f(0.0); var a2 = vec4f(0.0); var a3 = vec4f(0.0);
  var a4 = vec4f(0.0); var a5 = vec4f(0.0); var a6 = vec4f(0.0); var a7 = vec4f(0.0);
  for (var c = 0u; c < p.c; c++) {
    weightsFrom(wbase, c);
    let b = v[vi];
    let w0 = weight(wbase, c, 0u);
    let w1 = weight(wbase, c, 1u);
    vi += p.tpad4;
    a0 = fma(vec4f(w0.x), b, a0); a1 = fma(vec4f(w0.y), b, a1);
    a2 = fma(vec4f(w0.z), b, a2); a3 = fma(vec4f(w0.w), b, a3);
    a4 = fma(vec4f(w1.x), b, a4); a5 = fma(vec4f(w1.y), b, a5);
    a6 = fma(vec4f(w1.z), b, a6); a7 = fma(vec4f(w1.w), b, a7);
  }
  if (lane >= p.tpad4) { return; }
  let c0 = ob * 8u;
  let o = (xi * p.opad + c0) * p.tpad4 + lane;
  m[o] = finish(a0, c0); m[o + p.tpad4] = finish(a1, c0 + 1u);
  m[o + 2u * p.tpad4] = finish(a2, c0 + 2u); m[o + 3u * p.tpad4] = finish(a3, c0 + 3u);
  m[o + 4u * p.tpad4] = finish(a4, c0 + 4u); m[o + 5u * p.tpad4] = finish(a5, c0 + 5u);
  m[o + 6u * p.tpad4] = finish(a6, c0 + 6u); m[o + 7u * p.tpad4] = finish(a7, c0 + 7u);
}
