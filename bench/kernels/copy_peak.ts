import shader from './copy_peak.wgsl';
import { grid1d, Params, runKernel } from '../../src/kernels/runner.ts';
import type { Device } from '../../src/tensor/device.ts';
import { benchData } from '../harness.ts';
import type { BenchEntry } from '../types.ts';

/** The device's copy bandwidth: GB/s figures of other kernels are reported as a fraction of it. */
export const copyPeak: BenchEntry = {
  kernel: 'copy_peak',
  variants: ['vec4'],
  presets: { default: ['64'] },
  shapeHelp: 'MiB to copy (a multiple of 1/64 MiB), e.g. 64',
  tolerance: 0,
  setup(dev: Device, shape: string) {
    const vec4s = Math.round((Number(shape) * 2 ** 20) / 16);
    if (!(vec4s > 0)) throw new Error(`copy_peak: bad shape "${shape}" (${this.shapeHelp})`);
    const src = dev.tensor(benchData(vec4s * 4), [vec4s * 4]);
    return {
      run() {
        const dst = dev.empty([vec4s * 4]);
        runKernel(dev, {
          kernel: 'copy_peak',
          variant: 'vec4',
          shader,
          uniforms: new Params().u32(vec4s).build(),
          tensors: [src, dst],
          workgroups: grid1d(dev, Math.ceil(vec4s / 256)),
        });
        return dst;
      },
      flops: 0,
      bytes: 2 * vec4s * 16,
      dispose: () => src.dispose(),
    };
  },
};
