import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getDevice } from '../helpers/device.ts';
import { assertClose, golden, loadGolden } from '../helpers/assert.ts';
import { Mulberry32 } from '../helpers/prng.ts';
import { argmaxChannels } from '../../src/kernels/argmax.ts';
import { ShapeError } from '../../src/tensor/errors.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';

const g = loadGolden('softmax'); // tests/golden/softmax.py writes the argmax references too

async function check(x: Tensor, key: string) {
  const dev = await getDevice();
  const y = argmaxChannels(dev, x);
  const ref = golden(g, key);
  assert.is(y.dtype, 'i32');
  assert.equal([...y.shape], ref.shape, `${key} shape`);
  assertClose(await y.download(), ref.data, { atol: 0 }, key);
  y.dispose();
  x.dispose();
}

test('argmax over channels matches PyTorch: 21, 3, 1 channels, batch 2, 65×65', async () => {
  const dev = await getDevice();
  for (const name of ['x', 'c3', 'c1']) {
    const h = golden(g, name);
    await check(dev.tensor(h.data, h.shape), `${name}.argmax`);
  }
  await check(dev.tensor(new Mulberry32(31).fill(5 * 65 * 65, 300), [1, 5, 65, 65]), 'big.argmax');
});

test('argmax returns the first index on ties', async () => {
  const dev = await getDevice();
  // Hand-made: pixel 0 ties channels 1 and 2; pixel 1 ties all three; pixel 2 ties 0 and 2.
  const x = dev.tensor([0, 5, 7, /* c1 */ 4, 5, 1, /* c2 */ 4, 5, 7], [1, 3, 1, 3]);
  const y = argmaxChannels(dev, x);
  assert.equal([...(await y.download())], [1, 0, 0]);
  y.dispose();
  x.dispose();
  // Values floor(3u) ∈ {-3, …, 2} over 21 channels: ties at almost every pixel.
  const u = new Mulberry32(32).fill(2 * 21 * 9 * 11);
  await check(dev.tensor(u.map((v) => Math.floor(v * 3)), [2, 21, 9, 11]), 'ties.argmax');
});

test('argmax refuses non-4-D and empty input', async () => {
  const dev = await getDevice();
  const flat = dev.zeros([21, 5]);
  const empty = dev.zeros([0, 21, 3, 5]);
  assert.throws(() => argmaxChannels(dev, flat), (e: Error) => e instanceof ShapeError && /argmaxChannels.*4-D/.test(e.message));
  assert.throws(() => argmaxChannels(dev, empty), (e: Error) => e instanceof ShapeError && /argmaxChannels.*empty/.test(e.message));
  flat.dispose();
  empty.dispose();
});

test.run();
