import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { denseCrfCpu, fastExp } from '../../src/deeplab/crf_reference.ts';
import { bilateralFeatures, buildLattice, filterCpu, normalisation, positionalFeatures, roundHalfEven } from '../../src/deeplab/lattice.ts';
import { hasCase, LARGEFOV, loadCase } from './crf_fixtures.ts';

test('lattice of a tiny 1-d signal: weights sum to 1, neighbours are symmetric', () => {
  const f = Float32Array.of(0, 0.3, 1.7, 2.2, 5);
  const lat = buildLattice(f, 1, 5);
  for (let i = 0; i < 5; i++) assert.ok(Math.abs(lat.weights[2 * i] + lat.weights[2 * i + 1] - 1) < 1e-6);
  for (let j = 0; j < 2; j++) {
    for (let v = 0; v < lat.m; v++) {
      const [a, b] = [lat.neighbours[(j * lat.m + v) * 2], lat.neighbours[(j * lat.m + v) * 2 + 1]];
      if (a >= 0) assert.is(lat.neighbours[(j * lat.m + a) * 2 + 1], v);
      if (b >= 0) assert.is(lat.neighbours[(j * lat.m + b) * 2], v);
    }
  }
  // A constant signal filters to a constant times the normalisation.
  const k1 = filterCpu(lat, new Float32Array(5).fill(1), 1);
  const k2 = filterCpu(lat, new Float32Array(5).fill(2), 1);
  for (let i = 0; i < 5; i++) assert.ok(Math.abs(k2[i] - 2 * k1[i]) < 1e-6 && k1[i] > 0);
});

test('normalisation(lat, w) is bit-identical to w · 1/(filterCpu(ones) + 1e-20), each step rounded to float32', () => {
  // normalisation() is filterCpu() written out for one all-ones channel (2.5× faster); this ties it to it.
  const [w, h] = [23, 17];
  const rgb = new Uint8Array(w * h * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (Math.imul(i, 2654435761) >>> 24) & 255;
  for (const lat of [buildLattice(positionalFeatures(w, h, 3), 2, w * h), buildLattice(bilateralFeatures(w, h, rgb, 5, 13), 5, w * h)]) {
    for (const weight of [1, 3, 0.7]) {
      const wf = Math.fround(weight);
      const expected = filterCpu(lat, new Float32Array(lat.n).fill(1), 1).map((v) => 1 / (v + 1e-20)).map((x) => wf * x);
      assert.equal(normalisation(lat, weight), expected, `d=${lat.d}, w=${weight}`);
    }
  }
});

test('roundHalfEven rounds as SSE does under the default MXCSR: ties to the even integer', () => {
  // [value, IEEE round-to-nearest-even]: ties both ways and signs, neighbours of ties one float32
  // ulp away, and float32's last values with a fraction bit.
  const cases: [number, number][] = [
    [0.5, 0], [1.5, 2], [2.5, 2], [3.5, 4], [-0.5, -0], [-1.5, -2], [-2.5, -2], [-3.5, -4],
    [Math.fround(0.5 - 2 ** -25), 0], [Math.fround(2.5 + 2 ** -22), 3], [Math.fround(-2.5 - 2 ** -22), -3],
    [8388606.5, 8388606], [8388607.5, 8388608], [-8388607.5, -8388608], [1e6 + 0.25, 1e6], [7, 7], [0, 0],
  ];
  for (const [v, want] of cases) assert.ok(Object.is(roundHalfEven(v), want), `roundHalfEven(${v}) = ${roundHalfEven(v)}, want ${want}`);
});

test('fast_exp: the reference polynomial, exactly 0 below -20', () => {
  assert.is(fastExp(0), 1);
  assert.is(fastExp(-20.5), 0);
  for (const x of [-0.1, -1, -3.3, -7, -19.9]) assert.ok(Math.abs(fastExp(x) / Math.exp(x) - 1) < 1e-5, `x=${x}`);
});

test('small_64x48: lattice sizes and the CPU reference are bit-exact with the C++ reference (it 0, 1, 5, 10)', () => {
  if (!hasCase('small_64x48')) return console.warn('skipped: ../shared/fixtures/crf missing');
  const c = loadCase('small_64x48');
  const n = c.width * c.height;
  assert.is(buildLattice(positionalFeatures(c.width, c.height, 3), 2, n).m, 454); // manifest stats.lattice_vertices
  assert.is(buildLattice(bilateralFeatures(c.width, c.height, c.image, 121, 5), 5, n).m, 7367);
  for (const it of [0, 1, 5, 10]) {
    const q = denseCrfCpu(c.width, c.height, c.image, c.unary, 21, { ...LARGEFOV, iterations: it });
    assert.equal(q, c.q(it), `Q after ${it} iterations`);
  }
});

test.run();
