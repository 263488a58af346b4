import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getDevice } from '../helpers/device.ts';
import { Device, type DispatchObserver } from '../../src/tensor/device.ts';
import { relu, unary } from '../../src/kernels/unary.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import { Profiler } from '../../src/profile/profiler.ts';
import { byKernel, byLayer, formatReport, summarize } from '../../src/profile/table.ts';
import { chromeTrace, jsonLines } from '../../src/profile/trace.ts';

/** Three labelled affine passes over 4M elements: heavy enough that each takes milliseconds. */
function heavyChain(dev: Device) {
  const x = dev.zeros([4, 1024, 1024]);
  dev.scope(() => {
    let y: Tensor = x;
    for (const name of ['a', 'b', 'c']) y = dev.withLabel(name, () => unary(dev, 'affine', y, { alpha: 2, beta: 1 }));
  });
  x.dispose();
}

test('GPU timestamps are non-zero and monotonic for a heavy kernel', async () => {
  const dev = await getDevice();
  if (!dev.hasFeature('timestamp-query')) return console.log('  (skipped: no timestamp-query)');
  const prof = Profiler.attach(dev);
  heavyChain(dev);
  const recs = await prof.collect();
  prof.destroy();
  assert.is(dev.observer, null);
  assert.equal(recs.map((r) => r.label), ['a', 'b', 'c']);
  assert.ok(recs.every((r) => r.kernel === 'affine' && r.bytes === 2 * 4 * 4 * 1024 * 1024));
  for (const [i, r] of recs.entries()) {
    assert.ok(r.gpu_ns > 10_000, `dispatch ${i} took ${r.gpu_ns} ns`);
    if (i) assert.ok(r.start_ns >= recs[i - 1].start_ns + recs[i - 1].gpu_ns, 'passes run in order and do not overlap');
  }
});

test('query sets rotate past 2048 dispatches in one submission', async () => {
  const dev = await getDevice();
  if (!dev.hasFeature('timestamp-query')) return;
  const prof = Profiler.attach(dev);
  const x = dev.zeros([64]);
  for (let i = 0; i < 2100; i++) relu(dev, x).dispose();
  const recs = await prof.collect();
  prof.destroy();
  x.dispose();
  assert.is(recs.length, 2100);
  assert.is(prof.batches.length, 1);
  assert.ok(recs.every((r) => Number.isFinite(r.gpu_ns) && r.gpu_ns >= 0));
  assert.ok(recs[2099].start_ns > recs[0].start_ns);
});

test('the trace parses and holds exactly one GPU event per dispatch; JSON lines one per dispatch', async () => {
  const dev = await getDevice();
  if (!dev.hasFeature('timestamp-query')) return;
  const prof = Profiler.attach(dev);
  heavyChain(dev);
  await dev.sync();
  heavyChain(dev); // a second submission
  const recs = await prof.collect();
  prof.destroy();
  const trace = JSON.parse(JSON.stringify(chromeTrace(recs, prof.batches, 'test')));
  const gpuTid = trace.traceEvents.find((e: any) => e.ph === 'M' && e.args?.name === 'GPU').tid;
  const gpu = trace.traceEvents.filter((e: any) => e.ph === 'X' && e.tid === gpuTid);
  assert.is(gpu.length, recs.length);
  assert.is(gpu.length, 6);
  assert.ok(gpu.every((e: any) => e.dur > 0 && Number.isFinite(e.ts)));
  const cpu = trace.traceEvents.filter((e: any) => e.ph === 'X' && e.tid !== gpuTid);
  assert.is(cpu.length, 4, 'encode + submit per batch');
  // No GPU work is placed before its own submission on the shared timeline.
  for (const e of gpu) assert.ok(e.ts >= prof.batches[e.args.batch].submit_us - 1e-6);
  const lines = jsonLines(recs, prof.batches, true).trim().split('\n').map((l) => JSON.parse(l));
  assert.is(lines.length, 6);
  assert.equal(Object.keys(lines[0]), ['type', 'label', 'kernel', 'variant', 'shape', 'gpu_ns', 'flops', 'bytes', 'batch']);
});

test('table totals equal the sum of the records', async () => {
  const dev = await getDevice();
  if (!dev.hasFeature('timestamp-query')) return;
  const prof = Profiler.attach(dev);
  heavyChain(dev);
  const x = dev.zeros([1000]);
  dev.withLabel('r', () => relu(dev, x).dispose());
  x.dispose();
  const recs = await prof.collect();
  prof.destroy();
  const sum = recs.reduce((s, r) => s + r.gpu_ns, 0);
  for (const rows of [summarize(recs, byKernel), summarize(recs, byLayer)]) {
    assert.is(rows.reduce((s, r) => s + r.total_ns, 0), sum);
    assert.is(rows.reduce((s, r) => s + r.count, 0), recs.length);
    for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1].total_ns >= rows[i].total_ns, 'sorted by total time');
  }
  assert.equal(summarize(recs, byKernel).map((r) => [r.key, r.count]), [['affine', 3], ['relu', 1]]);
  const text = formatReport(recs, prof.batches, 'header', true);
  const totals = text.split('\n').filter((l) => l.startsWith('total'));
  assert.is(totals.length, 2);
  for (const t of totals) assert.is(Number(t.trim().split(/\s+/)[2]), Number((sum / 1e6).toFixed(3)));
});

test('without timestamp-query the profiler times each submission by wall clock', async () => {
  const dev = await Device.create({ features: [] });
  try {
    assert.not.ok(dev.hasFeature('timestamp-query'));
    const prof = Profiler.attach(dev);
    heavyChain(dev);
    dev.flush();
    heavyChain(dev);
    const recs = await prof.collect();
    prof.destroy();
    assert.is(recs.length, 6);
    assert.ok(recs.every((r) => Number.isNaN(r.gpu_ns)));
    assert.is(prof.batches.length, 2);
    for (const b of prof.batches) assert.ok(b.done_us > b.submit_us && b.dispatches === 3);
    const text = formatReport(recs, prof.batches, prof.timing, false);
    assert.match(text, /CPU wall time per submitted batch/);
    const trace = chromeTrace(recs, prof.batches, 'fallback');
    assert.is(trace.traceEvents.filter((e) => e.ph === 'X' && e.tid === 1).length, 2, 'one GPU-track event per batch');
    assert.match(jsonLines(recs, prof.batches, false), /"type":"batch"/);
  } finally {
    dev.destroy();
  }
});

test('profiling off: no observer is called, no queries are made', async () => {
  const dev = await getDevice();
  let calls = 0;
  const counter: DispatchObserver = { onDispatch: () => void calls++, beforeSubmit: () => void calls++, afterSubmit: () => void calls++ };
  dev.observer = counter;
  const x = dev.zeros([16]);
  relu(dev, x).dispose();
  await dev.sync();
  assert.ok(calls >= 3);
  dev.observer = null;
  const before = calls;
  relu(dev, x).dispose();
  await dev.sync();
  assert.is(calls, before);
  // A detached profiler records nothing either.
  const prof = Profiler.attach(dev);
  prof.detach();
  relu(dev, x).dispose();
  assert.is((await prof.collect()).length, 0);
  prof.destroy();
  x.dispose();
});

test.run();
