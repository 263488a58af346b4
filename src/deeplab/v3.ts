import { binary } from '../kernels/binary.ts';
import { concatChannels } from '../kernels/concat.ts';
import { conv2d, Conv2dWeights } from '../kernels/conv2d.ts';
import { globalAvgPool2d, maxPool2d } from '../kernels/pool2d.ts';
import { resizeBilinear } from '../kernels/resize.ts';
import { foldBatchNorm } from '../nn/batchnorm.ts';
import { Mulberry32 } from '../nn/random.ts';
import type { HostTensor } from '../nn/safetensors.ts';
import { checkWeights } from '../nn/weights.ts';
import type { Device } from '../tensor/device.ts';
import { fmtShape, ShapeError } from '../tensor/errors.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { v3Convs, v3Layers, v3WeightShapes, type V3ConvSpec, type V3Layers, type V3Variant } from './v3_arch.ts';

/** torchvision's BatchNorm2d eps. */
const BN_EPS = 1e-5;

/** Entries of a torchvision state dict that inference does not use. */
const unused = (name: string) => name.endsWith('.num_batches_tracked') || name.startsWith('aux_classifier.');

/**
 * DeepLab v3 (torchvision's deeplabv3_resnet50/101) at test time: every BatchNorm folded into its
 * conv when the weights are loaded; dropout is the identity. Input: torchvision's normalisation
 * (see torchvisionPreprocess); output: logits bilinearly resized to the input (align_corners false).
 */
export class DeepLabV3 {
  readonly layers: V3Layers;
  private readonly weights = new Map<string, Conv2dWeights>();

  private constructor(
    readonly dev: Device,
    readonly variant: V3Variant,
    readonly numClasses: number,
  ) {
    this.layers = v3Layers(variant, numClasses);
  }

  /**
   * Checks `tensors` (num_batches_tracked and aux_classifier.* are ignored; every missing,
   * unexpected or mis-shaped tensor is named in one WeightFileError), folds and uploads.
   */
  static fromWeights(dev: Device, variant: V3Variant, numClasses: number, tensors: Map<string, HostTensor>, what: string): DeepLabV3 {
    const m = new DeepLabV3(dev, variant, numClasses);
    const used = new Map([...tensors].filter(([name]) => !unused(name)));
    checkWeights(used, v3WeightShapes(m.layers), what);
    const f32 = (name: string) => used.get(name)!.data as Float32Array;
    for (const c of v3Convs(m.layers)) {
      if (!c.bn) {
        m.upload(c, f32(`${c.name}.weight`), f32(`${c.name}.bias`));
        continue;
      }
      const bn = { gamma: f32(`${c.bn}.weight`), beta: f32(`${c.bn}.bias`), mean: f32(`${c.bn}.running_mean`), variance: f32(`${c.bn}.running_var`), eps: BN_EPS };
      const folded = foldBatchNorm(f32(`${c.name}.weight`), [c.out, c.in, c.k, c.k], null, bn);
      m.upload(c, folded.weight, folded.bias);
    }
    return m;
  }

  /** Random folded weights (He-uniform, biases in [−0.1, 0.1)) from one mulberry32 stream, for benchmarks. */
  static random(dev: Device, variant: V3Variant, numClasses: number, seed: number): DeepLabV3 {
    const m = new DeepLabV3(dev, variant, numClasses);
    const rng = new Mulberry32(seed);
    for (const c of v3Convs(m.layers)) {
      const fanIn = c.in * c.k * c.k;
      m.upload(c, rng.fill(c.out * fanIn, Math.sqrt(6 / fanIn)), rng.fill(c.out, 0.1));
    }
    return m;
  }

  private upload(c: V3ConvSpec, weight: Float32Array, bias: Float32Array): void {
    this.weights.set(c.name, Conv2dWeights.fromHost(this.dev, weight, [c.out, c.in, c.k, c.k], bias, c.name));
  }

  private conv(c: V3ConvSpec, x: Tensor): Tensor {
    const pad = c.k === 7 ? 3 : c.k === 3 ? c.dilation : 0;
    return this.dev.withLabel(c.name, () => conv2d(this.dev, x, this.weights.get(c.name)!, { stride: c.stride, pad, dilation: c.dilation, relu: c.relu }));
  }

  /** x: [N, 3, H, W] (torchvisionPreprocess) → logits [N, C, H, W], for any H, W. */
  forward(x: Tensor): Tensor {
    const { dev, layers } = this;
    if (x.shape.length !== 4 || x.shape[1] !== 3 || x.dtype !== 'f32') {
      throw new ShapeError(`${this.variant}: forward takes a preprocessed f32 image batch [N, 3, H, W], got ${fmtShape(x.shape)} ${x.dtype}; use model.preprocess(image)`);
    }
    const [, , H, W] = x.shape;
    return dev.scope(() => {
      const c1 = this.conv(layers.conv1, x);
      let t = dev.withLabel('backbone.maxpool', () => maxPool2d(dev, c1, { kernel: 3, stride: 2, pad: 1, ceil: false }));
      c1.dispose();
      for (const b of layers.blocks) {
        const shortcut = b.downsample ? this.conv(b.downsample, t) : t;
        const a = this.conv(b.convs[0], t);
        const m = this.conv(b.convs[1], a);
        const c = this.conv(b.convs[2], m);
        const y = dev.withLabel(b.convs[2].name.replace(/\.conv3$/, ''), () => binary(dev, 'add', c, shortcut, { relu: true }));
        for (const u of [a, m, c, ...(shortcut !== t ? [shortcut] : []), t]) u.dispose();
        t = y;
      }
      const [, , h, w] = t.shape;
      const branches = layers.aspp.map((c) => this.conv(c, t));
      const pooled = this.conv(layers.pooling, dev.withLabel('classifier.0.convs.4.0', () => globalAvgPool2d(dev, t)));
      branches.push(dev.withLabel('classifier.0.convs.4', () => resizeBilinear(dev, pooled, { height: h, width: w, alignCorners: false })));
      const cat = dev.withLabel('classifier.0.cat', () => concatChannels(dev, branches));
      const logits = this.conv(layers.head[1], this.conv(layers.head[0], this.conv(layers.project, cat)));
      return dev.withLabel('upsample', () => resizeBilinear(dev, logits, { height: H, width: W, alignCorners: false }));
    });
  }

  dispose(): void {
    for (const w of this.weights.values()) w.dispose();
    this.weights.clear();
  }
}
