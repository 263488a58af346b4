import argmaxShader from '../../shaders/resize_argmax.wgsl';
import axisShader from '../../shaders/resize_axis.wgsl';
import resizeShader from '../../shaders/resize_bilinear.wgsl';
import type { Device } from '../tensor/device.ts';
import { fmtShape, ShapeError } from '../tensor/errors.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { grid1d, Params, runKernel } from './runner.ts';

const WG = 256;
const RESIZE = axisShader + resizeShader;
const RESIZE_ARGMAX = axisShader + argmaxShader;

export interface ResizeOptions {
  height: number;
  width: number;
  /** true: Caffe Interp / TF and PyTorch align_corners=True; false: PyTorch's half-pixel rule. */
  alignCorners: boolean;
  /** 'row4' (default): four outputs of a row per invocation; 'direct': one, the plain reference. */
  variant?: 'row4' | 'direct';
}

/**
 * Caffe Interp's output size (util/interp.cpp): shrink first, ⌊(H−1)/s⌋ + 1, then zoom,
 * H + (H−1)(z−1). 41 zoom 8 → 321; 513 shrink 2 → 257; 513 shrink 4 zoom 3 → 385.
 */
export function caffeInterpSize(size: number, o: { zoom?: number; shrink?: number }): number {
  const { zoom = 1, shrink = 1 } = o;
  if (![zoom, shrink].every((v) => Number.isInteger(v) && v >= 1) || !Number.isInteger(size) || size < 1) {
    throw new ShapeError(`caffeInterpSize(${size}, zoom ${zoom}, shrink ${shrink}): size, zoom and shrink must be positive integers`);
  }
  const shrunk = Math.floor((size - 1) / shrink) + 1;
  return shrunk + (shrunk - 1) * (zoom - 1);
}

/** The source-coordinate step of one axis, rounded to f32 as Caffe and PyTorch compute it. */
function ratio(inSize: number, outSize: number, align: boolean): number {
  if (align) return outSize > 1 ? Math.fround((inSize - 1) / (outSize - 1)) : 0;
  return Math.fround(inSize / outSize);
}

/** x's [N, C, H, W], or a ShapeError naming the op and sizes: x must be non-empty 4-D f32, the output size positive integers. */
function checkResize(op: string, x: Tensor, o: Omit<ResizeOptions, 'variant'>): number[] {
  const what = `${op}(${fmtShape(x.shape)} → ${o.height}×${o.width}, alignCorners ${o.alignCorners})`;
  if (x.shape.length !== 4 || x.dtype !== 'f32') throw new ShapeError(`${what}: expects a 4-D NCHW f32 tensor, got ${x}`);
  if (![o.height, o.width].every((v) => Number.isInteger(v) && v >= 1)) throw new ShapeError(`${what}: height and width must be positive integers`);
  if (x.size === 0) throw new ShapeError(`${what}: the input is empty`);
  return [...x.shape];
}

/** Bilinear resize of an NCHW tensor to height × width (up or down, any sizes). */
export function resizeBilinear(dev: Device, x: Tensor, o: ResizeOptions): Tensor {
  const { height: oh, width: ow, alignCorners } = o;
  const [n, c, h, w] = checkResize('resizeBilinear', x, o);
  const y = dev.empty([n, c, oh, ow]);
  const row4 = (o.variant ?? 'row4') === 'row4';
  const count = row4 ? n * c * oh * Math.ceil(ow / 4) : y.size;
  runKernel(dev, {
    kernel: 'resizeBilinear',
    variant: `${row4 ? 'row4' : 'direct'}/${alignCorners ? 'align' : 'half-pixel'}`,
    shader: RESIZE,
    entryPoint: row4 ? 'row4' : 'main',
    constants: { ALIGN: alignCorners ? 1 : 0 },
    uniforms: new Params()
      .u32(count, h, w, oh, ow)
      .f32(ratio(h, oh, alignCorners), ratio(w, ow, alignCorners))
      .build(),
    tensors: [x, y],
    workgroups: grid1d(dev, Math.ceil(count / WG)),
    shape: `${fmtShape(x.shape)} → ${oh}×${ow}`,
    flops: y.size * 9,
    bytes: x.byteLength + y.byteLength,
  });
  return y;
}

/**
 * argmaxChannels(resizeBilinear(x, o)) without the resized scores: [N, C, H, W] f32 → [N, height,
 * width] i32, the same labels (each value is the resize's to the bit; the first index wins ties).
 * For label maps larger than their scores could be at that size (a photograph's full resolution).
 */
export function resizeArgmax(dev: Device, x: Tensor, o: Omit<ResizeOptions, 'variant'>): Tensor<'i32'> {
  const { height: oh, width: ow, alignCorners } = o;
  const [n, c, h, w] = checkResize('resizeArgmax', x, o);
  const y = dev.empty([n, oh, ow], 'i32');
  runKernel(dev, {
    kernel: 'resizeArgmax',
    variant: alignCorners ? 'align' : 'half-pixel',
    shader: RESIZE_ARGMAX,
    constants: { ALIGN: alignCorners ? 1 : 0 },
    uniforms: new Params()
      .u32(y.size, c, h, w, oh, ow)
      .f32(ratio(h, oh, alignCorners), ratio(w, ow, alignCorners))
      .build(),
    tensors: [x, y],
    workgroups: grid1d(dev, Math.ceil(y.size / WG)),
    shape: `${fmtShape(x.shape)} → ${oh}×${ow}`,
    flops: y.size * c * 9,
    bytes: 4 * y.size * (4 * c + 1),
  });
  return y;
}
