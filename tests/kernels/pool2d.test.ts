import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getDevice } from '../helpers/device.ts';
import { assertClose, golden, loadGolden } from '../helpers/assert.ts';
import { Mulberry32 } from '../helpers/prng.ts';
import { avgPool2d, globalAvgPool2d, maxPool2d, pool2dOutputSize } from '../../src/kernels/pool2d.ts';
import { ShapeError } from '../../src/tensor/errors.ts';

const g = loadGolden('pool2d');

async function check(y: ReturnType<typeof maxPool2d>, key: string, atol = 0) {
  const ref = golden(g, key);
  assert.equal([...y.shape], ref.shape, `${key} shape`);
  assertClose(await y.download(), ref.data, { atol }, key);
  y.dispose();
}

test('pool2dOutputSize follows Caffe (ceil, minus the window that starts in the padding)', () => {
  assert.is(pool2dOutputSize(321, 3, 2, 1, true), 161);
  assert.is(pool2dOutputSize(41, 3, 1, 1, true), 41);
  assert.is(pool2dOutputSize(7, 2, 2, 1, true), 4);  // ⌈7/2⌉+1 = 5, but window 4 would start at 8−1 = 7 ≥ H
  assert.is(pool2dOutputSize(6, 3, 2, 0, true), 3);
  assert.is(pool2dOutputSize(6, 3, 2, 0, false), 2);
});

const VARIANTS = ['row4', 'direct'] as const;

test('max and avg pooling match PyTorch exactly: k 2/3, stride 1/2, pad 0/1, ceil/floor, batch 2, both variants', async () => {
  const dev = await getDevice();
  const h = golden(g, 'x');
  const x = dev.tensor(h.data, h.shape);
  for (const variant of VARIANTS) for (const k of [2, 3]) for (const stride of [1, 2]) for (const pad of [0, 1]) for (const ceil of [true, false]) {
    const key = `k${k}s${stride}p${pad}${ceil ? 'c' : 'f'}`;
    await check(maxPool2d(dev, x, { kernel: k, stride, pad, ceil, variant }), `max.${key}`);
    await check(avgPool2d(dev, x, { kernel: k, stride, pad, ceil, variant }), `avg.${key}`);
  }
  x.dispose();
});

test('pooling a 1×1 input, 65×65 (pool5a) and 321×321 (pool1), both variants', async () => {
  const dev = await getDevice();
  const one = dev.tensor(golden(g, 'one').data, [1, 3, 1, 1]);
  const mid = dev.tensor(new Mulberry32(12).fill(2 * 65 * 65), [1, 2, 65, 65]);
  const big = dev.tensor(new Mulberry32(11).fill(321 * 321), [1, 1, 321, 321]);
  for (const variant of VARIANTS) {
    await check(maxPool2d(dev, one, { kernel: 3, stride: 1, pad: 1, variant }), 'one.max');
    await check(avgPool2d(dev, one, { kernel: 3, stride: 1, pad: 1, variant }), 'one.avg');
    await check(avgPool2d(dev, mid, { kernel: 3, stride: 1, pad: 1, variant }), 'mid.avg');
    await check(maxPool2d(dev, mid, { kernel: 3, stride: 2, pad: 1, variant }), 'mid.max');
    await check(maxPool2d(dev, big, { kernel: 3, stride: 2, pad: 1, variant }), 'big.max');
  }
  for (const t of [one, mid, big]) t.dispose();
});

test('global average pooling matches PyTorch mean over H, W', async () => {
  const dev = await getDevice();
  const h = golden(g, 'x');
  const x = dev.tensor(h.data, h.shape);
  await check(globalAvgPool2d(dev, x), 'x.gap', 1e-6);
  const mid = dev.tensor(new Mulberry32(12).fill(2 * 65 * 65), [1, 2, 65, 65]);
  await check(globalAvgPool2d(dev, mid), 'mid.gap', 1e-6);
  x.dispose();
  mid.dispose();
});

test('bad pooling parameters are refused naming the op and the parameters', async () => {
  const dev = await getDevice();
  const x = dev.zeros([1, 2, 3, 3]);
  const bad = (re: RegExp) => (e: Error) => e instanceof ShapeError && re.test(e.message);
  assert.throws(() => maxPool2d(dev, x, { kernel: 6, stride: 1, pad: 1 }), bad(/maxPool2d.*larger than the padded 5×5/));
  assert.throws(() => avgPool2d(dev, x, { kernel: 3, stride: 0, pad: 0 }), bad(/avgPool2d.*stride 0/));
  assert.throws(() => maxPool2d(dev, x, { kernel: 2, stride: 1, pad: 2 }), bad(/pad < kernel/));
  assert.throws(() => maxPool2d(dev, dev.zeros([2, 3, 3]), { kernel: 2, stride: 1, pad: 0 }), bad(/4-D/));
  assert.throws(() => maxPool2d(dev, dev.zeros([0, 2, 3, 3]), { kernel: 2, stride: 1, pad: 0 }), bad(/empty/));
  assert.throws(() => globalAvgPool2d(dev, dev.zeros([1, 2, 0, 3])), bad(/globalAvgPool2d.*empty/));
  x.dispose();
});

test.run();
