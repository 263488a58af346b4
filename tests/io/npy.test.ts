import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot } from '../helpers/assert.ts';
import { NpyError, readNpy, writeNpy } from '../../src/io/npy.ts';

const load = (name: string) => readNpy(readFileSync(`${repoRoot}/tests/fixtures/npy/${name}`), name);
const expected = Float32Array.from({ length: 24 }, (_, i) => (i - 7.5) / 4);

test('reads float32 arrays written by numpy.save (v1 and v2 headers, 0-d and 1-d)', () => {
  for (const f of ['f32_2x3x4.npy', 'f32_2x3x4_v2.npy']) {
    const a = load(f);
    assert.equal(a.shape, [2, 3, 4], f);
    assert.equal([...a.data], [...expected], f);
  }
  assert.equal(load('f32_scalar.npy'), { shape: [], data: Float32Array.of(2.5) });
  assert.equal(load('f32_vec5.npy').shape, [5]);
  assert.equal([...load('f32_vec5.npy').data], [0, 1, 2, 3, 4]);
});

test('refuses other dtypes, big-endian, Fortran order, junk and truncation with the remedy', () => {
  const refuses = (f: () => unknown, re: RegExp) => assert.throws(f, (e: Error) => e instanceof NpyError && re.test(e.message));
  refuses(() => load('f64_2x2.npy'), /float32.*<f8.*astype/);
  refuses(() => load('f32be_3.npy'), /big-endian/);
  refuses(() => load('f32_fortran_2x3.npy'), /Fortran/);
  refuses(() => readNpy(new TextEncoder().encode('hello world, not npy'), 'x.npy'), /x\.npy: not a NumPy/);
  const good = readFileSync(`${repoRoot}/tests/fixtures/npy/f32_2x3x4.npy`);
  refuses(() => readNpy(good.subarray(0, good.length - 4), 't.npy'), /truncated/);
});

test('writeNpy round-trips and aligns the data to 64 bytes like numpy.save', () => {
  const bytes = writeNpy([2, 3, 4], expected);
  assert.is((bytes.length - 96) % 64, 0);
  assert.equal([...bytes], [...readFileSync(`${repoRoot}/tests/fixtures/npy/f32_2x3x4.npy`)]);
  const one = readNpy(writeNpy([5], Float32Array.of(1, 2, 3, 4, 5)), 'w');
  assert.equal(one.shape, [5]);
  assert.throws(() => writeNpy([2, 2], new Float32Array(3)), (e: Error) => e instanceof NpyError);
});

test.run();
