import blurShader from '../../shaders/crf_blur.wgsl';
import initShader from '../../shaders/crf_init.wgsl';
import softmaxShader from '../../shaders/crf_softmax.wgsl';
import splatShader from '../../shaders/crf_splat.wgsl';
import updateShader from '../../shaders/crf_update.wgsl';
import wordsShader from '../../shaders/crf_words.wgsl';
import type { Device } from '../tensor/device.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { grid1d, Params, runKernel } from './runner.ts';

const WG = 64;
const INIT = softmaxShader + wordsShader + initShader;
const UPDATE = softmaxShader + wordsShader + updateShader;
const SPLAT = wordsShader + splatShader;
const BLUR = wordsShader + blurShader;

/**
 * How the iterations store label vectors: 'f32' (exact: the reference's numbers) or 'f16' (half the
 * loads and stores, float32 arithmetic; about 1.5× faster on lavapipe, results within the tolerance
 * docs/crf.md states).
 */
export type CrfStorage = 'f32' | 'f16';

/**
 * Both kernels' lattices as GPU tables in one vertex space (positional rows, then bilateral rows,
 * then one all-zero row standing for every missing neighbour), so each step of an iteration is
 * one dispatch for both kernels. Built once per image (src/deeplab/crf_plan.ts); reused by every
 * iteration.
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
  /** For 'f16' storage: the power of two each lattice's values are scaled by (crf_plan.ts halfScale). */
  scaleA: number;
  scaleB: number;
  dispose(): void;
}

/**
 * The row stride of every CRF buffer: labels rounded up to whole vec4s, padded with zeros that
 * stay zero through every step.
 */
export const labelStride = (numLabels: number) => Math.ceil(numLabels / 4) * 4;

/** Words (vec4s) per pixel or vertex of a label vector: 4 labels each in float32, 8 in float16. */
export const crfWords = (numLabels: number, storage: CrfStorage) => Math.ceil(numLabels / (storage === 'f16' ? 8 : 4));

// Each kernel's override constants, shared by its dispatch and crfPipelines().
const wordConstants = (numLabels: number, storage: CrfStorage) => ({ C4: labelStride(numLabels) / 4, HALF: storage === 'f16' ? 1 : 0 });
const initConstants = (numLabels: number, storage: CrfStorage) => ({ C: numLabels, ...wordConstants(numLabels, storage) });
const updateConstants = (numLabels: number, storage: CrfStorage, ka: number, kb: number, last: boolean) => {
  const c = initConstants(numLabels, storage);
  return { ...c, KA: ka, KB: kb, Q_HALF: last ? 0 : c.HALF };
};

/**
 * The pipelines crfMeanField runs, to compile ahead (runner.ts prewarmPipelines) while the
 * lattices of a plan with ka + kb vertices per pixel are built.
 */
export function crfPipelines(numLabels: number, storage: CrfStorage, ka: number, kb: number) {
  return [
    { kernel: 'crf_init', shader: INIT, constants: initConstants(numLabels, storage) },
    { kernel: 'crf_splat', shader: SPLAT, constants: wordConstants(numLabels, storage) },
    { kernel: 'crf_blur', shader: BLUR, constants: wordConstants(numLabels, storage) },
    { kernel: 'crf_update', shader: UPDATE, constants: updateConstants(numLabels, storage, ka, kb, false) },
    { kernel: 'crf_update', shader: UPDATE, constants: updateConstants(numLabels, storage, ka, kb, true) },
  ];
}

/**
 * q = softmax(−unary) per pixel; unary is pixels × labelStride (labels padded with zeros), q is
 * pixels × crfWords(storage) words.
 */
export function crfInit(dev: Device, pixels: number, numLabels: number, unary: Tensor, q: Tensor, storage: CrfStorage = 'f32'): void {
  runKernel(dev, {
    kernel: 'crf_init',
    shader: INIT,
    constants: initConstants(numLabels, storage),
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
  for (let it = 0; it < iterations; it++) {
    const [outA, outB] = crfFilter(dev, plan, numLabels, q, va, vb, storage);
    const last = it === iterations - 1;
    runKernel(dev, {
      kernel: 'crf_update',
      shader: UPDATE,
      constants: updateConstants(numLabels, storage, plan.ka, plan.kb, last),
      uniforms: new Params().u32(plan.pixels).f32(1 / plan.scaleA, 1 / plan.scaleB).build(),
      tensors: [outA, outB, plan.slices, plan.coef, unary, last ? out : q],
      workgroups: grid1d(dev, Math.ceil(plan.pixels / WG)),
    });
  }
}

/**
 * Records the splat of q and the blur passes of both lattices into va/vb; returns the tensors
 * holding kernel A's and kernel B's blurred rows (each where its own last pass wrote it).
 */
export function crfFilter(dev: Device, plan: CrfPlan, numLabels: number, q: Tensor, va: Tensor, vb: Tensor, storage: CrfStorage): [Tensor, Tensor] {
  const words = crfWords(numLabels, storage);
  runKernel(dev, {
    kernel: 'crf_splat',
    shader: SPLAT,
    constants: wordConstants(numLabels, storage),
    uniforms: new Params().u32(plan.rows, plan.ma).f32(plan.scaleA, plan.scaleB).build(),
    tensors: [q, plan.start, plan.entries, va],
    workgroups: grid1d(dev, Math.ceil((plan.rows * words) / WG)),
  });
  // Pass j blurs the rows of each lattice that still has a direction j.
  let [src, dst] = [va, vb];
  let [outA, outB] = [va, va];
  for (let j = 0; j < plan.passes; j++) {
    const first = j < plan.ka ? 0 : plan.ma;
    const end = j < plan.kb ? plan.rows : plan.ma;
    runKernel(dev, {
      kernel: 'crf_blur',
      shader: BLUR,
      constants: wordConstants(numLabels, storage),
      uniforms: new Params().u32(first * words, end * words, j * plan.rows).build(),
      tensors: [src, plan.neighbours, dst],
      workgroups: grid1d(dev, Math.ceil(((end - first) * words) / WG)),
    });
    if (j === plan.ka - 1) outA = dst;
    if (j === plan.kb - 1) outB = dst;
    [src, dst] = [dst, src];
  }
  return [outA, outB];
}

/**
 * Q0 = softmax(−unary), then `iterations` (≥ 1) updates, the result in float32 in `out` (pixels ×
 * labelStride): crfInit and crfIterate with the scratch `storage` needs (Q's words for 'f16', the
 * two lattice-value buffers), freed once recorded.
 */
export function crfMeanField(dev: Device, plan: CrfPlan, numLabels: number, unary: Tensor, out: Tensor, iterations: number, storage: CrfStorage = 'f32'): void {
  const w4 = 4 * crfWords(numLabels, storage);
  const q = storage === 'f32' ? out : dev.empty([plan.pixels, w4], 'u32');
  const [va, vb] = [dev.empty([plan.rows, w4], 'u32'), dev.empty([plan.rows, w4], 'u32')];
  crfInit(dev, plan.pixels, numLabels, unary, q, storage);
  crfIterate(dev, plan, numLabels, unary, q, va, vb, iterations, storage, out);
  for (const t of q === out ? [va, vb] : [q, va, vb]) t.dispose();
}
