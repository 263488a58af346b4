import { AtrousError, fmtShape } from '../tensor/errors.ts';

/**
 * One tensor read from a weight file, converted to a 32-bit typed array: floating-point types
 * (F16, BF16, F64) to float32 as PyTorch's .float() converts them, integers to int32. `dtype` is
 * the file's.
 */
export interface HostTensor {
  dtype: 'F32' | 'I32' | 'U8' | 'F16' | 'BF16' | 'F64' | 'I64';
  shape: number[];
  data: Float32Array | Int32Array;
}

export class WeightFileError extends AtrousError {
  override name = 'WeightFileError';
}

const DTYPE_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I32: 4, I64: 8, U8: 1 };

/** The floating-point element types, read as float32. */
export const FLOAT_DTYPES: readonly string[] = ['F32', 'F16', 'BF16', 'F64'];

/** An IEEE half (as its 16 bits) as a number. */
function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

const bf16Bits = new Uint32Array(1);
const bf16Value = new Float32Array(bf16Bits.buffer);
/** A bfloat16 (as its 16 bits) as a number: float32's upper half, so exact. */
function bf16ToF32(h: number): number {
  bf16Bits[0] = h << 16;
  return bf16Value[0];
}

/** An int64 value as int32, which is how integers are held; one that does not fit is refused, not wrapped. */
function int64ToInt32(v: bigint, name: string, what: string): number {
  if (v < -0x80000000n || v > 0x7fffffffn) {
    throw new WeightFileError(`${what}: tensor "${name}" holds the int64 value ${v}, outside the int32 range integer tensors are read into`);
  }
  return Number(v);
}

/**
 * Element e (little-endian, counted in elements of `dtype`) of `dv` as the number a HostTensor
 * holds: floats as float32 values (the typed-array store rounds F64 to nearest even, as .float()
 * does), integers as int32. One closure per dtype, so a loop over a tensor calls one plain read.
 * `name` and `what` name the tensor and file in errors.
 */
export function elementReader(dv: DataView, dtype: HostTensor['dtype'], name: string, what: string): (e: number) => number {
  switch (dtype) {
    case 'F32': return (e) => dv.getFloat32(e * 4, true);
    case 'F16': return (e) => f16ToF32(dv.getUint16(e * 2, true));
    case 'BF16': return (e) => bf16ToF32(dv.getUint16(e * 2, true));
    case 'F64': return (e) => dv.getFloat64(e * 8, true);
    case 'I32': return (e) => dv.getInt32(e * 4, true);
    case 'I64': return (e) => int64ToInt32(dv.getBigInt64(e * 8, true), name, what);
    case 'U8': return (e) => dv.getUint8(e);
  }
}

/**
 * Parses a safetensors file (https://github.com/huggingface/safetensors: u64 LE header length,
 * JSON header, raw little-endian data). Every offset is checked against the file, so a truncated
 * or foreign file is refused with a message rather than read out of bounds. `what` names the file.
 */
export function parseSafetensors(bytes: Uint8Array, what = 'safetensors file'): Map<string, HostTensor> {
  if (bytes.byteLength < 8) throw new WeightFileError(`${what}: ${bytes.byteLength} bytes is too short to be a safetensors file`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(dv.getBigUint64(0, true));
  if (headerLen < 2 || 8 + headerLen > bytes.byteLength || headerLen > 100 * 1024 * 1024) {
    throw new WeightFileError(`${what}: not a safetensors file (header length ${headerLen} does not fit its ${bytes.byteLength} bytes); the file may be truncated or of another format`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen)));
  } catch {
    throw new WeightFileError(`${what}: the safetensors header is not valid JSON; the file is damaged or of another format`);
  }
  const dataStart = 8 + headerLen;
  const dataLen = bytes.byteLength - dataStart;
  const out = new Map<string, HostTensor>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const e = raw as { dtype?: string; shape?: number[]; data_offsets?: number[] };
    const dtype = e.dtype ?? '';
    if (!(dtype in DTYPE_BYTES)) throw new WeightFileError(`${what}: tensor "${name}" has dtype ${dtype}; supported are ${Object.keys(DTYPE_BYTES).join(', ')}`);
    const shape = e.shape ?? [];
    const [begin, end] = e.data_offsets ?? [];
    const n = shape.reduce((a, b) => a * b, 1);
    if (!Number.isInteger(begin) || !Number.isInteger(end) || begin < 0 || end > dataLen || end - begin !== n * DTYPE_BYTES[dtype]) {
      throw new WeightFileError(
        `${what}: tensor "${name}" ${fmtShape(shape)} ${dtype} has data offsets [${begin}, ${end}) that do not fit ` +
          `${n * DTYPE_BYTES[dtype]} bytes inside the ${dataLen} data bytes; the file is truncated or damaged`,
      );
    }
    const at = dataStart + begin;
    const view = new DataView(bytes.buffer, bytes.byteOffset + at, end - begin);
    let data: Float32Array | Int32Array;
    if (dtype === 'F32' && (bytes.byteOffset + at) % 4 === 0) {
      data = new Float32Array(bytes.buffer, bytes.byteOffset + at, n); // zero-copy view (hosts are little-endian)
    } else {
      const read = elementReader(view, dtype as HostTensor['dtype'], name, what);
      data = FLOAT_DTYPES.includes(dtype) ? new Float32Array(n) : new Int32Array(n);
      for (let i = 0; i < n; i++) data[i] = read(i);
    }
    out.set(name, { dtype: dtype as HostTensor['dtype'], shape, data });
  }
  return out;
}
