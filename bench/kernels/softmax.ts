import { softmaxChannels } from '../../src/kernels/softmax.ts';
import type { Device } from '../../src/tensor/device.ts';
import { benchData } from '../harness.ts';
import type { BenchEntry } from '../types.ts';

// LargeFOV's 21-class scores after the ×8 interp, at 321×321.
export const softmaxChannelsEntry: BenchEntry = {
  kernel: 'softmaxChannels',
  variants: ['online'],
  presets: { 'deeplab-largefov': ['1,21,321,321'] },
  shapeHelp: 'N,C,H,W',
  tolerance: 1e-6,
  setup(dev: Device, shape: string) {
    const dims = shape.split(',').map(Number);
    const x = dev.tensor(benchData(dims.reduce((a, b) => a * b)), dims);
    // x is read twice (max/sum pass, then the write pass).
    return { run: () => softmaxChannels(dev, x), flops: x.size * 5, bytes: 3 * x.byteLength, dispose: () => x.dispose() };
  },
};
