import type { CrfPlan } from '../kernels/crf.ts';
import { crfNormalise } from '../kernels/crf_normalise.ts';
import { latticeCoordsPacked, type KeyLayout } from '../kernels/lattice_coords.ts';
import { countVertices, latticeNeighbours, latticeTables, type SortedLattice } from '../kernels/lattice_tables.ts';
import { radixSortPairs } from '../kernels/radix_sort.ts';
import type { Device } from '../tensor/device.ts';
import { LimitError } from '../tensor/errors.ts';
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

/** The bits a layout's packed keys occupy (the sort's key width). */
export const keyBits = (layout: KeyLayout) => layout.shift[layout.shift.length - 1] + layout.width[layout.width.length - 1];

/** Both kernels' plan, built on the GPU; null when a lattice's keys do not pack into 64 bits. */
export async function buildCrfPlanGpu(dev: Device, a: PlanKernel, b: PlanKernel): Promise<CrfPlan | null> {
  const layouts = packable(a, b);
  return layouts && build(dev, [a, b], layouts);
}

async function build(dev: Device, [a, b]: PlanKernel[], layouts: KeyLayout[]): Promise<CrfPlan> {
  // The plan's size (its vertex counts) is known once the sorted keys are counted: one readback.
  const totals = dev.zeros([2], 'u32');
  const sorted = recordSort(dev, [a, b], layouts, totals);
  let counts: Uint32Array;
  try {
    counts = await totals.download();
  } catch (e) {
    sorted.forEach(disposeSorted);
    throw e;
  } finally {
    totals.dispose();
  }
  const { plan, peaks } = recordTables(dev, [a, b], layouts, sorted, [counts[0], counts[1]]);
  try {
    const [pa, pb] = new Float32Array((await peaks.download()).buffer);
    plan.scaleA = halfScale(pa);
    plan.scaleB = halfScale(pb);
    return plan;
  } catch (e) {
    plan.dispose();
    throw e;
  } finally {
    peaks.dispose();
  }
}

/**
 * For benchmarks and profiles: builds the plan once (for its vertex counts), then returns a
 * function that records the whole build again in one go, with no readback, and returns the plan's
 * normalisation (the caller disposes it; the other tables are freed once recorded).
 */
export async function crfPlanRecorder(dev: Device, a: PlanKernel, b: PlanKernel): Promise<() => Tensor> {
  const layouts = packable(a, b);
  if (!layouts) throw new LimitError('crf lattice on the GPU: a lattice\'s keys do not pack into 64 bits');
  const first = await build(dev, [a, b], layouts);
  const counts: [number, number] = [first.ma, first.rows - 1 - first.ma];
  first.dispose();
  return () => {
    const totals = dev.zeros([2], 'u32');
    const sorted = recordSort(dev, [a, b], layouts, totals);
    totals.dispose();
    const { plan, peaks } = recordTables(dev, [a, b], layouts, sorted, counts);
    for (const t of [peaks, plan.start, plan.entries, plan.neighbours, plan.slices]) t.dispose();
    return plan.coef;
  };
}

function packable(a: PlanKernel, b: PlanKernel): [KeyLayout, KeyLayout] | null {
  const la = keyLayout(a.features, a.d);
  const lb = keyLayout(b.features, b.d);
  return la && lb ? [la, lb] : null;
}

/** Phase 1: each lattice's (key, entry) pairs sorted, and its vertex count into totals[slot]. */
function recordSort(dev: Device, kernels: PlanKernel[], layouts: KeyLayout[], totals: Tensor<'u32'>) {
  return kernels.map((kern, slot) =>
    dev.scope(() => {
      const n = kern.features.length / kern.d;
      const layout = layouts[slot];
      const { scale, invD1 } = elevation(kern.d);
      const f = dev.tensor(kern.features, [n, kern.d]);
      const c = latticeCoordsPacked(dev, f, kern.d, scale, invD1, layout);
      const s = radixSortPairs(dev, c.keys, c.entries, n * (kern.d + 1), keyBits(layout));
      const lattice: SortedLattice = { keys: s.keys, entries: s.values, weights: c.weights, n: n * (kern.d + 1), d: kern.d };
      return { lattice, tileBase: countVertices(dev, lattice, totals, slot) };
    }),
  );
}

function disposeSorted({ lattice, tileBase }: ReturnType<typeof recordSort>[number]): void {
  for (const x of [lattice.keys, lattice.entries, lattice.weights, tileBase]) x.dispose();
}

/**
 * Phase 2: the tables in the plan's layout (kernel A's rows, B's, then the zero row) and the
 * normalisation; frees phase 1's tensors once recorded. `peaks` (2 u32) gets each lattice's
 * largest blurred all-ones value, as float32 bits.
 */
function recordTables(dev: Device, kernels: PlanKernel[], layouts: KeyLayout[], sorted: ReturnType<typeof recordSort>, [ma, mb]: [number, number]) {
  const [a, b] = kernels;
  const n = a.features.length / a.d;
  const [ka, kb] = [a.d + 1, b.d + 1];
  const k = ka + kb;
  const passes = Math.max(ka, kb);
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
    kernels.forEach((kern, slot) => {
      const m = slot === 0 ? ma : mb;
      const firstRow = slot === 0 ? 0 : ma;
      const vertexKeys = dev.empty([Math.max(1, m), 2], 'u32');
      const place = { firstRow, entryBase: slot === 0 ? 0 : n * ka, k, j0: slot === 0 ? 0 : ka, alpha: sliceAlpha(kern.d), zero };
      const { lattice, tileBase } = sorted[slot];
      latticeTables(dev, lattice, tileBase, { ...place, csr: t.entries, slices: t.slices, start: t.start }, vertexKeys);
      latticeNeighbours(dev, vertexKeys, m, kern.d, layouts[slot], { firstRow, passes, rows, zero, neighbours: t.neighbours });
      disposeSorted(sorted[slot]);
    });
    crfNormalise(dev, plan, a.weight, b.weight, peaks);
  });
  return { plan, peaks };
}
