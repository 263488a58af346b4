import { CRF_DEFAULTS, crfKernels, padLabels, prepareCrf, unaryFromLogits } from '../deeplab/crf.ts';
import { crfPlanRecorder } from '../deeplab/crf_plan_gpu.ts';
import { createModel, MODEL_NAMES } from '../deeplab/models.ts';
import { crfMeanField, labelStride, type CrfStorage } from '../kernels/crf.ts';
import { add, mul } from '../kernels/binary.ts';
import { relu, unary } from '../kernels/unary.ts';
import type { Device } from '../tensor/device.ts';
import type { Tensor } from '../tensor/tensor.ts';

/** What `atrous profile` runs: a DeepLab model from src/deeplab/models.ts, or the synthetic stand-in. */
export interface Workload {
  name: string;
  forward(x: Tensor): Tensor;
  dispose(): void;
}

export interface WorkloadOptions {
  weights?: string;
  seed?: number;
  numClasses?: number;
  /** A model's test-time settings (CreateModelOptions): scales, flip, output stride. */
  scales?: number[];
  flip?: boolean;
  outputStride?: 8 | 16;
  /** The profiled input [N, 3, H, W]: the crf workload's image size. */
  input?: [number, number, number, number];
  /** The crf workload's label storage. */
  crfStorage?: CrfStorage;
}

export const WORKLOADS = [...MODEL_NAMES, 'synthetic', 'crf', 'crf-lattice'];
export const DEFAULT_WORKLOAD = 'deeplab-largefov';

/** Builds the named model with its weights on the GPU. */
export async function createWorkload(dev: Device, name: string, opts: WorkloadOptions): Promise<Workload> {
  if (name === 'synthetic') return synthetic(dev, opts.seed ?? 1);
  const [h, w] = [opts.input?.[2] ?? 321, opts.input?.[3] ?? 321];
  if (name === 'crf') return await crf(dev, crfScene(h, w, opts.seed ?? 1), opts.crfStorage ?? 'f32');
  if (name === 'crf-lattice') return await crfLattice(dev, crfScene(h, w, opts.seed ?? 1));
  return createModel(dev, name, opts);
}

/**
 * A synthetic H×W scene for the CRF workloads: discs and bars over a gradient with colour noise, so
 * the bilateral lattice is about as large as a photograph's, and 21 labels' logits.
 */
function crfScene(h: number, w: number, seed: number) {
  const C = 21;
  const n = w * h;
  const rgb = new Uint8Array(n * 3);
  let s = seed >>> 0;
  const noise = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24) / 16 - 8;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const disc = (x - w / 3) ** 2 + (y - h / 2) ** 2 < (h / 4) ** 2;
      const bar = Math.abs(x - (3 * w) / 4) < w / 12;
      const base = disc ? [200, 40, 40] : bar ? [40, 160, 60] : [90 + (100 * y) / h, 140, 200 - (80 * x) / w];
      for (let c = 0; c < 3; c++) rgb[(y * w + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(base[c] + noise())));
    }
  }
  const logits = new Float32Array(n * C);
  for (let i = 0; i < n; i++) {
    const x = i % w;
    const label = (x * 7) / w + ((i / w) * 3) / h;
    for (let c = 0; c < C; c++) logits[i * C + c] = 4 - Math.abs(c - label) + noise() / 8;
  }
  return { image: { width: w, height: h, data: rgb }, logits, C };
}

/**
 * DeepLab-LargeFOV's dense CRF (10 mean-field iterations, 21 labels) on the synthetic scene; the
 * lattice is built once, with the workload. A forward is the GPU part (Q0, then the iterations);
 * the input tensor only gives the size.
 */
async function crf(dev: Device, scene: ReturnType<typeof crfScene>, storage: CrfStorage): Promise<Workload> {
  const { image, logits, C } = scene;
  const n = image.width * image.height;
  const cp = labelStride(C);
  const prep = await prepareCrf(dev, image, CRF_DEFAULTS['deeplab-largefov']);
  const u = dev.tensor(padLabels(unaryFromLogits(logits, C), n, C, cp), [n, cp]);
  return {
    name: `crf (${storage} storage)`,
    forward: () =>
      dev.withLabel('crf', () => {
        const out = dev.empty([n, cp]);
        crfMeanField(dev, prep.plan, C, u, out, 10, storage);
        return out;
      }),
    dispose: () => {
      u.dispose();
      prep.dispose();
    },
  };
}

/**
 * The CRF's lattices built on the GPU (src/deeplab/crf_plan_gpu.ts) for the synthetic scene: a
 * forward records the whole build (coordinates, sort, tables, neighbours, normalisation) with the
 * vertex counts of a first build, so no readback interrupts it.
 */
async function crfLattice(dev: Device, scene: ReturnType<typeof crfScene>): Promise<Workload> {
  const { image } = scene;
  const record = await crfPlanRecorder(dev, ...crfKernels(image, CRF_DEFAULTS['deeplab-largefov']));
  return { name: 'crf-lattice', forward: () => dev.withLabel('crf-lattice', record), dispose: () => {} };
}

/** A stand-in network of labelled elementwise layers: x ← x + relu(w_c · x − 0.5), eight times. */
function synthetic(dev: Device, seed: number): Workload {
  const weights = Array.from({ length: 8 }, (_, i) => dev.tensor([1, 0.5, -1].map((w) => w * (1 + 0.1 * ((seed + i) % 7))), [1, 3, 1, 1]));
  return {
    name: 'synthetic',
    forward: (x) =>
      dev.scope(() =>
        weights.reduce(
          (h, w, i) =>
            dev.withLabel(`block${i + 1}`, () => {
              const s = dev.withLabel('scale', () => mul(dev, h, w));
              const a = dev.withLabel('shift', () => unary(dev, 'affine', s, { beta: -0.5 }));
              const r = dev.withLabel('relu', () => relu(dev, a));
              return dev.withLabel('residual', () => add(dev, h, r));
            }),
          x,
        ),
      ),
    dispose: () => weights.forEach((w) => w.dispose()),
  };
}

/** A deterministic preprocessed-looking input in [-100, 100). */
export function syntheticInput(dev: Device, shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = ((Math.imul(i, 0x9e3779b1) >>> 8) / 2 ** 23 - 1) * 100;
  return dev.tensor(data, shape);
}
