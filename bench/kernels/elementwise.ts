import { binary, BINARY_VARIANTS } from '../../src/kernels/binary.ts';
import { relu } from '../../src/kernels/unary.ts';
import type { Device } from '../../src/tensor/device.ts';
import { benchData } from '../harness.ts';
import type { BenchEntry } from '../types.ts';

const dims = (s: string) => s.split(',').map(Number);

// DeepLab-LargeFOV's ReLU outputs at 321×321 (conv1 … fc7).
const LARGEFOV_RELU = ['1,64,321,321', '1,128,161,161', '1,256,81,81', '1,512,41,41', '1,1024,41,41'];

export const reluEntry: BenchEntry = {
  kernel: 'relu',
  variants: ['default'],
  presets: { 'deeplab-largefov': LARGEFOV_RELU },
  shapeHelp: 'N,C,H,W',
  tolerance: 0,
  setup(dev: Device, shape: string) {
    const x = dev.tensor(benchData(dims(shape).reduce((a, b) => a * b)), dims(shape));
    return { run: () => relu(dev, x), flops: 0, bytes: 2 * x.byteLength, dispose: () => x.dispose() };
  },
};

export const addEntry: BenchEntry = {
  kernel: 'add',
  variants: [...BINARY_VARIANTS],
  // ResNet-101's residual adds at 321 (res2, res3, res4/res5: 33 of them per tower).
  presets: { 'deeplab-largefov': ['1,512,41,41|1,512,1,1', '1,21,41,41'], large: ['1,64,321,321'], resnet: ['1,256,81,81', '1,512,41,41', '1,1024,41,41', '1,2048,41,41'] },
  shapeHelp: 'N,C,H,W (both operands) or A|B with NumPy broadcasting, e.g. 1,512,41,41|1,512,1,1',
  tolerance: 0,
  setup(dev: Device, shape: string) {
    const [sa, sb = sa] = shape.split('|').map(dims);
    const a = dev.tensor(benchData(sa.reduce((x, y) => x * y), 1), sa);
    const b = dev.tensor(benchData(sb.reduce((x, y) => x * y), 2), sb);
    const out = Math.max(a.size, b.size) * 4;
    return {
      run: (variant: string) => binary(dev, 'add', a, b, { variant: variant as (typeof BINARY_VARIANTS)[number] }),
      flops: 0,
      bytes: a.byteLength + b.byteLength + out,
      dispose: () => (a.dispose(), b.dispose()),
    };
  },
};
