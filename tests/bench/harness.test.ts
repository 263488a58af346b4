import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getDevice } from '../helpers/device.ts';
import { unary, relu } from '../../src/kernels/unary.ts';
import { Device } from '../../src/tensor/device.ts';
import { benchData, benchOne, compare, median, NotApplicableError, Peaks, roofline, validate, ValidationError } from '../../bench/harness.ts';
import { ShapeError } from '../../src/tensor/errors.ts';
import { ENTRIES } from '../../bench/registry.ts';
import type { BenchEntry } from '../../bench/types.ts';

/** relu with a correct variant, a deliberately wrong one (abs) and one that refuses every shape. */
const fake: BenchEntry = {
  kernel: 'fake_relu',
  variants: ['ref', 'same', 'wrong', 'refuses'],
  presets: { tiny: ['1000'] },
  shapeHelp: 'n',
  tolerance: 1e-6,
  setup(dev: Device, shape: string) {
    const x = dev.tensor(benchData(Number(shape)), [Number(shape)]);
    return {
      run: (v: string) => {
        if (v === 'refuses') throw new ShapeError('fake_relu: variant refuses needs an even n');
        return v === 'wrong' ? unary(dev, 'abs', x) : relu(dev, x);
      },
      flops: 0,
      bytes: 2 * x.byteLength,
      dispose: () => x.dispose(),
    };
  },
};

test('median of odd, even and empty samples', () => {
  assert.is(median([3, 1, 2]), 2);
  assert.is(median([4, 1, 3, 2]), 2.5);
  assert.is(median([5]), 5);
  assert.ok(Number.isNaN(median([])));
});

test('compare: bound is tolerance·(1 + max|ref|); NaN and length mismatches never agree', () => {
  assert.equal(compare([0, -10], [0.5, -10], 0.1), { ok: true, maxDiff: 0.5, bound: 0.1 * 11 });
  assert.not.ok(compare([0, -10], [1.2, -10], 0.1).ok);
  assert.not.ok(compare([1, 2], [1, NaN], 1).ok);
  assert.not.ok(compare([1, 2], [1], 1).ok);
  assert.not.ok(compare([NaN], [NaN], 1).ok);
});

test('validation passes a correct variant and rejects a deliberately wrong one', async () => {
  const dev = await getDevice();
  const c = await fake.setup(dev, '1000');
  try {
    assert.ok((await validate(dev, fake, c, 'same', '1000')).ok);
    try {
      await validate(dev, fake, c, 'wrong', '1000');
      assert.unreachable('a wrong variant must be refused');
    } catch (e) {
      assert.instance(e, ValidationError);
      assert.match((e as Error).message, /fake_relu\/wrong at 1000 disagrees with the reference ref/);
    }
  } finally {
    c.dispose();
  }
  // benchOne refuses before timing anything, and names unknown variants.
  await benchOne(dev, fake, 'wrong', '1000', 2, null).then(
    () => assert.unreachable(),
    (e) => assert.instance(e, ValidationError),
  );
  await benchOne(dev, fake, 'nope', '1000', 2, null).then(
    () => assert.unreachable(),
    (e) => assert.match(e.message, /no variant "nope"/),
  );
  assert.is(dev.observer, null, 'the harness leaves no profiler attached');
});

test('variantTolerance loosens the check for the variants it names only', async () => {
  const dev = await getDevice();
  const loose: BenchEntry = { ...fake, variantTolerance: { wrong: 10 } };
  const c = await loose.setup(dev, '1000');
  try {
    // abs and relu differ by up to max |x| ≈ 1 (benchData), inside 10 · (1 + max |ref|).
    assert.ok((await validate(dev, loose, c, 'wrong', '1000')).ok);
    assert.ok((await validate(dev, loose, c, 'same', '1000')).bound < 1e-4);
  } finally {
    c.dispose();
  }
});

test('a variant that refuses the shape is not applicable (bench skips it); a refusing reference fails validation', async () => {
  const dev = await getDevice();
  await benchOne(dev, fake, 'refuses', '1000', 2, null).then(
    () => assert.unreachable('a refusing variant must not be timed'),
    (e) => {
      assert.instance(e, NotApplicableError);
      assert.not.instance(e, ValidationError);
      assert.match(e.message, /fake_relu\/refuses does not run 1000: fake_relu: variant refuses needs an even n/);
    },
  );
  const refRefuses: BenchEntry = { ...fake, variants: ['refuses', 'same'] };
  await benchOne(dev, refRefuses, 'same', '1000', 2, null).then(
    () => assert.unreachable('a variant the reference cannot check must not be timed'),
    (e) => {
      assert.instance(e, ValidationError);
      assert.match(e.message, /the reference cannot check same there/);
    },
  );
  assert.is(dev.stats().liveTensors, 0, 'the refused cases leak no tensors');
});

test('a result is one JSON line with the documented fields', async () => {
  const dev = await getDevice();
  const r = await benchOne(dev, fake, 'same', '1000', 3, null);
  const line = JSON.parse(JSON.stringify(r));
  assert.equal(Object.keys(line), ['device', 'kernel', 'variant', 'shape', 'median_ms', 'gflops', 'gbps', 'frac_peak', 'bound', 'runs', 'timer']);
  assert.is(line.device, dev.name);
  assert.equal([line.kernel, line.variant, line.shape, line.runs], ['fake_relu', 'same', '1000', 3]);
  assert.ok(line.median_ms > 0);
  assert.is(line.gflops, null, 'no GFLOP/s for a kernel without flops');
  assert.ok(Math.abs(line.gbps - 8000 / line.median_ms / 1e6) < 1e-9);
  assert.is(line.frac_peak, null);
  assert.is(line.bound, null);
  assert.is(line.timer, dev.hasFeature('timestamp-query') ? 'gpu-timestamps' : 'wall');
});

test('bytesFor gives a variant its own byte count (GB/s), others keep bytes', async () => {
  const dev = await getDevice();
  const halved: BenchEntry = { ...fake, setup: async (d, shape) => ({ ...(await fake.setup(d, shape)), bytesFor: (v: string) => (v === 'same' ? 4000 : 8000) }) };
  const r = await benchOne(dev, halved, 'same', '1000', 3, null);
  assert.ok(Math.abs(r.gbps - 4000 / r.median_ms / 1e6) < 1e-9);
  const ref = await benchOne(dev, halved, 'ref', '1000', 3, null);
  assert.ok(Math.abs(ref.gbps - 8000 / ref.median_ms / 1e6) < 1e-9);
});

test('without timestamp-query the harness times synced runs by wall clock', async () => {
  const dev = await Device.create({ features: [] });
  try {
    const r = await benchOne(dev, fake, 'same', '1000', 2, null);
    assert.is(r.timer, 'wall');
    assert.ok(r.median_ms > 0);
  } finally {
    dev.destroy();
  }
});

test('roofline: the fraction of whichever peak the kernel is closer to', () => {
  assert.equal(roofline(5, 1, 10, 4), { frac_peak: 0.5, bound: 'compute' });
  assert.equal(roofline(1, 3, 10, 4), { frac_peak: 0.75, bound: 'memory' });
  assert.equal(roofline(null, 3, 10, 4), { frac_peak: 0.75, bound: 'memory' });
  assert.equal(roofline(5, 3, null, 4), { frac_peak: 0.75, bound: 'memory' });
  assert.equal(roofline(5, 3, 10, null), { frac_peak: 0.5, bound: 'compute' });
  assert.equal(roofline(null, 3, null, null), { frac_peak: null, bound: null });
});

test('peaks: none without a gemm_peak entry; frac_peak uses copy_peak for byte-bound kernels', async () => {
  const dev = await getDevice();
  const probe: BenchEntry = { ...ENTRIES.find((e) => e.kernel === 'copy_peak')!, presets: { small: ['1'] } };
  const peaks = new Peaks([probe]);
  assert.is(await peaks.gflops(dev), null);
  const r = await benchOne(dev, fake, 'ref', '1000', 2, peaks);
  const gbps = (await peaks.gbps(dev))!;
  assert.ok(gbps > 0);
  assert.ok(Math.abs(r.frac_peak! - r.gbps / gbps) < 1e-12);
  assert.is(r.bound, 'memory');
});

test('every registered entry names its variants, presets and a reference', () => {
  for (const e of ENTRIES) {
    assert.ok(e.variants.length > 0, e.kernel);
    assert.ok(Object.values(e.presets).every((s) => s.length > 0), e.kernel);
  }
  assert.equal(new Set(ENTRIES.map((e) => e.kernel)).size, ENTRIES.length, 'kernel names are unique');
});

test.run();
