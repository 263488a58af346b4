import { binary } from '../kernels/binary.ts';
import { conv2d, Conv2dWeights } from '../kernels/conv2d.ts';
import type { Device } from '../tensor/device.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { foldBatchNorm, type BatchNormStats } from './batchnorm.ts';
import { Mulberry32 } from './random.ts';

/** One conv layer of a model: weight [out, in, k, k], a bias, and how it runs. */
export interface ConvLayerSpec {
  name: string;
  out: number;
  in: number;
  k: number;
  stride: number;
  pad: number;
  dilation: number;
  relu: boolean;
}

/**
 * A model's conv layers by name, uploaded once (Conv2dWeights re-lays them out for the kernels)
 * and run with their own stride, padding, dilation and fused ReLU, each dispatch labelled with
 * the layer's name for the profiler.
 */
export class ConvLayers {
  private readonly weights = new Map<string, Conv2dWeights>();

  constructor(readonly dev: Device) {}

  upload(c: ConvLayerSpec, weight: Float32Array, bias: Float32Array | null): void {
    this.weights.get(c.name)?.dispose();
    this.weights.set(c.name, Conv2dWeights.fromHost(this.dev, weight, [c.out, c.in, c.k, c.k], bias, c.name));
  }

  /** Uploads a conv without bias with the inference-mode BatchNorm after it folded in (foldBatchNorm). */
  uploadFolded(c: ConvLayerSpec, weight: Float32Array, bn: BatchNormStats): void {
    const folded = foldBatchNorm(weight, [c.out, c.in, c.k, c.k], null, bn);
    this.upload(c, folded.weight, folded.bias);
  }

  /**
   * Random weights for `specs` from one mulberry32 stream, layer by layer (weight, then bias):
   * He-uniform weights (√(6 / fan-in)) and biases in [−biasScale, biasScale).
   */
  randomize(specs: readonly ConvLayerSpec[], seed: number, biasScale: number): void {
    const rng = new Mulberry32(seed);
    for (const c of specs) {
      const fanIn = c.in * c.k * c.k;
      this.upload(c, rng.fill(c.out * fanIn, Math.sqrt(6 / fanIn)), rng.fill(c.out, biasScale));
    }
  }

  run(c: ConvLayerSpec, x: Tensor): Tensor {
    const w = this.weights.get(c.name)!;
    return this.dev.withLabel(c.name, () => conv2d(this.dev, x, w, { stride: c.stride, pad: c.pad, dilation: c.dilation, relu: c.relu }));
  }

  /**
   * A ResNet bottleneck unit: relu(branch(t) + shortcut(t)), the shortcut a projection conv or t
   * itself, the sum labelled `name`. Frees t and everything it makes but the result.
   */
  bottleneck(name: string, projection: ConvLayerSpec | null, branch: readonly [ConvLayerSpec, ConvLayerSpec, ConvLayerSpec], t: Tensor): Tensor {
    const shortcut = projection ? this.run(projection, t) : t;
    const a = this.run(branch[0], t);
    const b = this.run(branch[1], a);
    a.dispose();
    const c = this.run(branch[2], b);
    b.dispose();
    const y = this.dev.withLabel(name, () => binary(this.dev, 'add', c, shortcut, { relu: true }));
    c.dispose();
    if (shortcut !== t) shortcut.dispose();
    t.dispose();
    return y;
  }

  dispose(): void {
    for (const w of this.weights.values()) w.dispose();
    this.weights.clear();
  }
}
