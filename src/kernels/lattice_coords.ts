import coordsShader from '../../shaders/crf_lattice_coords.wgsl';
import type { Device } from '../tensor/device.ts';
import { LimitError } from '../tensor/errors.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { grid1d, Params, runKernel } from './runner.ts';

/**
 * Records the lattice coordinates of n feature vectors of dimension d (`features`: n×d float32):
 * each pixel's d+1 vertex keys (n×(d+1)×d int32) and barycentric weights (n×(d+1)), computed as
 * src/deeplab/lattice.ts does on the CPU. `scale` is E's diagonal and `invD1` 1/(d+1), both
 * already rounded to float32.
 */
export function latticeCoords(dev: Device, features: Tensor, d: number, scale: ArrayLike<number>, invD1: number): { keys: Tensor<'i32'>; weights: Tensor } {
  if (d < 1 || d > 7) throw new LimitError(`lattice coordinates: feature dimension ${d}; 1 to 7 are supported`);
  const n = features.shape[0];
  const keys = dev.empty([n, d + 1, d], 'i32');
  const weights = dev.empty([n, d + 1]);
  const s = [...Array.from(scale), 0, 0, 0, 0, 0, 0, 0, 0].slice(0, 8);
  runKernel(dev, {
    kernel: 'lattice_coords',
    shader: coordsShader,
    constants: { D: d },
    uniforms: new Params().u32(n).f32(invD1).pad().f32(...s).build(),
    tensors: [features, keys, weights],
    workgroups: grid1d(dev, Math.ceil(n / 64)),
  });
  return { keys, weights };
}
