import shader from '../../shaders/unary.wgsl';
import type { Device } from '../tensor/device.ts';
import { ShapeError } from '../tensor/errors.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { grid1d, Params, runKernel } from './runner.ts';

const WG = 256;
const OPS = { relu: 0, affine: 1, exp: 2, neg: 3, abs: 4, log: 5 } as const;
export type UnaryOp = keyof typeof OPS;

/** y = op(x) elementwise; `affine` is alpha·x + beta. Writes into `out` when given (may be x itself). */
export function unary(dev: Device, op: UnaryOp, x: Tensor, opts: { alpha?: number; beta?: number; out?: Tensor } = {}): Tensor {
  if (x.dtype !== 'f32') throw new ShapeError(`${op}: expects an f32 tensor, got ${x}`);
  const out = opts.out ?? dev.empty(x.shape);
  if (out.size !== x.size) throw new ShapeError(`${op}: output ${out} does not match input ${x}`);
  // WebGPU forbids binding one buffer both read-only and writable in a dispatch, so in-place
  // (out === x) goes through a temporary.
  const target = out === x ? dev.empty(x.shape) : out;
  runKernel(dev, {
    kernel: op,
    shader,
    constants: { OP: OPS[op] },
    uniforms: new Params().u32(x.size).f32(opts.alpha ?? 1, opts.beta ?? 0).build(),
    tensors: [x, target],
    workgroups: grid1d(dev, Math.ceil(x.size / WG)),
    bytes: x.byteLength * 2,
  });
  if (target !== out) {
    dev.encoder.copyBufferToBuffer(target.buffer, 0, out.bufferFor(op, dev), 0, out.byteLength);
    target.dispose();
  }
  return out;
}

export const relu = (dev: Device, x: Tensor, out?: Tensor) => unary(dev, 'relu', x, { out });
