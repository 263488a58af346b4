import type { Device } from '../tensor/device.ts';
import { fmtShape, ShapeError } from '../tensor/errors.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { copyBlocks } from './copy.ts';

/**
 * Concatenation along C of NCHW tensors with equal N, H, W. Each input is one strided block copy:
 * N runs of Cᵢ·H·W contiguous elements, landing at channel offset Σ C<ᵢ of each output image.
 */
export function concatChannels(dev: Device, xs: Tensor[]): Tensor {
  const shapes = xs.map((t) => fmtShape(t.shape)).join(', ');
  if (xs.length === 0) throw new ShapeError('concatChannels: needs at least one tensor');
  const [n, , h, w] = xs[0].shape;
  const fits = (t: Tensor) => t.dtype === 'f32' && t.shape.length === 4 && t.shape[0] === n && t.shape[2] === h && t.shape[3] === w;
  if (!xs.every(fits)) throw new ShapeError(`concatChannels: needs 4-D f32 tensors with equal N, H and W, got ${shapes}`);
  const total = xs.reduce((s, t) => s + t.shape[1], 0);
  const y = dev.empty([n, total, h, w]);
  let offset = 0;
  for (const x of xs) {
    const run = x.shape[1] * h * w;
    copyBlocks(dev, x, y, { run, rows: n, srcOffset: 0, srcStride: run, dstOffset: offset * h * w, dstStride: total * h * w }, 'concatChannels');
    offset += x.shape[1];
  }
  return y;
}
