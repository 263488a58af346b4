import shader from '../../shaders/crop_pad.wgsl';
import type { Device } from '../tensor/device.ts';
import { fmtShape, ShapeError } from '../tensor/errors.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { grid1d, Params, runKernel } from './runner.ts';

const WG = 256;

export interface CropPadOptions {
  /** Input row/column at output (0, 0); negative pads before, positive crops. */
  top: number;
  left: number;
  height: number;
  width: number;
  /** Fill for cells outside the input (default 0). */
  value?: number;
}

/**
 * A height × width window of each plane starting at input (top, left), filled with `value` outside
 * the input: Caffe's pad-to-crop-size (top = left = 0, larger window), the crop back, and DeepLab
 * basic's ×8 crop (top = left = 7 for pad_beg −7).
 */
export function cropPad2d(dev: Device, x: Tensor, o: CropPadOptions): Tensor {
  const { top, left, height, width, value = 0 } = o;
  const what = `cropPad2d(${fmtShape(x.shape)}, top ${top}, left ${left}, ${height}×${width})`;
  if (x.shape.length !== 4 || x.dtype !== 'f32') throw new ShapeError(`${what}: expects a 4-D NCHW f32 tensor, got ${x}`);
  if (![height, width].every((v) => Number.isInteger(v) && v >= 1) || !Number.isInteger(top) || !Number.isInteger(left)) {
    throw new ShapeError(`${what}: height and width must be positive integers, top and left integers`);
  }
  const [n, c, h, w] = x.shape;
  if (n * c === 0) throw new ShapeError(`${what}: the input has no planes`);
  const y = dev.empty([n, c, height, width]);
  const count = n * c * height * Math.ceil(width / 4);
  runKernel(dev, {
    kernel: 'cropPad2d',
    shader,
    uniforms: new Params().u32(count, h, w, height, width).i32(top, left).f32(value).build(),
    tensors: [x, y],
    workgroups: grid1d(dev, Math.ceil(count / WG)),
    shape: `${fmtShape(x.shape)} → ${height}×${width} at (${top}, ${left})`,
    bytes: 2 * y.byteLength,
  });
  return y;
}
