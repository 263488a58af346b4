/** Every error the engine raises names the problem and, where there is one, the remedy. */
export class AtrousError extends Error {
  override name = 'AtrousError';
}

/** No WebGPU adapter or device could be had. */
export class GpuUnavailableError extends AtrousError {
  override name = 'GpuUnavailableError';
}

/** A shape, dtype or parameter that an op cannot accept. */
export class ShapeError extends AtrousError {
  override name = 'ShapeError';
}

/** A request over one of the device's limits. */
export class LimitError extends AtrousError {
  override name = 'LimitError';
}

/** A tensor used after dispose(). */
export class DisposedError extends AtrousError {
  override name = 'DisposedError';
}

/** A tensor used with a Device other than the one that created it. */
export class WrongDeviceError extends AtrousError {
  override name = 'WrongDeviceError';
}

/** Validation or out-of-memory errors reported by the GPU, or a lost device. */
export class GpuError extends AtrousError {
  override name = 'GpuError';
}

export const fmtShape = (s: readonly number[]) => `[${s.join(', ')}]`;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
