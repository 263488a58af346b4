import { resizeBilinear } from '../../src/kernels/resize.ts';
import type { Device } from '../../src/tensor/device.ts';
import { benchData } from '../harness.ts';
import type { BenchEntry } from '../types.ts';

const HELP = 'N,C,H,W,outH,outW[,half] (align_corners unless "half"), e.g. 1,21,41,41,321,321';

export const resizeBilinearEntry: BenchEntry = {
  kernel: 'resizeBilinear',
  variants: ['direct', 'row4'],
  // LargeFOV's fc8_interp (zoom 8, 41 → 321, 21 classes); multi-scale 0.75 input (513 → 385).
  presets: { 'deeplab-largefov': ['1,21,41,41,321,321'], 'deeplab-msc': ['1,3,513,513,385,385'] },
  shapeHelp: HELP,
  tolerance: 0,
  setup(dev: Device, shape: string) {
    const parts = shape.split(',');
    const [n, c, h, w, height, width] = parts.map(Number);
    if (![n, c, h, w, height, width].every((v) => v > 0)) throw new Error(`resizeBilinear: bad shape "${shape}" (${HELP})`);
    const x = dev.tensor(benchData(n * c * h * w), [n, c, h, w]);
    const alignCorners = parts[6] !== 'half';
    return {
      run: (variant) => resizeBilinear(dev, x, { height, width, alignCorners, variant: variant as 'row4' | 'direct' }),
      flops: n * c * height * width * 9,
      bytes: x.byteLength + n * c * height * width * 4,
      dispose: () => x.dispose(),
    };
  },
};
