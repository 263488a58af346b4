import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { awaitGpu, pollStats } from '../../src/tensor/poll.ts';
import { unary } from '../../src/kernels/unary.ts';
import { getDevice } from '../helpers/device.ts';

const tick = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

test('poll: while awaited, native setImmediate callbacks go through a timer; JS ones and the global come back untouched', async () => {
  const original = globalThis.setImmediate;
  const before = pollStats.throttled;
  let jsRan = false;
  let nativeSeen = -1;
  await awaitGpu(true, async () => {
    assert.is.not(globalThis.setImmediate, original, 'replaced during the wait');
    setImmediate(() => void (jsRan = true));
    setImmediate(Math.random); // a native function, as the binding's poll callback is
    nativeSeen = pollStats.throttled - before;
    await tick(5);
  });
  assert.is(nativeSeen, 1, 'the native callback was throttled');
  assert.ok(jsRan, 'the JS callback ran');
  assert.is(globalThis.setImmediate, original, 'restored after the wait');
});

test('poll: overlapping waits restore setImmediate only when the last one ends; disabled, nothing changes', async () => {
  const original = globalThis.setImmediate;
  let inner: Promise<void> | null = null;
  const outer = awaitGpu(true, async () => {
    inner = awaitGpu(true, () => tick(20));
    await tick(5);
  });
  await outer;
  assert.is.not(globalThis.setImmediate, original, 'still throttled while the inner wait is pending');
  await inner;
  assert.is(globalThis.setImmediate, original);
  await awaitGpu(false, async () => assert.is(globalThis.setImmediate, original));
  // A failing wait restores it too.
  await awaitGpu(true, () => Promise.reject(new Error('lost'))).catch(() => {});
  assert.is(globalThis.setImmediate, original);
});

test("poll: on a CPU adapter the binding's own polling goes through the timer (guards against a binding that stops looking setImmediate up)", async () => {
  const dev = await getDevice();
  if (!dev.info.isFallbackAdapter) return console.log('  (skipped: not a CPU adapter)');
  const x = dev.zeros([4, 1024, 1024]);
  const y = unary(dev, 'affine', x, { alpha: 2, beta: 1 });
  const before = pollStats.throttled;
  const out = await y.download();
  assert.ok(pollStats.throttled > before, 'no binding poll was throttled');
  assert.is(out[12345], 1);
  x.dispose();
  y.dispose();
});

test.run();
