import { createModel, MODEL_NAMES } from '../deeplab/models.ts';
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
}

export const WORKLOADS = [...MODEL_NAMES, 'synthetic'];
export const DEFAULT_WORKLOAD = 'deeplab-largefov';

/** Builds the named model with its weights on the GPU. */
export async function createWorkload(dev: Device, name: string, opts: WorkloadOptions): Promise<Workload> {
  return name === 'synthetic' ? synthetic(dev, opts.seed ?? 1) : createModel(dev, name, opts);
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
