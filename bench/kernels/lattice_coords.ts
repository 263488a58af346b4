import { bilateralFeatures, elevation, positionalFeatures } from '../../src/deeplab/lattice.ts';
import { latticeCoords } from '../../src/kernels/lattice_coords.ts';
import type { Device } from '../../src/tensor/device.ts';
import { benchData } from '../harness.ts';
import type { BenchEntry } from '../types.ts';

// The lattice coordinates of a PASCAL-sized image: DeepLab-LargeFOV's positional (d = 2) and
// bilateral (d = 5) features. The CPU builds the same in src/deeplab/lattice.ts
// (tests/kernels/lattice_coords.test.ts holds the two bit-identical).
export const latticeCoordsEntry: BenchEntry = {
  kernel: 'lattice_coords',
  variants: ['direct'],
  presets: { voc: ['500,375,2', '500,375,5'] },
  shapeHelp: 'W,H,d (d = 2: positional features, 5: bilateral)',
  tolerance: 0,
  setup(dev: Device, shape: string) {
    const [w, h, d] = shape.split(',').map(Number);
    if (d !== 2 && d !== 5) throw new Error(`lattice_coords: d must be 2 or 5, got ${d}`);
    const n = w * h;
    const rgb = Uint8Array.from(benchData(n * 3), (v) => Math.floor((v + 1) * 127.99));
    const f = d === 2 ? positionalFeatures(w, h, 3) : bilateralFeatures(w, h, rgb, 121, 5);
    const features = dev.tensor(f, [n, d]);
    const e = elevation(d);
    return {
      run() {
        const { keys, weights } = latticeCoords(dev, features, d, e.scale, e.invD1);
        keys.dispose();
        return weights;
      },
      flops: 0,
      // Features in, keys and weights out.
      bytes: 4 * n * (d + (d + 1) * d + (d + 1)),
      dispose: () => features.dispose(),
    };
  },
};
