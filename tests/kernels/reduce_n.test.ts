import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getDevice } from '../helpers/device.ts';
import { assertClose, golden, loadGolden } from '../helpers/assert.ts';
import { Mulberry32 } from '../helpers/prng.ts';
import { maxN, sumN } from '../../src/kernels/reduce_n.ts';
import { ShapeError } from '../../src/tensor/errors.ts';

const g = loadGolden('reduce_n');
const SHAPE = [2, 3, 7, 5];

test('sumN and maxN match PyTorch exactly for N = 1..6 and 17 (three chained passes)', async () => {
  const dev = await getDevice();
  const xs = Array.from({ length: 17 }, (_, k) => dev.tensor(new Mulberry32(40 + k).fill(210, 4), SHAPE));
  for (const n of [1, 2, 3, 4, 5, 6, 17]) {
    const s = sumN(dev, xs.slice(0, n));
    const m = maxN(dev, xs.slice(0, n));
    assert.equal([...s.shape], SHAPE);
    assertClose(await s.download(), golden(g, `sum${n}`).data, { atol: 0 }, `sum${n}`);
    assertClose(await m.download(), golden(g, `max${n}`).data, { atol: 0 }, `max${n}`);
    s.dispose();
    m.dispose();
  }
  // The same tensor may appear twice (bound read-only twice).
  const twice = sumN(dev, [xs[0], xs[0]]);
  const x0 = await xs[0].download();
  assertClose(await twice.download(), x0.map((v) => v + v), { atol: 0 }, 'x0 + x0');
  twice.dispose();
  xs.forEach((t) => t.dispose());
});

test('sumN / maxN refuse mismatched shapes and empty lists, naming the shapes', async () => {
  const dev = await getDevice();
  const a = dev.zeros([1, 4, 3, 3]);
  const b = dev.zeros([1, 5, 3, 3]);
  assert.throws(() => sumN(dev, [a, b]), (e: Error) => e instanceof ShapeError && /sumN.*\[1, 4, 3, 3\].*\[1, 5, 3, 3\]/.test(e.message));
  assert.throws(() => maxN(dev, []), (e: Error) => e instanceof ShapeError && /maxN.*at least one/.test(e.message));
  a.dispose();
  b.dispose();
});

test.run();
