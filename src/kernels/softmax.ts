import shader from '../../shaders/softmax_channels.wgsl';
import type { Device } from '../tensor/device.ts';
import { fmtShape, ShapeError } from '../tensor/errors.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { grid1d, Params, runKernel } from './runner.ts';

const WG = 256;

/** Softmax over C of an NCHW tensor (max-subtracted, so large logits don't overflow). */
export function softmaxChannels(dev: Device, x: Tensor): Tensor {
  if (x.shape.length !== 4 || x.dtype !== 'f32') throw new ShapeError(`softmaxChannels: expects a 4-D NCHW f32 tensor, got ${x}`);
  const [n, c, h, w] = x.shape;
  if (x.size === 0) throw new ShapeError(`softmaxChannels: input ${fmtShape(x.shape)} is empty`);
  const y = dev.empty(x.shape);
  runKernel(dev, {
    kernel: 'softmaxChannels',
    shader,
    uniforms: new Params().u32(n * h * w, c, h * w).build(),
    tensors: [x, y],
    workgroups: grid1d(dev, Math.ceil((n * h * w) / WG)),
    flops: x.size * 5,
    bytes: 2 * x.byteLength + y.byteLength, // x is read twice
  });
  return y;
}
