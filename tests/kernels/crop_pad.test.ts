import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getDevice } from '../helpers/device.ts';
import { assertClose, golden, loadGolden } from '../helpers/assert.ts';
import { Mulberry32 } from '../helpers/prng.ts';
import { cropPad2d } from '../../src/kernels/crop_pad.ts';
import { ShapeError } from '../../src/tensor/errors.ts';

const g = loadGolden('crop_pad');
// Same table as tests/golden/crop_pad.py: input shape, top, left, height, width, value.
const CASES: [string, number[], number, number, number, number, number][] = [
  ['pad', [2, 3, 7, 5], 0, 0, 11, 9, 0],
  ['padboth', [2, 3, 7, 5], -2, -3, 12, 10, 255],
  ['crop', [2, 3, 7, 5], 1, 2, 4, 2, 0],
  ['x8crop', [1, 2, 65, 65], 7, 7, 41, 41, 0],
  ['mixed', [1, 2, 7, 5], -1, 3, 9, 4, -1.5],
  ['outside', [1, 1, 3, 3], 5, -9, 2, 2, 7],
  ['one', [1, 3, 1, 1], -1, -1, 3, 3, 0],
];

test('cropPad2d pads, crops and does both, matching PyTorch F.pad', async () => {
  const dev = await getDevice();
  for (const [k, [name, shape, top, left, height, width, value]] of CASES.entries()) {
    const x = dev.tensor(new Mulberry32(70 + k).fill(shape.reduce((a, b) => a * b)), shape);
    const y = cropPad2d(dev, x, { top, left, height, width, value });
    assert.equal([...y.shape], [shape[0], shape[1], height, width], `${name} shape`);
    assertClose(await y.download(), golden(g, name).data, { atol: 0 }, name);
    x.dispose();
    y.dispose();
  }
});

test('cropPad2d refuses a zero-sized window, fractional offsets and non-4-D input', async () => {
  const dev = await getDevice();
  const x = dev.zeros([1, 2, 3, 3]);
  const bad = (re: RegExp) => (e: Error) => e instanceof ShapeError && re.test(e.message);
  assert.throws(() => cropPad2d(dev, x, { top: 0, left: 0, height: 0, width: 3 }), bad(/cropPad2d.*0×3.*positive integers/));
  assert.throws(() => cropPad2d(dev, x, { top: 0.5, left: 0, height: 2, width: 3 }), bad(/top 0.5/));
  const flat = dev.zeros([2, 3, 3]);
  assert.throws(() => cropPad2d(dev, flat, { top: 0, left: 0, height: 2, width: 2 }), bad(/4-D/));
  x.dispose();
  flat.dispose();
});

test.run();
