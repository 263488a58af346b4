import type { ConvLayerSpec } from '../nn/conv_layers.ts';
import type { HostTensor } from '../nn/safetensors.ts';
import { ShapeError } from '../tensor/errors.ts';

// DeepLab v2 ResNet-101 as its Caffe test prototxt defines it (deeplab-spec §2;
// deeplab-public-ver2 exper/voc12/config/resnet101/test.prototxt), with its layer names.

/** Bottleneck widths: conv1's outputs, then each stage's inner width (its output is 4×). */
export interface ResNetWidths {
  stem: number;
  res2: number;
  res3: number;
  res4: number;
  res5: number;
}

export const RESNET101_WIDTHS: ResNetWidths = { stem: 64, res2: 64, res3: 128, res4: 256, res5: 512 };

/** Units per stage, res2…res5 (ResNet-101). */
export const RESNET101_UNITS = [3, 4, 23, 3] as const;

/** The ASPP head: fc1_voc12_c0…c3, 3×3 with dilation = pad = rate, summed. */
export const V2_ASPP_RATES = [6, 12, 18, 24] as const;

/** One conv with its Caffe BatchNorm + Scale pair (folded into it at load), or the head's biased convs. */
export interface ResConvSpec extends ConvLayerSpec {
  /** The BatchNorm and Scale layers after it; null for the head, which has a bias instead. */
  bn: { batchNorm: string; scale: string } | null;
}

/** One bottleneck unit: the shortcut projection (first unit of a stage) and branch2a/2b/2c. */
export interface ResUnit {
  name: string;
  branch1: ResConvSpec | null;
  branch2: [ResConvSpec, ResConvSpec, ResConvSpec];
}

export interface ResNetLayers {
  conv1: ResConvSpec;
  units: ResUnit[];
  head: ResConvSpec[];
}

/** Caffe's unit names: res2a…c and res5a…c by letter, res3 and res4 as a, b1, b2, …. */
function unitNames(stage: number, count: number): string[] {
  if (stage === 2 || stage === 5) return Array.from({ length: count }, (_, i) => `${stage}${String.fromCharCode(97 + i)}`);
  return Array.from({ length: count }, (_, i) => (i === 0 ? `${stage}a` : `${stage}b${i}`));
}

export function resolveResNetWidths(w: Partial<ResNetWidths> = {}): ResNetWidths {
  for (const [k, v] of Object.entries(w)) {
    if (!(k in RESNET101_WIDTHS)) throw new ShapeError(`deeplab-v2-resnet101: unknown width "${k}"; the widths are ${Object.keys(RESNET101_WIDTHS).join(', ')}`);
    if (!Number.isInteger(v) || (v as number) < 1) throw new ShapeError(`deeplab-v2-resnet101: width ${k} = ${v} must be a positive integer`);
  }
  return { ...RESNET101_WIDTHS, ...w };
}

/**
 * Every conv in forward order. Output stride 8: the only stride-2 layers are conv1, pool1 and the
 * 1×1 res3a_branch1 and res3a_branch2a; res4's 3×3 convs are dilated 2, res5's 4.
 */
export function resnetLayers(widths: Partial<ResNetWidths> = {}, numClasses = 21): ResNetLayers {
  const w = resolveResNetWidths(widths);
  const bn = (suffix: string) => ({ batchNorm: `bn${suffix}`, scale: `scale${suffix}` });
  const conv1: ResConvSpec = { name: 'conv1', bn: bn('_conv1'), out: w.stem, in: 3, k: 7, stride: 2, pad: 3, dilation: 1, relu: true };
  const units: ResUnit[] = [];
  let cin = w.stem;
  RESNET101_UNITS.forEach((count, si) => {
    const stage = si + 2;
    const mid = w[`res${stage}` as keyof ResNetWidths];
    const dilation = stage === 4 ? 2 : stage === 5 ? 4 : 1;
    unitNames(stage, count).forEach((u, i) => {
      const stride = stage === 3 && i === 0 ? 2 : 1;
      const spec = (b: string, out: number, inC: number, k: number, s: number, d: number, relu: boolean): ResConvSpec => ({
        name: `res${u}_branch${b}`,
        bn: bn(`${u}_branch${b}`),
        out,
        in: inC,
        k,
        stride: s,
        pad: k === 3 ? d : 0,
        dilation: d,
        relu,
      });
      units.push({
        name: `res${u}`,
        branch1: i === 0 ? spec('1', 4 * mid, cin, 1, stride, 1, false) : null,
        branch2: [spec('2a', mid, cin, 1, stride, 1, true), spec('2b', mid, mid, 3, 1, dilation, true), spec('2c', 4 * mid, mid, 1, 1, 1, false)],
      });
      cin = 4 * mid;
    });
  });
  const head = V2_ASPP_RATES.map((r, i): ResConvSpec => ({ name: `fc1_voc12_c${i}`, bn: null, out: numClasses, in: cin, k: 3, stride: 1, pad: r, dilation: r, relu: false }));
  return { conv1, units, head };
}

/** All convs of `resnetLayers` in one list, forward order. */
export function resnetConvs(l: ResNetLayers): ResConvSpec[] {
  return [l.conv1, ...l.units.flatMap((u) => [...(u.branch1 ? [u.branch1] : []), ...u.branch2]), ...l.head];
}

/**
 * The tensors a weight file holds, named as Caffe names blobs (src/nn/caffemodel.ts): a conv's
 * `.weight` [O, I, k, k] (the head's also `.bias`); a BatchNorm's `.weight` (mean sum), `.bias`
 * (variance sum) and `.blob2` (their scale factor, [1]); a Scale's `.weight` (γ) and `.bias` (β).
 */
export function resnetWeightShapes(l: ResNetLayers): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const c of resnetConvs(l)) {
    m.set(`${c.name}.weight`, [c.out, c.in, c.k, c.k]);
    if (!c.bn) {
      m.set(`${c.name}.bias`, [c.out]);
      continue;
    }
    m.set(`${c.bn.batchNorm}.weight`, [c.out]);
    m.set(`${c.bn.batchNorm}.bias`, [c.out]);
    m.set(`${c.bn.batchNorm}.blob2`, [1]);
    m.set(`${c.bn.scale}.weight`, [c.out]);
    m.set(`${c.bn.scale}.bias`, [c.out]);
  }
  return m;
}

/** kazuto1011's bottleneck parts → Caffe's branches; a PyTorch BatchNorm's tensors → Caffe's BatchNorm/Scale blobs. */
const KAZUTO_BRANCH: Record<string, string> = { reduce: '2a', conv3x3: '2b', increase: '2c', shortcut: '1' };
const KAZUTO_BN: Record<string, [string, string]> = { weight: ['scale', 'weight'], bias: ['scale', 'bias'], running_mean: ['bn', 'weight'], running_var: ['bn', 'bias'] };

/** The Caffe name of one of kazuto1011's tensor names (without `base.`), or null if it is none of the net's. */
function kazutoName(k: string): string | null {
  const head = k.match(/^aspp\.c(\d)\.(weight|bias)$/);
  if (head) return `fc1_voc12_c${head[1]}.${head[2]}`;
  let conv: string, bn: string, part: string, leaf: string;
  const stem = k.match(/^layer1\.conv1\.(conv|bn)\.(\w+)$/);
  const unit = k.match(/^layer([2-5])\.block(\d+)\.(reduce|conv3x3|increase|shortcut)\.(conv|bn)\.(\w+)$/);
  if (stem) [conv, bn, part, leaf] = ['conv1', '_conv1', stem[1], stem[2]];
  else if (unit) {
    const stage = +unit[1];
    const u = unitNames(stage, RESNET101_UNITS[stage - 2])[+unit[2] - 1];
    if (!u) return null;
    const b = KAZUTO_BRANCH[unit[3]];
    [conv, bn, part, leaf] = [`res${u}_branch${b}`, `${u}_branch${b}`, unit[4], unit[5]];
  } else return null;
  if (part === 'conv') return leaf === 'weight' ? `${conv}.weight` : null;
  const to = KAZUTO_BN[leaf];
  return to ? `${to[0]}${bn}.${to[1]}` : null;
}

/**
 * kazuto1011/deeplab-pytorch's names for the same net (deeplab-spec §2; its
 * `deeplabv2_resnet101_msc-vocaug-20000.pth`), renamed to Caffe's: `base.layer1.conv1` is conv1,
 * `base.layer{2…5}.block{k}.{reduce, conv3x3, increase, shortcut}` the units' branch2a/2b/2c/1,
 * `base.aspp.c{i}` the head; each PyTorch BatchNorm becomes a Caffe BatchNorm with scale factor 1
 * and a Scale. Returns null when `tensors` is not in that layout; names it does not know are kept
 * (the weight check reports them).
 */
export function fromKazutoNames(tensors: Map<string, HostTensor>): Map<string, HostTensor> | null {
  if (![...tensors.keys()].some((k) => /^(base\.)?layer1\.conv1\.conv\.weight$/.test(k))) return null;
  const out = new Map<string, HostTensor>();
  for (const [key, t] of tensors) {
    const k = key.replace(/^base\./, '');
    if (k.endsWith('.num_batches_tracked')) continue;
    const name = kazutoName(k) ?? key;
    out.set(name, t);
    if (/^bn.*\.weight$/.test(name)) out.set(name.replace(/\.weight$/, '.blob2'), { dtype: 'F32', shape: [1], data: new Float32Array([1]) });
  }
  return out;
}
