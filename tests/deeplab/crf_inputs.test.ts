import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CRF_DEFAULTS, CrfError, denseCrf, prepareCrf, unaryFromLogits, unaryFromProbabilities } from '../../src/deeplab/crf.ts';
import { denseCrfCpu } from '../../src/deeplab/crf_reference.ts';
import { LimitError, ShapeError } from '../../src/tensor/errors.ts';
import { rejects } from '../helpers/assert.ts';
import { getDevice } from '../helpers/device.ts';
import { Mulberry32 } from '../helpers/prng.ts';
import { hasCase, LARGEFOV, loadCase } from './crf_fixtures.ts';

function randomCase(w: number, h: number, c: number, seed: number) {
  const r = new Mulberry32(seed);
  const data = Uint8Array.from({ length: w * h * 3 }, () => r.nextU32() & 255);
  const unary = unaryFromLogits(r.fill(w * h * c, 3), c);
  return { image: { width: w, height: h, data }, unary };
}

test('label counts that are not a multiple of 4 (padding) and other models match the CPU reference', async () => {
  const dev = await getDevice();
  for (const [c, model] of [
    [5, 'deeplab'],
    [1, 'deeplab-msc'],
    [9, 'deeplab-v2'],
  ] as const) {
    const { image, unary } = randomCase(23, 17, c, c);
    const p = { ...CRF_DEFAULTS[model], iterations: 3 };
    const { q, labels } = await denseCrf(dev, image, unary, c, p);
    const ref = denseCrfCpu(23, 17, image.data, unary, c, p);
    let max = 0;
    for (let i = 0; i < q.length; i++) max = Math.max(max, Math.abs(q[i] - ref[i]));
    assert.ok(max <= 1e-5, `${c} labels, ${model}: max |dQ| ${max}`);
    assert.is(labels.length, 23 * 17);
  }
});

test('zero iterations is defined: Q0 = softmax(-U) and its argmax', async () => {
  if (!hasCase('small_64x48')) return;
  const dev = await getDevice();
  const c = loadCase('small_64x48');
  const r = await denseCrf(dev, { width: c.width, height: c.height, data: c.image }, c.unary, 21, { ...LARGEFOV, iterations: 0 });
  assert.equal(r.q, c.q(0));
  assert.equal(r.labels, c.labels(0));
  // No lattice is built for zero iterations; the time is all Q0's.
  assert.is(r.ms.lattice, 0);
  assert.ok(r.ms.iterations > 0);
  const one = await denseCrf(dev, { width: c.width, height: c.height, data: c.image }, c.unary, 21, { ...LARGEFOV, iterations: 1 });
  assert.ok(one.ms.lattice > 0 && one.ms.iterations > 0, JSON.stringify(one.ms));
});

test('bad input gets a clear error naming the problem', async () => {
  const dev = await getDevice();
  const { image, unary } = randomCase(8, 6, 3, 1);
  await rejects(() => denseCrf(dev, image, unary.subarray(3), 3, LARGEFOV), ShapeError, /8×6.*3 labels/);
  await rejects(() => denseCrf(dev, { ...image, data: image.data.subarray(1) }, unary, 3, LARGEFOV), ShapeError, /RGB/);
  const bad = unary.slice();
  bad[7] = NaN;
  await rejects(() => denseCrf(dev, image, bad, 3, LARGEFOV), CrfError, /not finite.*x 2, y 0.*label 1/);
  bad[7] = Infinity;
  await rejects(() => denseCrf(dev, image, bad, 3, LARGEFOV), CrfError, /not finite/);
  for (const k of ['posXyStd', 'biXyStd', 'biRgbStd'] as const) {
    await rejects(() => denseCrf(dev, image, unary, 3, { ...LARGEFOV, [k]: 0 }), CrfError, new RegExp(`${k}.*> 0`));
    await rejects(() => denseCrf(dev, image, unary, 3, { ...LARGEFOV, [k]: -2 }), CrfError, new RegExp(k));
  }
  await rejects(() => denseCrf(dev, image, unary, 3, { ...LARGEFOV, iterations: 1.5 }), CrfError, /iterations/);
  await rejects(() => denseCrf(dev, image, unary, 3, { ...LARGEFOV, storage: 'f8' as 'f16' }), CrfError, /storage must be 'f32' or 'f16'/);
  await rejects(() => denseCrf(dev, image, unary, 3, { ...LARGEFOV, lattice: 'tpu' as 'gpu' }), CrfError, /lattice must be 'cpu' or 'gpu'/);
  await rejects(() => denseCrf(dev, image, new Float32Array(8 * 6 * 300), 300, LARGEFOV), CrfError, /300 labels.*256/);
});

test('an image past the device\'s buffer limit is refused up front, naming the size and the remedy', async () => {
  const dev = await getDevice();
  const limit = dev.limits.maxStorageBufferBindingSize;
  // 72 bytes of lattice tables per pixel; 4 bytes per padded label.
  const side = Math.ceil(Math.sqrt(limit / 72)) + 1;
  const big = { width: side, height: side, data: new Uint8Array(side * side * 3) };
  await rejects(() => prepareCrf(dev, big, LARGEFOV), LimitError, new RegExp(`${side}×${side} image needs \\d+ MiB.*lattice tables.*Refine a smaller image`));
  const wide = Math.ceil(Math.sqrt(limit / 1024)) + 1;
  const many = { width: wide, height: wide, data: new Uint8Array(wide * wide * 3) };
  await rejects(() => denseCrf(dev, many, new Float32Array(0), 256, LARGEFOV), LimitError, /with 256 labels needs \d+ MiB.*label vectors/);
});

test('unary helpers: logits and probabilities give -log p, finite for p = 0', () => {
  const u = unaryFromLogits(Float32Array.of(0, Math.log(3)), 2);
  assert.ok(Math.abs(u[0] - Math.log(4)) < 1e-6 && Math.abs(u[1] - Math.log(4 / 3)) < 1e-6);
  const v = unaryFromProbabilities(Float32Array.of(0.25, 0.75, 1, 0), 2);
  assert.ok(Math.abs(v[0] - Math.log(4)) < 1e-6 && v[2] === 0 && Number.isFinite(v[3]));
});

test.run();
