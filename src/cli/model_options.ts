import { isV3Model, V2_RESNET, type CreateModelOptions } from '../deeplab/models.ts';
import { validV2Scales } from '../deeplab/v2_resnet.ts';
import type { CrfStorage } from '../kernels/crf.ts';
import { UsageError } from './command.ts';

/** The option specs of the model flags `segment` and `profile` share (for parseOptions). */
export const MODEL_FLAG_OPTIONS = {
  scales: { type: 'string' },
  flip: { type: 'boolean' },
  'output-stride': { type: 'string' },
} as const;

/** `text` wrapped to lines of at most `width` characters, each after `col` spaces (the first after `lead`). */
export function wrapHelp(lead: string, text: string, col: number, width = 100): string {
  const lines: string[] = [];
  let line = lead.padEnd(col);
  for (const word of text.split(' ')) {
    if (line.trim() && line.length + 1 + word.length > width && line.length > col) {
      lines.push(line.trimEnd());
      line = ' '.repeat(col);
    }
    line += (line.length > col ? ' ' : '') + word;
  }
  return [...lines, line].join('\n');
}

/** The model flags' help, descriptions starting at column `col`. */
export function modelFlagHelp(col: number): string {
  return [
    wrapHelp('  --scales LIST', `${V2_RESNET}'s input scales: 1,0.75,0.5 (default: the released test net, MAX-fused) or 1 (one scale: about 1.8× less work); DeepLab v3's (default 1): several, e.g. 0.75,1,1.25, average their probabilities`, col),
    wrapHelp('  --flip', 'DeepLab v3: also run each scale mirrored left-right', col),
    wrapHelp('  --output-stride N', "DeepLab v3: 8 (default, torchvision's) or 16 (the same weights, coarser features; v3-ResNet-101 at 321: 2.3× faster on lavapipe)", col),
  ].join('\n');
}


/**
 * --scales, --flip and --output-stride as createModel options, checked against the model: the v2
 * ResNet takes 1 plus 0.75 and/or 0.5; DeepLab v3 any scales in (0, 4], a flip and 8 or 16.
 */
type ModelFlags = Pick<CreateModelOptions, 'scales' | 'flip' | 'outputStride'>;

export function modelFlags(v: { scales?: string; flip?: boolean; 'output-stride'?: string }, model: string): ModelFlags {
  const out: ModelFlags = {};
  const v3Only = (flag: string) => new UsageError(`${flag} is for DeepLab v3 (--model deeplab-v3-resnet50 or -resnet101)`);
  if (v.scales !== undefined) {
    const scales = v.scales.split(',').map(Number);
    if (isV3Model(model)) {
      if (!scales.every((s) => s > 0 && s <= 4)) throw new UsageError(`--scales ${v.scales}: give numbers in (0, 4], e.g. 0.75,1,1.25`);
    } else if (model !== V2_RESNET) {
      throw new UsageError(`--scales is for --model ${V2_RESNET} and DeepLab v3; ${model} runs one scale`);
    } else if (!validV2Scales(scales)) {
      throw new UsageError(`--scales ${v.scales}: give 1, then 0.75 and/or 0.5 (e.g. 1,0.75,0.5)`);
    }
    out.scales = scales;
  }
  if (v.flip) {
    if (!isV3Model(model)) throw v3Only('--flip');
    out.flip = true;
  }
  const os = v['output-stride'];
  if (os !== undefined) {
    if (!isV3Model(model)) throw v3Only('--output-stride');
    if (os !== '8' && os !== '16') throw new UsageError(`--output-stride ${os}: 8 or 16`);
    out.outputStride = Number(os) as 8 | 16;
  }
  return out;
}

/** A flag's value, one of `choices` or absent. */
export function choiceFlag<T extends string>(flag: string, value: string | undefined, choices: readonly T[]): T | undefined {
  if (value !== undefined && !(choices as readonly string[]).includes(value)) throw new UsageError(`--${flag} must be ${choices.join(' or ')}, got "${value}"`);
  return value as T | undefined;
}

/** A CRF storage flag's value (`--storage`, `--crf-storage`): f32, f16, or absent. */
export const crfStorageFlag = (flag: string, value: string | undefined): CrfStorage | undefined => choiceFlag(flag, value, ['f32', 'f16'] as const);
