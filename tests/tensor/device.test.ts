import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getDevice } from '../helpers/device.ts';
import { GpuError, LimitError } from '../../src/tensor/errors.ts';
import { runKernel } from '../../src/kernels/runner.ts';

test('acquires an adapter and requests its limits and optional features', async () => {
  const dev = await getDevice();
  assert.ok(dev.name.length > 0, 'adapter has a name');
  // The adapter's own maximum, not WebGPU's 128 MiB / 256 MiB defaults.
  assert.is(dev.limits.maxStorageBufferBindingSize, dev.adapter.limits.maxStorageBufferBindingSize);
  assert.is(dev.limits.maxBufferSize, dev.adapter.limits.maxBufferSize);
  assert.is(dev.limits.maxComputeInvocationsPerWorkgroup, dev.adapter.limits.maxComputeInvocationsPerWorkgroup);
  assert.is(dev.limits.maxComputeWorkgroupStorageSize, dev.adapter.limits.maxComputeWorkgroupStorageSize);
  for (const f of ['timestamp-query', 'shader-f16', 'subgroups']) {
    assert.is(dev.hasFeature(f), dev.adapter.features.has(f), `feature ${f} requested when offered`);
  }
  assert.ok(dev.info.features.length > 0);
});

test('a tensor over maxStorageBufferBindingSize is refused with its size and the limit', async () => {
  const dev = await getDevice();
  const max = dev.limits.maxStorageBufferBindingSize;
  const n = max / 4 + 1024;
  try {
    dev.empty([1, 1, 1, n]);
    assert.unreachable('should refuse');
  } catch (e) {
    assert.instance(e, LimitError);
    assert.match((e as Error).message, /maxStorageBufferBindingSize/);
    assert.match((e as Error).message, /MiB/);
    assert.match((e as Error).message, String(n));
  }
});

test('a shader that fails validation surfaces as a GpuError at sync, not a silent result', async () => {
  const dev = await getDevice();
  const t = dev.zeros([4]);
  runKernel(dev, {
    kernel: 'broken',
    shader: '@group(0) @binding(0) var<storage, read_write> x: array<f32>;\n@compute @workgroup_size(1) fn main() { x[0] = undefined_name; }',
    tensors: [t],
    workgroups: [1],
  });
  try {
    await dev.sync();
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, GpuError);
    assert.match((e as Error).message, /error/i);
  }
  t.dispose();
  // The device stays usable afterwards.
  const u = dev.tensor([1, 2], [2]);
  assert.equal([...(await u.download())], [1, 2]);
  u.dispose();
});

test('grids past maxComputeWorkgroupsPerDimension are refused by runKernel', async () => {
  const dev = await getDevice();
  const t = dev.zeros([4]);
  assert.throws(
    () => runKernel(dev, { kernel: 'fill', shader: 'x', tensors: [t], workgroups: [dev.limits.maxComputeWorkgroupsPerDimension + 1] }),
    (e: Error) => e instanceof LimitError && /grid1d/.test(e.message),
  );
  t.dispose();
});

test.run();
