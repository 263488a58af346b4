import shader from '../../shaders/copy.wgsl';
import type { Device } from '../tensor/device.ts';
import { fmtShape, ShapeError } from '../tensor/errors.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { Params, runKernel } from './runner.ts';

const WG = 256;

export interface BlockCopy {
  run: number;
  rows: number;
  srcOffset: number;
  srcStride: number;
  dstOffset: number;
  dstStride: number;
}

/** dst[dstOffset + r·dstStride + i] = src[srcOffset + r·srcStride + i] for r < rows, i < run (elements). */
export function copyBlocks(dev: Device, src: Tensor, dst: Tensor, b: BlockCopy, kernel = 'copy'): void {
  const lastSrc = b.rows ? b.srcOffset + (b.rows - 1) * b.srcStride + b.run : 0;
  const lastDst = b.rows ? b.dstOffset + (b.rows - 1) * b.dstStride + b.run : 0;
  if (lastSrc > src.size || lastDst > dst.size) {
    throw new ShapeError(`${kernel}: block copy reaches element ${Math.max(lastSrc, lastDst)} past src ${fmtShape(src.shape)} or dst ${fmtShape(dst.shape)}`);
  }
  const count = b.run * b.rows;
  // x covers a row (4 elements per invocation), y·z the rows.
  const max = dev.limits.maxComputeWorkgroupsPerDimension;
  const x = Math.ceil(b.run / (WG * 4));
  const z = Math.ceil(b.rows / max);
  runKernel(dev, {
    kernel,
    shader,
    uniforms: new Params().u32(b.run, b.rows, b.srcOffset, b.srcStride, b.dstOffset, b.dstStride).build(),
    tensors: [src, dst],
    workgroups: [x, Math.ceil(b.rows / z), z],
    bytes: count * 8,
  });
}

/** A new tensor holding a copy of src. */
export function copy(dev: Device, src: Tensor): Tensor {
  const dst = dev.empty(src.shape, src.dtype);
  copyBlocks(dev, src, dst, { run: src.size, rows: 1, srcOffset: 0, srcStride: 0, dstOffset: 0, dstStride: 0 });
  return dst;
}
