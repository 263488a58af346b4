import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getDevice } from '../helpers/device.ts';
import { assertClose, golden, loadGolden } from '../helpers/assert.ts';
import { Mulberry32 } from '../helpers/prng.ts';
import { softmaxChannels } from '../../src/kernels/softmax.ts';
import { ShapeError } from '../../src/tensor/errors.ts';

const g = loadGolden('softmax');

test('softmax over channels matches PyTorch: 21, 3 and 1 channels, batch 2, 1×1', async () => {
  const dev = await getDevice();
  for (const name of ['x', 'c3', 'c1']) {
    const h = golden(g, name);
    const x = dev.tensor(h.data, h.shape);
    const y = softmaxChannels(dev, x);
    assert.equal([...y.shape], h.shape);
    assertClose(await y.download(), golden(g, `${name}.softmax`).data, { atol: 1e-6 }, `${name}.softmax`);
    x.dispose();
    y.dispose();
  }
});

test('softmax stays finite and exact with logits in the hundreds (max subtracted)', async () => {
  const dev = await getDevice();
  const x = dev.tensor(new Mulberry32(31).fill(5 * 65 * 65, 300), [1, 5, 65, 65]);
  const y = softmaxChannels(dev, x);
  assertClose(await y.download(), golden(g, 'big.softmax').data, { atol: 1e-6 }, 'big.softmax');
  x.dispose();
  y.dispose();
});

test('softmax refuses non-4-D and empty input', async () => {
  const dev = await getDevice();
  const flat = dev.zeros([21, 5]);
  const empty = dev.zeros([1, 21, 0, 5]);
  assert.throws(() => softmaxChannels(dev, flat), (e: Error) => e instanceof ShapeError && /softmaxChannels.*4-D.*\[21, 5\]/.test(e.message));
  assert.throws(() => softmaxChannels(dev, empty), (e: Error) => e instanceof ShapeError && /softmaxChannels.*empty/.test(e.message));
  flat.dispose();
  empty.dispose();
});

test.run();
