import { avgPool2d, globalAvgPool2d, maxPool2d, pool2dOutputSize } from '../../src/kernels/pool2d.ts';
import type { Device } from '../../src/tensor/device.ts';
import { benchData } from '../harness.ts';
import type { BenchEntry } from '../types.ts';

const HELP = 'N,C,H,W,kernel,stride,pad[,floor], e.g. 1,64,321,321,3,2,1';

function poolEntry(kernel: 'maxPool2d' | 'avgPool2d', presets: Record<string, string[]>): BenchEntry {
  const op = kernel === 'maxPool2d' ? maxPool2d : avgPool2d;
  return {
    kernel,
    variants: ['direct', 'row4'],
    presets,
    shapeHelp: HELP,
    tolerance: 0,
    setup(dev: Device, shape: string) {
      const [n, c, h, w, k, s, p, floor] = shape.split(',').map(Number);
      if (![n, c, h, w, k, s].every((v) => v > 0) || !(p >= 0)) throw new Error(`${kernel}: bad shape "${shape}" (${HELP})`);
      const x = dev.tensor(benchData(n * c * h * w), [n, c, h, w]);
      const ceil = floor !== 1;
      const out = n * c * pool2dOutputSize(h, k, s, p, ceil) * pool2dOutputSize(w, k, s, p, ceil);
      return {
        run: (variant) => op(dev, x, { kernel: k, stride: s, pad: p, ceil, variant: variant as 'row4' | 'direct' }),
        flops: 0,
        bytes: x.byteLength + out * 4,
        dispose: () => x.dispose(),
      };
    },
  };
}

// DeepLab-LargeFOV at 321×321: pool1–3 MAX k3 s2 p1, pool4–5 MAX k3 s1 p1, pool5a AVE k3 s1 p1.
export const maxPool2dEntry = poolEntry('maxPool2d', {
  'deeplab-largefov': ['1,64,321,321,3,2,1', '1,128,161,161,3,2,1', '1,256,81,81,3,2,1', '1,512,41,41,3,1,1'],
});
export const avgPool2dEntry = poolEntry('avgPool2d', { 'deeplab-largefov': ['1,512,41,41,3,1,1'] });

// DeepLab v3's image pooling: ResNet's 2048 channels at 33×33 (output stride 16, 513 input).
export const globalAvgPool2dEntry: BenchEntry = {
  kernel: 'globalAvgPool2d',
  variants: ['workgroup-tree'],
  presets: { 'deeplab-v3': ['1,2048,33,33'] },
  shapeHelp: 'N,C,H,W',
  tolerance: 1e-6,
  setup(dev: Device, shape: string) {
    const dims = shape.split(',').map(Number);
    const x = dev.tensor(benchData(dims.reduce((a, b) => a * b)), dims);
    return { run: () => globalAvgPool2d(dev, x), flops: x.size, bytes: x.byteLength + dims[0] * dims[1] * 4, dispose: () => x.dispose() };
  },
};
