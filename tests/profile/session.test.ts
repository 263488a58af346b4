import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getDevice } from '../helpers/device.ts';
import { formatBreakdown, profileSession } from '../../src/profile/session.ts';

test('a profile session of the synthetic model: every forward profiled, first-run breakdown filled', async () => {
  const dev = await getDevice();
  const live = dev.liveTensors;
  const s = await profileSession(dev, { model: 'synthetic', input: [1, 3, 33, 17], warmup: 2, runs: 2 });
  s.profiler.destroy();
  assert.is(dev.observer, null);
  assert.is(dev.liveTensors, live, 'model, input and outputs are freed');
  assert.is(s.records.length, 2 * 8 * 4, 'two forwards of eight four-dispatch blocks');
  assert.is(s.batches.length, 2, 'one submission per forward');
  assert.equal([...new Set(s.records.map((r) => r.label))].slice(0, 4), ['block1/scale', 'block1/shift', 'block1/relu', 'block1/residual']);
  const b = s.breakdown;
  for (const k of ['build_ms', 'compile_ms', 'first_ms', 'steady_ms', 'steady_encode_ms'] as const) assert.ok(Number.isFinite(b[k]) && b[k] >= 0, k);
  if (dev.hasFeature('timestamp-query')) assert.ok(b.gpu_ms > 0 && b.gpu_ms < b.steady_ms);
  assert.match(formatBreakdown(b, 2), /pipeline compilation/);
});

test.run();
