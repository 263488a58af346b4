import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { getDevice } from '../helpers/device.ts';
import { assertScores, assertTinyInputs } from '../helpers/models.ts';
import { assertClose, golden, loadGolden, maxAbs, repoRoot } from '../helpers/assert.ts';
import { createModel, type SegmentationModel } from '../../src/deeplab/models.ts';
import { CRF_DEFAULTS } from '../../src/deeplab/crf.ts';
import { V1_VARIANTS, v1Layers, v1PaddedSize } from '../../src/deeplab/v1_arch.ts';
import { WeightFileError, parseSafetensors } from '../../src/nn/safetensors.ts';
import { parseWeights } from '../../src/nn/weights.ts';
import { ShapeError, AtrousError } from '../../src/tensor/errors.ts';

// Reference: tests/golden/deeplab_v1.py, an independent PyTorch (float64) implementation of the prototxts.
const g = loadGolden('deeplab_v1');
const dir = `${repoRoot}/tests/fixtures/deeplab_v1`;
const REDUCED = { conv1: 4, conv2: 8, conv3: 8, conv4: 16, conv5: 16, fc6: 24, fc7: 24, msc: 8 };
const image = (key: string) => {
  const t = golden(g, key);
  return { height: t.shape[0], width: t.shape[1], data: Uint8Array.from(t.data) };
};

/** Scores must match to 1e-4 relative: max abs error ≤ 1e-4 · (1 + max |ref|). */
const checkScores = (m: SegmentationModel, img: ReturnType<typeof image>, key: string, what: string) => assertScores(m, img, golden(g, key), what);

test('parameter counts match the paper (Table 2) and the published LargeFOV', () => {
  const count = (variant: (typeof V1_VARIANTS)[number]) => v1Layers({ variant }).reduce((a, l) => a + l.out * l.in * l.k * l.k + l.out, 0);
  assert.is(count('deeplab-largefov'), 20_505_429);
  for (const [v, millions] of [['deeplab', 65.1], ['deeplab-4x4', 65.1], ['deeplab-7x7', 134.3]] as const) assert.is((count(v) / 1e6).toFixed(1), String(millions), v);
});

test('inputs are padded to sizes the net maps onto itself: 16k+2 (basic), 8k+1 (others)', () => {
  assert.equal([1, 2, 3, 18, 19, 513, 514].map((n) => v1PaddedSize('deeplab', n)), [2, 2, 18, 18, 34, 514, 514]);
  assert.equal([1, 2, 9, 10, 500, 513].map((n) => v1PaddedSize('deeplab-largefov', n)), [1, 9, 9, 17, 505, 513]);
});

test('preprocess: RGB u8 → BGR minus the Caffe means, as PyTorch computes it', async () => {
  const dev = await getDevice();
  const m = await createModel(dev, 'deeplab-largefov', { widths: REDUCED, numClasses: 5 });
  const x = m.preprocess(image('image'));
  assert.equal([...x.shape], [1, 3, 35, 44]);
  assertClose(await x.download(), golden(g, 'input').data, { atol: 0 }, 'preprocessed input');
  x.dispose();
  assert.throws(() => m.preprocess({ width: 4, height: 4, data: new Uint8Array(40) }), (e: Error) => e instanceof ShapeError && /needs 48 bytes/.test(e.message));
  m.dispose();
});

for (const variant of V1_VARIANTS) {
  test(`${variant}: scores match PyTorch from the safetensors and the caffemodel (35×44 input)`, async () => {
    const dev = await getDevice();
    const live = dev.liveTensors;
    const a = await createModel(dev, variant, { weights: `${dir}/${variant}.safetensors` });
    assert.is(a.numClasses, 5, 'num_classes from metadata');
    assert.equal(a.classes, ['a', 'b', 'c', 'd', 'e']);
    await checkScores(a, image('image'), `${variant}.scores`, `${variant} (safetensors)`);
    a.dispose();
    const b = await createModel(dev, variant, { weights: `${dir}/${variant}.caffemodel`, widths: REDUCED, numClasses: 5 });
    await checkScores(b, image('image'), `${variant}.scores`, `${variant} (caffemodel)`);
    b.dispose();
    assert.is(dev.liveTensors, live, 'every tensor is released after dispose()');
  });
}

test('the COCO-pretrained releases run their base architecture with their own CRF settings', async () => {
  const dev = await getDevice();
  for (const [alias, base] of [['deeplab-coco-largefov', 'deeplab-largefov'], ['deeplab-msc-coco-largefov', 'deeplab-msc-largefov']]) {
    const m = await createModel(dev, alias, { weights: `${dir}/${base}.safetensors` });
    assert.is(m.name, alias);
    await checkScores(m, image('image'), `${base}.scores`, alias);
    m.dispose();
  }
  assert.equal(CRF_DEFAULTS['deeplab-coco-largefov'], { iterations: 10, posW: 3, posXyStd: 3, biW: 5, biXyStd: 69, biRgbStd: 5 });
  assert.equal(CRF_DEFAULTS['deeplab-msc-coco-largefov'], { iterations: 10, posW: 3, posXyStd: 3, biW: 4, biXyStd: 59, biRgbStd: 5 });
});

test('deeplab-largefov padded to a fixed 57×57 canvas (as Caffe pads to crop_size) matches PyTorch', async () => {
  const dev = await getDevice();
  const m = await createModel(dev, 'deeplab-largefov', { weights: `${dir}/deeplab-largefov.safetensors`, canvas: 57 });
  await checkScores(m, image('image'), 'deeplab-largefov.canvas57.scores', 'largefov canvas 57');
  m.dispose();
});

test('a batch of two images gives each image\'s scores (deeplab-msc)', async () => {
  const dev = await getDevice();
  const m = await createModel(dev, 'deeplab-msc', { weights: `${dir}/deeplab-msc.safetensors` });
  const one = golden(g, 'input').data;
  const two = new Float32Array(one.length * 2);
  two.set(one);
  two.set(one.map((v) => -v), one.length); // the second image: the negated input, a different picture
  const x = dev.tensor(two, [2, 3, 35, 44]);
  const y = m.forward(x);
  assert.equal([...y.shape], [2, 5, 35, 44]);
  const got = await y.download();
  const ref = golden(g, 'deeplab-msc.scores').data;
  assertClose(got.subarray(0, ref.length), ref, { atol: 1e-4 * (1 + maxAbs(ref)) }, 'batch item 0');
  const x1 = dev.tensor(two.subarray(one.length), [1, 3, 35, 44]);
  const y1 = m.forward(x1);
  assertClose(got.subarray(ref.length), await y1.download(), { atol: 1e-5 * (1 + maxAbs(ref)) }, 'batch item 1 = the same image alone');
  for (const t of [x, y, x1, y1]) t.dispose();
  m.dispose();
});

test('deeplab-largefov at full width (20.5M mulberry32 weights), 45×38 input padded to 49×41', async () => {
  const dev = await getDevice();
  const m = await createModel(dev, 'deeplab-largefov', { seed: 1234 });
  assert.is(m.numClasses, 21);
  assert.is(m.classes?.[15], 'person');
  await checkScores(m, image('full.image'), 'full.scores', 'full LargeFOV');
  m.dispose();
});

test('weights for another variant are refused, naming what is missing and unexpected', async () => {
  const dev = await getDevice();
  await createModel(dev, 'deeplab-largefov', { weights: `${dir}/deeplab-msc.safetensors` }).then(
    () => assert.unreachable('accepted deeplab-msc weights'),
    (e: Error) => {
      assert.instance(e, WeightFileError);
      for (const s of ['weights for deeplab-largefov', 'deeplab-msc.safetensors', 'missing fc8_voc12.weight [5, 24, 1, 1]', 'unexpected fc8_pascal.weight [5, 24, 1, 1]', 'fc6.weight is [24, 16, 4, 4], expected [24, 16, 3, 3]', 'the file\'s metadata says it holds "deeplab-msc"']) {
        assert.ok(e.message.includes(s), `message lacks "${s}": ${e.message}`);
      }
    },
  );
});

test('a mis-shaped tensor, a truncated file and a foreign file are refused with WeightFileErrors', async () => {
  const dev = await getDevice();
  const t = parseSafetensors(readFileSync(`${dir}/deeplab-largefov.safetensors`));
  t.set('conv1_2.weight', { ...t.get('conv1_2.weight')!, shape: [4, 4, 9, 1] });
  await createModel(dev, 'deeplab-largefov', { weights: t, widths: REDUCED, numClasses: 5 }).then(
    () => assert.unreachable(),
    (e: Error) => assert.ok(e instanceof WeightFileError && e.message.includes('conv1_2.weight is [4, 4, 9, 1], expected [4, 4, 3, 3]'), e.message),
  );
  const tmp = mkdtempSync(`${tmpdir()}/atrous-v1-`);
  writeFileSync(`${tmp}/cut.caffemodel`, readFileSync(`${dir}/deeplab-largefov.caffemodel`).subarray(0, 40000));
  for (const [file, pattern] of [[`${tmp}/cut.caffemodel`, /cut\.caffemodel: .*truncated/], [`${repoRoot}/README.md`, /README\.md: /]] as const) {
    await createModel(dev, 'deeplab-largefov', { weights: file }).then(
      () => assert.unreachable(file),
      (e: Error) => assert.ok(e instanceof WeightFileError && pattern.test(e.message), e.message),
    );
  }
  rmSync(tmp, { recursive: true });
});

/** Where each top-level protobuf field of a caffemodel ends (its layers, for NetParameter). */
function topLevelEnds(b: Uint8Array): number[] {
  const ends: number[] = [];
  let i = 0;
  const varint = () => {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const x = b[i++];
      v += (x & 127) * 2 ** shift;
      if (x < 128) return v;
    }
  };
  while (i < b.length) {
    const wire = varint() & 7;
    if (wire === 0) varint();
    else if (wire === 2) {
      const len = varint(); // apart: `i += varint()` would add to i's value from before the call
      i += len;
    }
    else throw new Error(`wire type ${wire} at the top level`);
    ends.push(i);
  }
  return ends;
}

test('a caffemodel cut between two layers (it still parses) is refused as cut short, not as another model', async () => {
  const dev = await getDevice();
  const whole = readFileSync(`${dir}/deeplab-largefov.caffemodel`);
  const ends = topLevelEnds(whole);
  assert.is(ends.at(-1), whole.length);
  const cut = ends.find((e) => e > whole.length / 2)!;
  const tensors = parseWeights(whole.subarray(0, cut), 'cut.caffemodel').tensors;
  assert.ok(tensors.size > 0 && tensors.size < 32, `${tensors.size} tensors`);
  await createModel(dev, 'deeplab-largefov', { weights: tensors, widths: REDUCED, numClasses: 5 }).then(
    () => assert.unreachable(),
    (e: Error) => assert.ok(e instanceof WeightFileError && new RegExp(`first ${tensors.size} of 32 tensors and nothing else: is it cut short`).test(e.message), e.message),
  );
});

test('tiny and odd inputs (1×1, 2×3, 17×9) give finite scores of the input\'s size', async () => {
  const dev = await getDevice();
  for (const variant of V1_VARIANTS) {
    const m = await createModel(dev, variant, { widths: REDUCED, numClasses: 3 });
    await assertTinyInputs(m, variant);
    m.dispose();
  }
});

test('unknown model names and wrong inputs are refused', async () => {
  const dev = await getDevice();
  await createModel(dev, 'deeplab-v9').then(
    () => assert.unreachable(),
    (e: Error) => assert.ok(e instanceof AtrousError && /unknown model "deeplab-v9"; the models are deeplab, deeplab-7x7/.test(e.message)),
  );
  const m = await createModel(dev, 'deeplab', { widths: REDUCED, numClasses: 3 });
  const x = dev.zeros([1, 4, 9, 9]);
  assert.throws(() => m.forward(x), (e: Error) => e instanceof ShapeError && /forward takes a preprocessed f32 image batch \[N, 3, H, W\], got \[1, 4, 9, 9\]/.test(e.message));
  x.dispose();
  m.dispose();
});

test.run();
