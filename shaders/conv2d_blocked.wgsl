// conv2d as a register-blocked implicit GEMM for CPU-backed WebGPU (lavapipe): no workgroup memory,
// no barriers. Y[o, pos] = Σ_k W[o, k] · X[k, pos] with k = (ci, kh, kw).
// Every lane of a workgroup accumulates the same block of 8 output channels (wid.y), so the two
// vec4 weight loads per k have an address uniform across the workgroup, which lavapipe issues
// once per SIMD group; each lane owns 4 adjacent output columns of one row (a vec4), 8×4 = 32
// accumulators in registers. The input is pre-padded (conv2d_pad.wgsl), so taps need no checks.
struct Params {
  c: u32, plane: u32, img: u32, wp: u32,     // input: channels, plane stride, image stride, row stride
  o: u32, oh: u32, ow: u32, ow4: u32,        // output channels, rows, columns, column groups of 4
  lanes: u32, k: u32, relu: u32,             // N·OH·OW4, K = C·KH·KW
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> wt: array<vec4f>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

override WG: u32 = 64;
override KH: u32 = 3;
override KW: u32 = 3;
// Stride and dilation are constants so that, for small ones, the taps of neighbouring kw that read
// the same x (e.g. 6 distinct loads instead of 12 per 3-wide row at S = D = 1) are loaded once
// (measured 16 % faster on a 3×3 256→256 layer).
override S: u32 = 1;
override D: u32 = 1;

fn store(base: u32, ox0: u32, o: u32, v: vec4f) {
  if (o >= p.o) { return; }
  var r = v + bias[o];
  if (p.relu != 0u) { r = max(r, vec4f(0.0)); }
  let b = base + o * p.oh * p.ow;
  for (var j = 0u; j < 4u; j++) {
    if (ox0 + j < p.ow) { y[b + j] = r[j]; }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let lane = wid.x * WG + lid;
  // Lanes past the end repeat the last lane's reads (keeping control flow uniform) and store nothing.
  let l = min(lane, p.lanes - 1u);
  let ox0 = (l % p.ow4) * 4u;
  let oy = (l / p.ow4) % p.oh;
  let n = l / (p.ow4 * p.oh);
  let ob = wid.y;
  var xi = n * p.img + oy * S * p.wp + ox0 * S;
  var wi = ob * p.k * 2u;
  var a0 = vec4f(0.0); var a1 = vec4f(0.0); var a2 = vec4f(0.0); var a3 = vec4f(0.0);
  var a4 = vec4f(0.0); var a5 = vec4f(0.0); var a6 = vec4f(0.0); var a7 = vec4f(0.0);
  for (var ci = 0u; ci < p.c; ci++) {
    for (var kh = 0u; kh < KH; kh++) {
      let row = xi + kh * D * p.wp;
      for (var kw = 0u; kw < KW; kw++) {
        let col = row + kw * D;
        let b = vec4f(x[col], x[col + S], x[col + 2u * S], x[col + 3u * S]);
        let w0 = wt[wi];
        let w1 = wt[wi + 1u];
        wi += 2u;
        a0 = fma(vec4f(w0.x), b, a0); a1 = fma(vec4f(w0.y), b, a1);
        a2 = fma(vec4f(w0.z), b, a2); a3 = fma(vec4f(w0.w), b, a3);
        a4 = fma(vec4f(w1.x), b, a4); a5 = fma(vec4f(w1.y), b, a5);
        a6 = fma(vec4f(w1.z), b, a6); a7 = fma(vec4f(w1.w), b, a7);
      }
    }
    xi += p.plane;
  }
  if (lane >= p.lanes) { return; }
  let base = n * p.o * p.oh * p.ow + oy * p.ow + ox0;
  let o = ob * 8u;
  store(base, ox0, o, a0); store(base, ox0, o + 1u, a1);
  store(base, ox0, o + 2u, a2); store(base, ox0, o + 3u, a3);
  store(base, ox0, o + 4u, a4); store(base, ox0, o + 5u, a5);
  store(base, ox0, o + 6u, a6); store(base, ox0, o + 7u, a7);
}
