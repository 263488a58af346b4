// Winograd F(2×2, 3×3), step 3 of 3: Y = Aᵀ·M·A per tile and output channel, plus bias and the
// optional ReLU, scattered to NCHW (tiles past the output edge store only their in-range pixels).
struct Params {
  o: u32, oh: u32, ow: u32, th: u32,
  tw: u32, tiles: u32, tpad: u32, opad: u32,
  count: u32, relu: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> m: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

override WG: u32 = 64;
override D: u32 = 1;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= p.count) { return; }
  let t = i % p.tiles;
  let o = i / p.tiles;
  let stride = p.opad * p.tpad;
  let b = o * p.tpad + t;
  var q: array<vec4f, 4>;
  for (var r = 0u; r < 4u; r++) {
    let a = b + r * 4u * stride;
    q[r] = vec4f(m[a], m[a + stride], m[a + 2u * stride], m[a + 3u * stride]);
  }
  // Aᵀ·q: s0 = q0 + q1 + q2, s1 = q1 − q2 − q3; then ·A on the columns.
  let s0 = q[0] + q[1] + q[2];
  let s1 = q[1] - q[2] - q[3];
  var out = array<vec2f, 2>(vec2f(s0.x + s0.y + s0.z, s0.y - s0.z - s0.w),
                            vec2f(s1.x + s1.y + s1.z, s1.y - s1.z - s1.w));
  let tx = t % p.tw;
  let ty = (t / p.tw) % p.th;
  let n = t / (p.tw * p.th);
  let y0 = (ty / D) * 2u * D + ty % D;
  let x0 = (tx / D) * 2u * D + tx % D;
  for (var r = 0u; r < 2u; r++) {
    let oy = y0 + r * D;
    for (var c = 0u; c < 2u; c++) {
      let ox = x0 + c * D;
      if (oy < p.oh && ox < p.ow) {
        var val = out[r][c] + bias[o];
        if (p.relu != 0u) { val = max(val, 0.0); }
        y[((n * p.o + o) * p.oh + oy) * p.ow + ox] = val;
      }
    }
  }
}
