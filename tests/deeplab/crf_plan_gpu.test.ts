import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CrfPlan } from '../../src/kernels/crf.ts';
import { buildCrfPlanCpu, type PlanKernel } from '../../src/deeplab/crf_plan.ts';
import { buildCrfPlanGpu, keyLayout } from '../../src/deeplab/crf_plan_gpu.ts';
import { bilateralFeatures, positionalFeatures } from '../../src/deeplab/lattice.ts';
import { crfKernels, denseCrf } from '../../src/deeplab/crf.ts';
import { getDevice } from '../helpers/device.ts';
import { Mulberry32 } from '../helpers/prng.ts';
import { hasCase, LARGEFOV, loadCase } from './crf_fixtures.ts';

async function tables(plan: CrfPlan) {
  const u = async (t: CrfPlan['start']) => new Uint32Array(await t.download());
  return { start: await u(plan.start), entries: await u(plan.entries), neighbours: await u(plan.neighbours), slices: await u(plan.slices), coef: new Uint32Array((await plan.coef.download()).buffer) };
}

/**
 * The GPU plan is the CPU plan (src/deeplab/crf_plan.ts from lattice.ts buildLattice) up to the
 * numbering of vertices: the same vertices (each pixel's slices name corresponding rows, with
 * bit-equal weights), the same CSR rows entry for entry (pixel order and weights: the splat's
 * sums), the same blur neighbours, and bit-equal normalisation and float16 scales.
 */
async function assertSamePlan(a: PlanKernel, b: PlanKernel, what: string) {
  const dev = await getDevice();
  const n = a.features.length / a.d;
  const cpu = buildCrfPlanCpu(dev, a, b);
  const live = dev.liveTensors;
  const gpu = await buildCrfPlanGpu(dev, a, b);
  assert.is(dev.liveTensors, live + 5, `${what}: the plan's five tables are all the build leaves`);
  assert.ok(gpu, `${what}: the keys pack into 64 bits`);
  const [c, g] = [await tables(cpu), await tables(gpu!)];
  for (const key of ['rows', 'ma', 'passes', 'ka', 'kb', 'scaleA', 'scaleB'] as const) assert.is(gpu![key], cpu[key], `${what}: ${key}`);
  const rows = cpu.rows;
  const k = cpu.ka + cpu.kb;
  // Row correspondence from the slices.
  const map = new Int32Array(rows).fill(-1);
  map[rows - 1] = rows - 1;
  for (let s = 0; s < n * k; s++) {
    const [gr, cr] = [g.slices[2 * s], c.slices[2 * s]];
    assert.ok(map[gr] === -1 || map[gr] === cr, `${what}: slice ${s} names GPU row ${gr}, which is CPU rows ${map[gr]} and ${cr}`);
    map[gr] = cr;
    if (g.slices[2 * s + 1] !== c.slices[2 * s + 1]) assert.unreachable(`${what}: slice ${s}'s weight differs`);
  }
  assert.is(new Set(map).size, rows, `${what}: the rows correspond one to one`);
  for (let r = 0; r < rows; r++) {
    const [gs, ge, cs, ce] = [g.start[r], g.start[r + 1], c.start[map[r]], c.start[map[r] + 1]];
    if (ge - gs !== ce - cs) assert.unreachable(`${what}: GPU row ${r} has ${ge - gs} entries, CPU row ${map[r]} ${ce - cs}`);
    for (let e = 0; e < ge - gs; e++) {
      if (g.entries[2 * (gs + e)] !== c.entries[2 * (cs + e)] || g.entries[2 * (gs + e) + 1] !== c.entries[2 * (cs + e) + 1]) {
        assert.unreachable(`${what}: GPU row ${r} entry ${e} differs from CPU row ${map[r]}'s`);
      }
    }
    for (let j = 0; j < cpu.passes; j++) {
      for (const side of [0, 1]) {
        if (map[g.neighbours[2 * (j * rows + r) + side]] !== c.neighbours[2 * (j * rows + map[r]) + side]) {
          assert.unreachable(`${what}: pass ${j}, GPU row ${r}'s neighbour ${side} differs`);
        }
      }
    }
  }
  assert.equal(g.coef, c.coef, `${what}: normalisation, bit for bit`);
  cpu.dispose();
  gpu!.dispose();
}

test('the GPU-built CRF plan equals the CPU-built one up to vertex numbering: small_64x48 and voc_500x375, LargeFOV settings', async () => {
  if (!hasCase('small_64x48')) return console.warn('skipped: ../shared/fixtures/crf missing');
  for (const name of ['small_64x48', 'voc_500x375'].filter(hasCase)) {
    const c = loadCase(name);
    await assertSamePlan(...crfKernels({ width: c.width, height: c.height, data: c.image }, LARGEFOV), name);
  }
});

test('the GPU-built plan for other dimensions (d = 1, 3, 7, and a single pixel) and random features', async () => {
  const rng = new Mulberry32(7);
  const random = (n: number, d: number, spread: number) => rng.fill(n * d, spread / 2);
  await assertSamePlan({ features: random(999, 1, 40), d: 1, weight: 2 }, { features: random(999, 3, 12), d: 3, weight: 0.5 }, 'd 1 and 3');
  await assertSamePlan({ features: random(700, 7, 6), d: 7, weight: 1 }, { features: random(700, 2, 30), d: 2, weight: 3 }, 'd 7 and 2');
  await assertSamePlan({ features: random(1, 2, 5), d: 2, weight: 1 }, { features: random(1, 5, 5), d: 5, weight: 1 }, 'one pixel');
});

test('keyLayout: fields sized from the features\' bounds; null past 64 bits', () => {
  const l = keyLayout(positionalFeatures(500, 375, 3), 2)!;
  assert.is(l.shift[0], 2, 'the remainder (0..2) takes 2 bits');
  assert.ok(l.width.every((w) => w > 0 && w < 16), `widths ${l.width}`);
  assert.is(keyLayout(Float32Array.from({ length: 14 }, (_, i) => (i % 2 ? 1e9 : -1e9)), 7), null);
});

test('prepareCrf builds on the CPU when the GPU is asked for keys that do not pack into 64 bits, with the same result', async () => {
  const dev = await getDevice();
  const rng = new Mulberry32(3);
  const image = { width: 9, height: 7, data: Uint8Array.from({ length: 9 * 7 * 3 }, () => rng.nextU32() & 255) };
  const params = { ...LARGEFOV, biRgbStd: 0.01, iterations: 2 };
  assert.is(keyLayout(bilateralFeatures(9, 7, image.data, params.biXyStd, params.biRgbStd), 5), null, 'σrgb 0.01 spreads the keys past 64 bits');
  const unary = rng.fill(9 * 7 * 3, 2);
  const gpu = await denseCrf(dev, image, unary, 3, { ...params, lattice: 'gpu' });
  const cpu = await denseCrf(dev, image, unary, 3, { ...params, lattice: 'cpu' });
  assert.is(gpu.lattice, 'cpu');
  assert.equal(gpu.q, cpu.q);
});

test.run();
