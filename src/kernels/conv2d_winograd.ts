import inShader from '../../shaders/conv2d_wino_in.wgsl';
import gemmShader from '../../shaders/conv2d_wino_gemm.wgsl';
import outShader from '../../shaders/conv2d_wino_out.wgsl';
import type { Device } from '../tensor/device.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { grid1d, Params, runKernel } from './runner.ts';

/**
 * Winograd F(2×2, 3×3) (Lavin & Gray 2016): 2×2 outputs from a 4×4 input patch with 16
 * multiplies per (o, c) instead of 36, i.e. 2.25× fewer FMAs, which is what lavapipe is bound
 * by. Works for stride 1 and any dilation D (tiles are taken on D-strided sub-lattices).
 * Three passes: input transform (V = Bᵀ d B), 16 GEMMs (M = U·V), output transform (Aᵀ M A).
 */

/** U = G·g·Gᵀ for every (o, c), laid out [16][⌈O/8⌉][C][8] for the GEMM pass (zeros past O). */
export function winogradWeights(weight: Float32Array, O: number, C: number): Float32Array {
  const blocks = Math.ceil(O / 8);
  const u = new Float32Array(16 * blocks * C * 8);
  const gg = new Float64Array(12);
  for (let o = 0; o < O; o++) {
    for (let c = 0; c < C; c++) {
      const g = weight.subarray((o * C + c) * 9, (o * C + c) * 9 + 9);
      // G·g (4×3): rows g0, (g0+g1+g2)/2, (g0−g1+g2)/2, g2 (gi = row i of g)
      for (let j = 0; j < 3; j++) {
        gg[j] = g[j];
        gg[3 + j] = (g[j] + g[3 + j] + g[6 + j]) / 2;
        gg[6 + j] = (g[j] - g[3 + j] + g[6 + j]) / 2;
        gg[9 + j] = g[6 + j];
      }
      for (let r = 0; r < 4; r++) {
        const [a, b, e] = [gg[3 * r], gg[3 * r + 1], gg[3 * r + 2]];
        const row = [a, (a + b + e) / 2, (a - b + e) / 2, e]; // (G·g)·Gᵀ
        for (let k = 0; k < 4; k++) u[(((r * 4 + k) * blocks + (o >> 3)) * C + c) * 8 + (o & 7)] = row[k];
      }
    }
  }
  return u;
}

export interface WinogradPlan {
  th: number; tw: number; tiles: number; tpad: number; hp: number; wp: number;
  /** Elements of the V and M intermediates. */
  vSize: number; mSize: number;
}

/** Tile grid and buffer sizes for an N×C×H×W input, O outputs of OH×OW, dilation d, pad p. */
export function winogradPlan(N: number, C: number, H: number, W: number, O: number, OH: number, OW: number, d: number, p: number): WinogradPlan {
  const jh = Math.ceil(OH / (2 * d));
  const jw = Math.ceil(OW / (2 * d));
  const th = jh * d;
  const tw = jw * d;
  const tiles = N * th * tw;
  const tpad = Math.ceil(tiles / 4) * 4;
  // The last tile reads input row (2d(jh−1) + d − 1) + 3d in padded coordinates.
  const hp = Math.max(H + 2 * p, 2 * d * (jh + 1));
  const wp = Math.max(W + 2 * p, 2 * d * (jw + 1));
  return { th, tw, tiles, tpad, hp, wp, vSize: 16 * C * tpad, mSize: 16 * Math.ceil(O / 8) * 8 * tpad };
}

const WG = 64;

/**
 * C[b] = A[b]·B[b] (+ bias, ReLU) for b < batch: A is [batch][mPad/8][k][8] (8-row blocks, k-major), B is
 * [batch][k][n], C is [batch][mPad][n]; mPad and n multiples of 8 and 4. The register-blocked
 * lavapipe GEMM of conv2d_wino_gemm.wgsl; also the engine's GEMM peak probe (bench/kernels/gemm_peak.ts).
 */
export function batchedGemm(
  dev: Device, a: Tensor, b: Tensor, c: Tensor,
  s: { batch: number; k: number; mPad: number; n: number; sharedA?: boolean; bias?: Tensor; relu?: boolean },
  meta: { kernel: string; variant: string; shape?: string },
): void {
  const n4 = s.n / 4;
  runKernel(dev, {
    ...meta, shader: gemmShader, constants: { WG, EPILOGUE: s.bias ? 1 : 0 },
    uniforms: new Params().u32(s.k, s.mPad, n4, s.sharedA ? 0 : 1, s.relu ? 1 : 0).build(),
    // Without an epilogue the bias binding is never read; A stands in for it.
    tensors: [a, b, s.bias ?? a, c],
    workgroups: [Math.ceil(n4 / WG), s.mPad / 8, s.batch],
    flops: 2 * s.batch * s.mPad * s.k * s.n,
  });
}

/** Records the three Winograd passes; xp is x zero-padded to plan.hp × plan.wp. */
export function winogradConv(
  dev: Device, xp: Tensor, u: Tensor, bias: Tensor, y: Tensor,
  g: { C: number; O: number; OH: number; OW: number; dil: number; relu: boolean },
  plan: WinogradPlan, meta: { kernel: string; shape: string },
): void {
  const { C, O, dil: D } = g;
  const opad = Math.ceil(O / 8) * 8;
  const v = dev.empty([plan.vSize]);
  runKernel(dev, {
    ...meta, variant: 'winograd/in', shader: inShader, constants: { WG, D },
    uniforms: new Params().u32(C, plan.hp, plan.wp, plan.th, plan.tw, plan.tiles, plan.tpad, C * plan.tiles).build(),
    tensors: [xp, v],
    workgroups: grid1d(dev, Math.ceil((C * plan.tiles) / WG)),
  });
  const m = dev.empty([plan.mSize]);
  batchedGemm(dev, u, v, m, { batch: 16, k: C, mPad: opad, n: plan.tpad }, { ...meta, variant: 'winograd/gemm' });
  runKernel(dev, {
    ...meta, variant: 'winograd/out', shader: outShader, constants: { WG, D },
    uniforms: new Params().u32(O, g.OH, g.OW, plan.th, plan.tw, plan.tiles, plan.tpad, opad, O * plan.tiles, g.relu ? 1 : 0).build(),
    tensors: [m, bias, y],
    workgroups: grid1d(dev, Math.ceil((O * plan.tiles) / WG)),
  });
  v.dispose();
  m.dispose();
}
