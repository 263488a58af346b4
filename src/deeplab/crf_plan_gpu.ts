import type { CrfPlan } from '../kernels/crf.ts';
import { crfNormalise } from '../kernels/crf_normalise.ts';
import { latticeCoordsPacked, type KeyLayout } from '../kernels/lattice_coords.ts';
import { countVertices, latticeNeighbours, latticeTables, type SortedLattice } from '../kernels/lattice_tables.ts';
import { radixSortPairs } from '../kernels/radix_sort.ts';
import type { Device } from '../tensor/device.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { halfScale, type PlanKernel } from './crf_plan.ts';
import { elevation, sliceAlpha } from './lattice.ts';

// The CRF plan built on the GPU (docs/crf.md, "The lattice on the GPU"): per pixel its lattice
// coordinates with each key packed into 64 bits, a stable radix sort of the (key, entry) pairs,
// runs of equal keys numbered as vertices (their entries are then the CSR rows, in pixel order),
// neighbours by binary search among the sorted keys, and the normalisation as a one-label filter.
// Vertices are numbered in key order rather than the CPU build's insertion order; no sum depends
// on that, so the plan gives the CRF the same numbers (bit for bit where the GPU rounds float32
// as IEEE does without fusing, as lavapipe does: tests/deeplab/crf_plan_gpu.test.ts).

/**
 * A packing of the keys of these features' lattice into 64 bits, or null when they need more
 * (the caller builds on the CPU). Bounds come from interval arithmetic on the elevation (lattice.ts
 * splatVertices) with room for the rounding to the nearest remainder-0 point and float32 error.
 */
export function keyLayout(features: Float32Array, d: number): KeyLayout | null {
  const n = features.length / d;
  const fmin = new Float64Array(d).fill(Infinity);
  const fmax = new Float64Array(d).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < d; t++) {
      const v = features[i * d + t];
      if (v < fmin[t]) fmin[t] = v;
      if (v > fmax[t]) fmax[t] = v;
    }
  }
  const { scale } = elevation(d);
  const lo = Array.from(scale, (s, t) => fmin[t] * s);
  const hi = Array.from(scale, (s, t) => fmax[t] * s);
  const d1 = d + 1;
  const layout: KeyLayout = { qlo: [], shift: [], width: [] };
  let bit = Math.ceil(Math.log2(d1));
  for (let i = 0; i < d; i++) {
    // elevated[0] = Σ cf; elevated[i] = Σ_{t ≥ i} cf_t − i·cf_{i−1}.
    let elo = 0;
    let ehi = 0;
    for (let t = i; t < d; t++) (elo += lo[t]), (ehi += hi[t]);
    if (i > 0) (elo -= i * hi[i - 1]), (ehi -= i * lo[i - 1]);
    const slack = 3 * d1 + 1 + 1e-5 * Math.max(Math.abs(elo), Math.abs(ehi));
    const qlo = Math.floor((elo - slack - d) / d1);
    const qhi = Math.ceil((ehi + slack) / d1);
    const width = Math.ceil(Math.log2(qhi - qlo + 1));
    if (!Number.isFinite(width) || width > 31) return null;
    layout.qlo.push(qlo);
    layout.shift.push(bit);
    layout.width.push(width);
    bit += width;
  }
  return bit <= 64 ? layout : null;
}

/** Both kernels' plan, built on the GPU; null when a lattice's keys do not pack into 64 bits. */
export async function buildCrfPlanGpu(dev: Device, a: PlanKernel, b: PlanKernel): Promise<CrfPlan | null> {
  const layouts = [keyLayout(a.features, a.d), keyLayout(b.features, b.d)];
  if (!layouts[0] || !layouts[1]) return null;
  const n = a.features.length / a.d;
  const [ka, kb] = [a.d + 1, b.d + 1];
  const k = ka + kb;
  const passes = Math.max(ka, kb);

  // Phase 1: sort both lattices' entries and count their vertices (the plan's size).
  const totals = dev.zeros([2], 'u32');
  const sorted: SortedLattice[] = [];
  const tileBases: Tensor<'u32'>[] = [];
  [a, b].forEach((kern, slot) => {
    dev.scope(() => {
      const { scale, invD1 } = elevation(kern.d);
      const f = dev.tensor(kern.features, [n, kern.d]);
      const c = latticeCoordsPacked(dev, f, kern.d, scale, invD1, layouts[slot]!);
      const bits = layouts[slot]!.shift[kern.d - 1] + layouts[slot]!.width[kern.d - 1];
      const s = radixSortPairs(dev, c.keys, c.entries, n * (kern.d + 1), bits);
      const lat = { keys: s.keys, entries: s.values, weights: c.weights, n: n * (kern.d + 1), d: kern.d };
      sorted.push(lat);
      tileBases.push(countVertices(dev, lat, totals, slot));
      return [s.keys, s.values, c.weights, tileBases[slot]];
    });
  });
  const [ma, mb] = await totals.download();
  totals.dispose();

  // Phase 2: the tables, in the plan's layout (kernel A's rows, B's, then the zero row).
  const rows = ma + mb + 1;
  const zero = rows - 1;
  const t = {
    start: dev.empty([rows + 1], 'u32'),
    entries: dev.empty([2 * n * k], 'u32'),
    neighbours: dev.empty([2 * passes * rows], 'u32'),
    slices: dev.empty([2 * n * k], 'u32'),
    coef: dev.empty([n, 2]),
  };
  const plan: CrfPlan = { pixels: n, rows, ma, passes, ka, kb, scaleA: 1, scaleB: 1, ...t, dispose: () => Object.values(t).forEach((x) => x.dispose()) };
  const peaks = dev.zeros([2], 'u32');
  dev.scope(() => {
    [a, b].forEach((kern, slot) => {
      const m = slot === 0 ? ma : mb;
      const firstRow = slot === 0 ? 0 : ma;
      const vertexKeys = dev.empty([Math.max(1, m), 2], 'u32');
      const place = { firstRow, entryBase: slot === 0 ? 0 : n * ka, k, j0: slot === 0 ? 0 : ka, alpha: sliceAlpha(kern.d) };
      latticeTables(dev, sorted[slot], tileBases[slot], { ...place, csr: t.entries, slices: t.slices, start: t.start }, vertexKeys);
      latticeNeighbours(dev, vertexKeys, m, kern.d, layouts[slot]!, { firstRow, passes, rows, zero, neighbours: t.neighbours });
    });
    // The zero row: no entries, its own neighbour in every pass.
    dev.flush();
    dev.gpu.queue.writeBuffer(t.start.buffer, 4 * zero, new Uint32Array([n * k, n * k]));
    for (let j = 0; j < passes; j++) dev.gpu.queue.writeBuffer(t.neighbours.buffer, 8 * (j * rows + zero), new Uint32Array([zero, zero]));
    crfNormalise(dev, plan, a.weight, b.weight, peaks);
  });
  for (const s of sorted) for (const x of [s.keys, s.entries, s.weights]) x.dispose();
  for (const x of tileBases) x.dispose();
  const [pa, pb] = new Float32Array((await peaks.download()).buffer);
  peaks.dispose();
  plan.scaleA = halfScale(pa);
  plan.scaleB = halfScale(pb);
  return plan;
}
