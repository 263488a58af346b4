import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getDevice } from '../helpers/device.ts';
import { assertClose, golden, loadGolden } from '../helpers/assert.ts';
import { Mulberry32 } from '../helpers/prng.ts';
import { argmaxChannels } from '../../src/kernels/argmax.ts';
import { caffeInterpSize, resizeArgmax, resizeBilinear } from '../../src/kernels/resize.ts';
import { ShapeError } from '../../src/tensor/errors.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';

const g = loadGolden('resize');
const TOL = { atol: 1e-5 };

/** Runs `resize` with both variants and checks each against the reference. */
async function check(resize: (variant: 'row4' | 'direct') => Tensor, key: string) {
  for (const variant of ['row4', 'direct'] as const) {
    const y = resize(variant);
    const ref = golden(g, key);
    assert.equal([...y.shape], ref.shape, `${key} shape`);
    assertClose(await y.download(), ref.data, TOL, `${key} (${variant})`);
    y.dispose();
  }
}

test('caffeInterpSize: zoom, shrink, and shrink then zoom', () => {
  assert.is(caffeInterpSize(41, { zoom: 8 }), 321);
  assert.is(caffeInterpSize(513, { shrink: 2 }), 257);
  assert.is(caffeInterpSize(513, { shrink: 4, zoom: 3 }), 385);
  assert.is(caffeInterpSize(5, {}), 5);
  assert.throws(() => caffeInterpSize(41, { zoom: 0 }), (e: Error) => e instanceof ShapeError && /zoom 0/.test(e.message));
});

test('align_corners true and false, up and down, odd sizes, batch 2, 1×1 in and out', async () => {
  const dev = await getDevice();
  const h = golden(g, 'x');
  const x = dev.tensor(h.data, h.shape);
  for (const [oh, ow] of [[13, 9], [12, 11], [3, 2], [4, 3], [1, 1], [7, 5], [7, 12]]) {
    await check((variant) => resizeBilinear(dev, x, { height: oh, width: ow, alignCorners: true, variant }), `x.align.${oh}x${ow}`);
    await check((variant) => resizeBilinear(dev, x, { height: oh, width: ow, alignCorners: false, variant }), `x.half.${oh}x${ow}`);
  }
  const one = dev.tensor(golden(g, 'one').data, [1, 2, 1, 1]);
  await check((variant) => resizeBilinear(dev, one, { height: 5, width: 4, alignCorners: true, variant }), 'one.align.5x4');
  await check((variant) => resizeBilinear(dev, one, { height: 5, width: 4, alignCorners: false, variant }), 'one.half.5x4');
  x.dispose();
  one.dispose();
});

test('Caffe Interp sizes: zoom 8 (41 → 321), shrink 2 (513 → 257), 0.75 (513 → 385); 65×65 both modes', async () => {
  const dev = await getDevice();
  const cases: [string, number, number[], number, number][] = [
    ['zoom8', 21, [1, 2, 41, 5], 8, 1],
    ['shrink2', 22, [1, 1, 513, 9], 1, 2],
    ['scale075', 23, [1, 1, 513, 13], 3, 4],
  ];
  for (const [name, seed, shape, zoom, shrink] of cases) {
    const x = dev.tensor(new Mulberry32(seed).fill(shape.reduce((a, b) => a * b)), shape);
    const height = caffeInterpSize(shape[2], { zoom, shrink });
    const width = caffeInterpSize(shape[3], { zoom, shrink });
    await check((variant) => resizeBilinear(dev, x, { height, width, alignCorners: true, variant }), `${name}.align`);
    x.dispose();
  }
  const sq = dev.tensor(new Mulberry32(24).fill(65 * 65), [1, 1, 65, 65]);
  await check((variant) => resizeBilinear(dev, sq, { height: 97, width: 33, alignCorners: true, variant }), 'sq65.align');
  await check((variant) => resizeBilinear(dev, sq, { height: 97, width: 33, alignCorners: false, variant }), 'sq65.half');
  sq.dispose();
});

test('resizeArgmax: the labels of argmaxChannels(resizeBilinear(x)) exactly, both modes, up and down, batch 2, ties', async () => {
  const dev = await getDevice();
  const r = new Mulberry32(5);
  for (const [shape, oh, ow] of [
    [[2, 21, 9, 13], 65, 97], // ×~7 up, LargeFOV's 21 classes
    [[1, 6, 41, 41], 321, 321], // the demo model's scores, ×8
    [[1, 3, 30, 20], 7, 11], // down
    [[1, 1, 4, 4], 5, 3], // one channel: all zeros
  ] as const) {
    const n = (shape as readonly number[]).reduce((a, b) => a * b, 1);
    // Values on a coarse grid, so that resized channels tie often.
    const x = dev.tensor(Float32Array.from(r.fill(n, 4), (v) => Math.round(v * 2) / 2), [...shape]);
    for (const alignCorners of [true, false]) {
      const o = { height: oh, width: ow, alignCorners };
      const fused = resizeArgmax(dev, x, o);
      const scores = resizeBilinear(dev, x, o);
      const ref = argmaxChannels(dev, scores);
      assert.equal([...fused.shape], [shape[0], oh, ow]);
      assert.equal(await fused.download(), await ref.download(), `${shape} → ${oh}×${ow}, align ${alignCorners}`);
      for (const t of [fused, scores, ref]) t.dispose();
    }
    x.dispose();
  }
  const x = dev.tensor(new Float32Array(4), [1, 1, 2, 2]);
  assert.throws(() => resizeArgmax(dev, x, { height: 0, width: 3, alignCorners: true }), (e: Error) => e instanceof ShapeError && /resizeArgmax.*positive integers/.test(e.message));
  x.dispose();
});

test('bad resize requests are refused naming the op and sizes', async () => {
  const dev = await getDevice();
  const x = dev.zeros([1, 2, 3, 3]);
  const bad = (re: RegExp) => (e: Error) => e instanceof ShapeError && re.test(e.message);
  assert.throws(() => resizeBilinear(dev, x, { height: 0, width: 4, alignCorners: true }), bad(/resizeBilinear.*→ 0×4.*positive/));
  assert.throws(() => resizeBilinear(dev, x, { height: 2.5, width: 4, alignCorners: true }), bad(/positive integers/));
  const flat = dev.zeros([2, 3, 3]);
  assert.throws(() => resizeBilinear(dev, flat, { height: 2, width: 4, alignCorners: false }), bad(/4-D/));
  const empty = dev.zeros([1, 0, 3, 3]);
  assert.throws(() => resizeBilinear(dev, empty, { height: 2, width: 4, alignCorners: false }), bad(/empty/));
  for (const t of [x, flat, empty]) t.dispose();
});

test.run();
