import { crfInit, crfMeanField, crfPipelines, labelStride, type CrfPlan, type CrfStorage } from '../kernels/crf.ts';
import { prewarmPipelines } from '../kernels/runner.ts';
import { buildCrfPlanCpu, type CrfLattice, type PlanKernel } from './crf_plan.ts';
import { buildCrfPlanGpu } from './crf_plan_gpu.ts';
import { crfBruteIterate } from '../kernels/crf_brute.ts';
import type { Device } from '../tensor/device.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { AtrousError, LimitError, ShapeError } from '../tensor/errors.ts';
import { bilateralFeatures, positionalFeatures } from './lattice.ts';
import type { RgbImage } from '../io/image.ts';

/**
 * The fully connected CRF (Krähenbühl & Koltun 2011) as DeepLab runs it: Potts model, a
 * positional kernel (x/σ, y/σ) and a bilateral kernel (x/σxy, y/σxy, R/σrgb, G/σrgb, B/σrgb),
 * each filtered with a permutohedral lattice and normalised per pixel after filtering.
 */
export interface CrfParams {
  /** Mean-field iterations; 0 returns Q0 = softmax(−U). */
  iterations: number;
  posW: number;
  posXyStd: number;
  biW: number;
  biXyStd: number;
  biRgbStd: number;
  /**
   * How the iterations store label vectors: 'f32' (default; the reference's float32 numbers) or
   * 'f16' (about 1.5× faster on lavapipe; float32 arithmetic, results within docs/crf.md's tolerance).
   */
  storage?: CrfStorage;
  /**
   * Where the lattices are built: 'gpu' (a sort on the GPU, src/deeplab/crf_plan_gpu.ts) or 'cpu'
   * (the reference's hash table, src/deeplab/lattice.ts); the same plan either way. Default: the
   * CPU on a software adapter (lavapipe, SwiftShader), where it measured faster, else the GPU.
   */
  lattice?: CrfLattice;
}

const v1 = (biW: number, biXyStd: number, biRgbStd: number): CrfParams => ({ iterations: 10, posW: 3, posXyStd: 3, biW, biXyStd, biRgbStd });

/** Each released model's CRF settings (deeplab-spec §1; the 7x7 and 4x4 variants use the basic model's). */
export const CRF_DEFAULTS: Record<string, CrfParams> = {
  deeplab: v1(5, 50, 10),
  'deeplab-7x7': v1(5, 50, 10),
  'deeplab-4x4': v1(5, 50, 10),
  'deeplab-msc': v1(3, 95, 3),
  'deeplab-largefov': v1(4, 121, 5),
  'deeplab-msc-largefov': v1(4, 83, 5),
  'deeplab-coco-largefov': v1(5, 69, 5),
  'deeplab-msc-coco-largefov': v1(4, 59, 5),
  'deeplab-v2': v1(4, 49, 5),
  'deeplab-v2-vgg16': v1(4, 49, 5),
  'deeplab-v2-resnet101': v1(4, 49, 5),
};

/** Labels are returned as bytes. */
export const MAX_LABELS = 256;

export type { RgbImage };

/** Bad CRF input (sizes, parameters, non-finite scores). */
export class CrfError extends AtrousError {
  override name = 'CrfError';
}

function checkParams(p: CrfParams): void {
  if (!Number.isInteger(p.iterations) || p.iterations < 0) throw new CrfError(`crf: iterations must be an integer ≥ 0, got ${p.iterations}`);
  for (const k of ['posXyStd', 'biXyStd', 'biRgbStd'] as const) {
    if (!(p[k] > 0) || !Number.isFinite(p[k])) throw new CrfError(`crf: ${k} must be a finite standard deviation > 0, got ${p[k]}`);
  }
  for (const k of ['posW', 'biW'] as const) if (!Number.isFinite(p[k])) throw new CrfError(`crf: ${k} must be finite, got ${p[k]}`);
  checkStorage(p.storage);
  checkChoice('lattice', p.lattice, ['cpu', 'gpu']);
}

const checkStorage = (s: CrfStorage | undefined) => checkChoice('storage', s, ['f32', 'f16']);

function checkChoice(what: string, value: string | undefined, choices: string[]): void {
  if (value !== undefined && !choices.includes(value)) throw new CrfError(`crf: ${what} must be ${choices.map((c) => `'${c}'`).join(' or ')}, got ${JSON.stringify(value)}`);
}

function checkImage(image: RgbImage): number {
  const { width: w, height: h } = image;
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1) throw new ShapeError(`crf: image size ${w}×${h} is not a positive integer size`);
  if (image.data.length !== w * h * 3) throw new ShapeError(`crf: image data has ${image.data.length} bytes, ${w}×${h} RGB needs ${w * h * 3}`);
  // The reference keeps lattice keys in int16; far beyond that its lattice would wrap around.
  return w * h;
}

/**
 * The largest GPU buffers a CRF of this size needs, against the device's binding limit, before any
 * work: per pixel 72 bytes of lattice tables (9 (row, weight) pairs for the splat, 9 for the
 * slice) and the label vectors (Q, the unary) at 4 bytes per padded label.
 */
function checkCrfSize(dev: Device, w: number, h: number, numLabels = 0): void {
  const limit = dev.limits.maxStorageBufferBindingSize;
  const tables = 8 * (3 + 6);
  const labels = 4 * labelStride(numLabels);
  const perPixel = Math.max(tables, labels);
  if (w * h * perPixel <= limit) return;
  const mib = (b: number) => (b / 2 ** 20).toFixed(0);
  const side = Math.floor(Math.sqrt(limit / perPixel));
  throw new LimitError(
    `crf: a ${w}×${h} image${numLabels ? ` with ${numLabels} labels` : ''} needs ${mib(w * h * perPixel)} MiB in one GPU buffer ` +
      `(${labels > tables ? 'its label vectors' : 'its lattice tables'}), over this device's maxStorageBufferBindingSize of ${mib(limit)} MiB. ` +
      `Refine a smaller image and scores (up to about ${Math.floor(limit / perPixel)} pixels, e.g. ${side}×${side}), or use a device with a larger limit.`,
  );
}

/** The lattices of one image, uploaded: build once, run many (e.g. for several score maps). */
export interface CrfPrepared {
  plan: CrfPlan;
  /** Where the lattices were built. */
  lattice: CrfLattice;
  width: number;
  height: number;
  dispose(): void;
}

/** Feature dimensions of the positional (x, y) and bilateral (x, y, r, g, b) kernels. */
const [POS_D, BI_D] = [2, 5];

/** The two pairwise kernels of DeepLab's CRF for this image: positional (d = 2), bilateral (d = 5). */
export function crfKernels(image: RgbImage, params: CrfParams): [PlanKernel, PlanKernel] {
  const { width: w, height: h } = image;
  return [
    { features: positionalFeatures(w, h, params.posXyStd), d: POS_D, weight: params.posW },
    { features: bilateralFeatures(w, h, image.data, params.biXyStd, params.biRgbStd), d: BI_D, weight: params.biW },
  ];
}

/**
 * Builds both lattices (on the GPU or the CPU: params.lattice) and their tables. The GPU build
 * falls back to the CPU when a lattice's keys would not pack into 64 bits (crf_plan_gpu.ts).
 */
export async function prepareCrf(dev: Device, image: RgbImage, params: CrfParams): Promise<CrfPrepared> {
  checkParams(params);
  checkImage(image);
  const { width: w, height: h } = image;
  checkCrfSize(dev, w, h);
  const [pos, bi] = crfKernels(image, params);
  const where = params.lattice ?? (dev.info.isFallbackAdapter ? 'cpu' : 'gpu');
  const gpu = where === 'gpu' ? await buildCrfPlanGpu(dev, pos, bi) : null;
  const plan = gpu ?? buildCrfPlanCpu(dev, pos, bi);
  return { plan, lattice: gpu ? 'gpu' : 'cpu', width: w, height: h, dispose: () => plan.dispose() };
}

function checkUnary(unary: Float32Array, n: number, numLabels: number, w: number, h: number): void {
  if (!Number.isInteger(numLabels) || numLabels < 1 || numLabels > MAX_LABELS) {
    throw new CrfError(`crf: ${numLabels} labels; between 1 and ${MAX_LABELS} are supported (labels are returned as bytes)`);
  }
  if (unary.length !== n * numLabels) {
    throw new ShapeError(`crf: the unary has ${unary.length} values; the ${w}×${h} image with ${numLabels} labels needs H×W×C = ${n * numLabels}`);
  }
  for (let i = 0; i < unary.length; i++) {
    if (!Number.isFinite(unary[i])) {
      const px = Math.floor(i / numLabels);
      throw new CrfError(`crf: the unary is not finite (${unary[i]}) at pixel (x ${px % w}, y ${Math.floor(px / w)}), label ${i % numLabels}; clamp the scores (e.g. probabilities to ≥ 1e-12 before −log)`);
    }
  }
}

/** Runs mean field on the GPU: Q0 = softmax(−U), then `iterations` updates, one submit, one readback. */
export async function runCrf(dev: Device, prep: CrfPrepared, unary: Float32Array, numLabels: number, iterations: number, storage: CrfStorage = 'f32'): Promise<{ q: Float32Array; labels: Uint8Array }> {
  checkCrfSize(dev, prep.width, prep.height, numLabels);
  checkUnary(unary, prep.width * prep.height, numLabels, prep.width, prep.height);
  if (!Number.isInteger(iterations) || iterations < 0) throw new CrfError(`crf: iterations must be an integer ≥ 0, got ${iterations}`);
  checkStorage(storage);
  return runChecked(dev, prep, unary, numLabels, iterations, storage);
}

/** runCrf once its arguments are checked (denseCrf checks them before building the lattices). */
function runChecked(dev: Device, prep: CrfPrepared, unary: Float32Array, numLabels: number, iterations: number, storage: CrfStorage = 'f32') {
  return meanField(dev, prep.width * prep.height, unary, numLabels, iterateLattice(dev, prep.plan, numLabels, iterations, storage));
}

/** Unary rows padded to the kernels' label stride (zeros), and back. */
export function padLabels(a: Float32Array, n: number, c: number, cp: number): Float32Array {
  if (cp === c) return a;
  const out = new Float32Array(n * cp);
  for (let i = 0; i < n; i++) out.set(a.subarray(i * c, (i + 1) * c), i * cp);
  return out;
}
function unpadLabels(a: Float32Array, n: number, c: number, cp: number): Float32Array {
  if (cp === c) return a;
  const out = new Float32Array(n * c);
  for (let i = 0; i < n; i++) out.set(a.subarray(i * cp, i * cp + c), i * c);
  return out;
}

/**
 * Q0 = softmax(−U), then `record` records the updates; one submit, one readback. Labels
 * innermost (HWC, vertex-major), padded to whole vec4s with zeros: every kernel moves a pixel's
 * or a vertex's label vector as contiguous 16-byte loads.
 */
async function meanField(dev: Device, n: number, unary: Float32Array, numLabels: number, record: (u: Tensor, q: Tensor, cp: number) => Tensor) {
  const cp = labelStride(numLabels);
  const out = await dev.scope(async () => {
    const u = dev.tensor(padLabels(unary, n, numLabels, cp), [n, cp]);
    const q = dev.empty([n, cp]);
    return (await record(u, q, cp).download()) as Float32Array;
  });
  const q = unpadLabels(out, n, numLabels, cp);
  return { q, labels: argmaxLabels(q, numLabels) };
}

/** Q0 into `out` (float32), then the lattice iterations, the last writing float32 Q to `out`. */
function iterateLattice(dev: Device, plan: CrfPlan | null, numLabels: number, iterations: number, storage: CrfStorage = 'f32') {
  return (u: Tensor, out: Tensor) => {
    const n = out.shape[0];
    if (!plan || iterations === 0) {
      crfInit(dev, n, numLabels, u, out);
      return out;
    }
    crfMeanField(dev, plan, numLabels, u, out, iterations, storage);
    return out;
  };
}

/** argmax over labels per pixel; the first index wins ties (as the reference). */
export function argmaxLabels(q: Float32Array, numLabels: number): Uint8Array {
  const n = q.length / numLabels;
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let l = 1; l < numLabels; l++) if (q[i * numLabels + l] > q[i * numLabels + best]) best = l;
    labels[i] = best;
  }
  return labels;
}

/**
 * Refines per-pixel scores with the dense CRF. `unary` is H×W×C, −log p. Returns the marginals Q
 * (H×W×C) and their argmax labels. With `iterations` 0 the result is Q0 = softmax(−U).
 */
export async function denseCrf(dev: Device, image: RgbImage, unary: Float32Array, numLabels: number, params: CrfParams): Promise<CrfResult> {
  checkParams(params);
  checkCrfSize(dev, image.width, image.height, numLabels);
  checkUnary(unary, checkImage(image), numLabels, image.width, image.height);
  const t0 = performance.now();
  // Zero iterations is defined as Q0 = softmax(−U): no pairwise term, so no lattice to build.
  if (params.iterations === 0) {
    const r = await meanField(dev, image.width * image.height, unary, numLabels, iterateLattice(dev, null, numLabels, 0));
    return { ...r, lattice: null, ms: { lattice: 0, iterations: performance.now() - t0 } };
  }
  // The iterations' pipelines compile on Dawn's thread while this one builds the lattices.
  const warm = prewarmPipelines(dev, crfPipelines(numLabels, params.storage ?? 'f32', POS_D + 1, BI_D + 1));
  const prep = await prepareCrf(dev, image, params);
  await warm;
  const t1 = performance.now();
  try {
    // checkParams, checkCrfSize and checkUnary above are runCrf's checks: the unary is not scanned again.
    const r = await runChecked(dev, prep, unary, numLabels, params.iterations, params.storage);
    return { ...r, lattice: prep.lattice, ms: { lattice: t1 - t0, iterations: performance.now() - t1 } };
  } finally {
    prep.dispose();
  }
}

/** denseCrf's result: marginals, labels, and where the wall time went. */
export interface CrfResult {
  q: Float32Array;
  labels: Uint8Array;
  /** Where the lattices were built (null: zero iterations need none). */
  lattice: CrfLattice | null;
  /** Building the lattices and their tables; the iterations with their uploads and readback. */
  ms: { lattice: number; iterations: number };
}

/**
 * The same CRF with exact Gaussian filtering, O(N²) per iteration on the GPU: an independent
 * reference for the lattice (tests, small images only, ≤ 32 labels).
 */
export async function denseCrfBrute(dev: Device, image: RgbImage, unary: Float32Array, numLabels: number, params: CrfParams): Promise<{ q: Float32Array; labels: Uint8Array }> {
  checkParams(params);
  const n = checkImage(image);
  checkUnary(unary, n, numLabels, image.width, image.height);
  const { width: w, height: h } = image;
  return meanField(dev, n, unary, numLabels, (u, q, cp) => {
    crfInit(dev, n, numLabels, u, q);
    const k = {
      fa: dev.tensor(positionalFeatures(w, h, params.posXyStd), [n, 2]),
      da: 2,
      wa: params.posW,
      fb: dev.tensor(bilateralFeatures(w, h, image.data, params.biXyStd, params.biRgbStd), [n, 5]),
      db: 5,
      wb: params.biW,
    };
    return crfBruteIterate(dev, k, numLabels, u, q, dev.empty([n, cp]), params.iterations);
  });
}

/** U = −log softmax(logits) per pixel (HWC, C labels), in double then float32. */
export function unaryFromLogits(scores: Float32Array, numLabels: number): Float32Array {
  if (scores.length % numLabels) throw new ShapeError(`crf: ${scores.length} scores do not divide into ${numLabels} labels`);
  const u = new Float32Array(scores.length);
  for (let i = 0; i < scores.length; i += numLabels) {
    let mx = -Infinity;
    for (let l = 0; l < numLabels; l++) mx = Math.max(mx, scores[i + l]);
    let sum = 0;
    for (let l = 0; l < numLabels; l++) sum += Math.exp(scores[i + l] - mx);
    const lse = mx + Math.log(sum);
    for (let l = 0; l < numLabels; l++) u[i + l] = lse - scores[i + l];
  }
  return u;
}

/** U = −log p per pixel (HWC); p is clamped to ≥ `floor` so that zero probabilities stay finite. */
export function unaryFromProbabilities(probs: Float32Array, numLabels: number, floor = 1e-12): Float32Array {
  if (probs.length % numLabels) throw new ShapeError(`crf: ${probs.length} probabilities do not divide into ${numLabels} labels`);
  return probs.map((p) => -Math.log(Math.max(p, floor)));
}
