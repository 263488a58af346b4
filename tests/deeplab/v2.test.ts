import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { getDevice } from '../helpers/device.ts';
import { golden, loadGolden, repoRoot } from '../helpers/assert.ts';
import { assertBatchOfTwo, assertScores, assertTinyInputs } from '../helpers/models.ts';
import { createModel, type CreateModelOptions } from '../../src/deeplab/models.ts';
import { resnetConvs, resnetLayers } from '../../src/deeplab/v2_resnet_arch.ts';
import { WeightFileError, parseSafetensors } from '../../src/nn/safetensors.ts';
import { readPth } from '../../src/nn/pth.ts';
import { AtrousError, ShapeError } from '../../src/tensor/errors.ts';

// Reference: tests/golden/deeplab_v2.py, an independent PyTorch (float64) implementation of the
// DeepLab v2 ResNet-101 test prototxt, BatchNorm and Scale layers unfolded.
const g = loadGolden('deeplab_v2');
const dir = `${repoRoot}/tests/fixtures/deeplab_v2`;
const REDUCED = { stem: 4, res2: 2, res3: 4, res4: 4, res5: 8 };
const MODEL = 'deeplab-v2-resnet101';
const img = (() => {
  const t = golden(g, 'image');
  return { height: t.shape[0], width: t.shape[1], data: Uint8Array.from(t.data) };
})();

/** Scores must match to 1e-4 relative: max abs error ≤ 1e-4 · (1 + max |ref|). */
async function checkScores(opts: CreateModelOptions, key: string, what: string) {
  const dev = await getDevice();
  const live = dev.liveTensors;
  const m = await createModel(dev, MODEL, opts);
  await assertScores(m, img, golden(g, key), what);
  m.dispose();
  assert.is(dev.liveTensors, live, `${what}: every tensor is released after dispose()`);
}

test('deeplab-v2-resnet101: three-scale (MSC, MAX fusion) scores match PyTorch from the safetensors and the caffemodel', async () => {
  await checkScores({ weights: `${dir}/resnet101.safetensors` }, 'scores.msc', 'safetensors');
  // The caffemodel carries no metadata; its bn_conv1 blobs are stored 1×C×1×1.
  await checkScores({ weights: `${dir}/resnet101.caffemodel`, widths: REDUCED, numClasses: 5 }, 'scores.msc', 'caffemodel');
});

test('deeplab-v2-resnet101: kazuto1011/deeplab-pytorch\'s .pth names (the same weights, PyTorch BatchNorms) give the same scores', async () => {
  await checkScores({ weights: `${dir}/resnet101_kazuto.pth`, widths: REDUCED, numClasses: 5 }, 'scores.msc', 'kazuto .pth');
  const dev = await getDevice();
  const t = readPth(readFileSync(`${dir}/resnet101_kazuto.pth`));
  t.set('base.layer4.block30.reduce.conv.weight', t.get('base.layer4.block1.reduce.conv.weight')!);
  t.delete('base.aspp.c2.bias');
  await createModel(dev, MODEL, { weights: t, widths: REDUCED, numClasses: 5 }).then(
    () => assert.unreachable(),
    (e: Error) => {
      for (const s of ['missing fc1_voc12_c2.bias [5]', 'unexpected base.layer4.block30.reduce.conv.weight']) assert.ok(e instanceof WeightFileError && e.message.includes(s), e.message);
    },
  );
});

test('deeplab-v2-resnet101: a batch of two gives each image its own scores (three scales)', async () => {
  const dev = await getDevice();
  const m = await createModel(dev, MODEL, { weights: `${dir}/resnet101.safetensors` });
  const x = m.preprocess(img);
  await assertBatchOfTwo(m, (await x.download()) as Float32Array, [img.height, img.width], MODEL);
  x.dispose();
  m.dispose();
});

test('deeplab-v2-resnet101: one scale matches PyTorch', async () => {
  await checkScores({ weights: `${dir}/resnet101.safetensors`, scales: [1] }, 'scores.single', 'scales [1]');
});

test('deeplab-v2-resnet101 at full width has the conv weights of torchvision\'s ResNet-101 (+ the ASPP head)', () => {
  const l = resnetLayers();
  const backbone = resnetConvs(l).filter((c) => c.bn).reduce((a, c) => a + c.out * c.in * c.k * c.k, 0);
  assert.is(backbone, golden(g, 'torchvision_resnet101_conv_weights').data[0]);
  assert.is(l.units.length, 33);
  assert.equal(
    l.head.map((h) => [h.name, h.dilation, h.in, h.out]),
    [6, 12, 18, 24].map((r, i) => [`fc1_voc12_c${i}`, r, 2048, 21]),
  );
});

test('deeplab-v2-resnet101: tiny and odd inputs give finite scores of the input\'s size', async () => {
  const dev = await getDevice();
  const m = await createModel(dev, MODEL, { widths: REDUCED, numClasses: 3 });
  await assertTinyInputs(m, MODEL);
  m.dispose();
});

test('deeplab-v2-resnet101: wrong weights, scales and options are refused, naming the problem', async () => {
  const dev = await getDevice();
  const v1 = `${repoRoot}/tests/fixtures/deeplab_v1/deeplab-largefov`;
  await createModel(dev, MODEL, { weights: `${v1}.safetensors` }).then(
    () => assert.unreachable('accepted v1 weights'),
    (e: Error) => assert.ok(e instanceof WeightFileError && e.message.includes('metadata says it holds "deeplab-largefov", a VGG16 model; use --model deeplab-largefov'), e.message),
  );
  await createModel(dev, MODEL, { weights: `${v1}.caffemodel`, widths: REDUCED, numClasses: 5 }).then(
    () => assert.unreachable('accepted v1 weights'),
    (e: Error) => {
      assert.instance(e, WeightFileError);
      for (const s of ['weights for deeplab-v2-resnet101', 'missing conv1.weight [4, 3, 7, 7]', 'unexpected conv1_1.weight [4, 3, 3, 3]']) {
        assert.ok(e.message.includes(s), `message lacks "${s}": ${e.message}`);
      }
    },
  );
  const t = parseSafetensors(readFileSync(`${dir}/resnet101.safetensors`));
  t.delete('bn4b7_branch2b.blob2');
  t.set('scale3a_branch1.weight', { ...t.get('scale3a_branch1.weight')!, shape: [2, 8] });
  await createModel(dev, MODEL, { weights: t, widths: REDUCED, numClasses: 5 }).then(
    () => assert.unreachable(),
    (e: Error) => {
      for (const s of ['missing bn4b7_branch2b.blob2 [1]', 'scale3a_branch1.weight is [2, 8], expected [16]']) assert.ok(e instanceof WeightFileError && e.message.includes(s), e.message);
    },
  );
  for (const scales of [[0.75], [1, 0.6], [1, 0.5, 0.5]] as never[]) {
    await createModel(dev, MODEL, { widths: REDUCED, scales }).then(
      () => assert.unreachable(JSON.stringify(scales)),
      (e: Error) => assert.ok(e instanceof ShapeError && /the first must be 1, the others 0\.75 and\/or 0\.5/.test(e.message), e.message),
    );
  }
  await createModel(dev, MODEL, { widths: REDUCED, canvas: 513 }).then(
    () => assert.unreachable(),
    (e: Error) => assert.ok(e instanceof AtrousError && /canvas option is for the v1 models/.test(e.message), e.message),
  );
  await createModel(dev, 'deeplab-largefov', { scales: [1] }).then(
    () => assert.unreachable(),
    (e: Error) => assert.ok(e instanceof AtrousError && /scales option is for deeplab-v2-resnet101/.test(e.message), e.message),
  );
});

test.run();
