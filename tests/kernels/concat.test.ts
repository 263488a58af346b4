import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getDevice } from '../helpers/device.ts';
import { assertClose, golden, loadGolden } from '../helpers/assert.ts';
import { Mulberry32 } from '../helpers/prng.ts';
import { concatChannels } from '../../src/kernels/concat.ts';
import { ShapeError } from '../../src/tensor/errors.ts';

const g = loadGolden('concat');

test('concatChannels of 3, 1 and 5 channels with batch 2 matches torch.cat', async () => {
  const dev = await getDevice();
  const xs = [3, 1, 5].map((c, k) => dev.tensor(new Mulberry32(50 + k).fill(2 * c * 35), [2, c, 7, 5]));
  const y = concatChannels(dev, xs);
  assert.equal([...y.shape], [2, 9, 7, 5]);
  assertClose(await y.download(), golden(g, 'cat').data, { atol: 0 }, 'cat');
  const one = concatChannels(dev, xs.slice(0, 1));
  assertClose(await one.download(), golden(g, 'cat.single').data, { atol: 0 }, 'cat.single');
  [...xs, y, one].forEach((t) => t.dispose());
});

test('concatChannels refuses mismatched N, H, W and empty lists, naming the shapes', async () => {
  const dev = await getDevice();
  const a = dev.zeros([1, 4, 3, 3]);
  const b = dev.zeros([2, 4, 3, 3]);
  const c = dev.zeros([1, 4, 3, 2]);
  const bad = (re: RegExp) => (e: Error) => e instanceof ShapeError && re.test(e.message);
  assert.throws(() => concatChannels(dev, [a, b]), bad(/concatChannels.*\[1, 4, 3, 3\], \[2, 4, 3, 3\]/));
  assert.throws(() => concatChannels(dev, [a, c]), bad(/equal N, H and W/));
  assert.throws(() => concatChannels(dev, []), bad(/at least one/));
  [a, b, c].forEach((t) => t.dispose());
});

test.run();
