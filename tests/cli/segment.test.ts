// The segment command end to end on the bundled demo model and samples (assets/demo, written by
// tools/train_demo.py), run in-process with the command's own device.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../src/cli/command.ts';
import { segment } from '../../src/cli/segment.ts';
import { Confusion } from '../../src/deeplab/miou.ts';
import { createModel } from '../../src/deeplab/models.ts';
import { decodeImage, decodeLabelPng, encodeRgbPng } from '../../src/io/image.ts';
import { readNpy } from '../../src/io/npy.ts';
import { assertClose, golden, loadGolden, repoRoot } from '../helpers/assert.ts';
import { getDevice } from '../helpers/device.ts';

const tmp = mkdtempSync(join(tmpdir(), 'atrous-segment-'));
const sample = (f: string) => join(repoRoot, 'assets', 'demo', f);

/** Runs the command, returning its exit code and what it wrote to stderr. */
async function run(args: string[]): Promise<{ code: number; err: string }> {
  const write = process.stderr.write.bind(process.stderr);
  const log = console.log;
  let err = '';
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  console.log = () => {};
  try {
    return { code: await segment.run(args), err };
  } finally {
    process.stderr.write = write;
    console.log = log;
  }
}

async function usageError(args: string[], msg: RegExp): Promise<void> {
  try {
    await run(args);
  } catch (e) {
    assert.ok(e instanceof UsageError, `expected a UsageError, got ${e}`);
    assert.match((e as Error).message, msg);
    return;
  }
  assert.unreachable(`${args.join(' ')} should be refused`);
}

test('bad usage is refused before any work (exit 2 via UsageError)', async () => {
  await usageError([], /at least one image/);
  await usageError(['--bogus', sample('sample1.png')], /bogus/);
  await usageError([join(tmp, 'nope.png')], /no such file/);
  await usageError(['--model', 'deeplab-9x9', sample('sample1.png')], /not one of deeplab, deeplab-7x7/);
  await usageError(['--model', 'deeplab', sample('sample1.png'), '-o', tmp], /needs --weights/);
  await usageError(['--scores-out', join(tmp, 's.npy'), sample('sample1.png'), sample('sample2.png'), '-o', tmp], /must contain \{name\}/);
  await usageError(['--scales', '1', sample('sample1.png'), '-o', tmp], /--scales is for --model deeplab-v2-resnet101 and DeepLab v3/);
  await usageError(['--flip', sample('sample1.png'), '-o', tmp], /--flip is for DeepLab v3/);
  await usageError(['--crf-storage', 'f16', sample('sample1.png'), '-o', tmp], /--crf-storage is for --crf/);
  await usageError(['--crf', '--crf-storage', 'f8', sample('sample1.png'), '-o', tmp], /--crf-storage must be f32 or f16/);
  await usageError(['--max-size', '0', sample('sample1.png'), '-o', tmp], /--max-size must be a positive integer/);
  await usageError(['--max-size', '64.5', sample('sample1.png'), '-o', tmp], /--max-size must be a positive integer/);
  await usageError(['--output-stride', '16', sample('sample1.png'), '-o', tmp], /--output-stride is for DeepLab v3/);
  const pth = join(repoRoot, 'tests/fixtures/pth/state_zip.pth');
  await usageError(['--model', 'deeplab-v3-resnet50', '--weights', pth, '--crf', sample('sample1.png'), '-o', tmp], /no published CRF settings \(DeepLab v3 uses none\)/);
  await usageError(['--model', 'deeplab-v3-resnet50', '--weights', pth, '--scales', '1,0', sample('sample1.png'), '-o', tmp], /--scales 1,0: give numbers in \(0, 4\]/);
  await usageError(['--model', 'deeplab-v3-resnet50', '--weights', pth, '--output-stride', '32', sample('sample1.png'), '-o', tmp], /--output-stride 32: 8 or 16/);
  const v2 = ['--model', 'deeplab-v2-resnet101', '--weights', join(repoRoot, 'tests/fixtures/deeplab_v2/resnet101.safetensors')];
  for (const bad of ['0.75', '1,0.6', '1,0.5,0.5', '1,'])
    await usageError([...v2, '--scales', bad, sample('sample1.png'), '-o', tmp], /give 1, then 0\.75 and\/or 0\.5/);
  // An input named like an output, segmented into its own folder, would be overwritten.
  const dir = join(tmp, 'clash');
  mkdirSync(dir);
  copyFileSync(sample('sample1.png'), join(dir, 'a.png'));
  copyFileSync(sample('sample1.png'), join(dir, 'a_labels.png'));
  await usageError([join(dir, 'a.png'), join(dir, 'a_labels.png'), '-o', dir], /would overwrite the input/);
  await usageError(['--scores-out', join(dir, 'a.png'), join(dir, 'a.png'), '-o', join(tmp, 'x')], /would overwrite the input/);
  assert.equal(readdirSync(dir).sort(), ['a.png', 'a_labels.png']);
});

test('a sample gives VOC label and overlay PNGs that fit the ground truth, and scores whose argmax is the labels', async () => {
  const out = join(tmp, 'one');
  const { code, err } = await run([sample('sample1.png'), '-o', out, '--scores-out', join(out, 'scores.npy')]);
  assert.is(code, 0, err);
  const labelPng = readFileSync(join(out, 'sample1_labels.png'));
  assert.is(labelPng[25], 3, 'palette PNG');
  const { width, height, labels } = decodeLabelPng(labelPng, 'labels');
  const gt = decodeLabelPng(readFileSync(sample('sample1_gt.png')), 'gt').labels;
  const c = new Confusion(6);
  c.add(labels, gt);
  assert.ok(c.meanIou() > 0.6, `mIoU ${c.meanIou()} against the ground truth`);
  const ov = decodeImage(readFileSync(join(out, 'sample1_overlay.png')), 'overlay');
  assert.equal([ov.width, ov.height], [width, height]);
  const npy = readNpy(readFileSync(join(out, 'scores.npy')), 'scores.npy');
  assert.equal(npy.shape, [height, width, 6]);
  for (let i = 0; i < width * height; i++) {
    const s = npy.data.subarray(i * 6, i * 6 + 6);
    assert.is(s.indexOf(Math.max(...s)), labels[i], `pixel ${i}`);
  }
});

test('deeplab-v2-resnet101 with --scales 1 segments, and its scores are the one-scale forward\'s', async () => {
  const out = join(tmp, 'v2');
  const weights = join(repoRoot, 'tests/fixtures/deeplab_v2/resnet101.safetensors');
  const { code, err } = await run(['--model', 'deeplab-v2-resnet101', '--weights', weights, '--scales', '1', sample('sample1.png'), '-o', out, '--scores-out', join(out, 's.npy')]);
  assert.is(code, 0, err);
  const dev = await getDevice();
  const m = await createModel(dev, 'deeplab-v2-resnet101', { weights, scales: [1] });
  const img = decodeImage(readFileSync(sample('sample1.png')), 'sample1');
  const y = dev.scope(() => m.forward(m.preprocess(img)));
  const chw = await y.download();
  y.dispose();
  m.dispose();
  const npy = readNpy(readFileSync(join(out, 's.npy')), 's.npy');
  const [h, w, c] = npy.shape;
  assert.equal([h, w, c], [img.height, img.width, 5]);
  for (const i of [0, 1234, h * w - 1]) for (let k = 0; k < c; k++) assert.is(npy.data[i * c + k], chw[k * h * w + i], `pixel ${i} class ${k}`);
});

test("the bundled model gives PyTorch's scores (tools/train_demo.py wrote them for a crop of sample1)", async () => {
  const g = loadGolden('demo_model');
  const img = golden(g, 'image');
  const [h, w] = img.shape;
  const crop = join(tmp, 'crop.png');
  writeFileSync(crop, encodeRgbPng({ width: w, height: h, data: Uint8Array.from(img.data) }));
  const { code, err } = await run([crop, '-o', join(tmp, 'crop-out'), '--scores-out', join(tmp, 'crop.npy')]);
  assert.is(code, 0, err);
  const npy = readNpy(readFileSync(join(tmp, 'crop.npy')), 'crop.npy');
  assert.equal(npy.shape, golden(g, 'scores').shape);
  assertClose(npy.data, golden(g, 'scores').data, { atol: 2e-3, rtol: 1e-4 }, 'scores');

  // With --crf the labels are the CRF's, but --scores-out still holds the scores from before it.
  const r = await run([crop, '--crf', '-o', join(tmp, 'crf-out'), '--scores-out', join(tmp, 'crf.npy')]);
  assert.is(r.code, 0, r.err);
  assertClose(readNpy(readFileSync(join(tmp, 'crf.npy')), 'crf.npy').data, npy.data, { atol: 0 }, 'scores with --crf');
  const crf = decodeLabelPng(readFileSync(join(tmp, 'crf-out', 'crop_labels.png')), 'crf labels');
  assert.equal([crf.width, crf.height], [w, h]);
  // float16 storage: the "differs" tolerance of docs/crf.md, ≥ 99.8 % of labels equal.
  const r16 = await run([crop, '--crf', '--crf-storage', 'f16', '-o', join(tmp, 'crf16-out')]);
  assert.is(r16.code, 0, r16.err);
  const crf16 = decodeLabelPng(readFileSync(join(tmp, 'crf16-out', 'crop_labels.png')), 'crf16 labels').labels;
  const same = crf16.reduce((s, l, i) => s + (l === crf.labels[i] ? 1 : 0), 0) / crf16.length;
  assert.ok(same >= 0.998, `f16 CRF labels equal to f32's: ${same}`);
});

test('--max-size: the model runs on the scaled-down image, labels and scores come back at full size', async () => {
  // sample2 is 161×161; at --max-size 96 the model sees 96×96.
  const labelsOf = (dir: string) => decodeLabelPng(readFileSync(join(tmp, dir, 'sample2_labels.png')), dir);
  const fused = join(tmp, 'max-fused');
  assert.is((await run([sample('sample2.png'), '--max-size', '96', '-o', fused])).code, 0);
  const withScores = join(tmp, 'max-scores');
  assert.is((await run([sample('sample2.png'), '--max-size', '96', '-o', withScores, '--scores-out', join(tmp, 'max.npy')])).code, 0);
  const a = labelsOf('max-fused');
  const b = labelsOf('max-scores');
  assert.equal([a.width, a.height], [161, 161]);
  // Labels straight from the small scores (resizeArgmax) = the argmax of the scores resized to full size.
  assert.equal(a.labels, b.labels);
  const npy = readNpy(readFileSync(join(tmp, 'max.npy')), 'max.npy');
  assert.equal(npy.shape, [161, 161, 6]);
  const [n, c] = [161 * 161, 6];
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < c; k++) if (npy.data[i * c + k] > npy.data[i * c + best]) best = k;
    if (best !== a.labels[i]) assert.unreachable(`pixel ${i}: label ${a.labels[i]}, argmax of the scores ${best}`);
  }
  // Still a fair segmentation at 60 % of the size, and a different one from full size (the flag acts).
  const gt = decodeLabelPng(readFileSync(sample('sample2_gt.png')), 'gt').labels;
  const conf = new Confusion(6);
  conf.add(a.labels, gt);
  assert.ok(conf.meanIou() > 0.4, `mIoU ${conf.meanIou()}`);
  assert.is((await run([sample('sample2.png'), '-o', join(tmp, 'max-none')])).code, 0);
  assert.not.equal(labelsOf('max-none').labels, a.labels);
  // A limit above the image's size changes nothing.
  assert.is((await run([sample('sample2.png'), '--max-size', '500', '-o', join(tmp, 'max-big')])).code, 0);
  assert.equal(labelsOf('max-big').labels, labelsOf('max-none').labels);
});

test('a folder with a damaged file: the others are done, exit 1, nothing partial left behind', async () => {
  const dir = join(tmp, 'folder');
  mkdirSync(dir);
  copyFileSync(sample('sample1.png'), join(dir, 'good.png'));
  writeFileSync(join(dir, 'bad.png'), readFileSync(sample('sample2.png')).subarray(0, 500));
  writeFileSync(join(dir, 'notes.txt'), 'not an image');
  const out = join(tmp, 'folder-out');
  const { code, err } = await run([dir, '-o', out]);
  assert.is(code, 1);
  assert.match(err, /bad\.png: truncated PNG/);
  assert.match(err, /1 of 2 images failed/);
  assert.equal(readdirSync(out).sort(), ['good_labels.png', 'good_overlay.png']);
});

test('an image too large for the device fails with the limit and the remedy named; --max-size runs it', async () => {
  const n = 2600; // conv1_1's output alone, 16 × n² floats, is over the 128 MiB binding limit
  const big = join(tmp, 'big.png');
  writeFileSync(big, encodeRgbPng({ width: n, height: n, data: new Uint8Array(n * n * 3).fill(90) }));
  const { code, err } = await run([big, '-o', join(tmp, 'big-out')]);
  assert.is(code, 1);
  assert.match(err, /big\.png: .*maxStorageBufferBindingSize/);
  assert.not.ok(existsSync(join(tmp, 'big-out', 'big_labels.png')));
  // The remedy is named, and it works: the model runs at 400 px, the labels come back full size.
  assert.match(err, /--max-size N runs the model on the image scaled down/);
  assert.is((await run([big, '--max-size', '400', '-o', join(tmp, 'big-max')])).code, 0);
  const l = decodeLabelPng(readFileSync(join(tmp, 'big-max', 'big_labels.png')), 'big');
  assert.equal([l.width, l.height], [n, n]);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test.run();
