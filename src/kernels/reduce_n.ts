import shader from '../../shaders/reduce_n.wgsl';
import type { Device } from '../tensor/device.ts';
import { fmtShape, ShapeError } from '../tensor/errors.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { grid1d, Params, runKernel } from './runner.ts';

const WG = 256;
/** Inputs per dispatch: 8 + the output stays well inside the 16 storage buffers a stage may bind. */
const PER_PASS = 8;

function reduceN(dev: Device, op: 'sumN' | 'maxN', xs: Tensor[]): Tensor {
  if (xs.length === 0) throw new ShapeError(`${op}: needs at least one tensor`);
  const shape = xs[0].shape;
  const same = (t: Tensor) => t.dtype === 'f32' && t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]);
  if (!xs.every(same)) {
    throw new ShapeError(`${op}: all tensors must be f32 of one shape, got ${xs.map((t) => `${fmtShape(t.shape)} ${t.dtype}`).join(', ')}`);
  }
  const y = dev.empty(shape);
  for (let start = 0; start < xs.length; start += PER_PASS) {
    const live = xs.slice(start, start + PER_PASS);
    const bound = [...live, ...Array<Tensor>(PER_PASS - live.length).fill(live[0])];
    runKernel(dev, {
      kernel: op,
      shader,
      constants: { K: live.length, MAX: op === 'maxN' ? 1 : 0, ACC: start > 0 ? 1 : 0 },
      uniforms: new Params().u32(y.size).build(),
      tensors: [...bound, y],
      workgroups: grid1d(dev, Math.ceil(y.size / WG)),
      shape: `${xs.length}× ${fmtShape(shape)}`,
      flops: y.size * live.length,
      bytes: y.byteLength * (live.length + (start > 0 ? 2 : 1)),
    });
  }
  return y;
}

/** Elementwise sum of N same-shape tensors, summed left to right (any N ≥ 1). */
export function sumN(dev: Device, xs: Tensor[]): Tensor {
  return reduceN(dev, 'sumN', xs);
}

/** Elementwise max of N same-shape tensors (any N ≥ 1). */
export function maxN(dev: Device, xs: Tensor[]): Tensor {
  return reduceN(dev, 'maxN', xs);
}
