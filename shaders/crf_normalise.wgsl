// The per-pixel normalisation of the GPU-built CRF plan (src/deeplab/crf_plan_gpu.ts), from an
// all-ones label vector splatted and blurred by the iteration kernels (one label, float32
// storage): the slice K1ᵢ in the reference's float32 order, then w · 1/(K1ᵢ + 1e−20), as
// src/deeplab/lattice.ts normalise() computes it on the CPU. `peak` finds each lattice's largest
// blurred value, which bounds its values in every iteration (the float16 storage's scale).
struct Params { n: u32, ma: u32, rows: u32, wa: f32, wb: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> va: array<vec4u>;   // lattice A's blurred ones (label 0)
@group(0) @binding(2) var<storage, read> vb: array<vec4u>;   // lattice B's
@group(0) @binding(3) var<storage, read> slices: array<vec2u>;  // pixel × (KA + KB): (row, weight·alpha)
@group(0) @binding(4) var<storage, read_write> coef: array<vec2f>;
@group(0) @binding(3) var<storage, read_write> peaks: array<atomic<u32>, 2>;

override KA: u32;
override KB: u32;

/** K1ᵢ of lattice A (b = false) or B. */
fn slice_ones(i: u32, b: bool) -> f32 {
  var k1 = 0.0;
  for (var j = select(0u, KA, b); j < select(KA, KA + KB, b); j++) {
    let s = slices[i * (KA + KB) + j];
    let v = select(va[s.x].x, vb[s.x].x, b);
    k1 = k1 + bitcast<f32>(s.y) * bitcast<f32>(v);
  }
  return k1;
}

@compute @workgroup_size(64)
fn normalise(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
             @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (i >= p.n) { return; }
  let ka = slice_ones(i, false);
  let kb = slice_ones(i, true);
  coef[i] = vec2f(p.wa * (1.0 / (ka + 1e-20)), p.wb * (1.0 / (kb + 1e-20)));
}

var<workgroup> best: array<atomic<u32>, 2>;

// Values are non-negative, so their bits order as unsigned integers: atomicMax is exact and
// the result independent of the order.
@compute @workgroup_size(64)
fn peak(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let v = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (v < p.ma) {
    atomicMax(&best[0], va[v].x);
  } else if (v < p.rows) {
    atomicMax(&best[1], vb[v].x);
  }
  workgroupBarrier();
  if (lid < 2u) { atomicMax(&peaks[lid], atomicLoad(&best[lid])); }
}
