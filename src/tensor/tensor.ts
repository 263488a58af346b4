import type { Device } from './device.ts';
import { DisposedError, fmtShape, ShapeError, WrongDeviceError } from './errors.ts';

/** Element types a tensor can hold. All are 4 bytes; f16 storage is planned, not yet offered. */
export type DType = 'f32' | 'u32' | 'i32';
export type TypedArrayFor<D extends DType> = D extends 'f32' ? Float32Array : D extends 'u32' ? Uint32Array : Int32Array;

export const BYTES_PER_ELEMENT = 4;

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function checkShape(shape: readonly number[], what = 'tensor'): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${what}: shape ${fmtShape(shape)} has a dimension that is not a non-negative integer`);
  }
}

/** GPU storage shared by a tensor and its reshaped views; the buffer returns to the pool when the last one is disposed. */
class Storage {
  refs = 1;
  constructor(readonly buffer: GPUBuffer) {}
}

/**
 * A dense, row-major (NCHW for images) tensor in GPU memory. Dispose it explicitly, or create it
 * inside Device.scope(), which disposes everything it did not return.
 */
export class Tensor<D extends DType = DType> {
  readonly size: number;
  private storage: Storage | null;

  /** @internal use Device.tensor / Device.empty / Device.zeros */
  constructor(
    readonly device: Device,
    readonly shape: readonly number[],
    readonly dtype: D,
    storage: Storage | GPUBuffer,
  ) {
    this.size = numel(shape);
    this.storage = storage instanceof Storage ? storage : new Storage(storage);
    device.track(this);
  }

  get byteLength(): number {
    return this.size * BYTES_PER_ELEMENT;
  }

  get disposed(): boolean {
    return this.storage === null;
  }

  /**
   * The GPU buffer; throws if the tensor was disposed, or belongs to a device other than `dev`
   * (when given: the device about to use it). `op` names the caller in the error.
   */
  bufferFor(op: string, dev?: Device): GPUBuffer {
    if (!this.storage) throw new DisposedError(`${op}: tensor ${fmtShape(this.shape)} ${this.dtype} was used after dispose()`);
    if (dev && dev !== this.device) {
      throw new WrongDeviceError(`${op}: tensor ${fmtShape(this.shape)} ${this.dtype} belongs to another Device; a tensor works only on the device that created it: download() it and upload the values with this device's tensor()`);
    }
    return this.storage.buffer;
  }

  get buffer(): GPUBuffer {
    return this.bufferFor('buffer');
  }

  /** A view with another shape of the same element count, sharing storage (no copy). */
  reshape(shape: readonly number[]): Tensor<D> {
    checkShape(shape, 'reshape');
    if (numel(shape) !== this.size) {
      throw new ShapeError(`reshape: cannot view ${fmtShape(this.shape)} (${this.size} elements) as ${fmtShape(shape)} (${numel(shape)} elements)`);
    }
    const s = this.storage;
    if (!s) throw new DisposedError(`reshape: tensor ${fmtShape(this.shape)} was used after dispose()`);
    s.refs++;
    return new Tensor(this.device, [...shape], this.dtype, s);
  }

  /** Reads the tensor back to the CPU (one readback; submits pending work first). */
  download(): Promise<TypedArrayFor<D>> {
    return this.device.download(this);
  }

  /** Returns the storage to the device's pool. Safe to call twice. */
  dispose(): void {
    const s = this.storage;
    if (!s) return;
    this.storage = null;
    this.device.untrack(this);
    if (--s.refs === 0) this.device.pool.release(s.buffer);
  }

  toString(): string {
    return `Tensor(${fmtShape(this.shape)}, ${this.dtype}${this.disposed ? ', disposed' : ''})`;
  }
}
