import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getDevice } from '../helpers/device.ts';
import { assertClose, golden, loadGolden } from '../helpers/assert.ts';
import { Mulberry32 } from '../helpers/prng.ts';
import { binary, type BinaryOp } from '../../src/kernels/binary.ts';
import { unary } from '../../src/kernels/unary.ts';
import { copy, copyBlocks } from '../../src/kernels/copy.ts';
import { fill, full } from '../../src/kernels/fill.ts';
import { ShapeError } from '../../src/tensor/errors.ts';

const g = loadGolden('elementwise');
const up = async (key: string) => {
  const dev = await getDevice();
  const h = golden(g, key);
  return dev.tensor(h.data, h.shape);
};

test('unary relu / affine / exp / abs / log match PyTorch', async () => {
  const dev = await getDevice();
  const x = await up('x');
  const cases: [string, () => ReturnType<typeof unary>, number][] = [
    ['relu', () => unary(dev, 'relu', x), 0],
    ['affine', () => unary(dev, 'affine', x, { alpha: 1.5, beta: -0.25 }), 1e-6],
    ['exp', () => unary(dev, 'exp', x), 1e-6],
    ['log', () => dev.scope(() => unary(dev, 'log', unary(dev, 'affine', unary(dev, 'abs', x), { beta: 0.01 }))), 1e-6],
  ];
  for (const [name, run, rtol] of cases) {
    const y = run();
    assert.equal(y.shape, x.shape);
    assertClose(await y.download(), golden(g, name).data, { atol: 1e-7, rtol }, name);
    y.dispose();
  }
  // in place
  const z = await up('x');
  unary(dev, 'relu', z, { out: z });
  assertClose(await z.download(), golden(g, 'relu').data, { atol: 0 }, 'relu in place');
  x.dispose();
  z.dispose();
});

test('binary ops (and add fused with ReLU) with NCHW broadcasting match PyTorch', async () => {
  const dev = await getDevice();
  for (const c of ['same', 'bias', 'row', 'both', 'scalar', 'same4']) {
    const a = await up(`${c}.a`);
    // 'vec4' only for equal shapes of a size divisible by 4 (same4); elsewhere it is refused.
    for (const variant of c === 'same4' ? (['broadcast', 'vec4'] as const) : (['broadcast'] as const)) {
      for (const op of ['add', 'sub', 'mul', 'div', 'max', 'min'] as BinaryOp[]) {
        const b = await up(op === 'div' ? `${c}.divisor` : `${c}.b`);
        const ref = golden(g, `${c}.${op}`);
        const z = binary(dev, op, a, b, { variant });
        assert.equal([...z.shape], ref.shape, `${c}.${op} shape`);
        assertClose(await z.download(), ref.data, { atol: 0, rtol: op === 'div' ? 1e-6 : 0 }, `${c}.${op}/${variant}`);
        z.dispose();
        if (op === 'add') {
          const r = binary(dev, 'add', a, b, { relu: true, variant });
          assertClose(await r.download(), golden(g, `${c}.add_relu`).data, { atol: 0, rtol: 0 }, `${c}.add_relu/${variant}`);
          r.dispose();
        }
        b.dispose();
      }
    }
    a.dispose();
  }
  const a = await up('same.a');
  const b = await up('same.b');
  assert.throws(() => binary(dev, 'add', a, b, { variant: 'vec4' }), (e: Error) => e instanceof ShapeError && /vec4.*size divisible by 4.*\[2, 3, 7, 5\]/.test(e.message));
  a.dispose();
  b.dispose();
});

test('shapes that do not broadcast are refused naming both shapes', async () => {
  const dev = await getDevice();
  const a = dev.zeros([2, 3, 4]);
  const b = dev.zeros([2, 4, 4]);
  assert.throws(() => binary(dev, 'add', a, b), (e: Error) => e instanceof ShapeError && /\[2, 3, 4\]/.test(e.message) && /\[2, 4, 4\]/.test(e.message));
  const u = dev.zeros([3], 'u32');
  assert.throws(() => binary(dev, 'add', a, u), (e: Error) => e instanceof ShapeError && /f32/.test(e.message));
  for (const t of [a, b, u]) t.dispose();
});

test('fill, full and block copy', async () => {
  const dev = await getDevice();
  const t = full(dev, [3, 5], -2.5);
  assert.ok((await t.download()).every((v) => v === -2.5));
  const u = fill(dev, dev.empty([6], 'u32'), 0xdeadbeef);
  assert.ok((await u.download()).every((v) => v === 0xdeadbeef));
  const src = dev.tensor(Float32Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]);
  const c = copy(dev, src);
  assert.equal([...(await c.download())], [...Array(24).keys()]);
  // channel concat of two [2,1,4] blocks into [2,2,4]: rows = N
  const dst = dev.zeros([2, 2, 4]);
  copyBlocks(dev, src, dst, { run: 4, rows: 2, srcOffset: 4, srcStride: 12, dstOffset: 4, dstStride: 8 });
  assert.equal([...(await dst.download())], [0, 0, 0, 0, 4, 5, 6, 7, 0, 0, 0, 0, 16, 17, 18, 19]);
  assert.throws(() => copyBlocks(dev, src, dst, { run: 4, rows: 3, srcOffset: 0, srcStride: 12, dstOffset: 0, dstStride: 4 }), (e: Error) => e instanceof ShapeError);
  for (const x of [t, u, src, c, dst]) x.dispose();
});

test('dispatches past 65,535 workgroups are split across grid dimensions', async () => {
  const dev = await getDevice();
  const max = dev.limits.maxComputeWorkgroupsPerDimension;
  const n = (max + 1000) * 256 + 17; // > max workgroups of 256
  const t = full(dev, [n], 3);
  const y = unary(dev, 'affine', t, { alpha: 2, beta: 1 });
  const v = await y.download();
  let bad = -1;
  for (let i = 0; i < n; i++) if (v[i] !== 7) { bad = i; break; }
  assert.is(bad, -1, `element ${bad} not written`);
  t.dispose();
  y.dispose();
});

test('the seeded PRNG matches the Python generator bit for bit', () => {
  assertClose(new Mulberry32(7).fill(16), golden(g, 'prng.seed7').data, { atol: 0 }, 'mulberry32(7)');
});

test.run();
