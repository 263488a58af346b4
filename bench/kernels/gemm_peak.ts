import { batchedGemm } from '../../src/kernels/conv2d_winograd.ts';
import { conv2d, Conv2dWeights } from '../../src/kernels/conv2d.ts';
import type { Device } from '../../src/tensor/device.ts';
import { benchData } from '../harness.ts';
import type { BenchEntry } from '../types.ts';

/**
 * The device's f32 GEMM peak, C[M×N] = A[M×K]·B[K×N] (M a multiple of 8, N of 4):
 * 'blocked' is the register-blocked GEMM of the Winograd pass (8 rows × one aligned vec4 of
 * columns per lane: the fastest found for lavapipe), with its weight loads shared across a
 * subgroup where the device has fixed-size subgroups; 'blocked-plain' the same without subgroups
 * (A loads uniform across the workgroup); 'tiled' and 'tiled128' the workgroup-memory implicit
 * GEMMs for GPUs (64 × 64 and 128 × 128 tiles), run as a 1×1 conv.
 * The harness takes the best variant as the peak.
 */
export const gemmPeak: BenchEntry = {
  kernel: 'gemm_peak',
  variants: ['blocked', 'blocked-plain', 'tiled', 'tiled128'],
  presets: { default: ['1024,1024,1024'] },
  shapeHelp: 'M,N,K with M a multiple of 8 and N of 4, e.g. 1024,1024,1024',
  tolerance: 1e-4,
  setup(dev: Device, shape: string) {
    const [M, N, K] = shape.split(',').map(Number);
    if (![M, N, K].every((d) => Number.isInteger(d) && d > 0) || M % 8 || N % 4) throw new Error(`gemm_peak: bad shape "${shape}" (${this.shapeHelp})`);
    const host = benchData(M * K, 2);
    const a = Conv2dWeights.fromHost(dev, host, [M, K, 1, 1], null, 'gemm_peak'); // packed [M/8][K][8]
    const b = dev.tensor(benchData(K * N), [1, K, 1, N]);
    return {
      run(variant: string) {
        if (variant.startsWith('tiled')) return conv2d(dev, b, a, { variant });
        const c = dev.empty([1, M, 1, N]);
        batchedGemm(dev, a.packed, b, c, { batch: 1, k: K, mPad: M, n: N, plain: variant === 'blocked-plain' }, { kernel: 'gemm_peak', variant });
        return c;
      },
      flops: 2 * M * N * K,
      bytes: 4 * (M * K + K * N + M * N),
      dispose() {
        a.dispose();
        b.dispose();
      },
    };
  },
};
