// Winograd F(2×2, 3×3), step 1 of 3: input tiles to the transform domain, V = Bᵀ·d·B.
// A tile is 2×2 outputs at (oy0 + {0, D}, ox0 + {0, D}); with dilation D it reads the 4×4 input
// patch at stride D (a dilated 3×3 conv is an ordinary one on each D-strided sub-lattice).
// Tile ty covers output rows oy0 = (ty / D)·2D + ty % D; the input is pre-padded (conv2d_pad.wgsl).
// Output V is [16][C][tilesPadded] so the GEMM step reads 4 adjacent tiles as one vec4.
struct Params {
  c: u32, hp: u32, wp: u32, th: u32,    // padded input rows, columns; tile rows
  tw: u32, tiles: u32, tpad: u32, count: u32,   // tile columns; N·th·tw; tiles padded to 4; C·tiles
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> v: array<f32>;

override WG: u32 = 64;
override D: u32 = 1;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= p.count) { return; }
  let t = i % p.tiles;
  let ci = i / p.tiles;
  let tx = t % p.tw;
  let ty = (t / p.tw) % p.th;
  let n = t / (p.tw * p.th);
  let y0 = (ty / D) * 2u * D + ty % D;
  let x0 = (tx / D) * 2u * D + tx % D;
  let base = (n * p.c + ci) * p.hp * p.wp + y0 * p.wp + x0;
  // Rows of Bᵀ·d: r0 = d0 − d2, r1 = d1 + d2, r2 = d2 − d1, r3 = d1 − d3.
  var d: array<vec4f, 4>;
  for (var r = 0u; r < 4u; r++) {
    let a = base + r * D * p.wp;
    d[r] = vec4f(x[a], x[a + D], x[a + 2u * D], x[a + 3u * D]);
  }
  let r0 = d[0] - d[2];
  let r1 = d[1] + d[2];
  let r2 = d[2] - d[1];
  let r3 = d[1] - d[3];
  // Then the same combination of columns: (·)·B.
  let stride = p.c * p.tpad;
  let o = ci * p.tpad + t;
  var rows = array<vec4f, 4>(r0, r1, r2, r3);
  for (var r = 0u; r < 4u; r++) {
    let q = rows[r];
    let cols = vec4f(q.x - q.z, q.y + q.z, q.z - q.y, q.y - q.w);
    for (var c = 0u; c < 4u; c++) { v[(r * 4u + c) * stride + o] = cols[c]; }
  }
}
