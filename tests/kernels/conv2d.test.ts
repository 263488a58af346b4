import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getDevice } from '../helpers/device.ts';
import { assertClose, golden, loadGolden, maxAbs } from '../helpers/assert.ts';
import { Mulberry32 } from '../helpers/prng.ts';
import { conv2d, conv2dOutputSize, conv2dTesting, Conv2dWeights, CONV2D_SHAPE_VARIANTS, CONV2D_VARIANTS, deadRim, pickVariant, type Geometry } from '../../src/kernels/conv2d.ts';
import { batchedGemm, winogradPlan, winogradTile } from '../../src/kernels/conv2d_winograd.ts';
import { tapRects, tapwiseRefusal, tapwiseWork } from '../../src/kernels/conv2d_tapwise.ts';
import { tiledTesting } from '../../src/kernels/conv2d_tiled.ts';
import { subgroupLanes, subgroupTesting } from '../../src/kernels/weight_fetch.ts';
import { ShapeError } from '../../src/tensor/errors.ts';
import type { Device } from '../../src/tensor/device.ts';

const g = loadGolden('conv2d');
const CASES = [...g.keys()].filter((k) => k.endsWith('.params')).map((k) => k.slice(0, -'.params'.length));

/** Regenerates a case's weight, bias and input exactly as tests/golden/conv2d.py draws them. */
function caseData(name: string) {
  const [N, C, H, W, O, KH, KW, stride, pad, dilation, bias, relu, seed] = golden(g, `${name}.params`).data;
  const rng = new Mulberry32(seed);
  const w = rng.fill(O * C * KH * KW, 1 / Math.sqrt(C * KH * KW));
  const b = bias ? rng.fill(O, 0.5) : null;
  const x = rng.fill(N * C * H * W);
  return { N, C, H, W, O, KH, KW, stride, pad, dilation, relu: relu === 1, w, b, x };
}

/** A case's geometry, as conv2d computes it. */
function geo(c: ReturnType<typeof caseData>): Geometry {
  const OH = conv2dOutputSize(c.H, c.KH, c.stride, c.pad, c.dilation);
  const OW = conv2dOutputSize(c.W, c.KW, c.stride, c.pad, c.dilation);
  return { N: c.N, C: c.C, H: c.H, W: c.W, O: c.O, KH: c.KH, KW: c.KW, OH, OW, stride: c.stride, pad: c.pad, dil: c.dilation, relu: c.relu };
}

test('every case of the fixture is present', () => {
  assert.ok(CASES.length >= 15, `only ${CASES.length} cases`);
});

for (const name of CASES) {
  test(`conv2d ${name}: every variant matches PyTorch`, async () => {
    const dev = await getDevice();
    const c = caseData(name);
    const ref = golden(g, `${name}.y`);
    const weights = Conv2dWeights.fromHost(dev, c.w, [c.O, c.C, c.KH, c.KW], c.b, name, { winograd: true });
    const x = dev.tensor(c.x, [c.N, c.C, c.H, c.W]);
    const tol = 1e-4 * (1 + maxAbs(ref.data));
    // The GEMM-based variants once more with the plain kernels, where subgroup twins would run.
    const plainToo = subgroupLanes(dev, 16) ? ['blocked', 'im2col', 'winograd', 'window'].map((v) => `${v}/plain`) : [];
    // And Winograd with each tile size (winogradTile() picks one per shape), with lavapipe's GEMM
    // and with the GPUs' ('tiled128', all (T+2)² GEMMs batched in one dispatch).
    // 'auto' (no variant): pickVariant's choice, after deadRim's pruning (dil24big runs as a 1×1).
    // And the tiled variants with their position tiles spread over x and z (as past 65,535 of
    // them), first: a tile left unwritten must not find this case's answer in a pooled buffer.
    for (const run of ['tiled/z', 'tiled128/z', 'auto', ...CONV2D_VARIANTS, ...CONV2D_SHAPE_VARIANTS, ...plainToo, 'winograd/t4', 'winograd/t6', 'winograd/t4/tiled', 'winograd/t6/tiled']) {
      const [named, option, gemm] = run.split('/');
      const variant = named === 'auto' ? undefined : named;
      subgroupTesting.off = option === 'plain';
      conv2dTesting.winogradTile = option === 't4' ? 4 : option === 't6' ? 6 : 0;
      tiledTesting.maxGridDim = option === 'z' ? 2 : 0;
      conv2dTesting.winogradGemm = gemm === 'tiled' ? 'tiled128' : null;
      const refused =
        variant === 'winograd' ? (c.KH !== 3 || c.KW !== 3 || c.stride !== 1) && /winograd.*3×3 kernel with stride 1/
        : variant === 'window' ? (c.stride !== 1 || c.dilation !== 1 || c.KW > 5) && /window.*stride 1, dilation 1/
        : variant === 'tapwise' ? tapwiseRefusal(geo(c)) !== null && /tapwise.*(stride 1|every output)/
        : false;
      if (refused) {
        const opts = { stride: c.stride, pad: c.pad, dilation: c.dilation, variant };
        assert.throws(() => conv2d(dev, x, weights, opts), (e: Error) => e instanceof ShapeError && refused.test(e.message));
        continue;
      }
      const y = conv2d(dev, x, weights, { stride: c.stride, pad: c.pad, dilation: c.dilation, relu: c.relu, variant });
      assert.equal([...y.shape], ref.shape, `${name}/${variant} shape`);
      assertClose(await y.download(), ref.data, { atol: tol }, `${name}/${run}`);
      y.dispose();
    }
    subgroupTesting.off = false;
    conv2dTesting.winogradTile = 0;
    tiledTesting.maxGridDim = 0;
    conv2dTesting.winogradGemm = null;
    x.dispose();
    weights.dispose();
  });
}

test('deadRim: taps that only ever read padding, dropped from every side alike', () => {
  const geo = (H: number, W: number, K: number, stride: number, pad: number, dil: number): Geometry => {
    const OH = conv2dOutputSize(H, K, stride, pad, dil);
    const OW = conv2dOutputSize(W, K, stride, pad, dil);
    return { N: 1, C: 1, H, W, O: 1, KH: K, KW: K, OH, OW, stride, pad, dil, relu: false };
  };
  assert.is(deadRim(geo(16, 16, 3, 1, 24, 24)), 1, 'dilation 24 on 16×16: the centre tap alone');
  assert.is(deadRim(geo(4, 5, 3, 1, 12, 12)), 1, 'ASPP rate 12 on a 4×5 map');
  assert.is(deadRim(geo(41, 41, 3, 1, 12, 12)), 0, 'LargeFOV fc6 at 321: every tap reads the map');
  assert.is(deadRim(geo(65, 65, 3, 1, 36, 36)), 0, 'ASPP rate 36 at 513');
  assert.is(deadRim(geo(4, 40, 3, 1, 12, 12)), 0, 'rows dead but columns live: nothing dropped');
  assert.is(deadRim(geo(1, 1, 7, 2, 3, 1)), 3, 'a 7×7 stride-2 conv of a 1×1 input');
  assert.is(deadRim(geo(1, 1, 3, 2, 1, 1)), 1, 'stride 2 on 1×1');
  assert.is(deadRim(geo(3, 3, 3, 1, 2, 2)), 0, 'pad 2, dilation 2 on 3×3: the outer taps reach row 2');
  assert.is(deadRim(geo(5, 5, 3, 1, 0, 1)), 0, 'no padding: nothing to drop');
});

test('tapRects: each tap\'s outputs that read the input; the work of running tap by tap', () => {
  const g = (H: number, K: number, pad: number, dil: number): Geometry => {
    const O = conv2dOutputSize(H, K, 1, pad, dil);
    return { N: 1, C: 1, H, W: H, O: 1, KH: K, KW: K, OH: O, OW: O, stride: 1, pad, dil, relu: false };
  };
  // ASPP rate 36 on 41×41: the centre tap everywhere, the edge taps on 5 rows or columns.
  assert.is(tapwiseWork(g(41, 3, 36, 36)), 41 * 41 + 4 * 5 * 41 + 4 * 5 * 5);
  assert.equal(tapRects(g(41, 3, 36, 36))[0], { ky: 0, kx: 0, y0: 36, y1: 41, x0: 36, x1: 41 });
  assert.is(tapwiseWork(g(41, 3, 1, 1)), 41 * 41 + 4 * 40 * 41 + 4 * 40 * 40, 'a plain 3×3: only the border rows and columns are lost');
  assert.is(tapwiseRefusal(g(41, 3, 0, 2)), null, 'pad 0: the centre tap still reads at every output');
  assert.match(tapwiseRefusal({ ...g(41, 3, 1, 1), stride: 2 }) ?? '', /stride 1/);
});

test('winograd runs a large input in bands of tile rows', async () => {
  const dev = await getDevice();
  for (const name of ['batch2', 'map65']) {  // dilation 2 with 2 images; 65×65
    for (const tile of [4, 6] as const) {
      const c = caseData(name);
      const ref = golden(g, `${name}.y`);
      const weights = Conv2dWeights.fromHost(dev, c.w, [c.O, c.C, c.KH, c.KW], c.b, name, { winograd: true });
      const x = dev.tensor(c.x, [c.N, c.C, c.H, c.W]);
      const OH = conv2dOutputSize(c.H, 3, 1, c.pad, c.dilation);
      const OW = conv2dOutputSize(c.W, 3, 1, c.pad, c.dilation);
      // Room for 2 tile rows (of tw tiles, (T+2)²·max(C, 16) V/M rows each): several bands per image.
      const tw = Math.ceil(OW / (tile * c.dilation)) * c.dilation;
      conv2dTesting.maxElems = (tile + 2) ** 2 * Math.max(c.C, 16) * c.N * 2 * tw;
      conv2dTesting.winogradTile = tile;
      const plan = winogradPlan(c.N, c.C, c.O, OH, OW, c.dilation, conv2dTesting.maxElems, tile)!;
      assert.ok(plan.band < plan.th, `${name}: ${plan.th} tile rows in one band`);
      try {
        const y = conv2d(dev, x, weights, { stride: c.stride, pad: c.pad, dilation: c.dilation, relu: c.relu, variant: 'winograd' });
        assertClose(await y.download(), ref.data, { atol: 1e-4 * (1 + maxAbs(ref.data)) }, `${name}/winograd F(${tile}, 3) in bands`);
        y.dispose();
      } finally {
        conv2dTesting.maxElems = 0;
        conv2dTesting.winogradTile = 0;
      }
      x.dispose();
      weights.dispose();
    }
  }
});

test('winograd falls back to F(4, 3) where F(6, 3)\'s weights would not fit a binding', async () => {
  const dev = await getDevice();
  const c = caseData('odd7x5'); // 24 output rows × 5 channels: U is 64·120 values with F(6, 3), 36·120 with F(4, 3)
  const ref = golden(g, 'odd7x5.y');
  conv2dTesting.maxElems = 7000;
  try {
    assert.is(winogradPlan(c.N, c.C, c.O, 7, 5, 1, 7000, 6), null);
    assert.ok(winogradPlan(c.N, c.C, c.O, 7, 5, 1, 7000, 4));
    const weights = Conv2dWeights.fromHost(dev, c.w, [c.O, c.C, 3, 3], c.b, 'odd7x5', { winograd: true });
    const x = dev.tensor(c.x, [c.N, c.C, c.H, c.W]);
    const y = conv2d(dev, x, weights, { pad: c.pad, relu: c.relu, variant: 'winograd' });
    assertClose(await y.download(), ref.data, { atol: 1e-4 * (1 + maxAbs(ref.data)) }, 'odd7x5 F(4, 3) fallback');
    y.dispose();
    x.dispose();
    weights.dispose();
  } finally {
    conv2dTesting.maxElems = 0;
  }
});

test('winogradTile: F(6, 3) where its tiles fit the map, F(4, 3) under a large dilation', () => {
  assert.is(winogradTile(321, 321, 1), 6); // conv1_2
  assert.is(winogradTile(41, 41, 1), 6);   // conv4
  assert.is(winogradTile(41, 41, 2), 6);   // conv5: 4·2 × 4·2 tiles of 6 (48²) against 6·2 × 6·2 of 4
  assert.is(winogradTile(41, 41, 12), 4);  // fc6: 12×12 tiles either way, 36 points each against 64
});

test('im2col runs in bands of output rows', async () => {
  const dev = await getDevice();
  for (const name of ['resnetconv1', 'k1s2', 'k4dil4']) {  // 7×7 stride 2; 2 images; 4×4 dilation 4
    const c = caseData(name);
    const ref = golden(g, `${name}.y`);
    const weights = Conv2dWeights.fromHost(dev, c.w, [c.O, c.C, c.KH, c.KW], c.b, name);
    const x = dev.tensor(c.x, [c.N, c.C, c.H, c.W]);
    const OW = conv2dOutputSize(c.W, c.KW, c.stride, c.pad, c.dilation);
    // Room for 2 output rows per band (of K or ⌈O/8⌉·8 rows of B and C, whichever is more).
    conv2dTesting.maxElems = Math.max(c.C * c.KH * c.KW, Math.ceil(c.O / 8) * 8) * (c.N * 2 * OW + 4);
    try {
      const y = conv2d(dev, x, weights, { stride: c.stride, pad: c.pad, dilation: c.dilation, relu: c.relu, variant: 'im2col' });
      assertClose(await y.download(), ref.data, { atol: 1e-4 * (1 + maxAbs(ref.data)) }, `${name}/im2col in bands`);
      y.dispose();
    } finally {
      conv2dTesting.maxElems = 0;
    }
    x.dispose();
    weights.dispose();
  }
});

// 'window' on shapes the fixture lacks (2 images; C = 3 on a 7×5 map; odd widths; 5×5 and even
// kernels), against 'direct', which matches PyTorch on every fixture case above.
const AWKWARD: number[][] = [
  // [N, C, H, W, O, KH, KW, pad]
  [2, 3, 7, 5, 64, 3, 3, 1],   // conv1_1's geometry on a 7×5 map, 2 images
  [1, 3, 9, 13, 21, 3, 3, 1],  // odd width, O not a multiple of 8
  [2, 2, 6, 11, 10, 3, 3, 0],  // no padding
  [1, 4, 8, 7, 9, 5, 5, 2],    // 5×5: the taps span both vec4s
  [1, 3, 5, 6, 8, 2, 4, 1],    // even kernel, output wider than the input
];

test('window matches direct on awkward shapes', async () => {
  const dev = await getDevice();
  const rng = new Mulberry32(7);
  for (const [N, C, H, W, O, KH, KW, pad] of AWKWARD) {
    const name = `window ${[N, C, H, W, O, KH, KW, pad].join(',')}`;
    const weights = Conv2dWeights.fromHost(dev, rng.fill(O * C * KH * KW, 1 / Math.sqrt(C * KH * KW)), [O, C, KH, KW], rng.fill(O, 0.5), name);
    const x = dev.tensor(rng.fill(N * C * H * W), [N, C, H, W]);
    for (const relu of [false, true]) {
      const ref = conv2d(dev, x, weights, { pad, relu, variant: 'direct' });
      const y = conv2d(dev, x, weights, { pad, relu, variant: 'window' });
      const want = await ref.download();
      assert.equal([...y.shape], [...ref.shape], `${name} shape`);
      assertClose(await y.download(), want, { atol: 1e-4 * (1 + maxAbs(want)) }, `${name} relu ${relu}`);
      ref.dispose();
      y.dispose();
    }
    x.dispose();
    weights.dispose();
  }
});

test('batchedGemm: the subgroup and plain kernels, with 1 to 4 row blocks and 1 or 2 column vec4s per lane, agree bit for bit, and with a float64 product', async () => {
  const dev = await getDevice();
  if (!subgroupLanes(dev, 8)) console.log('  (no fixed-size subgroups here: both runs take the plain kernel)');
  const rng = new Mulberry32(11);
  // k = 13: whole chunks of k-steps for the subgroup kernel, then a remainder; 2 batches, own A
  // each; 12 row blocks, so that every count of blocks per lane divides them.
  // n = 28: 7 vec4s of columns, so two per lane leave one lane half past the end.
  const [batch, mPad, k, n] = [2, 96, 13, 28];
  const aHost = rng.fill(batch * mPad * k);  // [batch][mPad/8][k][8]
  const bHost = rng.fill(batch * k * n);     // [batch][k][n]
  const a = dev.tensor(aHost, [aHost.length]);
  const b = dev.tensor(bHost, [bHost.length]);
  const run = async (plain: boolean, rowBlocks?: number, columnVec4s?: number) => {
    const c = dev.empty([batch * mPad * n]);
    batchedGemm(dev, a, b, c, { batch, k, mPad, n, plain, rowBlocks, columnVec4s }, { kernel: 'test', variant: plain ? 'plain' : 'auto' });
    const out = await c.download();
    c.dispose();
    return out;
  };
  const plain = await run(true);
  for (const [p, nb] of [[false, undefined], [false, 1], [false, 2], [false, 3], [false, 4], [true, 4]] as const) {
    for (const nc of [1, 2]) {
      assert.equal([...(await run(p, nb, nc))], [...plain], `${p ? 'plain' : 'subgroup'} kernel, ${nb ?? 'default'} row blocks × ${nc} vec4s per lane, bit-identical to the plain one`);
    }
  }
  const c = dev.empty([batch * mPad * n]);
  assert.throws(() => batchedGemm(dev, a, b, c, { batch, k, mPad, n, rowBlocks: 5 }, { kernel: 'test', variant: 'auto' }), /rowBlocks 5 must be 1 to 4/);
  c.dispose();
  const want = new Float32Array(batch * mPad * n);
  for (let x = 0; x < batch; x++)
    for (let r = 0; r < mPad; r++)
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let q = 0; q < k; q++) sum += aHost[((x * (mPad / 8) + (r >> 3)) * k + q) * 8 + (r & 7)] * bHost[(x * k + q) * n + j];
        want[(x * mPad + r) * n + j] = sum;
      }
  assertClose(plain, want, { atol: 1e-5 }, 'plain vs float64');
  a.dispose();
  b.dispose();
});

test('winogradWeights: U = G·g·Gᵀ on the device equals a float64 product', async () => {
  const dev = await getDevice();
  const [O, C] = [11, 3]; // two blocks of 8, the second part zeros
  const g = new Mulberry32(12).fill(O * C * 9);
  const w = Conv2dWeights.fromHost(dev, g, [O, C, 3, 3], null, 'wino', { winograd: true });
  const u = new Float32Array(await w.winogradFor(dev, 6).download());
  // G of F(6, 3) (points 0, ±1, ±2, ±1/2, ∞): checked below through whole convs against PyTorch.
  const G = [[1, 0, 0], [-2 / 9, -2 / 9, -2 / 9], [-2 / 9, 2 / 9, -2 / 9], [1 / 90, 1 / 45, 2 / 45], [1 / 90, -1 / 45, 2 / 45], [32 / 45, 16 / 45, 8 / 45], [32 / 45, -16 / 45, 8 / 45], [0, 0, 1]];
  const want = new Float32Array(u.length);
  const plane = 2 * C * 8;
  for (let o = 0; o < O; o++)
    for (let c = 0; c < C; c++)
      for (let r = 0; r < 8; r++)
        for (let s = 0; s < 8; s++) {
          let v = 0;
          for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) v += G[r][i] * g[(o * C + c) * 9 + i * 3 + j] * G[s][j];
          want[(r * 8 + s) * plane + ((o >> 3) * C + c) * 8 + (o & 7)] = v;
        }
  assertClose(u, want, { atol: 1e-6 }, 'U');
  w.dispose();
});

test('a Winograd conv reports flops only for its GEMM pass, its own multiply-adds', async () => {
  const dev = await getDevice();
  const w = Conv2dWeights.fromHost(dev, new Mulberry32(13).fill(16 * 5 * 9), [16, 5, 3, 3], null, 'wino', { winograd: true });
  const x = dev.tensor(new Mulberry32(14).fill(5 * 9 * 9), [1, 5, 9, 9]);
  const recs: { kernel: string; variant: string; flops: number }[] = [];
  dev.observer = { onDispatch: (r) => (recs.push(r), undefined), beforeSubmit: () => {}, afterSubmit: () => {} };
  try {
    conv2d(dev, x, w, { pad: 1, variant: 'winograd' }).dispose();
  } finally {
    dev.observer = null;
  }
  const by = Object.fromEntries(recs.filter((r) => r.kernel === 'conv2d').map((r) => [r.variant, r.flops]));
  assert.equal(Object.keys(by).sort(), ['winograd/gemm', 'winograd/in', 'winograd/out']);
  assert.is(by['winograd/in'], 0);
  assert.is(by['winograd/out'], 0);
  // 2×2 tiles of 6×6 cover the 9×9 output: 4 tiles, a whole vec4 of columns; 64 GEMMs of 16×5 by 5×4.
  assert.is(by['winograd/gemm'], 2 * 64 * 16 * 5 * 4);
  x.dispose();
  w.dispose();
});

test('conv2dOutputSize follows ⌊(H + 2p − (d(k−1)+1))/s⌋ + 1', () => {
  assert.is(conv2dOutputSize(321, 3, 1, 1, 1), 321);
  assert.is(conv2dOutputSize(41, 3, 1, 12, 12), 41);
  assert.is(conv2dOutputSize(224, 7, 2, 3, 1), 112);
  assert.is(conv2dOutputSize(33, 3, 2, 1, 1), 17);
  assert.is(conv2dOutputSize(65, 4, 1, 6, 4), 65);
});

test('an adapter-appropriate variant is chosen by default', async () => {
  const dev = await getDevice();
  assert.ok((CONV2D_VARIANTS as readonly string[]).includes(pickVariant(dev)));
  // On a GPU (LargeFOV at 513 and ASPP): Winograd for 3×3 layers where it saves half the
  // multiplies, unless the input has under 16 channels; else 128 × 128 tiles for layers of more
  // than 64 channels and enough tiles, else 64 × 64.
  const gpu = { info: { isFallbackAdapter: false }, limits: { maxStorageBufferBindingSize: 2 ** 31 } } as unknown as Device;
  const pick = (C: number, H: number, O: number, k = 3, dil = 1) => {
    const w = Conv2dWeights.fromHost(dev, new Float32Array(O * C * k * k), [O, C, k, k], null, 'layer');
    const OH = conv2dOutputSize(H, k, 1, dil * ((k - 1) / 2), dil);
    const v = pickVariant(gpu, w, { N: 1, C, H, W: H, O, KH: k, KW: k, OH, OW: OH, stride: 1, pad: dil * ((k - 1) / 2), dil, relu: true });
    w.dispose();
    return v;
  };
  assert.is(pick(3, 513, 64), 'tiled', 'conv1_1: 3 input channels');
  assert.is(pick(64, 513, 64), 'winograd', 'conv1_2');
  assert.is(pick(512, 65, 1024, 3, 12), 'winograd', 'fc6: 0.24 of the multiplies');
  assert.is(pick(2048, 65, 21, 3, 24), 'tiled', 'ASPP rate 24: Winograd would do 0.55 of them');
  assert.is(pick(512, 65, 1024, 1), 'tiled128', 'fc7: 34 × 8 tiles');
  assert.is(pick(1024, 65, 21, 1), 'tiled', 'fc8: 21 channels');
  assert.is(pick(256, 33, 256, 1), 'tiled', '9 × 2 tiles: too few');
});

test('bad inputs throw ShapeErrors naming the layer and parameters', async () => {
  const dev = await getDevice();
  const err = (re: RegExp) => (e: Error) => e instanceof ShapeError && /fc6/.test(e.message) && re.test(e.message);
  assert.throws(() => Conv2dWeights.fromHost(dev, new Float32Array(10), [2, 3, 3, 3], null, 'fc6'), err(/54/));
  assert.throws(() => Conv2dWeights.fromHost(dev, new Float32Array(54), [2, 3, 3, 3], new Float32Array(3), 'fc6'), err(/bias/));
  const w = Conv2dWeights.fromHost(dev, new Float32Array(54), [2, 3, 3, 3], null, 'fc6');
  const x = dev.zeros([1, 3, 5, 5]);
  const x4 = dev.zeros([1, 4, 5, 5]);
  const x3 = dev.zeros([3, 5, 5]);
  assert.throws(() => conv2d(dev, x4, w, { pad: 1 }), err(/4 channels/));
  assert.throws(() => conv2d(dev, x3, w), err(/4-D/));
  assert.throws(() => conv2d(dev, x, w, { dilation: 4, pad: 1 }), err(/9×9 dilated window/));
  assert.throws(() => conv2d(dev, x, w, { stride: 0 }), err(/stride/));
  assert.throws(() => conv2d(dev, x, w, { variant: 'nope' }), err(/variant/));
  const plain = Conv2dWeights.fromHost(dev, new Float32Array(54), [2, 3, 3, 3], null, 'fc6', { winograd: false });
  assert.throws(() => conv2d(dev, x, plain, { pad: 1, variant: 'winograd' }), err(/winograd: false/));
  plain.dispose();
  const empty = dev.zeros([0, 3, 5, 5]);
  assert.throws(() => conv2d(dev, empty, w), err(/empty/));
  for (const t of [x, x4, x3, empty]) t.dispose();
  w.dispose();
});

test.run();
