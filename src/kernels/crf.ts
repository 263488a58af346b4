import blurShader from '../../shaders/crf_blur.wgsl';
import initShader from '../../shaders/crf_init.wgsl';
import softmaxShader from '../../shaders/crf_softmax.wgsl';
import splatShader from '../../shaders/crf_splat.wgsl';
import updateShader from '../../shaders/crf_update.wgsl';
import { sliceAlpha, type Lattice } from '../deeplab/lattice.ts';
import type { Device } from '../tensor/device.ts';
import { ShapeError } from '../tensor/errors.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { grid1d, Params, runKernel } from './runner.ts';

const WG = 64;
const INIT = softmaxShader + initShader;
const UPDATE = softmaxShader + updateShader;

/** One pairwise kernel: its lattice and the per-pixel factor w·norm (float32, as the reference multiplies). */
export interface CrfKernel {
  lattice: Lattice;
  /** Per pixel: w · 1/((K1)ᵢ + 1e−20). */
  coef: Float32Array;
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

  // CSR of pixels per row, filled in pixel order.
  const start = new Uint32Array(rows + 1);
  for (const o of la.offsets) start[o + 1]++;
  for (const o of lb.offsets) start[la.m + o + 1]++;
  for (let r = 0; r < rows; r++) start[r + 1] += start[r];
  const cursor = start.slice(0, rows);
  const entries = new Uint32Array(2 * n * (ka + kb));
  const entryWeights = new Float32Array(entries.buffer);
  const slices = new Uint32Array(2 * n * (ka + kb));
  const sliceWeights = new Float32Array(slices.buffer);
  const alphaA = sliceAlpha(la.d);
  const alphaB = sliceAlpha(lb.d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < ka + kb; j++) {
      const inA = j < ka;
      const row = inA ? la.offsets[i * ka + j] : la.m + lb.offsets[i * kb + j - ka];
      const w = inA ? la.weights[i * ka + j] : lb.weights[i * kb + j - ka];
      const e = cursor[row]++;
      entries[2 * e] = i;
      entryWeights[2 * e + 1] = w;
      slices[2 * (i * (ka + kb) + j)] = row;
      sliceWeights[2 * (i * (ka + kb) + j) + 1] = w * (inA ? alphaA : alphaB);
    }
  }
  // Blur neighbours per pass; a lattice with fewer directions than `passes` gets identity passes
  // (both neighbours the zero row: v + 0.5·(0 + 0) = v exactly).
  const neighbours = new Uint32Array(passes * rows * 2).fill(zero);
  for (const [lat, first] of [
    [la, 0],
    [lb, la.m],
  ] as const) {
    for (let j = 0; j <= lat.d; j++) {
      for (let v = 0; v < lat.m; v++) {
        const o = 2 * (j * rows + first + v);
        const n1 = lat.neighbours[2 * (j * lat.m + v)];
        const n2 = lat.neighbours[2 * (j * lat.m + v) + 1];
        neighbours[o] = n1 < 0 ? zero : first + n1;
        neighbours[o + 1] = n2 < 0 ? zero : first + n2;
      }
    }
  }
  const coef = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) (coef[2 * i] = a.coef[i]), (coef[2 * i + 1] = b.coef[i]);

  const t = {
    start: dev.tensor(start, [rows + 1], 'u32'),
    entries: dev.tensor(entries, [entries.length], 'u32'),
    neighbours: dev.tensor(neighbours, [neighbours.length], 'u32'),
    slices: dev.tensor(slices, [slices.length], 'u32'),
    coef: dev.tensor(coef, [n, 2]),
  };
  return {
    pixels: n,
    rows,
    ma: la.m,
    passes,
    ka,
    kb,
    ...t,
    dispose: () => Object.values(t).forEach((x) => x.dispose()),
  };
}

/**
 * The row stride of every CRF buffer: labels rounded up to whole vec4s, padded with zeros that
 * stay zero through every step.
 */
export const labelStride = (numLabels: number) => Math.ceil(numLabels / 4) * 4;

/** q = softmax(−unary) per pixel; both are pixels × labelStride (labels padded with zeros). */
export function crfInit(dev: Device, pixels: number, numLabels: number, unary: Tensor, q: Tensor): void {
  runKernel(dev, {
    kernel: 'crf_init',
    shader: INIT,
    constants: { C: numLabels, C4: labelStride(numLabels) / 4 },
    uniforms: new Params().u32(pixels).build(),
    tensors: [unary, q],
    workgroups: grid1d(dev, Math.ceil(pixels / WG)),
  });
}

/**
 * Records `iterations` mean-field updates of q in place (all into the open encoder: the caller
 * submits once). `va` and `vb` are rows × labelStride scratch tensors for the lattice values.
 */
export function crfIterate(dev: Device, plan: CrfPlan, numLabels: number, unary: Tensor, q: Tensor, va: Tensor, vb: Tensor, iterations: number): void {
  const C4 = labelStride(numLabels) / 4;
  const rowGrid = grid1d(dev, Math.ceil((plan.rows * C4) / WG));
  const splatUniforms = new Params().u32(plan.rows).build();
  for (let it = 0; it < iterations; it++) {
    runKernel(dev, {
      kernel: 'crf_splat',
      shader: splatShader,
      constants: { C4 },
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
        shader: blurShader,
        constants: { C4 },
        uniforms: new Params().u32(first * C4, end * C4, j * plan.rows).build(),
        tensors: [src, plan.neighbours, dst],
        workgroups: grid1d(dev, Math.ceil(((end - first) * C4) / WG)),
      });
      if (j === plan.ka - 1) outA = dst;
      if (j === plan.kb - 1) outB = dst;
      [src, dst] = [dst, src];
    }
    runKernel(dev, {
      kernel: 'crf_update',
      shader: UPDATE,
      constants: { C: numLabels, C4, KA: plan.ka, KB: plan.kb },
      uniforms: new Params().u32(plan.pixels).build(),
      tensors: [outA, outB, plan.slices, plan.coef, unary, q],
      workgroups: grid1d(dev, Math.ceil(plan.pixels / WG)),
    });
  }
}
