import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { repoRoot } from '../helpers/assert.ts';
import { checkWeights, loadWeightFile, parseWeights, sniffWeightFormat } from '../../src/nn/weights.ts';
import { WeightFileError, type HostTensor } from '../../src/nn/safetensors.ts';

const dir = `${repoRoot}/tests/fixtures/deeplab_v1`;

test('sniffs the format from the bytes, not the file name', () => {
  assert.is(sniffWeightFormat(readFileSync(`${dir}/deeplab.safetensors`)), 'safetensors');
  for (const v of ['deeplab', 'deeplab-msc', 'deeplab-4x4']) assert.is(sniffWeightFormat(readFileSync(`${dir}/${v}.caffemodel`)), 'caffemodel', v);
  assert.is(sniffWeightFormat(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0])), 'zip');
  assert.is(sniffWeightFormat(new Uint8Array([0x80, 2, 0x8a, 0x0a])), 'pickle');
  assert.is(sniffWeightFormat(new Uint8Array([0x89, 0x50, 0x4e, 0x47])), 'unknown'); // PNG
});

test('both formats give the same name → tensor map; safetensors metadata comes along', async () => {
  const st = await loadWeightFile(`${dir}/deeplab-largefov.safetensors`);
  const cm = await loadWeightFile(`${dir}/deeplab-largefov.caffemodel`);
  assert.is(st.format, 'safetensors');
  assert.is(cm.format, 'caffemodel');
  assert.is(st.metadata.model, 'deeplab-largefov');
  assert.is(st.metadata.num_classes, '5');
  assert.equal(JSON.parse(st.metadata.widths).fc6, 24);
  assert.equal(cm.metadata, {});
  assert.equal([...cm.tensors.keys()].sort(), [...st.tensors.keys()].sort());
  assert.equal(cm.tensors.get('fc8_voc12.bias')!.shape, [5], 'caffe 1x1x1xN biases become [N]');
  // Zero-copy: the tensors view the file's buffer.
  const a = st.tensors.get('conv1_1.weight')!.data;
  const b = st.tensors.get('fc7.weight')!.data;
  assert.ok(a.buffer === b.buffer && a.buffer.byteLength >= readFileSync(`${dir}/deeplab-largefov.safetensors`).length - 8192);
});

test('unreadable and foreign files are refused naming the file', async () => {
  await loadWeightFile(`${dir}/nope.caffemodel`).then(
    () => assert.unreachable(),
    (e: Error) => assert.ok(e instanceof WeightFileError && e.message.includes('nope.caffemodel'), e.message),
  );
  assert.throws(() => parseWeights(new Uint8Array([0x50, 0x4b, 3, 4, 9, 9, 9, 9]), 'm.pth'), (e: Error) => e instanceof WeightFileError && /^m\.pth: not a readable PyTorch zip/.test(e.message));
  assert.throws(() => parseWeights(readFileSync(`${repoRoot}/README.md`), 'README.md'), (e: Error) => e instanceof WeightFileError && /^README\.md: /.test(e.message));
  const cut = readFileSync(`${dir}/deeplab.safetensors`).subarray(0, 3000);
  assert.throws(() => parseWeights(cut, 'cut.safetensors'), (e: Error) => e instanceof WeightFileError && /^cut\.safetensors: .*truncated/.test(e.message));
});

test('checkWeights lists every missing, unexpected and mis-shaped tensor in one error', () => {
  const t = (shape: number[]): HostTensor => ({ dtype: 'F32', shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  const expected = new Map<string, number[]>([['a.weight', [2, 3, 1, 1]], ['a.bias', [2]], ['b.weight', [4, 2, 3, 3]]]);
  checkWeights(new Map([['a.weight', t([2, 3, 1, 1])], ['a.bias', t([2])], ['b.weight', t([4, 2, 3, 3])]]), expected, 'ok');
  assert.throws(
    () => checkWeights(new Map([['a.weight', t([2, 3, 3, 3])], ['a.bias', t([2])], ['c.weight', t([1])]]), expected, 'weights for m (f)'),
    (e: Error) =>
      e instanceof WeightFileError &&
      e.message.startsWith('weights for m (f): ') &&
      e.message.includes('a.weight is [2, 3, 3, 3], expected [2, 3, 1, 1]') &&
      e.message.includes('missing b.weight [4, 2, 3, 3]') &&
      e.message.includes('unexpected c.weight [1]'),
  );
  const ints = new Map([['a.weight', t([2, 3, 1, 1])], ['a.bias', { dtype: 'I32' as const, shape: [2], data: new Int32Array(2) }], ['b.weight', t([4, 2, 3, 3])]]);
  assert.throws(() => checkWeights(ints, expected, 'w'), (e: Error) => e instanceof WeightFileError && e.message.includes('a.bias holds I32, expected floating point'));
});

test.run();
