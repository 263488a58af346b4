import * as assert from 'uvu/assert';
import type { SegmentationModel } from '../../src/deeplab/models.ts';
import type { RgbImage } from '../../src/deeplab/preprocess.ts';
import type { HostTensor } from '../../src/nn/safetensors.ts';
import { assertClose, maxAbs } from './assert.ts';
import { getDevice } from './device.ts';

/**
 * Runs `m` on `img` and holds its output (after `transform`) to `ref`: max abs error ≤
 * 1e-4 · (1 + max |ref|), or `atol`. (A first forward may keep derived weights, e.g. Winograd's,
 * until the model is disposed: callers count tensors after dispose().)
 */
export async function assertScores(m: SegmentationModel, img: RgbImage, ref: HostTensor, what: string, opts: { transform?: (y: Float32Array) => Float32Array; atol?: number } = {}) {
  const x = m.preprocess(img);
  const y = m.forward(x);
  assert.equal([...y.shape], ref.shape, `${what}: shape`);
  const out = (await y.download()) as Float32Array;
  assertClose(opts.transform ? opts.transform(out) : out, ref.data, { atol: opts.atol ?? 1e-4 * (1 + maxAbs(ref.data)) }, what);
  x.dispose();
  y.dispose();
}

/** Tiny and odd inputs (1×1, 2×3, 17×9) give finite scores of the input's size. */
export async function assertTinyInputs(m: SegmentationModel, what: string) {
  for (const [h, w] of [[1, 1], [2, 3], [17, 9]]) {
    const x = m.preprocess({ width: w, height: h, data: new Uint8Array(w * h * 3).fill(200) });
    const y = m.forward(x);
    assert.equal([...y.shape], [1, m.numClasses, h, w], `${what} ${h}×${w}`);
    assert.ok((await y.download()).every(Number.isFinite), `${what} ${h}×${w} finite`);
    x.dispose();
    y.dispose();
  }
}

/**
 * A batch of two images (the preprocessed `x`, then its negation: another picture) gives each
 * image what it gives alone, to `rel` of the scores' range.
 */
export async function assertBatchOfTwo(m: SegmentationModel, x: Float32Array, shape: [number, number], what: string, rel = 1e-5) {
  const dev = await getDevice();
  const [h, w] = shape;
  const two = new Float32Array(x.length * 2);
  two.set(x);
  two.set(x.map((v) => -v), x.length);
  const yb = dev.scope(() => m.forward(dev.tensor(two, [2, 3, h, w])));
  const got = (await yb.download()) as Float32Array;
  yb.dispose();
  const half = got.length / 2;
  assert.is(half, m.numClasses * h * w, `${what}: shape`);
  for (const [i, img] of [x, two.subarray(x.length)].entries()) {
    const y = dev.scope(() => m.forward(dev.tensor(img, [1, 3, h, w])));
    const alone = (await y.download()) as Float32Array;
    y.dispose();
    assertClose(got.subarray(i * half, (i + 1) * half), alone, { atol: rel * (1 + maxAbs(alone)) }, `${what}: batch item ${i} = the image alone`);
  }
}
