import { loadWeightFile } from '../nn/weights.ts';
import type { HostTensor } from '../nn/safetensors.ts';
import { WeightFileError } from '../nn/safetensors.ts';
import type { Device } from '../tensor/device.ts';
import { AtrousError } from '../tensor/errors.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { caffePreprocessTensor, torchvisionPreprocessTensor, type RgbImage } from './preprocess.ts';
import { DeepLabV1 } from './v1.ts';
import { V1_VARIANTS, type V1Variant, type V1Widths } from './v1_arch.ts';
import { DeepLabV2ResNet, type V2Scale } from './v2_resnet.ts';
import type { ResNetWidths } from './v2_resnet_arch.ts';
import { DeepLabV3 } from './v3.ts';
import { V3_VARIANTS, type V3Variant } from './v3_arch.ts';
import { VOC_CLASSES } from './palette.ts';

/** What the CLIs need from any segmentation model. */
export interface SegmentationModel {
  name: string;
  numClasses: number;
  classes?: string[];
  /** The image as this model's input: [1, 3, H, W]. */
  preprocess(img: RgbImage): Tensor;
  /** [N, 3, H, W] preprocessed → [N, numClasses, H, W] scores (logits), any H, W. */
  forward(x: Tensor): Tensor;
  dispose(): void;
}

export interface CreateModelOptions {
  /** A weight file path (.safetensors or .caffemodel, told apart by content) or tensors by name. */
  weights?: string | Map<string, HostTensor>;
  /** Random weights from this seed when no weights are given (default 1). */
  seed?: number;
  /** Default: the file's metadata `num_classes`, else 21. */
  numClasses?: number;
  /** Default: the file's metadata `widths` (JSON), else the published widths. */
  widths?: Partial<V1Widths> | Partial<ResNetWidths>;
  classes?: string[];
  /** Pad inputs to at least this size, as Caffe's crop_size (see V1Config.canvas). v1 models only. */
  canvas?: number;
  /**
   * Input scales: deeplab-v2-resnet101's (default [1, 0.75, 0.5], the released test net, MAX-fused),
   * or DeepLab v3's (default [1]; several are averaged as probabilities, see V3Config).
   */
  scales?: number[];
  /** DeepLab v3: also run each scale mirrored (V3Config.flip). */
  flip?: boolean;
  /** DeepLab v3: output stride 8 (default, torchvision's) or 16, and the multi-grid (V3Options). */
  outputStride?: 8 | 16;
  multiGrid?: number[];
}

export const V2_RESNET = 'deeplab-v2-resnet101';
/**
 * Released v1 models with an architecture of the list above (deeplab-spec §1: the COCO-pretrained
 * LargeFOV nets): the same net, their own dense-CRF settings (CRF_DEFAULTS, `segment --crf`).
 */
export const V1_ALIASES: Record<string, V1Variant> = {
  'deeplab-coco-largefov': 'deeplab-largefov',
  'deeplab-msc-coco-largefov': 'deeplab-msc-largefov',
};

export const MODEL_NAMES: readonly string[] = [...V1_VARIANTS, ...Object.keys(V1_ALIASES), V2_RESNET, ...V3_VARIANTS];
/** Whether `name` is one of the DeepLab v3 (torchvision) models. */
export const isV3Model = (name: string) => (V3_VARIANTS as readonly string[]).includes(name);

/**
 * Builds a model by name. Config comes from `opts`, else from the safetensors `__metadata__`
 * (`model`, `widths` as JSON, `num_classes`, `classes` comma-separated), else the defaults; the
 * weights are checked against it and uploaded, and the host copies dropped.
 */
export async function createModel(dev: Device, name: string, opts: CreateModelOptions = {}): Promise<SegmentationModel> {
  if (!MODEL_NAMES.includes(name)) {
    throw new AtrousError(`unknown model "${name}"; the models are ${MODEL_NAMES.join(', ')}`);
  }
  let tensors: Map<string, HostTensor> | null = null;
  let meta: Record<string, string> = {};
  let source = 'random weights';
  if (typeof opts.weights === 'string') {
    const f = await loadWeightFile(opts.weights);
    tensors = f.tensors;
    meta = f.metadata;
    source = opts.weights;
  } else if (opts.weights) {
    tensors = opts.weights;
    source = 'the given tensors';
  }
  const what = `weights for ${name} (${source})`;
  const family = (model: string) => (model === V2_RESNET ? 'Caffe ResNet-101' : isV3Model(model) ? 'torchvision' : 'VGG16');
  if (meta.model && MODEL_NAMES.includes(meta.model) && family(meta.model) !== family(name)) {
    throw new WeightFileError(`${what}: the file's metadata says it holds "${meta.model}", a ${family(meta.model)} model; use --model ${meta.model}`);
  }
  let widths = opts.widths;
  if (!widths && meta.widths) {
    try {
      widths = JSON.parse(meta.widths) as Partial<V1Widths> | Partial<ResNetWidths>;
    } catch {
      throw new WeightFileError(`${what}: metadata "widths" is not JSON: ${meta.widths}`);
    }
  }
  // A torchvision state dict says its class count in its last conv's bias.
  const v3Classes = isV3Model(name) ? tensors?.get('classifier.4.bias')?.shape[0] : undefined;
  const numClasses = opts.numClasses ?? (meta.num_classes ? Number(meta.num_classes) : (v3Classes ?? 21));
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new AtrousError(`${what}: number of classes ${numClasses} must be a positive integer`);
  const classes = opts.classes ?? (meta.classes ? meta.classes.split(',') : numClasses === 21 ? VOC_CLASSES : undefined);
  if (!isV3Model(name) && (opts.flip || opts.outputStride || opts.multiGrid)) throw new AtrousError(`${name}: the flip, outputStride and multiGrid options are for DeepLab v3`);
  let net: DeepLabV1 | DeepLabV2ResNet | DeepLabV3;
  if (isV3Model(name)) {
    if (opts.canvas || widths) throw new AtrousError(`${name}: the canvas and widths options are for the Caffe models`);
    const variant = name as V3Variant;
    const config = { scales: opts.scales, flip: opts.flip, outputStride: opts.outputStride, multiGrid: opts.multiGrid };
    net = tensors ? withModelHint(() => DeepLabV3.fromWeights(dev, variant, numClasses, tensors, what, config)) : DeepLabV3.random(dev, variant, numClasses, opts.seed ?? 1, config);
  } else if (name === V2_RESNET) {
    if (opts.canvas) throw new AtrousError(`${name}: the canvas option is for the v1 models`);
    const config = { numClasses, widths: widths as Partial<ResNetWidths>, scales: opts.scales as V2Scale[] | undefined };
    net = tensors ? withModelHint(() => DeepLabV2ResNet.fromWeights(dev, config, tensors, what)) : DeepLabV2ResNet.random(dev, config, opts.seed ?? 1);
  } else {
    if (opts.scales) throw new AtrousError(`${name}: the scales option is for ${V2_RESNET} and DeepLab v3`);
    const config = { variant: V1_ALIASES[name] ?? (name as V1Variant), numClasses, widths: widths as Partial<V1Widths>, canvas: opts.canvas };
    net = tensors ? withModelHint(() => DeepLabV1.fromWeights(dev, config, tensors, what)) : DeepLabV1.random(dev, config, opts.seed ?? 1);
  }
  /** A weight error names the model the file's metadata says it holds, when that is another. */
  function withModelHint<T>(load: () => T): T {
    try {
      return load();
    } catch (e) {
      if (e instanceof WeightFileError && meta.model && meta.model !== name) {
        throw new WeightFileError(`${e.message} (the file's metadata says it holds "${meta.model}")`);
      }
      throw e;
    }
  }
  return {
    name,
    numClasses,
    classes,
    preprocess: (img) => (isV3Model(name) ? torchvisionPreprocessTensor(dev, img) : caffePreprocessTensor(dev, img)),
    forward: (x) => net.forward(x),
    dispose: () => net.dispose(),
  };
}
