import shader from '../../shaders/argmax_channels.wgsl';
import type { Device } from '../tensor/device.ts';
import { fmtShape, ShapeError } from '../tensor/errors.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { grid1d, Params, runKernel } from './runner.ts';

const WG = 256;

/** Per-pixel index of the largest channel: [N, C, H, W] f32 → [N, H, W] i32; the first index wins ties. */
export function argmaxChannels(dev: Device, x: Tensor): Tensor<'i32'> {
  if (x.shape.length !== 4 || x.dtype !== 'f32') throw new ShapeError(`argmaxChannels: expects a 4-D NCHW f32 tensor, got ${x}`);
  const [n, c, h, w] = x.shape;
  if (x.size === 0) throw new ShapeError(`argmaxChannels: input ${fmtShape(x.shape)} is empty`);
  const y = dev.empty([n, h, w], 'i32');
  runKernel(dev, {
    kernel: 'argmaxChannels',
    shader,
    uniforms: new Params().u32(n * h * w, c, h * w).build(),
    tensors: [x, y],
    workgroups: grid1d(dev, Math.ceil((n * h * w) / WG)),
    flops: x.size,
    bytes: x.byteLength + y.byteLength,
  });
  return y;
}
