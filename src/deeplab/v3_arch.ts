import type { ConvLayerSpec } from '../nn/conv_layers.ts';
import { ShapeError } from '../tensor/errors.ts';

// DeepLab v3 as torchvision builds it (deeplab-spec §3; pytorch/vision models/segmentation/
// deeplabv3.py, _utils.py, models/resnet.py), with its state-dict names, so that the published
// deeplabv3_resnet{50,101}_coco `.pth` files load as they are.

export const V3_VARIANTS = ['deeplab-v3-resnet50', 'deeplab-v3-resnet101'] as const;
export type V3Variant = (typeof V3_VARIANTS)[number];

/** Bottleneck blocks per layer1…layer4. */
export const V3_BLOCKS: Record<V3Variant, readonly number[]> = {
  'deeplab-v3-resnet50': [3, 4, 6, 3],
  'deeplab-v3-resnet101': [3, 4, 23, 3],
};

/** ASPP rates at output stride 8 (torchvision's DeepLabHead); halved at 16 (the paper's 6, 12, 18). */
export const V3_ASPP_RATES = [12, 24, 36] as const;

/** How the backbone keeps resolution (deeplab-spec §3). Default: torchvision's, OS 8, no multi-grid. */
export interface V3Options {
  /** 8: layer3 and layer4 dilated (torchvision); 16: layer3 strided as in ResNet, layer4 dilated. */
  outputStride?: 8 | 16;
  /**
   * The paper's multi-grid: layer4's three 3×3 convs at its rate (2 at OS 16, 4 at OS 8) times
   * these, e.g. [1, 2, 4]. Without it, torchvision's rule: the first block keeps the previous rate.
   */
  multiGrid?: readonly number[];
}

/** One conv (`name`: its state-dict prefix), with the BatchNorm after it (folded at load) or its own bias (the last conv). */
export interface V3ConvSpec extends ConvLayerSpec {
  /** The BatchNorm's prefix (`.weight`, `.bias`, `.running_mean`, `.running_var`), or null: `<name>.bias`. */
  bn: string | null;
}

export interface V3Block {
  downsample: V3ConvSpec | null;
  convs: [V3ConvSpec, V3ConvSpec, V3ConvSpec];
}

export interface V3Layers {
  conv1: V3ConvSpec;
  blocks: V3Block[];
  /** classifier.0 (ASPP): the 1×1 branch and the three atrous branches, in concat order. */
  aspp: V3ConvSpec[];
  /** The image-pooling branch's 1×1 conv (on the global average), last in the concat. */
  pooling: V3ConvSpec;
  project: V3ConvSpec;
  /** classifier.1 (3×3, BatchNorm classifier.2, ReLU), then classifier.4 (1×1 to the classes). */
  head: [V3ConvSpec, V3ConvSpec];
}

/** torchvision pads 7×7 by 3 and 3×3 by their dilation. */
const conv = (name: string, bn: string | null, out: number, inC: number, k: number, stride = 1, dilation = 1, relu = true): V3ConvSpec => ({
  name, bn, out, in: inC, k, stride, dilation, relu, pad: k === 7 ? 3 : k === 3 ? dilation : 0,
});

/**
 * Output stride 8 (replace_stride_with_dilation = [False, True, True]): layer2's first block
 * strides on its 3×3 conv (torchvision's ResNet v1.5); layer3 and layer4 trade their strides for
 * dilation, each layer's first block keeping the previous dilation (1 in layer3, 2 in layer4) and
 * the others doubling it (2 and 4).
 */
export function v3Layers(variant: V3Variant, numClasses = 21, opts: V3Options = {}): V3Layers {
  const os = opts.outputStride ?? 8;
  const grid = opts.multiGrid;
  if (os !== 8 && os !== 16) throw new ShapeError(`${variant}: output stride ${os}; 8 or 16`);
  if (grid && (grid.length !== V3_BLOCKS[variant][3] || !grid.every((g) => Number.isInteger(g) && g >= 1))) {
    throw new ShapeError(`${variant}: multi-grid ${JSON.stringify(grid)} needs ${V3_BLOCKS[variant][3]} positive integers, one per layer4 block (e.g. [1, 2, 4])`);
  }
  const blocks: V3Block[] = [];
  let cin = 64;
  let dilation = 1;
  V3_BLOCKS[variant].forEach((count, li) => {
    const planes = 64 << li;
    const dilate = li === 3 || (li === 2 && os === 8);
    const stride = li === 1 || (li === 2 && os === 16) ? 2 : 1;
    const previous = dilation;
    if (dilate) dilation *= 2;
    for (let b = 0; b < count; b++) {
      const p = `backbone.layer${li + 1}.${b}`;
      const d = li === 3 && grid ? dilation * grid[b] : b === 0 ? previous : dilation;
      const s = b === 0 ? stride : 1;
      blocks.push({
        downsample: b === 0 ? conv(`${p}.downsample.0`, `${p}.downsample.1`, 4 * planes, cin, 1, s, 1, false) : null,
        convs: [conv(`${p}.conv1`, `${p}.bn1`, planes, cin, 1), conv(`${p}.conv2`, `${p}.bn2`, planes, planes, 3, s, d), conv(`${p}.conv3`, `${p}.bn3`, 4 * planes, planes, 1, 1, 1, false)],
      });
      cin = 4 * planes;
    }
  });
  const c = 'classifier.0';
  return {
    conv1: conv('backbone.conv1', 'backbone.bn1', 64, 3, 7, 2),
    blocks,
    aspp: [conv(`${c}.convs.0.0`, `${c}.convs.0.1`, 256, cin, 1), ...V3_ASPP_RATES.map((r, i) => conv(`${c}.convs.${i + 1}.0`, `${c}.convs.${i + 1}.1`, 256, cin, 3, 1, (r * 8) / os))],
    pooling: conv(`${c}.convs.4.1`, `${c}.convs.4.2`, 256, cin, 1),
    project: conv(`${c}.project.0`, `${c}.project.1`, 256, 256 * (V3_ASPP_RATES.length + 2), 1),
    head: [conv('classifier.1', 'classifier.2', 256, 256, 3), conv('classifier.4', null, numClasses, 256, 1, 1, 1, false)],
  };
}

/** Every conv, in state-dict order. */
export function v3Convs(l: V3Layers): V3ConvSpec[] {
  return [l.conv1, ...l.blocks.flatMap((b) => [...b.convs, ...(b.downsample ? [b.downsample] : [])]), ...l.aspp, l.pooling, l.project, ...l.head];
}

/** The state dict's tensors (num_batches_tracked and the optional aux_classifier left out), in its order. */
export function v3WeightShapes(l: V3Layers): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const c of v3Convs(l)) {
    m.set(`${c.name}.weight`, [c.out, c.in, c.k, c.k]);
    if (!c.bn) m.set(`${c.name}.bias`, [c.out]);
    else for (const leaf of ['weight', 'bias', 'running_mean', 'running_var']) m.set(`${c.bn}.${leaf}`, [c.out]);
  }
  return m;
}
