import { cropPad2d } from '../kernels/crop_pad.ts';
import { avgPool2d, maxPool2d } from '../kernels/pool2d.ts';
import { sumN } from '../kernels/reduce_n.ts';
import { caffeInterpSize, resizeBilinear } from '../kernels/resize.ts';
import { ConvLayers } from '../nn/conv_layers.ts';
import type { HostTensor } from '../nn/safetensors.ts';
import { checkWeights } from '../nn/weights.ts';
import type { Device } from '../tensor/device.ts';
import { fmtShape, ShapeError } from '../tensor/errors.ts';
import { checkInputBatch } from './preprocess.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { MSC_ZOOM, V1_ARCH, v1Layers, v1PaddedSize, type ConvSpec, type MscTap, type V1Arch, type V1Config } from './v1_arch.ts';

/** The conv layers' expected weight names and shapes (`<layer>.weight` [O, I, k, k], `<layer>.bias` [O]). */
export function v1WeightShapes(cfg: V1Config): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const l of v1Layers(cfg)) {
    m.set(`${l.name}.weight`, [l.out, l.in, l.k, l.k]);
    m.set(`${l.name}.bias`, [l.out]);
  }
  return m;
}

/**
 * DeepLab v1 at test time (dropout is the identity). Weights live on the GPU from construction
 * until dispose(); forward() records the whole net into the device's one command encoder.
 */
export class DeepLabV1 {
  readonly arch: V1Arch;
  readonly numClasses: number;
  private readonly specs = new Map<string, ConvSpec>();
  private readonly convs: ConvLayers;

  private constructor(
    readonly dev: Device,
    readonly config: V1Config,
  ) {
    this.arch = V1_ARCH[config.variant];
    this.numClasses = config.numClasses ?? 21;
    this.convs = new ConvLayers(dev);
    for (const l of v1Layers(config)) this.specs.set(l.name, l);
  }

  /**
   * Uploads `tensors` (checked first: every missing, unexpected or mis-shaped one is named in a
   * single WeightFileError). `what` names the weights' source in that error.
   */
  static fromWeights(dev: Device, config: V1Config, tensors: Map<string, HostTensor>, what: string): DeepLabV1 {
    checkWeights(tensors, v1WeightShapes(config), what);
    const m = new DeepLabV1(dev, config);
    for (const l of m.specs.values()) {
      const w = tensors.get(`${l.name}.weight`)!.data as Float32Array;
      const b = tensors.get(`${l.name}.bias`)!.data as Float32Array;
      m.convs.upload(l, w, b);
    }
    return m;
  }

  /**
   * Random weights from one mulberry32 stream (per layer: weight then bias), as
   * tests/golden/deeplab_v1.py draws them: He-uniform weights (scale √(6 / fan-in)), biases in [−1, 1).
   */
  static random(dev: Device, config: V1Config, seed: number): DeepLabV1 {
    const m = new DeepLabV1(dev, config);
    m.convs.randomize([...m.specs.values()], seed, 1);
    return m;
  }

  private conv(name: string, x: Tensor): Tensor {
    return this.convs.run(this.specs.get(name)!, x);
  }

  /** Caffe Interp with zoom_factor (align_corners semantics). */
  private interp(name: string, x: Tensor, zoom: number): Tensor {
    const [, , h, w] = x.shape;
    const o = { height: caffeInterpSize(h, { zoom }), width: caffeInterpSize(w, { zoom }), alignCorners: true };
    return this.dev.withLabel(name, () => resizeBilinear(this.dev, x, o));
  }

  /** x: [N, 3, H, W] preprocessed (BGR minus the means) → class scores [N, C, H, W], for any H, W. */
  forward(x: Tensor): Tensor {
    const { dev, arch } = this;
    const name = this.config.variant;
    checkInputBatch(name, x);
    const [, , H, W] = x.shape;
    const canvas = this.config.canvas ?? 0;
    const PH = v1PaddedSize(name, Math.max(H, canvas));
    const PW = v1PaddedSize(name, Math.max(W, canvas));
    return dev.scope(() => {
      const data = PH === H && PW === W ? x : dev.withLabel('pad', () => cropPad2d(dev, x, { top: 0, left: 0, height: PH, width: PW, value: 0 }));
      // MSc: each tap's head runs as soon as the tap exists, so the tap can be freed with the rest.
      const heads: Tensor[] = [];
      const head = (tap: MscTap, src: Tensor) => {
        if (!arch.msc) return;
        let m = src;
        for (const layer of ['conv', 'fc', 'ms']) {
          const next = this.conv(`${tap}_${layer}`, m);
          if (m !== src) m.dispose();
          m = next;
        }
        if (MSC_ZOOM[tap] === 1) return heads.push(m);
        heads.push(this.interp(`${tap}_interp`, m, MSC_ZOOM[tap]));
        m.dispose();
      };
      head('data', data);
      // Each intermediate is disposed once consumed: its buffer is reused later in the same
      // encoder, which is safe because recorded commands run in order.
      let t = data;
      const step = (next: Tensor) => {
        if (t !== data) t.dispose();
        t = next;
      };
      for (const [b, n] of [[1, 2], [2, 2], [3, 3], [4, 3], [5, 3]] as const) {
        for (let i = 1; i <= n; i++) step(this.conv(`conv${b}_${i}`, t));
        // pool1–3 stride 2, pool4 stride 1 (kernel 2 or 3), pool5 k3 s1; all pad 1, Caffe ceil rounding.
        const kernel = b === 5 ? 3 : arch.poolK;
        step(dev.withLabel(`pool${b}`, () => maxPool2d(dev, t, { kernel, stride: b <= 3 ? 2 : 1, pad: 1 })));
        if (b <= 4) head(`pool${b}` as MscTap, t);
      }
      if (arch.pool5a) step(dev.withLabel('pool5a', () => avgPool2d(dev, t, { kernel: 3, stride: 1, pad: 1 })));
      const fc = (suffix: string) => {
        const f6 = this.conv(`fc6${suffix}`, t);
        const f7 = this.conv(`fc7${suffix}`, f6);
        f6.dispose();
        const f8 = this.conv(`${arch.fc8}${suffix}`, f7);
        f7.dispose();
        return f8;
      };
      // ASPP: the branches' scores summed in the prototxt's bottom order (Eltwise SUM).
      const branches = arch.aspp ? arch.aspp.map((_, i) => fc(`_${i + 1}`)) : [];
      step(arch.aspp ? dev.withLabel(arch.fc8, () => sumN(dev, branches)) : fc(''));
      for (const b of branches) b.dispose();
      let y = this.interp('fc8_interp', t, 8);
      // fc_fusion: ELTWISE SUM in the prototxt's bottom order (data_ms, pool1…4 interp, fc8_interp).
      if (arch.msc) y = dev.withLabel('fc_fusion', () => sumN(dev, [...heads, y]));
      const [beg, end] = arch.crop ? [7, 8] : [0, 0]; // fc8_crop: PADDING pad_beg −7, pad_end −8
      if (y.shape[2] !== PH + beg + end || y.shape[3] !== PW + beg + end) {
        throw new ShapeError(`${name}: internal size error, scores ${fmtShape(y.shape)} for a ${PH}×${PW} padded input`);
      }
      if (beg === 0 && PH === H && PW === W) return y;
      return dev.withLabel('crop', () => cropPad2d(dev, y, { top: beg, left: beg, height: H, width: W }));
    });
  }

  dispose(): void {
    this.convs.dispose();
  }
}
