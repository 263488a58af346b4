import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { radixSortPairs } from '../../src/kernels/radix_sort.ts';
import { LimitError } from '../../src/tensor/errors.ts';
import { getDevice } from '../helpers/device.ts';
import { Mulberry32 } from '../helpers/prng.ts';

const TILE = 4096;

/** n keys as (low, high) words, each drawn by `draw`, and values 0..n−1 (so the output values are the permutation). */
function pairs(n: number, draw: () => [number, number]): { keys: Uint32Array; values: Uint32Array } {
  const keys = new Uint32Array(2 * n);
  for (let i = 0; i < n; i++) [keys[2 * i], keys[2 * i + 1]] = draw();
  return { keys, values: Uint32Array.from({ length: n }, (_, i) => i) };
}

/** Key i's bits [0, bits) as a BigInt. */
function masked(keys: Uint32Array, i: number, bits: number): bigint {
  const k = (BigInt(keys[2 * i + 1]) << 32n) | BigInt(keys[2 * i]);
  return bits === 64 ? k : k & ((1n << BigInt(bits)) - 1n);
}

/** The stable order the GPU must produce: Array.prototype.sort is stable. */
function expectedOrder(keys: Uint32Array, n: number, bits: number): number[] {
  const k = Array.from({ length: n }, (_, i) => masked(keys, i, bits));
  return Array.from({ length: n }, (_, i) => i).sort((a, b) => (k[a] < k[b] ? -1 : k[a] > k[b] ? 1 : 0));
}

/** Sorts the first n pairs on the GPU and checks keys and values against the JS stable sort, and that the inputs are intact. */
async function check(keys: Uint32Array, values: Uint32Array, n: number, bits: number, what: string, digitBits?: number) {
  const dev = await getDevice();
  const k = dev.tensor(keys, [keys.length / 2, 2], 'u32');
  const v = dev.tensor(values, [values.length], 'u32');
  const out = radixSortPairs(dev, k, v, n, bits, digitBits);
  assert.equal([...out.keys.shape], [n, 2], `${what}: keys shape`);
  assert.equal([...out.values.shape], [n], `${what}: values shape`);
  const [gotK, gotV] = [await out.keys.download(), await out.values.download()];
  const order = expectedOrder(keys, n, bits);
  const wantK = new Uint32Array(2 * n);
  const wantV = new Uint32Array(n);
  order.forEach((j, i) => ((wantK[2 * i] = keys[2 * j]), (wantK[2 * i + 1] = keys[2 * j + 1]), (wantV[i] = values[j])));
  // First mismatch, not a full dump: these arrays run to 400k words.
  const firstDiff = (a: Uint32Array, b: Uint32Array) => a.findIndex((x, i) => x !== b[i]);
  assert.is(firstDiff(gotV, wantV), -1, `${what}: values differ from the stable order`);
  assert.is(firstDiff(gotK, wantK), -1, `${what}: keys differ from the stable order`);
  assert.is(firstDiff(await k.download(), keys), -1, `${what}: input keys were modified`);
  assert.is(firstDiff(await v.download(), values), -1, `${what}: input values were modified`);
  for (const t of [k, v, out.keys, out.values]) t.dispose();
}

test('random 64-bit keys, bits = 64: whole tiles and a ragged last tile', async () => {
  const r = new Mulberry32(1);
  for (const n of [TILE, 3 * TILE + 77]) {
    const { keys, values } = pairs(n, () => [r.nextU32(), r.nextU32()]);
    await check(keys, values, n, 64, `n = ${n}`);
  }
});

test('bits = 37 (keys < 2^37; the last pass has one bit) and bits = 32, 4, 1', async () => {
  const r = new Mulberry32(2);
  for (const bits of [37, 32, 4, 1]) {
    const n = 5000;
    const { keys, values } = pairs(n, () => (bits > 32 ? [r.nextU32(), r.nextU32() & ((1 << (bits - 32)) - 1)] : [bits === 32 ? r.nextU32() : r.nextU32() & ((1 << bits) - 1), 0]));
    await check(keys, values, n, bits, `bits = ${bits}`);
  }
});

test('many duplicates (keys 0..7) stay in input order: bits = 3 and bits = 64', async () => {
  const r = new Mulberry32(3);
  const n = 3 * TILE + 1001;
  const { keys, values } = pairs(n, () => [r.nextU32() & 7, 0]);
  await check(keys, values, n, 3, 'keys 0..7, bits = 3');
  await check(keys, values, n, 64, 'keys 0..7, bits = 64');
  // Duplicate 64-bit keys whose equal parts straddle the word boundary.
  const wide = pairs(n, () => [r.nextU32() & 1 ? 0xffffffff : 0, r.nextU32() & 3]);
  await check(wide.keys, wide.values, n, 64, 'keys from 8 values spread over both words');
});

test('key bits from `bits` up are ignored, not sorted on', async () => {
  const r = new Mulberry32(4);
  const n = 3000;
  const { keys, values } = pairs(n, () => [r.nextU32(), r.nextU32()]);
  await check(keys, values, n, 20, 'bits = 20 with garbage above');
  await check(keys, values, n, 45, 'bits = 45 with garbage above');
});

test('n = 1, n = 0, bits = 0 (a copy), and n smaller than the tensors', async () => {
  const r = new Mulberry32(5);
  const { keys, values } = pairs(4000, () => [r.nextU32(), r.nextU32()]);
  await check(keys, values, 1, 64, 'n = 1');
  await check(keys, values, 0, 64, 'n = 0');
  await check(keys, values, 3000, 0, 'bits = 0');
  await check(keys, values, 0, 0, 'n = 0, bits = 0');
  await check(keys, values, 2500, 64, 'n = 2500 of 4000');
});

test('narrower digits (the bench reference uses 1 bit) sort the same', async () => {
  const r = new Mulberry32(6);
  const n = 2 * TILE + 5;
  const { keys, values } = pairs(n, () => [r.nextU32() & 0x1fff, 0]);
  for (const digitBits of [1, 2, 3]) await check(keys, values, n, 13, `digitBits = ${digitBits}`, digitBits);
});

test('200k pairs (49 tiles), bits = 38 with clustered duplicates', async () => {
  const r = new Mulberry32(7);
  const n = 200_000;
  // Half the keys from a small set, so runs of equal keys span many tiles.
  const { keys, values } = pairs(n, () => (r.nextU32() & 1 ? [r.nextU32() & 0xff, 0x3f] : [r.nextU32(), r.nextU32() & 0x3f]));
  await check(keys, values, n, 38, 'n = 200000');
});

test('bad arguments throw LimitError naming the problem', async () => {
  const dev = await getDevice();
  const k = dev.tensor(new Uint32Array(20), [10, 2], 'u32');
  const v = dev.tensor(new Uint32Array(10), [10], 'u32');
  const limit = (re: RegExp) => (e: Error) => e instanceof LimitError && re.test(e.message);
  assert.throws(() => radixSortPairs(dev, k, v, 10, 65), limit(/bits = 65; 0 to 64/));
  assert.throws(() => radixSortPairs(dev, k, v, 10, -1), limit(/bits = -1/));
  assert.throws(() => radixSortPairs(dev, k, v, 10, 2.5), limit(/bits = 2.5/));
  assert.throws(() => radixSortPairs(dev, k, v, 11, 64), limit(/n = 11 pairs.*keys holds 10.*values 10/));
  assert.throws(() => radixSortPairs(dev, k, v, 10, 64, 5), limit(/digitBits = 5/));
  const shortValues = dev.tensor(new Uint32Array(9), [9], 'u32');
  assert.throws(() => radixSortPairs(dev, k, shortValues, 10, 64), limit(/values 9/));
  for (const t of [k, v, shortValues]) t.dispose();
});

test.run();
