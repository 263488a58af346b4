import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { golden, loadGolden, repoRoot } from '../helpers/assert.ts';
import { readPth } from '../../src/nn/pth.ts';
import { WeightFileError } from '../../src/nn/safetensors.ts';
import { parseWeights } from '../../src/nn/weights.ts';
import { Mulberry32 } from '../helpers/prng.ts';

// Files written by torch.save itself (tests/golden/pth.py); the expected tensors are PyTorch's.
const g = loadGolden('pth');
const dir = `${repoRoot}/tests/fixtures/pth`;
const file = (f: string) => readFileSync(`${dir}/${f}`);

for (const f of ['state_zip.pth', 'state_legacy.pth', 'checkpoint.pth', 'checkpoint_model.pth']) {
  test(`${f}: every tensor as PyTorch holds it (views, offsets, shared storage, f16, f64, int64)`, () => {
    const t = parseWeights(file(f), f);
    assert.is(t.format, 'pth');
    const names = [...g.keys()];
    assert.equal([...t.tensors.keys()], names, 'names, in the file order');
    for (const name of names) {
      const ref = golden(g, name);
      const got = t.tensors.get(name)!;
      // A 0-d tensor (PyTorch shape []) is stored 1-d in the fixture (numpy's ascontiguousarray).
      assert.equal(got.shape, name === 'bn.num_batches_tracked' ? [] : ref.shape, `${name} shape`);
      assert.equal([...got.data], [...ref.data], `${name} values`);
    }
    assert.is(t.tensors.get('bn.num_batches_tracked')!.dtype, 'I64');
    assert.is(t.tensors.get('half')!.dtype, 'F16', 'the file\'s dtype');
    assert.ok(t.tensors.get('half')!.data instanceof Float32Array, 'f16 widened');
    assert.is(t.tensors.get('brain')!.dtype, 'BF16');
  });
}

test('an int64 past the int32 range is refused naming the tensor and value, not wrapped', () => {
  assert.throws(() => readPth(file('big_int.pth'), 'big_int.pth'), (e: Error) => e instanceof WeightFileError && /^big_int\.pth: tensor "steps" holds the int64 value 1099511627776/.test(e.message));
});

test('a pickled module, a truncated file and a compressed zip are refused naming the problem', () => {
  assert.throws(() => readPth(file('module.pth'), 'module.pth'), (e: Error) => e instanceof WeightFileError && /module\.pth: .*calls torch\.nn\.modules\.linear\.Linear|module\.pth: .*state dict/.test(e.message));
  for (const f of ['state_zip.pth', 'state_legacy.pth']) {
    const cut = file(f).subarray(0, 1500);
    assert.throws(() => readPth(cut, 'cut.pth'), (e: Error) => e instanceof WeightFileError && /^cut\.pth: .*(truncated|damaged)/.test(e.message), f);
  }
  const zip = Uint8Array.from(file('state_zip.pth'));
  // Mark every central-directory entry as deflated (method 8).
  for (let i = 0; i + 4 <= zip.length; i++) if (zip[i] === 0x50 && zip[i + 1] === 0x4b && zip[i + 2] === 1 && zip[i + 3] === 2) zip[i + 10] = 8;
  assert.throws(() => readPth(zip, 'z.pth'), (e: Error) => e instanceof WeightFileError && /compressed \(method 8\)/.test(e.message));
});

test('damaged files (seeded truncations and byte changes) only ever raise WeightFileErrors', () => {
  const r = new Mulberry32(5).fill(4000);
  for (const f of ['state_zip.pth', 'state_legacy.pth']) {
    const orig = file(f);
    for (let i = 0; i < 400; i++) {
      let b = Uint8Array.from(orig);
      if (i % 2) b = b.subarray(0, Math.floor(Math.abs(r[i]) * b.length));
      else for (let j = 0; j < 3; j++) b[Math.floor(Math.abs(r[(i * 3 + j) % 4000]) * b.length)] = Math.floor(Math.abs(r[(i + j * 7) % 4000]) * 256);
      try {
        readPth(b, 'x.pth');
      } catch (e) {
        assert.instance(e, WeightFileError, `${f} case ${i}: ${(e as Error).message}`);
      }
    }
  }
});

test.run();
