import shader from '../../shaders/flip_horizontal.wgsl';
import type { Device } from '../tensor/device.ts';
import { ShapeError } from '../tensor/errors.ts';
import type { DType, Tensor } from '../tensor/tensor.ts';
import { grid1d, Params, runKernel } from './runner.ts';

const WG = 256;

/** Mirror image: reverses the last axis (W of NCHW, or of [N, H, W] labels; any dtype). */
export function flipHorizontal<D extends DType>(dev: Device, x: Tensor<D>): Tensor<D> {
  if (x.shape.length === 0) throw new ShapeError(`flipHorizontal: expects a tensor with a W axis (NCHW), got ${x}`);
  const y = dev.empty(x.shape, x.dtype);
  const w = x.shape[x.shape.length - 1];
  const count = w ? (x.size / w) * Math.ceil(w / 4) : 0;
  runKernel(dev, {
    kernel: 'flipHorizontal',
    shader,
    uniforms: new Params().u32(count, w).build(),
    tensors: [x, y],
    workgroups: grid1d(dev, Math.ceil(count / WG)),
    bytes: 2 * x.byteLength,
  });
  return y;
}
