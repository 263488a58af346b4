import { argmaxChannels } from '../../src/kernels/argmax.ts';
import type { Device } from '../../src/tensor/device.ts';
import { benchData } from '../harness.ts';
import type { BenchEntry } from '../types.ts';

// LargeFOV's 21-class scores after the ×8 interp, at 321×321.
export const argmaxChannelsEntry: BenchEntry = {
  kernel: 'argmaxChannels',
  variants: ['direct'],
  presets: { 'deeplab-largefov': ['1,21,321,321'] },
  shapeHelp: 'N,C,H,W',
  tolerance: 0,
  setup(dev: Device, shape: string) {
    const [n, c, h, w] = shape.split(',').map(Number);
    const x = dev.tensor(benchData(n * c * h * w), [n, c, h, w]);
    return { run: () => argmaxChannels(dev, x), flops: 0, bytes: x.byteLength + n * h * w * 4, dispose: () => x.dispose() };
  },
};
