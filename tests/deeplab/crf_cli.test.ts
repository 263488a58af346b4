import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { crf, scoresToHWC } from '../../src/cli/crf.ts';
import { UsageError } from '../../src/cli/command.ts';
import { CRF_DEFAULTS, CrfError, denseCrf, unaryFromLogits } from '../../src/deeplab/crf.ts';
import { decodeLabelPng, encodeRgbPng } from '../../src/io/image.ts';
import { readNpy, writeNpy } from '../../src/io/npy.ts';
import { rejects } from '../helpers/assert.ts';
import { getDevice } from '../helpers/device.ts';
import { Mulberry32 } from '../helpers/prng.ts';

const W = 12;
const H = 9;
const C = 4;
const dir = mkdtempSync(join(tmpdir(), 'atrous-crf-'));
const r = new Mulberry32(7);
const image = { width: W, height: H, data: Uint8Array.from({ length: W * H * 3 }, () => r.nextU32() & 255) };
const logits = r.fill(W * H * C, 4);
const chw = new Float32Array(logits.length);
for (let k = 0; k < C; k++) for (let i = 0; i < W * H; i++) chw[k * W * H + i] = logits[i * C + k];
writeFileSync(join(dir, 'img.png'), encodeRgbPng(image));
writeFileSync(join(dir, 'hwc.npy'), writeNpy([H, W, C], logits));
writeFileSync(join(dir, 'chw.npy'), writeNpy([C, H, W], chw));
const p = (f: string) => join(dir, f);

test('crf CLI: labels PNG and Q .npy equal the API result; CHW is inferred', async () => {
  const expected = await denseCrf(await getDevice(), image, unaryFromLogits(logits, C), C, CRF_DEFAULTS['deeplab-v2']);
  for (const scores of ['hwc.npy', 'chw.npy']) {
    const code = await crf.run([p('img.png'), p(scores), '-o', p(`${scores}.png`), '--q-out', p(`${scores}.q.npy`), '--model', 'deeplab-v2']);
    assert.is(code, 0);
    assert.equal(decodeLabelPng(readFileSync(p(`${scores}.png`)), 'out').labels, expected.labels, scores);
    const q = readNpy(readFileSync(p(`${scores}.q.npy`)), 'q');
    assert.equal(q.shape, [H, W, C]);
    assert.equal(q.data, expected.q);
  }
  assert.ok(!readdirSync(dir).some((f) => f.endsWith('.tmp')), 'no temporary files left');
});

test('crf CLI: --storage f16 gives the f16 result of the API', async () => {
  const expected = await denseCrf(await getDevice(), image, unaryFromLogits(logits, C), C, { ...CRF_DEFAULTS['deeplab-v2'], storage: 'f16' });
  assert.is(await crf.run([p('img.png'), p('hwc.npy'), '--q-out', p('q16.npy'), '--model', 'deeplab-v2', '--storage', 'f16']), 0);
  assert.equal(readNpy(readFileSync(p('q16.npy')), 'q16').data, expected.q);
});

test('crf CLI: --lattice gpu builds the lattice on the GPU, to the same Q as the CPU build', async () => {
  const expected = await denseCrf(await getDevice(), image, unaryFromLogits(logits, C), C, { ...CRF_DEFAULTS['deeplab-v2'], lattice: 'cpu' });
  const logged: string[] = [];
  const log = console.log;
  console.log = (s: string) => void logged.push(s);
  try {
    assert.is(await crf.run([p('img.png'), p('hwc.npy'), '--q-out', p('qg.npy'), '--model', 'deeplab-v2', '--lattice', 'gpu']), 0);
  } finally {
    console.log = log;
  }
  assert.match(logged.join('\n'), /lattice \(gpu\) \d+ ms/);
  assert.equal(readNpy(readFileSync(p('qg.npy')), 'qg').data, expected.q);
});

test('crf CLI: overrides, --scores-kind unary and zero iterations', async () => {
  const unary = unaryFromLogits(logits, C);
  writeFileSync(p('u.npy'), writeNpy([H, W, C], unary));
  assert.is(await crf.run([p('img.png'), p('u.npy'), '--scores-kind', 'unary', '--iterations', '0', '--q-out', p('q0.npy')]), 0);
  const expected = await denseCrf(await getDevice(), image, unary, C, { ...CRF_DEFAULTS['deeplab-largefov'], iterations: 0 });
  assert.equal(readNpy(readFileSync(p('q0.npy')), 'q0').data, expected.q);
});

test('crf CLI: refuses bad usage, clobbering inputs, and ambiguous or mismatched scores', async () => {
  await rejects(() => crf.run([p('img.png'), p('hwc.npy')]), UsageError, /nothing to write/);
  await rejects(() => crf.run([p('img.png'), p('hwc.npy'), '-o', p('hwc.npy')]), UsageError, /is an input/);
  await rejects(() => crf.run([p('img.png'), p('hwc.npy'), '-o', p('a.png'), '--q-out', p('a.png')]), UsageError, /same file/);
  await rejects(() => crf.run([p('img.png'), p('hwc.npy'), '-o', p('a.png'), '--bi-xy-std', 'wide']), UsageError, /--bi-xy-std needs a number/);
  await rejects(() => crf.run([p('img.png'), p('hwc.npy'), '-o', p('a.png'), '--model', 'nope']), UsageError, /unknown --model/);
  await rejects(() => crf.run([p('img.png'), p('hwc.npy'), '-o', p('a.png'), '--layout', 'nhwc']), UsageError, /--layout/);
  await rejects(() => crf.run([p('img.png'), p('hwc.npy'), '-o', p('a.png'), '--storage', 'f64']), UsageError, /--storage must be f32 or f16/);
  await rejects(() => crf.run([p('img.png'), p('hwc.npy'), '-o', p('a.png'), '--lattice', 'tpu']), UsageError, /--lattice must be cpu or gpu/);
  await rejects(() => crf.run([p('img.png'), p('missing.npy'), '-o', p('a.png')]), UsageError, /does not exist/);
  await rejects(() => crf.run([p('img.png'), p('hwc.npy'), '-o', p('a.png'), '--pos-xy-std', '0']), CrfError, /posXyStd/);
  assert.ok(!existsSync(p('a.png')), 'no output after a failure');
  // Shape inference.
  const sq = new Float32Array(3 * 3 * 3);
  assert.throws(() => scoresToHWC([3, 3, 3], sq, 3, 3, undefined, 's.npy'), (e: Error) => e instanceof CrfError && /both.*--layout/.test(e.message));
  assert.is(scoresToHWC([3, 3, 3], sq, 3, 3, 'chw', 's.npy').c, 3);
  assert.throws(() => scoresToHWC([H, W + 1, C], logits, W, H, undefined, 's.npy'), (e: Error) => e instanceof CrfError && /neither/.test(e.message));
  assert.throws(() => scoresToHWC([H, W, C], logits, W, H, 'chw', 's.npy'), (e: Error) => e instanceof CrfError && /--layout chw needs/.test(e.message));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
