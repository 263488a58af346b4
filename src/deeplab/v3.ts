import { flipHorizontal } from '../kernels/flip.ts';
import { sumN } from '../kernels/reduce_n.ts';
import { softmaxChannels } from '../kernels/softmax.ts';
import { unary } from '../kernels/unary.ts';
import { concatChannels } from '../kernels/concat.ts';
import { globalAvgPool2d, maxPool2d } from '../kernels/pool2d.ts';
import { resizeBilinear } from '../kernels/resize.ts';
import { ConvLayers } from '../nn/conv_layers.ts';
import type { HostTensor } from '../nn/safetensors.ts';
import { checkWeights } from '../nn/weights.ts';
import type { Device } from '../tensor/device.ts';
import { ShapeError } from '../tensor/errors.ts';
import { checkInputBatch } from './preprocess.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { v3Convs, v3Layers, v3WeightShapes, type V3ConvSpec, type V3Layers, type V3Options, type V3Variant } from './v3_arch.ts';

/** The backbone's resolution (V3Options) and test-time augmentation. */
export interface V3Config extends V3Options {
  /**
   * Input scales, each run at round(s·H) × round(s·W) (bilinear, align_corners false); with more
   * than one scale, or with `flip`, forward() returns log of the views' mean class probabilities
   * (the paper's and TF DeepLab's multi-scale evaluation), which argmax and the CRF read as logits.
   */
  scales?: readonly number[];
  /** Also run each scale mirrored left–right (and mirror its scores back). */
  flip?: boolean;
}

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
  private readonly convs: ConvLayers;

  private readonly scales: readonly number[];
  private readonly flip: boolean;

  private constructor(
    readonly dev: Device,
    readonly variant: V3Variant,
    readonly numClasses: number,
    config: V3Config = {},
  ) {
    this.layers = v3Layers(variant, numClasses, config);
    this.convs = new ConvLayers(dev);
    this.scales = config.scales ?? [1];
    this.flip = config.flip ?? false;
    if (!this.scales.length || !this.scales.every((v) => v > 0 && v <= 4)) {
      throw new ShapeError(`${variant}: scales ${JSON.stringify(this.scales)} must be numbers in (0, 4]`);
    }
  }

  /**
   * Checks `tensors` (num_batches_tracked and aux_classifier.* are ignored; every missing,
   * unexpected or mis-shaped tensor is named in one WeightFileError), folds and uploads.
   */
  static fromWeights(dev: Device, variant: V3Variant, numClasses: number, tensors: Map<string, HostTensor>, what: string, config: V3Config = {}): DeepLabV3 {
    const m = new DeepLabV3(dev, variant, numClasses, config);
    const used = new Map([...tensors].filter(([name]) => !unused(name)));
    checkWeights(used, v3WeightShapes(m.layers), what);
    const f32 = (name: string) => used.get(name)!.data as Float32Array;
    for (const c of v3Convs(m.layers)) {
      if (!c.bn) {
        m.convs.upload(c, f32(`${c.name}.weight`), f32(`${c.name}.bias`));
        continue;
      }
      const bn = { gamma: f32(`${c.bn}.weight`), beta: f32(`${c.bn}.bias`), mean: f32(`${c.bn}.running_mean`), variance: f32(`${c.bn}.running_var`), eps: BN_EPS };
      m.convs.uploadFolded(c, f32(`${c.name}.weight`), bn);
    }
    return m;
  }

  /** Random folded weights (He-uniform, biases in [−0.1, 0.1)) from one mulberry32 stream, for benchmarks. */
  static random(dev: Device, variant: V3Variant, numClasses: number, seed: number, config: V3Config = {}): DeepLabV3 {
    const m = new DeepLabV3(dev, variant, numClasses, config);
    m.convs.randomize(v3Convs(m.layers), seed, 0.1);
    return m;
  }

  private conv(c: V3ConvSpec, x: Tensor): Tensor {
    return this.convs.run(c, x);
  }

  /**
   * x: [N, 3, H, W] (torchvisionPreprocess) → logits [N, C, H, W], for any H, W; with several
   * scales or flip, log of the views' mean probabilities.
   */
  forward(x: Tensor): Tensor {
    const { dev } = this;
    checkInputBatch(this.variant, x);
    if (this.scales.length === 1 && this.scales[0] === 1 && !this.flip) return this.single(x);
    const [, , H, W] = x.shape;
    const resize = (t: Tensor, height: number, width: number) => resizeBilinear(dev, t, { height, width, alignCorners: false });
    return dev.scope(() => {
      const probs: Tensor[] = [];
      for (const s of this.scales) {
        const [h, w] = [Math.max(1, Math.floor(s * H + 0.5)), Math.max(1, Math.floor(s * W + 0.5))];
        const xs = h === H && w === W ? x : dev.withLabel(`scale ${s}`, () => resize(x, h, w));
        for (const mirrored of this.flip ? [false, true] : [false]) {
          let y = mirrored ? this.single(flipHorizontal(dev, xs)) : this.single(xs);
          if (mirrored) y = flipHorizontal(dev, y);
          if (h !== H || w !== W) y = resize(y, H, W);
          probs.push(dev.withLabel('softmax', () => softmaxChannels(dev, y)));
        }
      }
      return dev.withLabel('mean', () => unary(dev, 'log', unary(dev, 'affine', sumN(dev, probs), { alpha: 1 / probs.length })));
    });
  }

  /** One view: torchvision's forward. */
  private single(x: Tensor): Tensor {
    const { dev, layers } = this;
    const [, , H, W] = x.shape;
    return dev.scope(() => {
      const c1 = this.conv(layers.conv1, x);
      let t = dev.withLabel('backbone.maxpool', () => maxPool2d(dev, c1, { kernel: 3, stride: 2, pad: 1, ceil: false }));
      c1.dispose();
      for (const b of layers.blocks) t = this.convs.bottleneck(b.convs[2].name.replace(/\.conv3$/, ''), b.downsample, b.convs, t);
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
    this.convs.dispose();
  }
}
