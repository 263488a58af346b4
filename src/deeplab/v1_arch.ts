import type { ConvLayerSpec } from '../nn/conv_layers.ts';
import { ShapeError } from '../tensor/errors.ts';

// DeepLab v1 architectures, as the Caffe test prototxts define them (deeplab-spec §1;
// TheLegendAli/DeepLab-Context config/{DeepLab,DeepLab-LargeFOV,DeepLab-MSc,DeepLab-MSc-LargeFOV}/test.prototxt),
// and DeepLab v2's VGG16-ASPP, which keeps their VGG16 backbone and replaces fc6–fc8 by four
// atrous branches (deeplab-spec §2; deeplab-public-ver2 exper/voc12/config/vgg16/test.prototxt).

export const V1_VARIANTS = ['deeplab', 'deeplab-7x7', 'deeplab-4x4', 'deeplab-largefov', 'deeplab-msc', 'deeplab-msc-largefov', 'deeplab-v2-vgg16'] as const;
export type V1Variant = (typeof V1_VARIANTS)[number];

/** Channel counts: conv1..conv5 (VGG16 blocks), fc6, fc7, and the MSc heads' width. */
export interface V1Widths {
  conv1: number;
  conv2: number;
  conv3: number;
  conv4: number;
  conv5: number;
  fc6: number;
  fc7: number;
  msc: number;
}

export interface V1Config {
  variant: V1Variant;
  /** Default 21 (PASCAL VOC). */
  numClasses?: number;
  /** Reduced widths for test and demo models; default the published ones. */
  widths?: Partial<V1Widths>;
  /**
   * Pad each input side to at least this size, as Caffe pads to its crop_size (513; 514 for the
   * basic model): scores near the bottom/right edges then equal Caffe's exactly, since the large
   * receptive fields see the padded canvas. Default 0: the smallest aligned size (faster).
   */
  canvas?: number;
}

export interface V1Arch {
  /** Kernel of pool1–pool4: 2 in the basic model, 3 in the later ones (stride 2, 2, 2, 1; pad 1). */
  poolK: number;
  fc6: { k: number; dilation: number; pad: number };
  fcWidth: number;
  /** LargeFOV's extra AVE pool k3 s1 p1 before fc6. */
  pool5a: boolean;
  /** The five extra heads of the MSc models. */
  msc: boolean;
  fc8: string;
  /** The basic model crops its ×8 output (PADDING layer, pad_beg −7, pad_end −8). */
  crop: boolean;
  /**
   * DeepLab v2's ASPP: for each rate r (branch i = 1…4), fc6_i 3×3 dilation = pad = r → fc7_i →
   * `${fc8}_i` from pool5, the branches' scores summed. `fc6` is then unused.
   */
  aspp?: readonly number[];
}

export const V1_ARCH: Record<V1Variant, V1Arch> = {
  deeplab: { poolK: 2, fc6: { k: 4, dilation: 4, pad: 6 }, fcWidth: 4096, pool5a: false, msc: false, fc8: 'fc8_pascal', crop: true },
  // 7x7 and 4x4 follow deeplab-spec §1's table [unverified: no prototxt seen]; their fc8 name is
  // assumed to be the basic model's.
  'deeplab-7x7': { poolK: 3, fc6: { k: 7, dilation: 4, pad: 12 }, fcWidth: 4096, pool5a: false, msc: false, fc8: 'fc8_pascal', crop: false },
  'deeplab-4x4': { poolK: 3, fc6: { k: 4, dilation: 8, pad: 12 }, fcWidth: 4096, pool5a: false, msc: false, fc8: 'fc8_pascal', crop: false },
  'deeplab-largefov': { poolK: 3, fc6: { k: 3, dilation: 12, pad: 12 }, fcWidth: 1024, pool5a: true, msc: false, fc8: 'fc8_voc12', crop: false },
  'deeplab-msc': { poolK: 3, fc6: { k: 4, dilation: 4, pad: 6 }, fcWidth: 4096, pool5a: false, msc: true, fc8: 'fc8_pascal', crop: false },
  'deeplab-msc-largefov': { poolK: 3, fc6: { k: 3, dilation: 12, pad: 12 }, fcWidth: 1024, pool5a: true, msc: true, fc8: 'fc8_voc12', crop: false },
  // ASPP-L, the released rates (ASPP-S, 2/4/8/12, is in the paper only).
  'deeplab-v2-vgg16': { poolK: 3, fc6: { k: 3, dilation: 12, pad: 12 }, fcWidth: 1024, pool5a: false, msc: false, fc8: 'fc8_voc12', crop: false, aspp: [6, 12, 18, 24] },
};

export const MSC_TAPS = ['data', 'pool1', 'pool2', 'pool3', 'pool4'] as const;
export type MscTap = (typeof MSC_TAPS)[number];
/** Interp zoom that brings each MSc head to full resolution (pool4 is stride 8 like pool3). */
export const MSC_ZOOM = { data: 1, pool1: 2, pool2: 4, pool3: 8, pool4: 8 } as const;

/** One convolution layer: its weight is [out, in, k, k], its bias [out]; v1 never strides a conv. */
export type ConvSpec = ConvLayerSpec;

const WIDTH_KEYS = ['conv1', 'conv2', 'conv3', 'conv4', 'conv5', 'fc6', 'fc7', 'msc'] as const;

export function resolveWidths(variant: V1Variant, w: Partial<V1Widths> = {}): V1Widths {
  for (const [k, v] of Object.entries(w)) {
    if (!(WIDTH_KEYS as readonly string[]).includes(k)) throw new ShapeError(`${variant}: unknown width "${k}"; the widths are ${WIDTH_KEYS.join(', ')}`);
    if (!Number.isInteger(v) || (v as number) < 1) throw new ShapeError(`${variant}: width ${k} = ${v} must be a positive integer`);
  }
  const fc = V1_ARCH[variant].fcWidth;
  return { conv1: 64, conv2: 128, conv3: 256, conv4: 512, conv5: 512, fc6: fc, fc7: fc, msc: 128, ...w };
}

/**
 * Every conv layer, in the order random weights are drawn (shared with tests/golden/deeplab_v1.py):
 * the VGG16 backbone, fc6, fc7, fc8 (ASPP: fc6_i, fc7_i, fc8_i for each branch i in turn), then
 * for MSc the heads X_conv (3×3), X_fc (1×1), X_ms (1×1) for X in data, pool1 … pool4.
 */
export function v1Layers(cfg: V1Config): ConvSpec[] {
  const a = V1_ARCH[cfg.variant];
  const w = resolveWidths(cfg.variant, cfg.widths);
  const nc = cfg.numClasses ?? 21;
  const out: ConvSpec[] = [];
  let cin = 3;
  for (const [b, n] of [[1, 2], [2, 2], [3, 3], [4, 3], [5, 3]]) {
    const c = w[`conv${b}` as keyof V1Widths];
    const d = b === 5 ? 2 : 1; // conv5: pad 2, hole 2
    for (let i = 1; i <= n; i++, cin = c) out.push({ name: `conv${b}_${i}`, out: c, in: cin, k: 3, stride: 1, dilation: d, pad: d, relu: true });
  }
  const head = (suffix: string, k: number, dilation: number, pad: number) => {
    out.push({ name: `fc6${suffix}`, out: w.fc6, in: w.conv5, k, stride: 1, dilation, pad, relu: true });
    out.push({ name: `fc7${suffix}`, out: w.fc7, in: w.fc6, k: 1, stride: 1, dilation: 1, pad: 0, relu: true });
    out.push({ name: `${a.fc8}${suffix}`, out: nc, in: w.fc7, k: 1, stride: 1, dilation: 1, pad: 0, relu: false });
  };
  if (a.aspp) a.aspp.forEach((r, i) => head(`_${i + 1}`, 3, r, r));
  else head('', a.fc6.k, a.fc6.dilation, a.fc6.pad);
  if (a.msc) {
    const tapIn = { data: 3, pool1: w.conv1, pool2: w.conv2, pool3: w.conv3, pool4: w.conv4 };
    for (const t of MSC_TAPS) {
      out.push({ name: `${t}_conv`, out: w.msc, in: tapIn[t], k: 3, stride: 1, dilation: 1, pad: 1, relu: true });
      out.push({ name: `${t}_fc`, out: w.msc, in: w.msc, k: 1, stride: 1, dilation: 1, pad: 0, relu: true });
      out.push({ name: `${t}_ms`, out: nc, in: w.msc, k: 1, stride: 1, dilation: 1, pad: 0, relu: false });
    }
  }
  return out;
}

/**
 * The size an input side is padded to (bottom/right, with the mean, i.e. 0 after subtraction)
 * before the net runs. Caffe pads to a fixed crop_size (513, or 514 for the basic model); we pad
 * each side to the nearest size the net maps exactly onto itself, so that output pixel i is
 * input pixel i and nothing is resampled: 8k+1 for every variant except the basic one, whose
 * k2 pools and crop need 16k+2 (its prototxt header: "input dimension equal to n = 16k + 2").
 * Then the scores are cropped back to the input's own extent, as Caffe does.
 */
export function v1PaddedSize(variant: V1Variant, n: number): number {
  if (V1_ARCH[variant].crop) return 16 * Math.ceil(Math.max(n - 2, 0) / 16) + 2;
  return 8 * Math.ceil((n - 1) / 8) + 1;
}
