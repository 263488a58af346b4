import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CRF_DEFAULTS, denseCrf, prepareCrf, runCrf, unaryFromLogits } from '../../src/deeplab/crf.ts';
import { halfScale } from '../../src/deeplab/crf_plan.ts';
import { getDevice } from '../helpers/device.ts';
import { Mulberry32 } from '../helpers/prng.ts';
import { agreement, hasCase, LARGEFOV, loadCase } from './crf_fixtures.ts';

// 'f16' storage rounds every stored label vector (Q, the splatted and blurred lattice values) to
// float16, so the lattice is built the same way but its values differ from the reference's: the
// issue's "differs" tolerance applies, ≥ 99.8 % equal labels and mean |ΔQ| ≤ 3e-4. Measured
// (lavapipe, 2026-12-03): see the logged lines; both cases stay far inside it.
const DIFFERS = { mean: 3e-4, labels: 0.998 };

test('f16 storage, small_64x48 after 1, 5 and 10 iterations and voc_500x375 after 10: within the "differs" tolerance of the C++', async () => {
  if (!hasCase('small_64x48')) return console.warn('skipped: ../shared/fixtures/crf missing');
  const dev = await getDevice();
  for (const [name, its] of [['small_64x48', [1, 5, 10]], ['voc_500x375', [10]]] as const) {
    if (!hasCase(name)) {
      console.warn(`skipped ${name}: not in ../shared/fixtures/crf`);
      continue;
    }
    const c = loadCase(name);
    const prep = await prepareCrf(dev, { width: c.width, height: c.height, data: c.image }, LARGEFOV);
    for (const it of its) {
      const { q, labels } = await runCrf(dev, prep, c.unary, 21, it, 'f16');
      const a = agreement(q, c.q(it), labels, c.labels(it));
      console.log(`  f16 ${name} it ${it}: max |dQ| ${a.max.toExponential(2)}, mean ${a.mean.toExponential(2)}, labels ${(100 * a.labelFraction).toFixed(3)} %`);
      assert.ok(a.mean <= DIFFERS.mean && a.labelFraction >= DIFFERS.labels, `${name} it ${it}: ${JSON.stringify(a)}`);
    }
    prep.dispose();
  }
});

test('halfScale: a power of two bringing the peak to (2^13, 2^14]', () => {
  for (const peak of [1e-9, 0.3, 1, 3, 16384, 16385, 1e6, 3e9]) {
    const s = halfScale(peak);
    assert.is(Math.log2(s), Math.round(Math.log2(s)), `${peak}`);
    assert.ok(peak * s <= 16384 && peak * s > 8192, `peak ${peak}: scaled ${peak * s}`);
  }
});

test('f16 storage keeps a flat image (lattice vertices gathering thousands of pixels) finite and close to f32', async () => {
  // A 500×375 image of one colour with a wide bilateral σxy: the blurred all-ones lattice peaks at
  // 96,867 here (thousands of pixels per vertex, doubled by each of 6 passes), past float16's
  // 65504: without halfScale, this test fails (measured: infinite values).
  const dev = await getDevice();
  const w = 500;
  const h = 375;
  const C = 3;
  const image = { width: w, height: h, data: new Uint8Array(w * h * 3).fill(128) };
  const unary = new Float32Array(w * h * C);
  for (let i = 0; i < w * h; i++) {
    const x = i % w;
    unary.set([0.1, x < 20 ? 0.05 : 3, 3], i * C); // label 0 nearly everywhere: its values reach the peak
  }
  const params = { ...LARGEFOV, biXyStd: 1000, iterations: 3 };
  const exact = await denseCrf(dev, image, unary, C, params);
  const half = await denseCrf(dev, image, unary, C, { ...params, storage: 'f16' });
  assert.ok(half.q.every(Number.isFinite), 'finite');
  const a = agreement(half.q, exact.q, half.labels, exact.labels);
  console.log(`  f16 flat 500×375, 3 labels, it 3 vs f32: max |dQ| ${a.max.toExponential(2)}, mean ${a.mean.toExponential(2)}, labels ${(100 * a.labelFraction).toFixed(3)} %`);
  assert.ok(a.max <= 1e-2 && a.labelFraction >= DIFFERS.labels, JSON.stringify(a));
});

test('f16 storage with 1, 5, 10 (an odd number of vec4s) and 256 labels: close to f32', async () => {
  // Word packing at every label count shape: one word holding fewer than 8 labels, a last word
  // half padding, and the largest count.
  const dev = await getDevice();
  for (const c of [1, 5, 10, 256]) {
    const r = new Mulberry32(100 + c);
    const image = { width: 23, height: 17, data: Uint8Array.from({ length: 23 * 17 * 3 }, () => r.nextU32() & 255) };
    const unary = unaryFromLogits(r.fill(23 * 17 * c, 3), c);
    const p = { ...CRF_DEFAULTS['deeplab-v2'], iterations: 3 };
    const exact = await denseCrf(dev, image, unary, c, p);
    const half = await denseCrf(dev, image, unary, c, { ...p, storage: 'f16' });
    const a = agreement(half.q, exact.q, half.labels, exact.labels);
    console.log(`  f16 vs f32, 23×17, ${c} labels, it 3: max |dQ| ${a.max.toExponential(2)}, mean ${a.mean.toExponential(2)}, labels ${(100 * a.labelFraction).toFixed(2)} %`);
    assert.ok(a.max <= 5e-3 && a.mean <= DIFFERS.mean && a.labelFraction >= 0.99, `${c} labels: ${JSON.stringify(a)}`);
  }
});

test.run();
