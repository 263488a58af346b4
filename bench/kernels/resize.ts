import { argmaxChannels } from '../../src/kernels/argmax.ts';
import { resizeArgmax, resizeBilinear } from '../../src/kernels/resize.ts';
import type { Device } from '../../src/tensor/device.ts';
import { benchData } from '../harness.ts';
import type { BenchEntry } from '../types.ts';

const HELP = 'N,C,H,W,outH,outW[,half] (align_corners unless "half"), e.g. 1,21,41,41,321,321';

/** The input of a shape string (HELP's syntax): bench data, the output size and the mode. */
function resizeCase(dev: Device, kernel: string, shape: string) {
  const parts = shape.split(',');
  const [n, c, h, w, height, width] = parts.map(Number);
  if (![n, c, h, w, height, width].every((v) => v > 0)) throw new Error(`${kernel}: bad shape "${shape}" (${HELP})`);
  return { x: dev.tensor(benchData(n * c * h * w), [n, c, h, w]), n, c, height, width, alignCorners: parts[6] !== 'half' };
}

export const resizeBilinearEntry: BenchEntry = {
  kernel: 'resizeBilinear',
  variants: ['direct', 'row4'],
  // LargeFOV's fc8_interp (zoom 8, 41 → 321, 21 classes); multi-scale 0.75 input (513 → 385).
  presets: { 'deeplab-largefov': ['1,21,41,41,321,321'], 'deeplab-msc': ['1,3,513,513,385,385'] },
  shapeHelp: HELP,
  tolerance: 0,
  setup(dev: Device, shape: string) {
    const { x, n, c, height, width, alignCorners } = resizeCase(dev, 'resizeBilinear', shape);
    return {
      run: (variant) => resizeBilinear(dev, x, { height, width, alignCorners, variant: variant as 'row4' | 'direct' }),
      flops: n * c * height * width * 9,
      bytes: x.byteLength + n * c * height * width * 4,
      dispose: () => x.dispose(),
    };
  },
};

// Labels at full resolution from stride-8 scores: 'composed' resizes then takes argmax (the
// reference), 'fused' (resizeArgmax) never forms the resized scores. LargeFOV's 321 output, and a
// 1024×768 photograph's labels from 21 classes at 128×96 (at 2048×1536 the composed scores, 252
// MiB, would pass lavapipe's 128 MiB binding limit: only 'fused' runs there, unchecked).
export const resizeArgmaxEntry: BenchEntry = {
  kernel: 'resizeArgmax',
  variants: ['composed', 'fused'],
  presets: { 'deeplab-largefov': ['1,21,41,41,321,321'], photo: ['1,21,128,96,1024,768,half'] },
  shapeHelp: HELP,
  tolerance: 0,
  setup(dev: Device, shape: string) {
    const { x, n, c, height, width, alignCorners } = resizeCase(dev, 'resizeArgmax', shape);
    const o = { height, width, alignCorners };
    return {
      run: (variant) => {
        if (variant === 'fused') return resizeArgmax(dev, x, o);
        const scores = resizeBilinear(dev, x, o);
        const labels = argmaxChannels(dev, scores);
        scores.dispose();
        return labels;
      },
      flops: n * c * height * width * 9,
      // The fused kernel's: four source values per channel per label, and the labels.
      bytes: 4 * n * height * width * (4 * c + 1),
      dispose: () => x.dispose(),
    };
  },
};
