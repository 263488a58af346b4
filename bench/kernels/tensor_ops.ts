import { concatChannels } from '../../src/kernels/concat.ts';
import { cropPad2d } from '../../src/kernels/crop_pad.ts';
import { flipHorizontal } from '../../src/kernels/flip.ts';
import type { Device } from '../../src/tensor/device.ts';
import { benchData } from '../harness.ts';
import type { BenchEntry } from '../types.ts';

const input = (dev: Device, shape: string) => {
  const dims = shape.split(',').map(Number);
  return dev.tensor(benchData(dims.reduce((a, b) => a * b)), dims);
};

// DeepLab v3's ASPP concat: five 256-channel branches at 33×33 (513 input, output stride 16).
export const concatChannelsEntry: BenchEntry = {
  kernel: 'concatChannels',
  variants: ['block-copy'],
  presets: { 'deeplab-v3': ['5x1,256,33,33'] },
  shapeHelp: 'K×N,C,H,W (K equal inputs)',
  tolerance: 0,
  setup(dev: Device, shape: string) {
    const [k, dims] = shape.split('x');
    const xs = Array.from({ length: Number(k) }, () => input(dev, dims));
    const bytes = 2 * xs.reduce((s, x) => s + x.byteLength, 0);
    return { run: () => concatChannels(dev, xs), flops: 0, bytes, dispose: () => xs.forEach((x) => x.dispose()) };
  },
};

// Test-time flipping of the 21-class scores at 321×321.
export const flipHorizontalEntry: BenchEntry = {
  kernel: 'flipHorizontal',
  variants: ['row4'],
  presets: { 'deeplab-largefov': ['1,21,321,321'] },
  shapeHelp: 'N,C,H,W',
  tolerance: 0,
  setup(dev: Device, shape: string) {
    const x = input(dev, shape);
    return { run: () => flipHorizontal(dev, x), flops: 0, bytes: 2 * x.byteLength, dispose: () => x.dispose() };
  },
};

// Caffe's pad of a 500×375 image to the 513×513 crop size, and DeepLab basic's ×8 crop (514 → 505 at 7).
export const cropPad2dEntry: BenchEntry = {
  kernel: 'cropPad2d',
  variants: ['row4'],
  presets: { 'deeplab-v2': ['1,3,375,500,0,0,513,513', '1,21,514,514,7,7,505,505'] },
  shapeHelp: 'N,C,H,W,top,left,height,width',
  tolerance: 0,
  setup(dev: Device, shape: string) {
    const [n, c, h, w, top, left, height, width] = shape.split(',').map(Number);
    const x = input(dev, [n, c, h, w].join(','));
    return {
      run: () => cropPad2d(dev, x, { top, left, height, width }),
      flops: 0,
      bytes: 2 * n * c * height * width * 4,
      dispose: () => x.dispose(),
    };
  },
};
