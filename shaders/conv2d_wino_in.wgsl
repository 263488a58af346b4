// Winograd F(T×T, 3×3), T = TILE (4 or 6; see conv2d_winograd.ts), step 1 of 3: input patches to
// the transform domain, V = Bᵀ·d·B. A tile is T×T outputs at (oy0 + {0..T−1}·D, ox0 + …); with
// dilation D it reads the (T+2)×(T+2) input patch at stride D (a dilated 3×3 conv is an ordinary
// one on each D-strided sub-lattice). Tile ty covers output rows from oy0 = (ty / D)·T·D + ty % D.
// The zero padding is applied here, as a clamped load and a select (no per-lane branch), rather
// than by a padded copy of the input, which took as long as this pass (LargeFOV 321: ~8 % of a
// forward). V is [(T+2)²][C][tilesPadded], so the GEMM pass reads 4 adjacent tiles as a vec4.
struct Params {
  c: u32, h: u32, w: u32, pad: u32,
  th: u32, tw: u32, tiles: u32, tpad: u32,      // th, tiles: of this band of tile rows
  count: u32, ty0: u32,                         // count = C·tiles; the band's first tile row
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> v: array<f32>;

override WG: u32 = 64;
override D: u32 = 1;

override TILE: u32 = 6;
override N: u32 = TILE + 2u;  // patch side

// Bᵀ·a for the patch's first N entries of a: F(6, 3) with points 0, ±1, ±2, ±1/2 (rows paired
// to share terms), or F(4, 3) with points 0, ±1, ±2.
fn bt(a: array<f32, 8>) -> array<f32, 8> {
  if (TILE == 6u) {
    let t1 = a[1] + a[5] - 4.25 * a[3];
    let t2 = a[2] + a[6] - 4.25 * a[4];
    let u1 = 0.5 * a[1] - 2.5 * a[3] + 2.0 * a[5];
    let u2 = 0.25 * a[2] - 1.25 * a[4] + a[6];
    let v1 = 2.0 * a[1] - 2.5 * a[3] + 0.5 * a[5];
    let v2 = 4.0 * a[2] - 5.0 * a[4] + a[6];
    return array<f32, 8>(a[0] - a[6] + 5.25 * (a[4] - a[2]), t2 + t1, t2 - t1, u2 + u1, u2 - u1, v2 + v1, v2 - v1,
                         a[7] - a[1] + 5.25 * (a[3] - a[5]));
  }
  return array<f32, 8>(
    4.0 * a[0] - 5.0 * a[2] + a[4],
    -4.0 * (a[1] + a[2]) + a[3] + a[4],
    4.0 * (a[1] - a[2]) - a[3] + a[4],
    2.0 * (a[3] - a[1]) - a[2] + a[4],
    2.0 * (a[1] - a[3]) - a[2] + a[4],
    4.0 * a[1] - 5.0 * a[3] + a[5],
    0.0, 0.0);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= p.count) { return; }
  let t = i % p.tiles;
  let ci = i / p.tiles;
  let tx = t % p.tw;
  let ty = (t / p.tw) % p.th + p.ty0;
  let n = t / (p.tw * p.th);
  let y0 = (ty / D) * TILE * D + ty % D;
  let x0 = (tx / D) * TILE * D + tx % D;
  let plane = (n * p.c + ci) * p.h * p.w;
  let iy0 = i32(y0) - i32(p.pad);
  let ix0 = i32(x0) - i32(p.pad);
  var rows: array<array<f32, 8>, 8>;   // rows[r] = Bᵀ applied down column r of the patch
  for (var c = 0u; c < N; c++) {
    let ix = ix0 + i32(c * D);
    let cx = u32(clamp(ix, 0, i32(p.w) - 1));
    var col: array<f32, 8>;
    for (var r = 0u; r < N; r++) {
      let iy = iy0 + i32(r * D);
      let cy = u32(clamp(iy, 0, i32(p.h) - 1));
      let inside = ix == i32(cx) && iy == i32(cy);
      col[r] = select(0.0, x[plane + cy * p.w + cx], inside);
    }
    let b = bt(col);
    for (var r = 0u; r < N; r++) { rows[r][c] = b[r]; }
  }
  let stride = p.c * p.tpad;
  let o = ci * p.tpad + t;
  for (var r = 0u; r < N; r++) {
    let q = bt(rows[r]);
    for (var c = 0u; c < N; c++) { v[(r * N + c) * stride + o] = q[c]; }
  }
}
