import shader from '../../shaders/pool2d.wgsl';
import row4Shader from '../../shaders/pool2d_row4.wgsl';
import type { Device } from '../tensor/device.ts';
import { fmtShape, ShapeError } from '../tensor/errors.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { grid1d, Params, runKernel } from './runner.ts';

const WG = 256;

export interface Pool2dOptions {
  kernel: number;
  stride: number;
  pad: number;
  /** Default true: Caffe's rounding (= PyTorch ceil_mode=True); false rounds down. */
  ceil?: boolean;
  /** 'row4' (default): four outputs per invocation; 'direct': one, the plain reference. */
  variant?: 'row4' | 'direct';
}

/**
 * Caffe's pooled size: ⌈(H + 2p − k)/s⌉ + 1, less one when the last window would start inside the
 * bottom/right padding ((out−1)·s ≥ H + p), so every window holds at least one input cell.
 * PyTorch's ceil_mode=True applies the same correction; in floor mode it can never trigger.
 */
export function pool2dOutputSize(size: number, kernel: number, stride: number, pad: number, ceil: boolean): number {
  const span = size + 2 * pad - kernel;
  let out = (ceil ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  if (pad > 0 && (out - 1) * stride >= size + pad) out--;
  return out;
}

function pool(dev: Device, op: 'maxPool2d' | 'avgPool2d', x: Tensor, o: Pool2dOptions): Tensor {
  const { kernel: k, stride: s, pad } = o;
  const ceil = o.ceil ?? true;
  const what = `${op}(${fmtShape(x.shape)}, kernel ${k}, stride ${s}, pad ${pad}, ${ceil ? 'ceil' : 'floor'})`;
  if (x.shape.length !== 4 || x.dtype !== 'f32') throw new ShapeError(`${what}: expects a 4-D NCHW f32 tensor, got ${x}`);
  if (![k, s].every((v) => Number.isInteger(v) && v >= 1) || !Number.isInteger(pad) || pad < 0 || pad >= k) {
    throw new ShapeError(`${what}: kernel and stride must be positive integers and 0 ≤ pad < kernel`);
  }
  const [n, c, h, w] = x.shape;
  if (k > h + 2 * pad || k > w + 2 * pad) {
    throw new ShapeError(`${what}: the ${k}×${k} window is larger than the padded ${h + 2 * pad}×${w + 2 * pad} input; use a smaller kernel or more padding`);
  }
  const oh = pool2dOutputSize(h, k, s, pad, ceil);
  const ow = pool2dOutputSize(w, k, s, pad, ceil);
  if (n * c * oh * ow === 0) throw new ShapeError(`${what}: the output ${fmtShape([n, c, oh, ow])} is empty`);
  const y = dev.empty([n, c, oh, ow]);
  // row4 keeps the span of four windows, 3·stride + kernel cells, in a 16-entry array.
  const row4 = (o.variant ?? 'row4') === 'row4' && 3 * s + k <= 16;
  const count = row4 ? n * c * oh * Math.ceil(ow / 4) : y.size;
  runKernel(dev, {
    kernel: op,
    variant: row4 ? 'row4' : 'direct',
    shader: row4 ? row4Shader : shader,
    constants: row4 ? { AVG: op === 'avgPool2d' ? 1 : 0, K: k, S: s } : { AVG: op === 'avgPool2d' ? 1 : 0 },
    uniforms: new Params().u32(count, h, w, oh, ow, k, s, pad).build(),
    tensors: [x, y],
    workgroups: grid1d(dev, Math.ceil(count / (row4 ? 64 : WG))),
    shape: `${fmtShape(x.shape)} k${k} s${s} p${pad}`,
    flops: y.size * k * k,
    bytes: x.byteLength + y.byteLength,
  });
  return y;
}

/** Max pooling; padded cells never win. */
export function maxPool2d(dev: Device, x: Tensor, o: Pool2dOptions): Tensor {
  return pool(dev, 'maxPool2d', x, o);
}

/**
 * Average pooling with Caffe's AVE divisor: the window clipped to the padded input (H + p), so
 * padding counts as zeros but windows hanging past the padding (ceil mode) do not. PyTorch's
 * avg_pool2d(ceil_mode=True, count_include_pad=True) computes exactly this divisor
 * (hend = min(hstart + k, H + p); pool_size = (hend − hstart)·(wend − wstart)); the golden test
 * checks it bit for bit, ceil-mode edge windows included.
 */
export function avgPool2d(dev: Device, x: Tensor, o: Pool2dOptions): Tensor {
  return pool(dev, 'avgPool2d', x, o);
}

/** Mean over H×W of each (n, c) plane: [N, C, H, W] → [N, C, 1, 1]. */
export function globalAvgPool2d(dev: Device, x: Tensor): Tensor {
  if (x.shape.length !== 4 || x.dtype !== 'f32') throw new ShapeError(`globalAvgPool2d: expects a 4-D NCHW f32 tensor, got ${x}`);
  const [n, c, h, w] = x.shape;
  if (n * c * h * w === 0) throw new ShapeError(`globalAvgPool2d: input ${fmtShape(x.shape)} is empty`);
  const y = dev.empty([n, c, 1, 1]);
  runKernel(dev, {
    kernel: 'globalAvgPool2d',
    shader,
    entryPoint: 'global_avg',
    uniforms: new Params().u32(n * c, h, w).pad(8).build(), // same Params struct as main
    tensors: [x, y],
    workgroups: grid1d(dev, n * c),
    flops: x.size,
    bytes: x.byteLength + y.byteLength,
  });
  return y;
}
