import { cropPad2d } from '../kernels/crop_pad.ts';
import { maxPool2d } from '../kernels/pool2d.ts';
import { maxN, sumN } from '../kernels/reduce_n.ts';
import { caffeInterpSize, resizeBilinear } from '../kernels/resize.ts';
import { ConvLayers } from '../nn/conv_layers.ts';
import type { HostTensor } from '../nn/safetensors.ts';
import { checkWeights } from '../nn/weights.ts';
import type { Device } from '../tensor/device.ts';
import { fmtShape, ShapeError } from '../tensor/errors.ts';
import { checkInputBatch } from './preprocess.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { v1PaddedSize } from './v1_arch.ts';
import { fromKazutoNames, resnetConvs, resnetLayers, resnetWeightShapes, type ResConvSpec, type ResNetLayers, type ResNetWidths } from './v2_resnet_arch.ts';

/** The input scales DeepLab v2's test net runs, as Caffe Interp factors of the (padded) input. */
export const V2_SCALES = { 1: {}, 0.75: { shrink: 4, zoom: 3 }, 0.5: { shrink: 2 } } as const;
export type V2Scale = 1 | 0.75 | 0.5;

/** Whether `scales` is a set the released net runs: 1 first, then 0.75 and/or 0.5, none twice. */
export const validV2Scales = (scales: readonly number[]): scales is V2Scale[] =>
  scales[0] === 1 && scales.every((s) => s in V2_SCALES) && new Set(scales).size === scales.length;

export interface V2ResNetConfig {
  numClasses?: number;
  /** Reduced widths for test models; default ResNet-101's. */
  widths?: Partial<ResNetWidths>;
  /** Default [1, 0.75, 0.5], the released test net (MSC); [1] runs one scale. */
  scales?: readonly V2Scale[];
}

/** Caffe's BatchNorm eps (batch_norm_param default). */
const BN_EPS = 1e-5;

/**
 * DeepLab v2 ResNet-101 at test time. Every BatchNorm + Scale pair is folded into the conv before
 * it when the weights are loaded, so each bottleneck unit is four convs (three without a
 * projection) and one fused add + ReLU. Towers at 0.75 and 0.5 of the input share the weights;
 * their scores are resized to the full-scale ones, fused by MAX and zoomed ×8.
 */
export class DeepLabV2ResNet {
  readonly numClasses: number;
  readonly layers: ResNetLayers;
  readonly scales: readonly V2Scale[];
  private readonly convs: ConvLayers;

  private constructor(
    readonly dev: Device,
    config: V2ResNetConfig,
  ) {
    this.numClasses = config.numClasses ?? 21;
    this.convs = new ConvLayers(dev);
    this.layers = resnetLayers(config.widths, this.numClasses);
    this.scales = config.scales ?? [1, 0.75, 0.5];
    if (!validV2Scales(this.scales)) {
      throw new ShapeError(`deeplab-v2-resnet101: scales ${JSON.stringify(this.scales)}: the first must be 1, the others 0.75 and/or 0.5 (the Caffe Interp factors of the released net)`);
    }
  }

  /**
   * Checks `tensors`, in Caffe's names or kazuto1011/deeplab-pytorch's (fromKazutoNames), every
   * missing, unexpected or mis-shaped one named in one WeightFileError; folds each BatchNorm
   * (mean = blob0 / blob2, var = blob1 / blob2, as Caffe) and Scale into its conv, and uploads.
   * BatchNorm and Scale vectors stored 4-D (1×C×1×1) are read as [C].
   */
  static fromWeights(dev: Device, config: V2ResNetConfig, tensors: Map<string, HostTensor>, what: string): DeepLabV2ResNet {
    const m = new DeepLabV2ResNet(dev, config);
    const expected = resnetWeightShapes(m.layers);
    tensors = fromKazutoNames(tensors) ?? tensors;
    const flat = new Map(tensors);
    for (const [name, t] of tensors) {
      const want = expected.get(name);
      if (want?.length === 1 && t.shape.length > 1 && t.shape.filter((d) => d !== 1).length <= 1 && t.shape.reduce((a, b) => a * b, 1) === want[0]) {
        flat.set(name, { ...t, shape: want });
      }
    }
    checkWeights(flat, expected, what);
    const f32 = (name: string) => flat.get(name)!.data as Float32Array; // F16 files are widened on parsing
    for (const c of resnetConvs(m.layers)) {
      if (!c.bn) {
        m.convs.upload(c, f32(`${c.name}.weight`), f32(`${c.name}.bias`));
        continue;
      }
      // Caffe: a zero factor means no statistics were accumulated; it then uses 0.
      const factor = f32(`${c.bn.batchNorm}.blob2`)[0];
      const inv = factor === 0 ? 0 : 1 / factor;
      const scaled = (name: string) => Float32Array.from(f32(name), (v) => v * inv);
      m.convs.uploadFolded(c, f32(`${c.name}.weight`), {
        mean: scaled(`${c.bn.batchNorm}.weight`),
        variance: scaled(`${c.bn.batchNorm}.bias`),
        gamma: f32(`${c.bn.scale}.weight`),
        beta: f32(`${c.bn.scale}.bias`),
        eps: BN_EPS,
      });
    }
    return m;
  }

  /**
   * Random folded weights from one mulberry32 stream, conv by conv in forward order: He-uniform
   * weights (√(6 / fan-in)) and biases in [−0.1, 0.1), standing in for BatchNorm-folded ones.
   */
  static random(dev: Device, config: V2ResNetConfig, seed: number): DeepLabV2ResNet {
    const m = new DeepLabV2ResNet(dev, config);
    m.convs.randomize(resnetConvs(m.layers), seed, 0.1);
    return m;
  }

  private conv(c: ResConvSpec, x: Tensor): Tensor {
    return this.convs.run(c, x);
  }

  /** One tower: [N, 3, h, w] → scores at stride 8, [N, C, ⌊(h−1)/8⌋+1…]. Frees what it makes. */
  private tower(x: Tensor): Tensor {
    const { dev, layers } = this;
    const c1 = this.conv(layers.conv1, x);
    let t = dev.withLabel('pool1', () => maxPool2d(dev, c1, { kernel: 3, stride: 2, pad: 1 }));
    c1.dispose();
    for (const u of layers.units) t = this.convs.bottleneck(u.name, u.branch1, u.branch2, t);
    const heads = layers.head.map((h) => this.conv(h, t));
    t.dispose();
    const y = dev.withLabel('fc1_voc12', () => sumN(dev, heads));
    heads.forEach((h) => h.dispose());
    return y;
  }

  /** x: [N, 3, H, W] preprocessed (BGR minus the means) → class scores [N, C, H, W], for any H, W. */
  forward(x: Tensor): Tensor {
    const { dev } = this;
    checkInputBatch('deeplab-v2-resnet101', x);
    const [, , H, W] = x.shape;
    // Padded (bottom/right, with the mean) to 8k+1, which the net maps onto itself, as in v1.
    const PH = v1PaddedSize('deeplab-largefov', H);
    const PW = v1PaddedSize('deeplab-largefov', W);
    return dev.scope(() => {
      const data = PH === H && PW === W ? x : dev.withLabel('pad', () => cropPad2d(dev, x, { top: 0, left: 0, height: PH, width: PW, value: 0 }));
      const full = this.tower(data);
      const [, , fh, fw] = full.shape;
      const fused = [full];
      for (const s of this.scales.slice(1)) {
        const f = V2_SCALES[s];
        const size = { height: caffeInterpSize(PH, f), width: caffeInterpSize(PW, f), alignCorners: true };
        const scaled = dev.withLabel(`data_res${s === 0.75 ? '075' : '05'}`, () => resizeBilinear(dev, data, size));
        const y = this.tower(scaled);
        scaled.dispose();
        fused.push(dev.withLabel(`fc1_res${s === 0.75 ? '075' : '05'}_interp`, () => resizeBilinear(dev, y, { height: fh, width: fw, alignCorners: true })));
        y.dispose();
      }
      const best = fused.length > 1 ? dev.withLabel('fc_fusion', () => maxN(dev, fused)) : full;
      const zoom = { height: caffeInterpSize(fh, { zoom: 8 }), width: caffeInterpSize(fw, { zoom: 8 }), alignCorners: true };
      const y = dev.withLabel('fc1_interp', () => resizeBilinear(dev, best, zoom));
      if (y.shape[2] !== PH || y.shape[3] !== PW) throw new ShapeError(`deeplab-v2-resnet101: internal size error, scores ${fmtShape(y.shape)} for a ${PH}×${PW} padded input`);
      if (PH === H && PW === W) return y;
      return dev.withLabel('crop', () => cropPad2d(dev, y, { top: 0, left: 0, height: H, width: W }));
    });
  }

  dispose(): void {
    this.convs.dispose();
  }
}
