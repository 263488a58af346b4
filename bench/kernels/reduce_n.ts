import { maxN, sumN } from '../../src/kernels/reduce_n.ts';
import type { Device } from '../../src/tensor/device.ts';
import { benchData } from '../harness.ts';
import type { BenchEntry } from '../types.ts';

const HELP = 'K×N,C,H,W (K tensors), e.g. 4x1,21,41,41';

function entry(kernel: 'sumN' | 'maxN', presets: Record<string, string[]>): BenchEntry {
  const op = kernel === 'sumN' ? sumN : maxN;
  return {
    kernel,
    variants: ['direct'],
    presets,
    shapeHelp: HELP,
    tolerance: 0,
    setup(dev: Device, shape: string) {
      const [k, rest = ''] = shape.split('x');
      const dims = rest.split(',').map(Number);
      if (!(Number(k) >= 1) || dims.length !== 4) throw new Error(`${kernel}: bad shape "${shape}" (${HELP})`);
      const size = dims.reduce((a, b) => a * b);
      const xs = Array.from({ length: Number(k) }, (_, i) => dev.tensor(benchData(size, i + 1), dims));
      const passes = Math.ceil(xs.length / 8);
      return {
        run: () => op(dev, xs),
        flops: size * xs.length,
        bytes: size * 4 * (xs.length + 1 + 2 * (passes - 1)),
        dispose: () => xs.forEach((x) => x.dispose()),
      };
    },
  };
}

// ASPP's four 21-class branches at 41×41 (VGG16, 321 input); MSc fusion of three scales at 65×65.
export const sumNEntry = entry('sumN', { 'deeplab-aspp': ['4x1,21,41,41'], large: ['4x1,256,65,65'] });
export const maxNEntry = entry('maxN', { 'deeplab-msc': ['3x1,21,65,65'] });
