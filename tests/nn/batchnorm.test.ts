import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getDevice } from '../helpers/device.ts';
import { assertClose, golden, loadGolden, maxAbs } from '../helpers/assert.ts';
import { conv2d, Conv2dWeights, CONV2D_VARIANTS } from '../../src/kernels/conv2d.ts';
import { foldBatchNorm } from '../../src/nn/batchnorm.ts';
import { ShapeError } from '../../src/tensor/errors.ts';

const g = loadGolden('batchnorm');

for (const name of ['withbias', 'resnet']) {
  test(`conv → BatchNorm2d (eval) folded into one conv matches PyTorch: ${name}`, async () => {
    const dev = await getDevice();
    const [N, C, H, W, O, k, stride, pad, dilation] = golden(g, `${name}.params`).data;
    const shape = [O, C, k, k] as const;
    const f = (key: string) => golden(g, `${name}.${key}`).data as Float32Array;
    const folded = foldBatchNorm(f('weight'), shape, g.has(`${name}.bias`) ? f('bias') : null, {
      gamma: f('gamma'), beta: f('beta'), mean: f('mean'), variance: f('var'), eps: f('eps')[0],
    });
    const w = Conv2dWeights.fromHost(dev, folded.weight, shape, folded.bias, name, { winograd: true });
    const x = dev.tensor(f('x'), [N, C, H, W]);
    const ref = golden(g, `${name}.y`);
    for (const variant of CONV2D_VARIANTS.filter((v) => !v.startsWith('winograd') || (k === 3 && stride === 1))) {
      const y = conv2d(dev, x, w, { stride, pad, dilation, variant });
      assert.equal([...y.shape], ref.shape);
      assertClose(await y.download(), ref.data, { atol: 1e-4 * (1 + maxAbs(ref.data)) }, `${name}/${variant}`);
      y.dispose();
    }
    x.dispose();
    w.dispose();
  });
}

test('foldBatchNorm scales each output channel and shifts the bias', () => {
  const r = foldBatchNorm(new Float32Array([1, 2, 3, 4]), [2, 2, 1, 1], null, {
    gamma: new Float32Array([2, 1]), beta: new Float32Array([0.5, -1]),
    mean: new Float32Array([1, 0]), variance: new Float32Array([3, 0.25]), eps: 1,
  });
  // scales: channel 0 2/√(3+1) = 1, channel 1 1/√(0.25+1)
  assertClose(r.weight, [1, 2, 3 / Math.sqrt(1.25), 4 / Math.sqrt(1.25)], { atol: 1e-6 }, 'weight');
  assertClose(r.bias, [-0.5, -1], { atol: 1e-6 }, 'bias');
});

test('foldBatchNorm refuses statistics of the wrong length', () => {
  const z = (n: number) => new Float32Array(n);
  assert.throws(
    () => foldBatchNorm(z(8), [2, 1, 2, 2], null, { gamma: z(3), beta: z(2), mean: z(2), variance: z(2), eps: 1e-5 }),
    (e: Error) => e instanceof ShapeError && /gamma has 3/.test(e.message),
  );
});

test.run();
