// Every file a user hands atrous, damaged: weight files (src/nn: Caffe, PyTorch zip and legacy,
// safetensors), score maps (.npy) and images (PNG, JPEG), cut short at seeded-random lengths and
// with seeded-random bytes overwritten (mostly in the headers, where the structure is). A cut file
// must be refused, or, a Caffe file cut between two layers (protobuf marks no end), parse into the
// first layers only, which checkWeights then calls cut short; a corrupted one either still parses
// (data bytes carry no checksum in these formats, bar PNG's) or is refused; a refusal is always an
// AtrousError naming the file, never a RangeError or TypeError from deep inside a reader.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeImage, decodeLabelPng } from '../../src/io/image.ts';
import { readNpy } from '../../src/io/npy.ts';
import { checkWeights, parseWeights, type WeightFile } from '../../src/nn/weights.ts';
import { AtrousError } from '../../src/tensor/errors.ts';
import { repoRoot } from '../helpers/assert.ts';

const load = createRequire(import.meta.url); // see src/io/image.ts
const jpeg = load('jpeg-js') as typeof import('jpeg-js');

const NAME = 'damaged-input';
const CUTS = 40;
const CORRUPTIONS = 80;

/** A small LCG: the cases are the same on every run. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

function refusal(read: () => unknown): string | null {
  try {
    read();
    return null;
  } catch (e) {
    if (!(e instanceof AtrousError)) throw new Error(`not an AtrousError: ${e instanceof Error ? `${e.name}: ${e.message}` : e}`);
    if (!e.message.includes(NAME)) throw new Error(`the error does not name the file: ${e.message}`);
    return e.message;
  }
}

function jpegBytes(): Uint8Array {
  const rgba = Uint8Array.from({ length: 40 * 30 * 4 }, (_, i) => (i * 37) & 255);
  return new Uint8Array(jpeg.encode({ width: 40, height: 30, data: rgba }, 90).data);
}

const fixture = (p: string) => new Uint8Array(readFileSync(join(repoRoot, p)));
const weights = (b: Uint8Array) => parseWeights(b, NAME);
const cases: [string, () => Uint8Array, (b: Uint8Array) => unknown][] = [
  ['Caffe V1 layers', () => fixture('tests/fixtures/deeplab_v1/deeplab-largefov.caffemodel'), weights],
  ['Caffe layer (ResNet, BatchNorm/Scale)', () => fixture('tests/fixtures/deeplab_v2/resnet101.caffemodel'), weights],
  ['PyTorch zip', () => fixture('tests/fixtures/pth/state_zip.pth'), weights],
  ['PyTorch legacy', () => fixture('tests/fixtures/pth/state_legacy.pth'), weights],
  ['PyTorch checkpoint', () => fixture('tests/fixtures/pth/checkpoint_model.pth'), weights],
  ['safetensors', () => fixture('tests/fixtures/safetensors_dtypes.safetensors'), weights],
  ['.npy v1', () => fixture('tests/fixtures/npy/f32_2x3x4.npy'), (b) => readNpy(b, NAME)],
  ['.npy v2', () => fixture('tests/fixtures/npy/f32_2x3x4_v2.npy'), (b) => readNpy(b, NAME)],
  ['RGB PNG', () => fixture('assets/demo/sample2.png'), (b) => decodeImage(b, NAME)],
  ['palette PNG', () => fixture('assets/demo/sample2_gt.png'), (b) => decodeLabelPng(b, NAME)],
  ['JPEG', jpegBytes, (b) => decodeImage(b, NAME)],
];

cases.forEach(([kind, bytes, read], k) => {
  test(`${kind}: cut short, refused naming the file; corrupted, parsed or refused so`, () => {
    const whole = bytes();
    assert.is(refusal(() => read(whole)), null, 'the intact file parses');
    const rnd = prng(1000 + k);
    for (let i = 0; i < CUTS; i++) {
      const len = Math.floor(rnd() * whole.length);
      let parsed: unknown;
      if (refusal(() => (parsed = read(whole.subarray(0, len)))) !== null) continue;
      assert.ok(kind.startsWith('Caffe'), `cut to ${len} of ${whole.length} bytes: parsed`);
      const shapes = new Map([...(read(whole) as WeightFile).tensors].map(([name, t]) => [name, t.shape]));
      assert.throws(() => checkWeights((parsed as WeightFile).tensors, shapes, NAME), /cut short/, `cut to ${len}: not called cut short`);
    }
    for (let i = 0; i < CORRUPTIONS; i++) {
      const b = whole.slice();
      for (let j = 1 + Math.floor(rnd() * 8); j > 0; j--) {
        const span = rnd() < 0.7 ? Math.min(b.length, 2048) : b.length;
        b[Math.floor(rnd() * span)] = Math.floor(rnd() * 256);
      }
      refusal(() => read(b));
    }
  });
});

test.run();
