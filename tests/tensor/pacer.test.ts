import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Pacer } from '../../src/tensor/pacer.ts';

// A stand-in for the GPU: work that finishes `ms` after it is submitted, whenever it is awaited.
function submit(p: Pacer, ms: number, grid = 64, newPipeline = false) {
  p.noteDispatch(grid, 4096, newPipeline);
  p.submitted();
  const finished = performance.now() + ms;
  let awaitedAt = -1;
  const done = () => {
    awaitedAt = performance.now();
    return new Promise<void>((r) => setTimeout(r, Math.max(0, finished - awaitedAt)));
  };
  return { done, awaitedAfter: () => awaitedAt - (finished - ms) };
}

test('pacer: repeated work is awaited only after most of its last time; new work at once', async () => {
  const p = new Pacer(true);
  const first = submit(p, 60);
  await p.wait(first.done);
  assert.ok(first.awaitedAfter() < 20, `new work awaited at once (after ${first.awaitedAfter()} ms)`);
  const again = submit(p, 60);
  await p.wait(again.done);
  // 80 % of the ~60 ms measured; timers may fire late, never early.
  assert.ok(again.awaitedAfter() >= 45, `same work slept first (awaited after ${again.awaitedAfter()} ms)`);
  const other = submit(p, 60, 65);
  await p.wait(other.done);
  assert.ok(other.awaitedAfter() < 20, `different work awaited at once (after ${other.awaitedAfter()} ms)`);
});

test('pacer: time before the first submission with dispatches is not counted as GPU time', async () => {
  const p = new Pacer(true);
  // First run: an upload (no dispatches), then 80 ms of CPU work (loading weights), then the work.
  p.submitted();
  await new Promise((r) => setTimeout(r, 80));
  const first = submit(p, 20);
  await p.wait(first.done);
  // Second run: the same work without the upload. Had the clock started at the upload, it would
  // sleep 80 % of ~100 ms before awaiting work that takes 20.
  const second = submit(p, 20);
  await p.wait(second.done);
  assert.ok(second.awaitedAfter() < 40, `awaited after ${second.awaitedAfter()} ms`);
});

test('pacer: work that compiled a pipeline is not learned from; disabled pacer never sleeps', async () => {
  const p = new Pacer(true);
  const compiling = submit(p, 60, 64, true);
  await p.wait(compiling.done);
  const steady = submit(p, 60);
  await p.wait(steady.done);
  assert.ok(steady.awaitedAfter() < 20, `no estimate from a compiling run (awaited after ${steady.awaitedAfter()} ms)`);

  const off = new Pacer(false);
  for (let i = 0; i < 2; i++) {
    const w = submit(off, 40);
    await off.wait(w.done);
    assert.ok(w.awaitedAfter() < 20, `disabled: awaited at once (after ${w.awaitedAfter()} ms)`);
  }
});

test.run();
