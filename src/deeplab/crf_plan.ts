import type { CrfPlan } from '../kernels/crf.ts';
import type { Device } from '../tensor/device.ts';
import { ShapeError } from '../tensor/errors.ts';
import { buildLattice, normalise, sliceAlpha, type Lattice } from './lattice.ts';

// Lattices built on the CPU (src/deeplab/lattice.ts) turned into the GPU tables the CRF kernels
// (src/kernels/crf.ts) iterate over. src/deeplab/crf_plan_gpu.ts builds the same on the GPU.

/** Where a CRF plan's lattices are built. */
export type CrfLattice = 'cpu' | 'gpu';

/** One pairwise kernel to build a lattice for. */
export interface PlanKernel {
  /** n×d float32 features (lattice.ts positionalFeatures / bilateralFeatures). */
  features: Float32Array;
  d: number;
  /** The kernel's weight w (the plan holds w·norm per pixel). */
  weight: number;
}

/** Both kernels' lattices built on the CPU, normalised and uploaded as one CrfPlan. */
export function buildCrfPlanCpu(dev: Device, a: PlanKernel, b: PlanKernel): CrfPlan {
  const kernel = (k: PlanKernel): CrfKernel => {
    const lattice = buildLattice(k.features, k.d, k.features.length / k.d);
    return { lattice, ...normalise(lattice, k.weight) };
  };
  return uploadCrfPlan(dev, kernel(a), kernel(b));
}

/** One pairwise kernel: its lattice and the per-pixel factor w·norm (float32, as the reference multiplies). */
export interface CrfKernel {
  lattice: Lattice;
  /** Per pixel: w · 1/((K1)ᵢ + 1e−20). */
  coef: Float32Array;
  /** The largest blurred value of an all-ones splat: a bound on every label's lattice values. */
  peak: number;
}

/**
 * The power of two that brings a lattice's values (at most `peak`) to at most 2^14, inside
 * float16's range (65504) with room for its rounding, and no lower than needed (small values keep
 * float16's full precision).
 */
export function halfScale(peak: number): number {
  const e = Math.floor(Math.log2(16384 / Math.max(peak, 2 ** -60)));
  return 2 ** Math.max(-60, Math.min(60, e));
}

/** Both kernels' lattices as one CrfPlan (kernel A's rows, then B's, then the zero row), uploaded. */
export function uploadCrfPlan(dev: Device, a: CrfKernel, b: CrfKernel): CrfPlan {
  const la = a.lattice;
  const lb = b.lattice;
  if (la.n !== lb.n) throw new ShapeError(`crf: the two lattices cover ${la.n} and ${lb.n} pixels`);
  const n = la.n;
  const ka = la.d + 1;
  const kb = lb.d + 1;
  const zero = la.m + lb.m;
  const rows = zero + 1;
  const passes = Math.max(ka, kb);

  const k = ka + kb;
  // The big tables are built in turn in one host buffer, each uploaded (writeBuffer copies) before
  // the next: a third of the host memory, and fewer first touches of fresh pages, which cost
  // about as much as the writes. Entries and slices are (u32 index, f32 weight) pairs, written
  // through a Uint32Array and a Float32Array view of the same buffer.
  const scratch = new ArrayBuffer(4 * Math.max(2 * n * k, 2 * passes * rows));
  const u32 = new Uint32Array(scratch);
  const f32 = new Float32Array(scratch);
  const upload = (len: number) => dev.tensor(u32.subarray(0, len), [len], 'u32');

  // CSR of pixels per row, in pixel order. Rows of A and B are disjoint, so filling all of A
  // before B still leaves every row's entries in pixel order; one loop per lattice, no branches.
  const start = new Uint32Array(rows + 1);
  for (let e = 0; e < n * ka; e++) start[la.offsets[e] + 1]++;
  for (let e = 0; e < n * kb; e++) start[la.m + lb.offsets[e] + 1]++;
  for (let r = 0; r < rows; r++) start[r + 1] += start[r];
  const cursor = start.slice(0, rows);
  const fillEntries = (lat: Lattice, first: number) => {
    const d1 = lat.d + 1;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d1; j++) {
        const e = 2 * cursor[first + lat.offsets[i * d1 + j]]++;
        u32[e] = i;
        f32[e + 1] = lat.weights[i * d1 + j];
      }
    }
  };
  const startT = dev.tensor(start, [rows + 1], 'u32');
  fillEntries(la, 0);
  fillEntries(lb, la.m);
  const entriesT = upload(2 * n * k);

  // Blur neighbours per pass. The rows of a lattice with fewer directions than `passes` point at
  // the zero row in the passes it lacks; crfIterate leaves them out of those passes.
  u32.fill(zero, 0, 2 * passes * rows);
  for (const [lat, first] of [[la, 0], [lb, la.m]] as const) {
    for (let j = 0; j <= lat.d; j++) {
      const src = 2 * j * lat.m;
      const dst = 2 * (j * rows + first);
      for (let v = 0; v < 2 * lat.m; v++) {
        const u = lat.neighbours[src + v];
        u32[dst + v] = u < 0 ? zero : first + u;
      }
    }
  }
  const neighboursT = upload(2 * passes * rows);

  // Per pixel, its k (row, weight·alpha) slice pairs: A's vertices, then B's.
  const fillSlices = (lat: Lattice, first: number, j0: number) => {
    const d1 = lat.d + 1;
    const alpha = sliceAlpha(lat.d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d1; j++) {
        const s = 2 * (i * k + j0 + j);
        u32[s] = first + lat.offsets[i * d1 + j];
        f32[s + 1] = lat.weights[i * d1 + j] * alpha; // the store rounds to float32
      }
    }
  };
  fillSlices(la, 0, 0);
  fillSlices(lb, la.m, ka);
  const slicesT = upload(2 * n * k);

  for (let i = 0; i < n; i++) (f32[2 * i] = a.coef[i]), (f32[2 * i + 1] = b.coef[i]);
  const coefT = dev.tensor(f32.subarray(0, 2 * n), [n, 2]);
  const t = { start: startT, entries: entriesT, neighbours: neighboursT, slices: slicesT, coef: coefT };
  return {
    pixels: n,
    rows,
    ma: la.m,
    passes,
    ka,
    kb,
    scaleA: halfScale(a.peak),
    scaleB: halfScale(b.peak),
    ...t,
    dispose: () => Object.values(t).forEach((x) => x.dispose()),
  };
}

