import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { argmaxLabels, denseCrf, denseCrfBrute, prepareCrf, runCrf } from '../../src/deeplab/crf.ts';
import type { CrfLattice } from '../../src/deeplab/crf_plan.ts';
import type { RgbImage } from '../../src/io/image.ts';
import type { Device } from '../../src/tensor/device.ts';
import { getDevice } from '../helpers/device.ts';
import { agreement, hasCase, LARGEFOV, loadCase, type CrfCase } from './crf_fixtures.ts';

// The lattice is built exactly as the reference builds it (same float32 rounding, same vertex
// order), so the "same algorithm" tolerance of the manifests applies: max |ΔQ| ≤ 1e-4 and
// ≥ 99.99 % equal labels (float-perturbed builds of the reference itself stay within 9e-6).
const SAME = { max: 1e-4, labels: 0.9999 };

test('argmaxLabels takes the first of tied labels, as the reference\'s map does (`mx < p[j]`)', () => {
  // Pixels: a tie at the max between labels 1 and 2; all equal; a clear max at the last label.
  const q = new Float32Array([0.1, 0.45, 0.45, 1 / 3, 1 / 3, 1 / 3, 0, 0.25, 0.75]);
  assert.equal([...argmaxLabels(q, 3)], [1, 0, 2]);
});

test('small_64x48 on the GPU: Q after 0, 1, 5 and 10 iterations match the C++ reference, lattices built on the CPU and on the GPU', async () => {
  if (!hasCase('small_64x48')) return console.warn('skipped: ../shared/fixtures/crf missing');
  const dev = await getDevice();
  const c = loadCase('small_64x48');
  const image = { width: c.width, height: c.height, data: c.image };
  for (const lattice of ['cpu', 'gpu'] as const) {
    for (const it of [0, 1, 5, 10]) {
      const r = await denseCrf(dev, image, c.unary, 21, { ...LARGEFOV, iterations: it, lattice });
      assert.is(r.lattice, it ? lattice : null, 'where the lattice was built');
      const a = agreement(r.q, c.q(it), r.labels, c.labels(it));
      assert.ok(a.max <= SAME.max && a.labelFraction >= SAME.labels, `${lattice} lattice, it ${it}: ${JSON.stringify(a)}`);
      console.log(`  small_64x48, ${lattice} lattice, it ${it}: max |dQ| ${a.max.toExponential(2)}, mean ${a.mean.toExponential(2)}, labels ${(100 * a.labelFraction).toFixed(3)} %`);
      assert.equal(r.labels, argmaxLabels(r.q, 21));
    }
  }
});

test('voc_500x375 on the GPU: Q after 10 iterations and labels after 1 and 10 match the C++ reference, lattices built on the CPU and on the GPU', async () => {
  if (!hasCase('voc_500x375')) return console.warn('skipped: ../shared/fixtures/crf missing');
  const dev = await getDevice();
  const c = loadCase('voc_500x375');
  const image = { width: c.width, height: c.height, data: c.image };
  for (const lattice of ['cpu', 'gpu'] as const) await vocCase(dev, c, image, lattice);
});

async function vocCase(dev: Device, c: CrfCase, image: RgbImage, lattice: CrfLattice) {
  const prep = await prepareCrf(dev, image, { ...LARGEFOV, lattice });
  assert.is(prep.lattice, lattice);
  for (const it of [1]) {
    const { labels } = await runCrf(dev, prep, c.unary, 21, it);
    const same = labels.reduce((s, l, i) => s + (l === c.labels(it)[i] ? 1 : 0), 0) / labels.length;
    assert.ok(same >= SAME.labels, `labels after ${it}: ${same}`);
  }
  const r10 = await runCrf(dev, prep, c.unary, 21, 10);
  prep.dispose();
  const a = agreement(r10.q, c.q(10), r10.labels, c.labels(10));
  assert.ok(a.max <= SAME.max && a.labelFraction >= SAME.labels, `${lattice} lattice: ${JSON.stringify(a)}`);
  console.log(`  voc_500x375, ${lattice} lattice, it 10: max |dQ| ${a.max.toExponential(2)}, mean ${a.mean.toExponential(2)}, labels ${(100 * a.labelFraction).toFixed(3)} %`);
}

// The exact Gaussian differs from the lattice's approximation of it: the manifests measured exact
// brute force against the reference at 99.90–99.96 % equal labels, a few boundary pixels with |ΔQ|
// up to ~0.7 and mean |ΔQ| ≤ 3e-4; their suggested tolerance is ≥ 99.8 % and mean ≤ 3e-4.
const EXACT = { mean: 3e-4, labels: 0.998 };

test('small_64x48: exact O(N²) Gaussian filtering on the GPU agrees with the lattice as the manifest states', async () => {
  if (!hasCase('small_64x48')) return console.warn('skipped: ../shared/fixtures/crf missing');
  const dev = await getDevice();
  const c = loadCase('small_64x48');
  const image = { width: c.width, height: c.height, data: c.image };
  const brute = await denseCrfBrute(dev, image, c.unary, 21, LARGEFOV);
  const lattice = await denseCrf(dev, image, c.unary, 21, LARGEFOV);
  for (const [what, q, labels] of [
    ['C++ reference', c.q(10), c.labels(10)],
    ['our lattice', lattice.q, lattice.labels],
  ] as const) {
    const a = agreement(brute.q, q, brute.labels, labels);
    console.log(`  brute force vs ${what}, it 10: max |dQ| ${a.max.toExponential(2)}, mean ${a.mean.toExponential(2)}, labels ${(100 * a.labelFraction).toFixed(3)} %`);
    assert.ok(a.mean <= EXACT.mean && a.labelFraction >= EXACT.labels, `${what}: ${JSON.stringify(a)}`);
  }
});

test('denseCrf compiles the iterations\' pipelines while it builds the lattices, none on the spot', async () => {
  const dev = await getDevice();
  const [w, h, c] = [9, 7, 13]; // 13 labels: pipelines no other test has made
  const image = { width: w, height: h, data: new Uint8Array(w * h * 3).map((_, i) => (i * 53) % 256) };
  const unary = new Float32Array(w * h * c).map((_, i) => ((i * 7) % 11) / 4);
  const gpu = dev.gpu as GPUDevice & { createComputePipeline: GPUDevice['createComputePipeline'] };
  const sync = gpu.createComputePipeline;
  let made = 0;
  gpu.createComputePipeline = (d) => (made++, sync.call(gpu, d));
  try {
    for (const storage of ['f32', 'f16'] as const) {
      const before = dev.pipelines.size;
      await denseCrf(dev, image, unary, c, { ...LARGEFOV, iterations: 2, storage, lattice: 'cpu' });
      // init, splat, blur, and the update (f16: one writing float16 Q, one float32 for the last).
      assert.is(dev.pipelines.size - before, storage === 'f16' ? 5 : 4, `${storage}: the pipelines it runs`);
      assert.is(made, 0, `${storage}: created ahead (a key that differs from the dispatch's would be made again here)`);
    }
  } finally {
    gpu.createComputePipeline = sync;
  }
});

test.run();
