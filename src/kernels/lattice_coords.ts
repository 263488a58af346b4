import coordsWgsl from '../../shaders/crf_lattice_coords.wgsl';
import keyWgsl from '../../shaders/crf_lattice_key.wgsl';
import type { Device } from '../tensor/device.ts';
import { LimitError } from '../tensor/errors.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { grid1d, Params, runKernel } from './runner.ts';

const SHADER = keyWgsl + coordsWgsl;

/**
 * How shaders/crf_lattice_key.wgsl packs a key into 64 bits: remainder r in bits [0, shift[0]),
 * then coordinate i's (key_i − r)/(d+1) − qlo[i] in `width[i]` bits from bit shift[i].
 */
export interface KeyLayout {
  qlo: number[];
  shift: number[];
  width: number[];
}

/** The uniform block shared by the lattice shaders: the layout's three arrays of 8. */
export function keyLayoutParams(params: Params, layout?: KeyLayout): Params {
  const eight = (a: number[] = []) => [...a, 0, 0, 0, 0, 0, 0, 0, 0].slice(0, 8);
  return params.pad().i32(...eight(layout?.qlo)).u32(...eight(layout?.shift)).u32(...eight(layout?.width));
}

/**
 * Records the lattice coordinates of n feature vectors of dimension d (`features`: n×d float32):
 * each pixel's d+1 vertex keys (n×(d+1)×d int32) and barycentric weights (n×(d+1)), computed as
 * src/deeplab/lattice.ts does on the CPU. `scale` is E's diagonal and `invD1` 1/(d+1), both
 * already rounded to float32.
 */
export function latticeCoords(dev: Device, features: Tensor, d: number, scale: ArrayLike<number>, invD1: number): { keys: Tensor<'i32'>; weights: Tensor } {
  const call = coordsCall(dev, features, d, scale, invD1);
  const n = features.shape[0];
  const keys = dev.empty([n, d + 1, d], 'i32');
  const weights = dev.empty([n, d + 1]);
  runKernel(dev, { ...call, tensors: [features, keys, weights] });
  return { keys, weights };
}

/**
 * latticeCoords with each key packed into one 64-bit word by `layout` (n×(d+1)×2 u32), for the
 * GPU lattice build; `entries` is n×(d+1) entry numbers pixel·(d+1) + r, the sort's values.
 */
export function latticeCoordsPacked(dev: Device, features: Tensor, d: number, scale: ArrayLike<number>, invD1: number, layout: KeyLayout) {
  const call = coordsCall(dev, features, d, scale, invD1, layout);
  const n = features.shape[0];
  const keys = dev.empty([n * (d + 1), 2], 'u32');
  const weights = dev.empty([n * (d + 1)]);
  const entries = dev.empty([n * (d + 1)], 'u32');
  runKernel(dev, { ...call, entryPoint: 'packed', tensors: [features, keys, weights, entries] });
  return { keys, weights, entries };
}

function coordsCall(dev: Device, features: Tensor, d: number, scale: ArrayLike<number>, invD1: number, layout?: KeyLayout) {
  if (d < 1 || d > 7) throw new LimitError(`lattice coordinates: feature dimension ${d}; 1 to 7 are supported`);
  const n = features.shape[0];
  const s = [...Array.from(scale), 0, 0, 0, 0, 0, 0, 0, 0].slice(0, 8);
  return {
    kernel: 'lattice_coords',
    shader: SHADER,
    constants: { D: d },
    uniforms: keyLayoutParams(new Params().u32(n).f32(invD1).pad().f32(...s), layout).build(),
    workgroups: grid1d(dev, Math.ceil(n / 64)),
  };
}
