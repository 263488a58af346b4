import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { prewarmPipelines, runKernel } from '../../src/kernels/runner.ts';
import { GpuError } from '../../src/tensor/errors.ts';
import { getDevice } from '../helpers/device.ts';

const ADD_ONE = '@group(0) @binding(0) var<storage, read_write> x: array<f32>;\noverride K: f32 = 1.0;\n@compute @workgroup_size(1) fn main() { x[0] += K; }';

test('prewarmPipelines compiles into the cache that runKernel reads: the dispatch creates no pipeline', async () => {
  const dev = await getDevice();
  const before = dev.pipelines.size;
  await prewarmPipelines(dev, [1, 2, 2].map((k) => ({ kernel: 'add_one', shader: ADD_ONE, constants: { K: k + 0.25 } })));
  assert.is(dev.pipelines.size, before + 2, 'one pipeline per distinct constants');
  const t = dev.zeros([1]);
  runKernel(dev, { kernel: 'add_one', shader: ADD_ONE, constants: { K: 2.25 }, tensors: [t], workgroups: [1] });
  runKernel(dev, { kernel: 'add_one', shader: ADD_ONE, constants: { K: 1.25 }, tensors: [t], workgroups: [1] });
  assert.is(dev.pipelines.size, before + 2, 'the dispatches found them');
  assert.equal([...(await t.download())], [3.5], 'both ran, in order');
  t.dispose();
});

test('a pipeline that fails to compile is left out by prewarmPipelines, its error reported at the next sync', async () => {
  const dev = await getDevice();
  const broken = { kernel: 'broken', shader: '@compute @workgroup_size(1) fn main() { let a = undefined_name; }' };
  const before = dev.pipelines.size;
  await prewarmPipelines(dev, [broken]);
  assert.is(dev.pipelines.size, before, 'nothing cached');
  try {
    await dev.sync();
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, GpuError);
    assert.match((e as Error).message, /broken/);
  }
});

test('dependent dispatches sharing a compute pass see each other\'s writes, with copies recorded between them', async () => {
  const dev = await getDevice();
  const t = dev.zeros([1]);
  for (let i = 0; i < 5; i++) runKernel(dev, { kernel: 'add_one', shader: ADD_ONE, tensors: [t], workgroups: [1] });
  const copy = dev.empty([1]);
  dev.encoder.copyBufferToBuffer(t.buffer, 0, copy.buffer, 0, 4); // ends the pass; the next dispatch opens one
  runKernel(dev, { kernel: 'add_one', shader: ADD_ONE, tensors: [t], workgroups: [1] });
  assert.equal([...(await copy.download())], [5]);
  assert.equal([...(await t.download())], [6]);
  t.dispose();
  copy.dispose();
});

test.run();
