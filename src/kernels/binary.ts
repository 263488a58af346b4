import broadcastBody from '../../shaders/binary.wgsl';
import opShader from '../../shaders/binary_op.wgsl';
import vec4Body from '../../shaders/binary_vec4.wgsl';
import type { Device } from '../tensor/device.ts';
import { fmtShape, ShapeError } from '../tensor/errors.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { grid1d, Params, runKernel } from './runner.ts';

const WG = 256;
const shader = opShader + broadcastBody;
const vec4Shader = opShader + vec4Body;
const OPS = { add: 0, sub: 1, mul: 2, div: 3, max: 4, min: 5 } as const;
export type BinaryOp = keyof typeof OPS;

/** NumPy broadcasting of two shapes (rank ≤ 4); throws naming both shapes if they don't broadcast. */
export function broadcastShape(op: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  if (rank > 4) throw new ShapeError(`${op}: rank ${rank} is over the 4 dims (NCHW) elementwise ops support`);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} do not broadcast (dim ${i}: ${da} vs ${db})`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Row-major strides of `shape` seen through the rank-4 output shape `out4`, 0 where broadcast. */
function broadcastStrides(shape: readonly number[], out4: number[]): number[] {
  const s4 = [...Array(4 - shape.length).fill(1), ...shape];
  const strides = [0, 0, 0, 0];
  let acc = 1;
  for (let i = 3; i >= 0; i--) {
    strides[i] = s4[i] === 1 && out4[i] !== 1 ? 0 : acc;
    acc *= s4[i];
  }
  return strides;
}

/** 'broadcast': any NumPy-broadcastable shapes, one element per invocation (the reference); 'vec4': equal shapes whose size is a multiple of 4. */
export const BINARY_VARIANTS = ['broadcast', 'vec4'] as const;

/**
 * z = op(a, b) elementwise with broadcasting; `relu` fuses max(z, 0) (a residual unit's add +
 * ReLU). The variant defaults to 'vec4' where it applies, else 'broadcast'.
 */
export function binary(dev: Device, op: BinaryOp, a: Tensor, b: Tensor, opts: { relu?: boolean; variant?: (typeof BINARY_VARIANTS)[number] } = {}): Tensor {
  if (a.dtype !== 'f32' || b.dtype !== 'f32') throw new ShapeError(`${op}: expects f32 tensors, got ${a} and ${b}`);
  const shape = broadcastShape(op, a.shape, b.shape);
  const same = a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]) && a.size % 4 === 0;
  const variant = opts.variant ?? (same ? 'vec4' : 'broadcast');
  if (variant === 'vec4' && !same) throw new ShapeError(`${op}: variant 'vec4' needs operands of one shape with a size divisible by 4, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}; use 'broadcast'`);
  const out = dev.empty(shape);
  const out4 = [...Array(4 - shape.length).fill(1), ...shape];
  const common = {
    kernel: opts.relu ? `${op}_relu` : op,
    variant,
    constants: { OP: OPS[op], RELU: opts.relu ? 1 : 0 },
    tensors: [a, b, out],
    shape: `${fmtShape(a.shape)} ${fmtShape(b.shape)}`,
    bytes: a.byteLength + b.byteLength + out.byteLength,
  };
  if (variant === 'vec4') {
    runKernel(dev, { ...common, shader: vec4Shader, uniforms: new Params().u32(out.size / 4).build(), workgroups: grid1d(dev, Math.ceil(out.size / 4 / WG)) });
    return out;
  }
  runKernel(dev, {
    ...common,
    shader,
    uniforms: new Params()
      .u32(out.size, out4[1], out4[2], out4[3])
      .u32(...broadcastStrides(a.shape, out4))
      .u32(...broadcastStrides(b.shape, out4))
      .build(),
    workgroups: grid1d(dev, Math.ceil(out.size / WG)),
  });
  return out;
}

export const add = (dev: Device, a: Tensor, b: Tensor) => binary(dev, 'add', a, b);
export const mul = (dev: Device, a: Tensor, b: Tensor) => binary(dev, 'mul', a, b);
export const maximum = (dev: Device, a: Tensor, b: Tensor) => binary(dev, 'max', a, b);
