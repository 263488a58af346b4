import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getDevice } from '../helpers/device.ts';
import { assertClose, golden, loadGolden } from '../helpers/assert.ts';
import { Mulberry32 } from '../helpers/prng.ts';
import { flipHorizontal } from '../../src/kernels/flip.ts';
import { ShapeError } from '../../src/tensor/errors.ts';

const g = loadGolden('flip');

test('flipHorizontal matches torch.flip over W (odd, even and 1 wide, batch 2)', async () => {
  const dev = await getDevice();
  const shapes = [[2, 3, 7, 5], [1, 2, 4, 6], [1, 1, 3, 1]];
  for (const [k, shape] of shapes.entries()) {
    const x = dev.tensor(new Mulberry32(60 + k).fill(shape.reduce((a, b) => a * b)), shape);
    const y = flipHorizontal(dev, x);
    assert.equal([...y.shape], shape);
    assertClose(await y.download(), golden(g, `flip${k}`).data, { atol: 0 }, `flip${k}`);
    x.dispose();
    y.dispose();
  }
});

test('flipHorizontal keeps the dtype of i32 label maps and refuses scalars', async () => {
  const dev = await getDevice();
  const labels = dev.tensor([1, 2, 3, 4, 5, 6], [1, 2, 3], 'i32');
  const y = flipHorizontal(dev, labels);
  assert.is(y.dtype, 'i32');
  assert.equal([...(await y.download())], [3, 2, 1, 6, 5, 4]);
  const scalar = dev.tensor([1], []);
  assert.throws(() => flipHorizontal(dev, scalar), (e: Error) => e instanceof ShapeError && /flipHorizontal/.test(e.message));
  [labels, y, scalar].forEach((t) => t.dispose());
});

test.run();
