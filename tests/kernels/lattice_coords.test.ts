import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bilateralFeatures, buildLattice, elevation, latticeFromKeys, positionalFeatures, type Lattice } from '../../src/deeplab/lattice.ts';
import { latticeCoords } from '../../src/kernels/lattice_coords.ts';
import { LimitError } from '../../src/tensor/errors.ts';
import { getDevice } from '../helpers/device.ts';
import { Mulberry32 } from '../helpers/prng.ts';
import { hasCase, LARGEFOV, loadCase } from '../deeplab/crf_fixtures.ts';

/** The lattice built from the GPU's keys and weights. */
async function gpuLattice(features: Float32Array, d: number, n: number): Promise<Lattice> {
  const dev = await getDevice();
  const e = elevation(d);
  const f = dev.tensor(features, [n, d]);
  const { keys, weights } = latticeCoords(dev, f, d, e.scale, e.invD1);
  const k = new Int32Array(await keys.download());
  const w = new Float32Array(await weights.download());
  for (const t of [f, keys, weights]) t.dispose();
  return latticeFromKeys(k, w, d, n);
}

// Bit for bit: the same vertex ids, weights and neighbours as buildLattice, hence the CPU's (and
// the reference's) lattice exactly. Holds where the GPU rounds each float32 operation on its own
// (lavapipe); a GPU that fuses multiply-adds may move a few keys.
function assertSame(got: Lattice, want: Lattice, what: string) {
  assert.is(got.m, want.m, `${what}: vertices`);
  assert.equal(got.offsets, want.offsets, `${what}: vertex ids`);
  assert.equal(got.weights, want.weights, `${what}: barycentric weights`);
  assert.equal(got.neighbours, want.neighbours, `${what}: blur neighbours`);
}

test('lattice coordinates on the GPU give buildLattice\'s lattice bit for bit: voc_500x375 and small_64x48, both kernels', async () => {
  if (!hasCase('small_64x48')) return console.warn('skipped: ../shared/fixtures/crf missing');
  for (const name of ['small_64x48', 'voc_500x375'].filter(hasCase)) {
    const c = loadCase(name);
    const n = c.width * c.height;
    for (const [d, f] of [
      [2, positionalFeatures(c.width, c.height, LARGEFOV.posXyStd)],
      [5, bilateralFeatures(c.width, c.height, c.image, LARGEFOV.biXyStd, LARGEFOV.biRgbStd)],
    ] as const) {
      assertSame(await gpuLattice(f, d, n), buildLattice(f, d, n), `${name}, d = ${d}`);
    }
  }
});

test('other dimensions and awkward values: d = 1, 3, 7; negative, tiny and large features; exact halves', async () => {
  for (const d of [1, 3, 7]) {
    const r = new Mulberry32(40 + d);
    const n = 997;
    const f = new Float32Array(n * d);
    for (let i = 0; i < f.length; i++) {
      const kind = i % 4;
      // Uniform, tiny, large, and multiples of 1/2 (rounding ties after elevation are likeliest there).
      f[i] = kind === 0 ? r.nextSigned() * 20 : kind === 1 ? r.nextSigned() * 1e-3 : kind === 2 ? r.nextSigned() * 5000 : Math.round(r.nextSigned() * 40) / 2;
    }
    assertSame(await gpuLattice(f, d, n), buildLattice(f, d, n), `random, d = ${d}`);
  }
});

test('rounding ties go to the even integer, as SSE rounds: d = 1 features whose elevated/(d+1) is exactly k + 1/2', async () => {
  // d = 1: elevated = (f·s, −f·s) with s = scale[0], and 1/(d+1) = 1/2 exactly, so f·s odd gives a tie.
  const s = elevation(1).scale[0];
  const ties: number[] = [];
  for (let k = -300; k <= 300 && ties.length < 200; k++) {
    const f = Math.fround((2 * k + 1) / s);
    if (Math.fround(f * s) === 2 * k + 1) ties.push(f);
  }
  assert.ok(ties.length >= 50, `only ${ties.length} tie features`);
  const f = Float32Array.from(ties);
  assertSame(await gpuLattice(f, 1, f.length), buildLattice(f, 1, f.length), 'ties, d = 1');
});

test('a feature dimension past the kernel\'s arrays is refused', async () => {
  const dev = await getDevice();
  const f = dev.tensor(new Float32Array(8), [1, 8]);
  assert.throws(() => latticeCoords(dev, f, 8, new Float64Array(8), 1 / 9), (e: Error) => e instanceof LimitError && /dimension 8; 1 to 7/.test(e.message));
  f.dispose();
});

test.run();
