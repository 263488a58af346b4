import inShader from '../../shaders/conv2d_wino_in.wgsl';
import gemmBody from '../../shaders/conv2d_wino_gemm.wgsl';
import outShader from '../../shaders/conv2d_wino_out.wgsl';
import weightsShader from '../../shaders/conv2d_wino_weights.wgsl';
import type { Device } from '../tensor/device.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { ShapeError } from '../tensor/errors.ts';
import { grid1d, Params, runKernel } from './runner.ts';
import { fetchFor, subgroupLanes, withWeightFetch } from './weight_fetch.ts';
import { conv2dTiled } from './conv2d_tiled.ts';

const GEMM = withWeightFetch(gemmBody);

/**
 * Winograd F(T×T, 3×3) (Lavin & Gray 2016): a T×T output tile from a (T+2)² input patch with
 * (T+2)² multiplies per (o, c) instead of 9T²: F(6, 3) (points 0, ±1, ±2, ±1/2, ∞) 5.06× fewer,
 * F(4, 3) (0, ±1, ±2, ∞) 4×, which is what lavapipe is bound by. winogradTile() picks per layer:
 * F(6, 3) also moves fewer values per output through the transforms and the GEMM's M (64/36
 * against 36/16), so it wins where its tiles fit the map (LargeFOV at 321, alternated processes:
 * conv1_2 130–149 against 122–179 ms, conv2_2 86–103 against 109–129, conv5 74–85 against
 * 97–141, conv3 a draw); F(4, 3) where a large dilation leaves most of a 6D-wide tile off the map
 * (fc6, dilation 12 on 41×41: 211–254 ms against 465–539 with F(6, 3)). (F(2×2, 3×3), 2.25×
 * fewer, was 1.3–2× slower still.) Works for stride 1 and any dilation D (tiles are taken on
 * D-strided sub-lattices). Three passes: input transform (V = Bᵀ d B), (T+2)² GEMMs (M = U·V),
 * output transform (Aᵀ M A). The transforms' coefficients (up to 32 in F(6, 3)'s Aᵀ) cost
 * precision: the golden tests' worst errors are 4 % of their 1e-4·(1 + max|y|) tolerance with
 * F(6, 3), 2 % with F(4, 3), 0.6 % for the other variants.
 */

export type WinogradTile = 4 | 6;

/** Tiles of side `t` covering an OH×OW output at dilation d (per image). */
const tileCount = (t: number, OH: number, OW: number, d: number) => Math.ceil(OH / (t * d)) * d * Math.ceil(OW / (t * d)) * d;

/** The tile size with the least GEMM work, tiles × (T+2)²: 6 unless a large dilation wastes most of its tiles. */
export function winogradTile(OH: number, OW: number, d: number): WinogradTile {
  return tileCount(6, OH, OW, d) * 64 <= tileCount(4, OH, OW, d) * 36 ? 6 : 4;
}

/**
 * Winograd's multiplies per (o, c) over a direct 3×3 conv's, 9·OH·OW: about 0.2 on large maps,
 * more where a dilation comparable to the map leaves its tiles mostly off the map.
 */
export function winogradWorkRatio(OH: number, OW: number, d: number): number {
  const t = winogradTile(OH, OW, d);
  return (tileCount(t, OH, OW, d) * (t + 2) ** 2) / (9 * OH * OW);
}

/** U = G·g·Gᵀ for every (o, c) of packed [⌈O/8⌉][C·9][8] 3×3 weights, as [(T+2)²][⌈O/8⌉][C][8] (conv2d_wino_weights.wgsl). */
export function winogradWeights(dev: Device, packed: Tensor, O: number, C: number, tile: WinogradTile): Tensor {
  const blocks = Math.ceil(O / 8);
  const u = dev.empty([(tile + 2) ** 2 * blocks * C * 8]);
  runKernel(dev, {
    kernel: 'conv2d_wino_weights',
    shader: weightsShader,
    constants: { TILE: tile },
    uniforms: new Params().u32(C, blocks).build(),
    tensors: [packed, u],
    workgroups: grid1d(dev, Math.ceil((blocks * C * 8) / 64)),
  });
  return u;
}

export interface WinogradPlan {
  tile: WinogradTile;
  /** Tile rows and columns per image. */
  th: number; tw: number;
  /** Tile rows per band: V and M hold one band of rows (of all N images) at a time. */
  band: number;
  /** Tiles per band (N·band·tw), padded to a multiple of 4 (the GEMM reads vec4s of tiles). */
  tpad: number;
  /** Elements of the V and M intermediates. */
  vSize: number; mSize: number;
}

/**
 * Tile grid and buffer sizes for N images of C channels, O outputs of OH×OW, dilation d, with
 * V and M kept to maxElems each (a large image runs in bands of tile rows); null if one tile row
 * or the Winograd-domain weights are already too big.
 */
export function winogradPlan(N: number, C: number, O: number, OH: number, OW: number, d: number, maxElems: number, tile = winogradTile(OH, OW, d)): WinogradPlan | null {
  const XI = (tile + 2) ** 2;
  const jh = Math.ceil(OH / (tile * d));
  const jw = Math.ceil(OW / (tile * d));
  const th = jh * d;
  const tw = jw * d;
  if (XI * Math.ceil(O / 8) * 8 * C > maxElems) return null; // the Winograd-domain weights
  const rows = XI * Math.max(C, Math.ceil(O / 8) * 8);
  const most = Math.min(th, Math.floor((Math.floor(maxElems / rows / 4) * 4) / (N * tw)));
  if (most < 1) return null;
  const band = Math.ceil(th / Math.ceil(th / most)); // equal bands: the last one wastes little

  const tpad = Math.ceil((N * band * tw) / 4) * 4;
  return { tile, th, tw, band, tpad, vSize: XI * C * tpad, mSize: XI * Math.ceil(O / 8) * 8 * tpad };
}

const WG = 64;

/**
 * C[b] = A[b]·B[b] (+ bias, ReLU) for b < batch: A is [batch][mPad/8][k][8] (8-row blocks, k-major), B is
 * [batch][k][n], C is [batch][mPad][n]; mPad and n multiples of 8 and 4. The register-blocked
 * lavapipe GEMM of conv2d_wino_gemm.wgsl; also the engine's GEMM peak probe (bench/kernels/gemm_peak.ts).
 * Where the device has fixed-size subgroups (lavapipe: 8) its weights are fetched per subgroup
 * (weight_fetch.ts: 1.6–1.9× faster) and each lane holds up to 4 row blocks; `plain` forces the
 * uniform fetch, `rowBlocks` the row blocks per lane (dividing mPad/8, ≤ 4), `columnVec4s` the
 * vec4s of columns per lane (1 or 2).
 */
export function batchedGemm(
  dev: Device, a: Tensor, b: Tensor, c: Tensor,
  s: { batch: number; k: number; mPad: number; n: number; sharedA?: boolean; bias?: Tensor; relu?: boolean; plain?: boolean; rowBlocks?: number; columnVec4s?: number },
  meta: { kernel: string; variant: string; shape?: string },
): void {
  const n4 = s.n / 4;
  // With the subgroup fetch it ran fastest with workgroups of 16 on every shape tried (LargeFOV's
  // Winograd GEMMs, 1024³, fc8's): 15.6–22.6 GFLOP/s on lavapipe against 8.3–17.7 with 32 or 64.
  const sg = s.plain ? 0 : subgroupLanes(dev, 16);
  // Uniform fetch: small maps give few lanes per (row block, batch): a smaller workgroup wastes fewer
  // of them. And a workgroup's slice of B (16·WG·k bytes) should stay near 1 MiB, inside one
  // core's L2, for the row blocks that follow it (1.6× on a k = 4096 GEMM).
  const wg = sg ? 16 : Math.min(
    [64, 32, 16].find((w) => Math.ceil(n4 / w) * w - n4 <= 0.1 * n4) ?? 8,
    Math.max(8, 2 ** Math.floor(Math.log2(65536 / s.k))),
  );
  // Row blocks per lane with the subgroup fetch: as many as the kernel holds that divide the rows
  // (LargeFOV's all take 4). The uniform fetch ran slower with more than one (1024³: 8.0–9.9
  // against 10.5–12.7 GFLOP/s).
  const nb = s.rowBlocks ?? (sg ? [4, 3, 2, 1].find((d) => (s.mPad / 8) % d === 0)! : 1);
  if (![1, 2, 3, 4].includes(nb) || (s.mPad / 8) % nb) throw new ShapeError(`batchedGemm: rowBlocks ${nb} must be 1 to 4 and divide the ${s.mPad / 8} row blocks`);
  // Two vec4s of B per lane where B is wide enough to keep the lanes busy (in-process A/B on
  // lavapipe: 1.05–1.3× from 24 vec4s of columns up, 0.55× at 13).
  const nc = s.columnVec4s ?? (sg && n4 >= 24 ? 2 : 1);
  if (nc !== 1 && nc !== 2) throw new ShapeError(`batchedGemm: columnVec4s ${nc} must be 1 or 2`);
  runKernel(dev, {
    ...meta,
    ...fetchFor(dev, GEMM, wg, { EPILOGUE: s.bias ? 1 : 0, NB: nb, NC: nc }, !sg),
    uniforms: new Params().u32(s.k, s.mPad, n4, s.sharedA ? 0 : 1, s.relu ? 1 : 0).build(),
    // Without an epilogue the bias binding is never read; A stands in for it.
    tensors: [a, b, s.bias ?? a, c],
    workgroups: [s.mPad / 8 / nb, Math.ceil(Math.ceil(n4 / nc) / wg), s.batch],
    flops: 2 * s.batch * s.mPad * s.k * s.n,
  });
}

/**
 * Records the three Winograd passes (per band of tile rows) of the conv of NCHW x. The GEMMs run
 * as `gemm`: 'blocked' (batchedGemm: lavapipe's) or 'tiled128' (on GPUs: per (T+2)² point a 1×1
 * conv of V's C rows by U's weights, conv2d_tiled128.wgsl, all points in one dispatch).
 */
export function winogradConv(
  dev: Device, x: Tensor, u: Tensor, bias: Tensor, y: Tensor,
  g: { N: number; C: number; H: number; W: number; O: number; OH: number; OW: number; pad: number; dil: number; relu: boolean },
  plan: WinogradPlan, layer: { kernel: string; variant: string; shape: string }, gemm: 'blocked' | 'tiled128' = 'blocked',
): void {
  // Only the GEMM pass counts flops (its own multiply-adds, batchedGemm's); the caller's meta may
  // carry the whole layer's direct-conv flops, which the transforms must not claim too.
  const meta = { kernel: layer.kernel, variant: layer.variant, shape: layer.shape };
  const { C, O, dil: D } = g;
  const opad = Math.ceil(O / 8) * 8;
  const TILE = plan.tile;
  const v = dev.empty([plan.vSize]);
  const m = dev.empty([plan.mSize]);
  for (let ty0 = 0; ty0 < plan.th; ty0 += plan.band) {
    const band = Math.min(plan.band, plan.th - ty0);
    const tiles = g.N * band * plan.tw;
    runKernel(dev, {
      ...meta, variant: `${meta.variant}/in`, shader: inShader, constants: { WG, D, TILE },
      uniforms: new Params().u32(C, g.H, g.W, g.pad, band, plan.tw, tiles, plan.tpad, C * tiles, ty0).build(),
      tensors: [x, v],
      workgroups: grid1d(dev, Math.ceil((C * tiles) / WG)),
    });
    // (A shorter last band still multiplies all tpad columns: V's row stride is fixed.)
    const XI = (TILE + 2) ** 2;
    const gemmMeta = { ...meta, variant: `${meta.variant}/gemm` };
    if (gemm === 'tiled128') {
      const one = { N: 1, C, H: 1, W: plan.tpad, O: opad, KH: 1, KW: 1, OH: 1, OW: plan.tpad, stride: 1, pad: 0, dil: 1, relu: false };
      const batch = { count: XI, x: C * plan.tpad, w: opad * C, y: opad * plan.tpad };
      conv2dTiled(dev, 'tiled128', v, u, null, m, one, { ...gemmMeta, flops: 2 * XI * opad * C * plan.tpad }, batch);
    } else {
      batchedGemm(dev, u, v, m, { batch: XI, k: C, mPad: opad, n: plan.tpad }, gemmMeta);
    }
    runKernel(dev, {
      ...meta, variant: `${meta.variant}/out`, shader: outShader, constants: { WG, D, TILE },
      uniforms: new Params().u32(O, g.OH, g.OW, band, plan.tw, tiles, plan.tpad, opad, O * tiles, g.relu ? 1 : 0, ty0).build(),
      tensors: [m, bias, y],
      workgroups: grid1d(dev, Math.ceil((O * tiles) / WG)),
    });
  }
  v.dispose();
  m.dispose();
}
