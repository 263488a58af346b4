import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getDevice } from '../helpers/device.ts';
import { DisposedError, ShapeError, WrongDeviceError } from '../../src/tensor/errors.ts';
import { Device } from '../../src/tensor/device.ts';
import { add } from '../../src/kernels/binary.ts';
import { relu } from '../../src/kernels/unary.ts';
import { bucketSize } from '../../src/tensor/pool.ts';

test('upload/download round trips, odd sizes and all dtypes', async () => {
  const dev = await getDevice();
  for (const n of [1, 3, 7, 255, 257, 1000, 65537]) {
    const data = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 1e3);
    const t = dev.tensor(data, [n]);
    const back = await t.download();
    assert.instance(back, Float32Array);
    assert.equal(back.length, n);
    assert.ok(back.every((v, i) => v === data[i]), `f32 round trip of ${n}`);
    t.dispose();
  }
  const u = dev.tensor([0, 1, 0xffffffff, 123456789], [4], 'u32');
  assert.equal([...(await u.download())], [0, 1, 0xffffffff, 123456789]);
  const i = dev.tensor([-5, 0, 2147483647, -2147483648], [2, 2], 'i32');
  assert.equal([...(await i.download())], [-5, 0, 2147483647, -2147483648]);
  u.dispose();
  i.dispose();
});

test('zeros clears recycled pool buffers; empty tensors download as empty', async () => {
  const dev = await getDevice();
  const a = dev.tensor(new Float32Array(100).fill(7), [100]);
  a.dispose();
  const z = dev.zeros([100]); // same bucket: gets a's buffer back
  assert.ok((await z.download()).every((v) => v === 0));
  z.dispose();
  const e = dev.empty([0, 3]);
  assert.is((await e.download()).length, 0);
  e.dispose();
});

test('reshape shares storage; the buffer returns to the pool after the last view is disposed', async () => {
  const dev = await getDevice();
  const before = dev.stats().bytesInUse;
  const t = dev.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  const v = t.reshape([3, 2]);
  t.dispose();
  assert.equal([...(await v.download())], [1, 2, 3, 4, 5, 6]);
  assert.ok(dev.stats().bytesInUse > before);
  v.dispose();
  assert.is(dev.stats().bytesInUse, before);
  assert.throws(() => dev.tensor([1, 2, 3, 4], [2, 2]).reshape([5]), (e: Error) => e instanceof ShapeError);
});

test('pool: bytes in use return to baseline after dispose, and buffers are reused', async () => {
  const dev = await getDevice();
  await dev.sync();
  const base = dev.stats();
  const ts = [1000, 5000, 5000, 123457].map((n) => dev.zeros([n]));
  assert.is(dev.stats().bytesInUse, base.bytesInUse + ts.reduce((s, t) => s + bucketSize(t.byteLength), 0));
  assert.ok(dev.stats().highWater >= dev.stats().bytesInUse);
  for (const t of ts) t.dispose();
  assert.is(dev.stats().bytesInUse, base.bytesInUse);
  const created = dev.stats().buffersCreated;
  const again = [1000, 5000, 5000, 123457].map((n) => dev.zeros([n]));
  assert.is(dev.stats().buffersCreated, created, 'no new GPU buffers for the same sizes');
  for (const t of again) t.dispose();
  await dev.sync();
});

test('bucket sizes waste at most a third', () => {
  for (const n of [1, 256, 257, 1000, 4096, 5000, 1 << 20, 3 << 20, (1 << 20) + 1]) {
    const b = bucketSize(n);
    assert.ok(b >= n && b >= 256, `bucket ${b} holds ${n}`);
    assert.ok(n <= 256 || (b - n) / b <= 1 / 3, `bucket ${b} for ${n} wastes more than a third of itself`);
  }
});

test('scope disposes everything created inside except what it returns', async () => {
  const dev = await getDevice();
  const live = dev.liveTensors;
  const bytes = dev.stats().bytesInUse;
  const kept = dev.scope(() => {
    const a = dev.tensor([1, -2, 3], [3]);
    const b = dev.tensor([1, 1, 1], [3]);
    return { y: relu(dev, add(dev, a, b)) };
  });
  assert.is(dev.liveTensors, live + 1);
  assert.equal([...(await kept.y.download())], [2, 0, 4]);
  kept.y.dispose();
  assert.is(dev.liveTensors, live);
  assert.is(dev.stats().bytesInUse, bytes);
  // nested + throwing scopes clean up too
  assert.throws(() =>
    dev.scope(() => {
      dev.zeros([10]);
      dev.scope(() => dev.zeros([5]));
      throw new Error('boom');
    }),
  );
  assert.is(dev.liveTensors, live);
  // async scopes
  const r = await dev.scope(async () => {
    const t = dev.tensor([5], [1]);
    dev.zeros([3]);
    return t;
  });
  assert.is(dev.liveTensors, live + 1);
  r.dispose();
});

test('keep exempts a tensor from enclosing scopes; it lives until its own dispose', async () => {
  const dev = await getDevice();
  const live = dev.liveTensors;
  let kept: ReturnType<typeof dev.zeros> | null = null;
  dev.scope(() => {
    dev.scope(() => {
      kept = dev.keep(dev.tensor([4, 5], [2]));
      dev.zeros([3]);
    });
  });
  assert.is(dev.liveTensors, live + 1);
  assert.equal([...(await kept!.download())], [4, 5]);
  kept!.dispose();
  assert.is(dev.liveTensors, live);
});

test('use after dispose names the op and the tensor', async () => {
  const dev = await getDevice();
  const t = dev.tensor([1, 2], [2]);
  t.dispose();
  t.dispose(); // idempotent
  assert.throws(() => relu(dev, t), (e: Error) => e instanceof DisposedError && /relu/.test(e.message) && /\[2\]/.test(e.message));
  try {
    await t.download();
    assert.unreachable();
  } catch (e) {
    assert.instance(e, DisposedError);
  }
});

test('a tensor used on another device is refused by name, before anything reaches the GPU', async () => {
  const dev = await getDevice();
  const other = await Device.create();
  const mine = dev.tensor([1, -2], [2]);
  const theirs = other.tensor([3, -4], [2]);
  const wrong = (op: RegExp) => (e: Error) => e instanceof WrongDeviceError && op.test(e.message) && /another Device/.test(e.message);
  assert.throws(() => relu(dev, theirs), wrong(/relu/));
  assert.throws(() => relu(dev, mine, theirs), wrong(/relu/));
  assert.throws(() => dev.write(theirs, [0, 0]), wrong(/write/));
  await dev.download(theirs).then(() => assert.unreachable('downloaded'), (e) => assert.ok(wrong(/download/)(e), String(e)));
  // Both devices still work afterwards.
  const y = relu(dev, mine);
  assert.equal([...(await y.download())], [1, 0]);
  assert.equal([...(await relu(other, theirs).download())], [3, 0]);
  for (const t of [mine, y]) t.dispose();
  other.destroy();
});

test('wrong data length and bad shapes are refused', async () => {
  const dev = await getDevice();
  assert.throws(() => dev.tensor([1, 2, 3], [2, 2]), (e: Error) => e instanceof ShapeError && /3 values/.test(e.message));
  assert.throws(() => dev.empty([2, -1]), (e: Error) => e instanceof ShapeError);
  assert.throws(() => dev.empty([2.5]), (e: Error) => e instanceof ShapeError);
});

test.run();
