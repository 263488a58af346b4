import { conv2d, Conv2dWeights } from '../../src/kernels/conv2d.ts';
import type { Device } from '../../src/tensor/device.ts';
import { benchData } from '../harness.ts';
import type { BenchEntry } from '../types.ts';

/**
 * The device's GEMM peak: C[M×N] = A[M×K]·B[K×N] run as a 1×1 convolution (O = M, I = K over an
 * 1×N map), i.e. through the same kernels whose fraction of this peak the harness reports. The
 * 'blocked' variant is the fastest f32 GEMM found for lavapipe (dawn-notes.md); 'tiled' for GPUs.
 */
export const gemmPeak: BenchEntry = {
  kernel: 'gemm_peak',
  variants: ['blocked', 'tiled'],
  presets: { default: ['1024,1024,1024'] },
  shapeHelp: 'M,N,K, e.g. 1024,1024,1024',
  tolerance: 1e-4,
  setup(dev: Device, shape: string) {
    const [M, N, K] = shape.split(',').map(Number);
    if (![M, N, K].every((d) => Number.isInteger(d) && d > 0)) throw new Error(`gemm_peak: bad shape "${shape}" (${this.shapeHelp})`);
    const a = Conv2dWeights.fromHost(dev, benchData(M * K, 2), [M, K, 1, 1], null, 'gemm_peak');
    const b = dev.tensor(benchData(K * N), [1, K, 1, N]);
    return {
      run: (variant: string) => conv2d(dev, b, a, { variant }),
      flops: 2 * M * N * K,
      bytes: 4 * (M * K + K * N + M * N),
      dispose() {
        a.dispose();
        b.dispose();
      },
    };
  },
};
