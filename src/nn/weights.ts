import { fmtShape } from '../tensor/errors.ts';
import { caffeTensors, readCaffemodel } from './caffemodel.ts';
import { readPth } from './pth.ts';
import { FLOAT_DTYPES, parseSafetensors, WeightFileError, type HostTensor } from './safetensors.ts';

export type WeightFormat = 'safetensors' | 'caffemodel' | 'pth';

/** A weight file's tensors by name (`conv1_1.weight`, `conv1_1.bias`, …) and its metadata. */
export interface WeightFile {
  format: WeightFormat;
  tensors: Map<string, HostTensor>;
  /** safetensors `__metadata__` (string → string); empty for Caffe models. */
  metadata: Record<string, string>;
}

/**
 * Tells the formats apart by their first bytes: safetensors starts with a u64 header length then
 * "{"; a zip (PyTorch ≥ 1.6 .pth) with "PK\x03\x04"; a caffemodel is protobuf, whose first byte is a
 * field tag (NetParameter: name 0x0a, V1 layers 0x12, layer 0xa2 0x06, input 0x1a, input_dim 0x20…).
 */
export function sniffWeightFormat(bytes: Uint8Array): WeightFormat | 'zip' | 'pickle' | 'unknown' {
  if (bytes.length >= 9 && bytes[8] === 0x7b /* { */ && bytes[6] === 0 && bytes[7] === 0) return 'safetensors';
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 3 && bytes[3] === 4) return 'zip';
  if (bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5) return 'pickle';
  const tag = bytes[0];
  // A NetParameter field tag with a wire type Caffe uses (varint 0 or length-delimited 2).
  if (bytes.length > 1 && (tag & 7) !== 1 && ((tag & 7) === 0 || (tag & 7) === 2) && tag >> 3 >= 1) return 'caffemodel';
  return 'unknown';
}

function safetensorsMetadata(bytes: Uint8Array): Record<string, string> {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as { __metadata__?: Record<string, string> };
  return header.__metadata__ ?? {};
}

/** Parses weight-file bytes of either format; `what` names the file in errors. */
export function parseWeights(bytes: Uint8Array, what = 'weight file'): WeightFile {
  const format = sniffWeightFormat(bytes);
  if (format === 'safetensors') {
    const tensors = parseSafetensors(bytes, what);
    return { format, tensors, metadata: safetensorsMetadata(bytes) };
  }
  if (format === 'caffemodel') return { format, tensors: caffeTensors(readCaffemodel(bytes, what), what), metadata: {} };
  if (format === 'zip' || format === 'pickle') return { format: 'pth', tensors: readPth(bytes, what), metadata: {} };
  throw new WeightFileError(`${what}: bytes starting ${hex(bytes)} are not a weight file this model reads; give a .safetensors file, a Caffe .caffemodel or a PyTorch .pth state dict`);
}

const hex = (b: Uint8Array) => [...b.subarray(0, 8)].map((x) => x.toString(16).padStart(2, '0')).join(' ') || '(empty file)';

/** Reads a weight file from disk (Node only). The tensors are views of the file's one buffer. */
export async function loadWeightFile(path: string): Promise<WeightFile> {
  const { readFile } = await import('node:fs/promises');
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new WeightFileError(`cannot read weight file ${path}: ${(e as Error).message}`);
  }
  return parseWeights(bytes, path);
}

/**
 * Checks that `tensors` holds exactly the `expected` names and shapes, and throws one
 * WeightFileError listing every missing, unexpected and mis-shaped tensor. `what` names the model
 * and file, e.g. "weights for deeplab-largefov (train2_iter_8000.caffemodel)".
 */
export function checkWeights(tensors: Map<string, HostTensor>, expected: Map<string, readonly number[]>, what: string): void {
  const wrong: string[] = [];
  const missing: string[] = [];
  for (const [name, shape] of expected) {
    const t = tensors.get(name);
    if (!t) missing.push(`missing ${name} ${fmtShape(shape)}`);
    else if (!FLOAT_DTYPES.includes(t.dtype)) wrong.push(`${name} holds ${t.dtype}, expected floating point (${FLOAT_DTYPES.join(', ')})`);
    else if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      wrong.push(`${name} is ${fmtShape(t.shape)}, expected ${fmtShape(shape)}`);
    }
  }
  const unexpected = [...tensors].filter(([name]) => !expected.has(name)).map(([name, t]) => `unexpected ${name} ${fmtShape(t.shape)}`);
  // A file for another model lists hundreds of names: show the first few of each kind.
  const some = (list: string[], n: number, kind: string) => (list.length > n ? [...list.slice(0, n), `… and ${list.length - n} more ${kind}`] : list);
  const problems = [...some(wrong, 8, 'mis-shaped'), ...some(missing, 6, 'missing'), ...some(unexpected, 6, 'unexpected')];
  if (!problems.length) return;
  // A Caffe file cut between two layers still parses (protobuf marks no end): it then holds the
  // model's first tensors, in order, and nothing else.
  const names = [...expected.keys()];
  const cut = missing.length && !wrong.length && !unexpected.length && tensors.size && names.slice(0, tensors.size).every((n) => tensors.has(n));
  const hint = cut
    ? `The file holds the model's first ${tensors.size} of ${names.length} tensors and nothing else: is it cut short (an interrupted download or copy)?`
    : 'Is this file for another model or configuration?';
  throw new WeightFileError(`${what}: ${problems.join('; ')}. ${hint}`);
}
