import blurShader from '../../shaders/crf_blur.wgsl';
import initShader from '../../shaders/crf_init.wgsl';
import softmaxShader from '../../shaders/crf_softmax.wgsl';
import splatShader from '../../shaders/crf_splat.wgsl';
import updateShader from '../../shaders/crf_update.wgsl';
import wordsShader from '../../shaders/crf_words.wgsl';
import { sliceAlpha, type Lattice } from '../deeplab/lattice.ts';
import type { Device } from '../tensor/device.ts';
import { ShapeError } from '../tensor/errors.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { grid1d, Params, runKernel } from './runner.ts';

const WG = 64;
const INIT = softmaxShader + wordsShader + initShader;
const UPDATE = softmaxShader + wordsShader + updateShader;
const SPLAT = wordsShader + splatShader;
const BLUR = wordsShader + blurShader;

/** One pairwise kernel: its lattice and the per-pixel factor w·norm (float32, as the reference multiplies). */
export interface CrfKernel {
  lattice: Lattice;
  /** Per pixel: w · 1/((K1)ᵢ + 1e−20). */
  coef: Float32Array;
  /** The largest blurred value of an all-ones splat: a bound on every label's lattice values. */
  peak: number;
}

/**
 * How the iterations store label vectors: 'f32' (exact: the reference's numbers) or 'f16' (half the
 * loads and stores, float32 arithmetic; about 1.5× faster on lavapipe, results within the tolerance
 * docs/crf.md states).
 */
export type CrfStorage = 'f32' | 'f16';

/**
 * The power of two that brings a lattice's values (at most `peak`) to at most 2^14, inside
 * float16's range (65504) with room for its rounding, and no lower than needed (small values keep
 * float16's full precision).
 */
export function halfScale(peak: number): number {
  const e = Math.floor(Math.log2(16384 / Math.max(peak, 2 ** -60)));
  return 2 ** Math.max(-60, Math.min(60, e));
}

/**
 * Both kernels' lattices as GPU tables in one vertex space (positional rows, then bilateral rows,
 * then one all-zero row standing for every missing neighbour), so each step of an iteration is
 * one dispatch for both kernels. Built once per image; reused by every iteration.
 */
export interface CrfPlan {
  pixels: number;
  rows: number;
  /** Rows of kernel A's lattice (rows [0, ma)); kernel B's follow, then the zero row. */
  ma: number;
  passes: number;
  ka: number;
  kb: number;
  /** CSR: rows+1 starts into `entries`, each (pixel, weight) in pixel order. */
  start: Tensor<'u32'>;
  entries: Tensor<'u32'>;
  /** passes × rows: the two blur neighbours of each row. */
  neighbours: Tensor<'u32'>;
  /** pixels × (ka+kb): (row, weight·alpha) to slice at. */
  slices: Tensor<'u32'>;
  /** pixels × 2: (wA·normA, wB·normB). */
  coef: Tensor<'f32'>;
  /** For 'f16' storage: each lattice's halfScale. */
  scaleA: number;
  scaleB: number;
  dispose(): void;
}

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

/**
 * The row stride of every CRF buffer: labels rounded up to whole vec4s, padded with zeros that
 * stay zero through every step.
 */
export const labelStride = (numLabels: number) => Math.ceil(numLabels / 4) * 4;

/** Words (vec4s) per pixel or vertex of a label vector: 4 labels each in float32, 8 in float16. */
export const crfWords = (numLabels: number, storage: CrfStorage) => Math.ceil(numLabels / (storage === 'f16' ? 8 : 4));

/**
 * q = softmax(−unary) per pixel; unary is pixels × labelStride (labels padded with zeros), q is
 * pixels × crfWords(storage) words.
 */
export function crfInit(dev: Device, pixels: number, numLabels: number, unary: Tensor, q: Tensor, storage: CrfStorage = 'f32'): void {
  runKernel(dev, {
    kernel: 'crf_init',
    shader: INIT,
    constants: { C: numLabels, C4: labelStride(numLabels) / 4, HALF: storage === 'f16' ? 1 : 0 },
    uniforms: new Params().u32(pixels).build(),
    tensors: [unary, q],
    workgroups: grid1d(dev, Math.ceil(pixels / WG)),
  });
}

/**
 * Records `iterations` (≥ 1) mean-field updates of q (pixels × crfWords words, as crfInit wrote
 * it) into the open encoder (the caller submits once). `va` and `vb` are rows × crfWords(storage)
 * word scratch tensors for the lattice values. The last update writes float32 Q to `out`
 * (pixels × labelStride; with 'f32' storage, q itself may be given).
 */
export function crfIterate(dev: Device, plan: CrfPlan, numLabels: number, unary: Tensor, q: Tensor, va: Tensor, vb: Tensor, iterations: number, storage: CrfStorage = 'f32', out: Tensor = q): void {
  const C4 = labelStride(numLabels) / 4;
  const words = crfWords(numLabels, storage);
  const HALF = storage === 'f16' ? 1 : 0;
  const rowGrid = grid1d(dev, Math.ceil((plan.rows * words) / WG));
  const splatUniforms = new Params().u32(plan.rows, plan.ma).f32(plan.scaleA, plan.scaleB).build();
  for (let it = 0; it < iterations; it++) {
    runKernel(dev, {
      kernel: 'crf_splat',
      shader: SPLAT,
      constants: { C4, HALF },
      uniforms: splatUniforms,
      tensors: [q, plan.start, plan.entries, va],
      workgroups: rowGrid,
    });
    // Pass j blurs the rows of each lattice that still has a direction j; each lattice's result
    // lies where its own last pass wrote it.
    let [src, dst] = [va, vb];
    let [outA, outB] = [va, va];
    for (let j = 0; j < plan.passes; j++) {
      const first = j < plan.ka ? 0 : plan.ma;
      const end = j < plan.kb ? plan.rows : plan.ma;
      runKernel(dev, {
        kernel: 'crf_blur',
        shader: BLUR,
        constants: { C4, HALF },
        uniforms: new Params().u32(first * words, end * words, j * plan.rows).build(),
        tensors: [src, plan.neighbours, dst],
        workgroups: grid1d(dev, Math.ceil(((end - first) * words) / WG)),
      });
      if (j === plan.ka - 1) outA = dst;
      if (j === plan.kb - 1) outB = dst;
      [src, dst] = [dst, src];
    }
    const last = it === iterations - 1;
    runKernel(dev, {
      kernel: 'crf_update',
      shader: UPDATE,
      constants: { C: numLabels, C4, KA: plan.ka, KB: plan.kb, HALF, Q_HALF: last ? 0 : HALF },
      uniforms: new Params().u32(plan.pixels).f32(1 / plan.scaleA, 1 / plan.scaleB).build(),
      tensors: [outA, outB, plan.slices, plan.coef, unary, last ? out : q],
      workgroups: grid1d(dev, Math.ceil(plan.pixels / WG)),
    });
  }
}
