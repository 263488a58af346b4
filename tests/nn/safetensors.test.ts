import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { golden, loadGolden } from '../helpers/assert.ts';
import { checkWeights } from '../../src/nn/weights.ts';
import { parseSafetensors, WeightFileError } from '../../src/nn/safetensors.ts';

// tests/golden/safetensors_dtypes.py: each tensor in its own dtype beside what PyTorch's
// .float() / .int() makes of it. Compared bit for bit (Object.is: -0 is not 0, NaN is NaN).
const g = loadGolden('safetensors_dtypes');

for (const [name, dtype] of [['f16', 'F16'], ['bf16', 'BF16'], ['f64', 'F64'], ['i64', 'I64']] as const) {
  test(`${dtype} tensors read as PyTorch converts them (signed zeros, subnormals, infinities, NaN, rounding)`, () => {
    const got = golden(g, name);
    const ref = golden(g, `${name}.expected`);
    assert.is(got.dtype, dtype, "the file's dtype");
    assert.ok(got.data instanceof (name === 'i64' ? Int32Array : Float32Array), 'a 32-bit array');
    assert.equal(got.shape, ref.shape);
    for (let i = 0; i < ref.data.length; i++) {
      assert.ok(Object.is(got.data[i], ref.data[i]), `${name}[${i}]: ${got.data[i]}, PyTorch ${ref.data[i]}`);
    }
  });
}

test('floating-point weights of every width pass the weight check; integers are named', () => {
  const only = (...names: string[]) => new Map(names.map((n) => [n, golden(g, n)]));
  checkWeights(only('f16', 'bf16', 'f64'), new Map([['f16', [2, 16]], ['bf16', [4, 8]], ['f64', [16]]]), 'dtypes.safetensors');
  assert.throws(() => checkWeights(only('i64'), new Map([['i64', [2, 3]]]), 'dtypes.safetensors'), (e: Error) => /i64 holds I64, expected floating point/.test(e.message));
});

test('an int64 past the int32 range is refused naming the tensor and value, not wrapped', () => {
  // A hand-made file: header, then one I64 tensor [2^31].
  const header = new TextEncoder().encode(JSON.stringify({ big: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }));
  const bytes = new Uint8Array(8 + header.length + 8);
  const dv = new DataView(bytes.buffer);
  dv.setBigUint64(0, BigInt(header.length), true);
  bytes.set(header, 8);
  dv.setBigInt64(8 + header.length, 2n ** 31n, true);
  assert.throws(() => parseSafetensors(bytes, 'big.safetensors'), (e: Error) => e instanceof WeightFileError && /^big\.safetensors: tensor "big" holds the int64 value 2147483648/.test(e.message));
  dv.setBigInt64(8 + header.length, -(2n ** 31n), true);
  assert.equal([...parseSafetensors(bytes, 'min.safetensors').get('big')!.data], [-(2 ** 31)], 'the int32 minimum fits');
});

test.run();
