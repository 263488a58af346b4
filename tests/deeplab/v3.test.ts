import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { getDevice } from '../helpers/device.ts';
import { assertClose, golden, loadGolden, repoRoot } from '../helpers/assert.ts';
import { assertBatchOfTwo, assertScores, assertTinyInputs } from '../helpers/models.ts';
import { createModel, type CreateModelOptions } from '../../src/deeplab/models.ts';
import { v3Layers, v3WeightShapes } from '../../src/deeplab/v3_arch.ts';
import { Mulberry32 } from '../../src/nn/random.ts';
import { WeightFileError, type HostTensor } from '../../src/nn/safetensors.ts';
import { parseWeights } from '../../src/nn/weights.ts';
import { AtrousError, ShapeError } from '../../src/tensor/errors.ts';

// Reference: torchvision's own deeplabv3_resnet50 in float64 (tests/golden/deeplab_v3.py), with
// random weights both sides draw by one rule in torchvision's state-dict order.
const path = `${repoRoot}/tests/fixtures/deeplab_v3.safetensors`;
const g = loadGolden('deeplab_v3');
const meta = parseWeights(readFileSync(path), path).metadata;
const keys = (k: string) => JSON.parse(meta[k]) as [string, number[]][];
const used = (ks: [string, number[]][]) => ks.filter(([n]) => !n.endsWith('num_batches_tracked') && !n.startsWith('aux_classifier.'));

/** tests/golden/deeplab_v3.py's fill_rule, value for value. */
function randomState(ks: [string, number[]][], seed: number): Map<string, HostTensor> {
  const names = new Set(ks.map(([n]) => n));
  const rng = new Mulberry32(seed);
  const out = new Map<string, HostTensor>();
  for (const [k, shape] of ks) {
    const n = shape.reduce((a, b) => a * b, 1);
    const leaf = k.slice(k.lastIndexOf('.') + 1);
    const bn = names.has(`${k.slice(0, k.lastIndexOf('.'))}.running_mean`);
    if (leaf === 'num_batches_tracked') continue;
    let v: Float32Array;
    if (leaf === 'running_mean' || (bn && leaf === 'bias')) v = rng.fill(n, 0.2);
    else if (leaf === 'running_var') v = rng.fill(n, 0.5).map((x) => x + 1);
    else if (bn) v = rng.fill(n, 0.25).map((x) => x + 0.5);
    else if (leaf === 'weight') v = rng.fill(n, Math.sqrt(6 / (n / shape[0])));
    else v = rng.fill(n);
    out.set(k, { dtype: 'F32', shape, data: v });
  }
  return out;
}

test('deeplab-v3: our tensor names and shapes are torchvision\'s state dict, in its order (resnet50, resnet101)', () => {
  for (const [variant, key, nc] of [['deeplab-v3-resnet50', 'keys_resnet50_c5', 5], ['deeplab-v3-resnet101', 'keys_resnet101_c21', 21]] as const) {
    const ours = [...v3WeightShapes(v3Layers(variant, nc))];
    assert.equal(ours, used(keys(key)), variant);
  }
});

const image = () => {
  const im = golden(g, 'image');
  return { height: im.shape[0], width: im.shape[1], data: Uint8Array.from(im.data) };
};

/** The fixture's model (weights by the shared rule) with `opts`, held to `key` (to 1e-4 of its range, or `atol`) after `transform`. */
async function check(opts: CreateModelOptions, key: string, transform?: (y: Float32Array) => Float32Array, atol?: number) {
  const dev = await getDevice();
  const live = dev.liveTensors;
  const m = await createModel(dev, 'deeplab-v3-resnet50', { ...opts, weights: randomState(keys('keys_resnet50_c5'), 33) });
  await assertScores(m, image(), golden(g, key), key, { transform, atol });
  m.dispose();
  assert.is(dev.liveTensors, live, `${key}: every tensor is released after dispose()`);
}

test('deeplab-v3-resnet50 at output stride 16 with multi-grid (1, 2, 4) matches torchvision\'s parts so assembled', async () => {
  await check({ outputStride: 16, multiGrid: [1, 2, 4] }, 'scores.os16_grid124');
});

test('deeplab-v3-resnet50 with scales 0.75, 1, 1.25 and flip: the mean probabilities match PyTorch\'s', async () => {
  await check({ scales: [0.75, 1, 1.25], flip: true }, 'probs.msflip', (y) => y.map(Math.exp), 1e-5);
});

test('deeplab-v3-resnet50: a batch of two gives each image its own scores (two scales and flips)', async () => {
  const dev = await getDevice();
  const m = await createModel(dev, 'deeplab-v3-resnet50', { numClasses: 3, scales: [0.75, 1], flip: true });
  const x = m.preprocess({ width: 21, height: 17, data: Uint8Array.from({ length: 21 * 17 * 3 }, (_, i) => (i * 37) % 256) });
  await assertBatchOfTwo(m, (await x.download()) as Float32Array, [17, 21], 'deeplab-v3-resnet50');
  x.dispose();
  m.dispose();
});

test('deeplab-v3-resnet50: preprocessing and scores match torchvision (29×37 input)', async () => {
  const dev = await getDevice();
  const m = await createModel(dev, 'deeplab-v3-resnet50', { weights: randomState(keys('keys_resnet50_c5'), 33) });
  assert.is(m.numClasses, 5, 'classes from classifier.4.bias');
  const x = m.preprocess(image());
  assertClose(await x.download(), golden(g, 'input').data, { atol: 0, rtol: 0 }, 'preprocess');
  x.dispose();
  m.dispose();
  await check({}, 'scores');
});

test('deeplab-v3: tiny inputs give finite scores of their size; wrong weights and options are refused', async () => {
  const dev = await getDevice();
  const m = await createModel(dev, 'deeplab-v3-resnet50', { numClasses: 3 });
  await assertTinyInputs(m, 'deeplab-v3-resnet50');
  m.dispose();
  const state = randomState(keys('keys_resnet50_c5'), 1);
  state.delete('backbone.layer3.5.bn2.running_var');
  await createModel(dev, 'deeplab-v3-resnet101', { weights: state }).then(
    () => assert.unreachable('accepted resnet50 weights with one tensor missing'),
    (e: Error) => {
      for (const s of ['weights for deeplab-v3-resnet101', 'missing backbone.layer3.5.bn2.running_var [256]', 'missing backbone.layer3.6.conv1.weight']) {
        assert.ok(e instanceof WeightFileError && e.message.includes(s), e.message);
      }
    },
  );
  await createModel(dev, 'deeplab-v3-resnet50', { weights: `${repoRoot}/tests/fixtures/deeplab_v2/resnet101.safetensors` }).then(
    () => assert.unreachable(),
    (e: Error) => assert.ok(e instanceof WeightFileError && /holds "deeplab-v2-resnet101", a Caffe ResNet-101 model; use --model deeplab-v2-resnet101/.test(e.message), e.message),
  );
  await createModel(dev, 'deeplab-v3-resnet50', { canvas: 513 }).then(
    () => assert.unreachable(),
    (e: Error) => assert.ok(e instanceof AtrousError && /options are for the Caffe models/.test(e.message), e.message),
  );
  for (const [opts, pattern] of [
    [{ multiGrid: [1, 2] }, /multi-grid \[1,2\] needs 3 positive integers/],
    [{ outputStride: 32 }, /output stride 32; 8 or 16/],
    [{ scales: [0] }, /scales \[0\] must be numbers in \(0, 4\]/],
  ] as [CreateModelOptions, RegExp][]) {
    await createModel(dev, 'deeplab-v3-resnet50', opts).then(
      () => assert.unreachable(JSON.stringify(opts)),
      (e: Error) => assert.ok(e instanceof ShapeError && pattern.test(e.message), e.message),
    );
  }
  await createModel(dev, 'deeplab-largefov', { flip: true }).then(
    () => assert.unreachable(),
    (e: Error) => assert.ok(e instanceof AtrousError && /options are for DeepLab v3/.test(e.message), e.message),
  );
});

test.run();
