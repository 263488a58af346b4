import shader from '../../shaders/fill.wgsl';
import type { Device } from '../tensor/device.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { grid1d, Params, runKernel } from './runner.ts';

const WG = 256;

/** Sets every element of t to value (interpreted in t's dtype). */
export function fill(dev: Device, t: Tensor, value: number): Tensor {
  const bits = new DataView(new ArrayBuffer(4));
  if (t.dtype === 'f32') bits.setFloat32(0, value, true);
  else if (t.dtype === 'i32') bits.setInt32(0, value, true);
  else bits.setUint32(0, value, true);
  runKernel(dev, {
    kernel: 'fill',
    shader,
    uniforms: new Params().u32(t.size, bits.getUint32(0, true)).build(),
    tensors: [t],
    workgroups: grid1d(dev, Math.ceil(t.size / WG)),
    bytes: t.byteLength,
  });
  return t;
}

/** A new tensor of the given shape, every element equal to value. */
export function full(dev: Device, shape: readonly number[], value: number): Tensor<'f32'> {
  return fill(dev, dev.empty(shape), value) as Tensor<'f32'>;
}
