import { AtrousError } from '../tensor/errors.ts';

/** A .npy file that is not a little-endian float32 C-order array, or is damaged. */
export class NpyError extends AtrousError {
  override name = 'NpyError';
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/**
 * Reads a NumPy .npy file (format versions 1.0, 2.0 and 3.0) holding a little-endian float32 array
 * in C order. `what` names the file in errors. Other dtypes, big-endian data and Fortran order are
 * refused with the conversion to do in NumPy, rather than guessed at.
 */
export function readNpy(bytes: Uint8Array, what: string): { shape: number[]; data: Float32Array } {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new NpyError(`${what}: not a NumPy .npy file (no "\\x93NUMPY" magic). Save the array with numpy.save().`);
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) (headerLen = view.getUint16(8, true)), (start = 10);
  else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyError(`${what}: truncated .npy header`);
    (headerLen = view.getUint32(8, true)), (start = 12);
  } else throw new NpyError(`${what}: .npy format version ${major}.${bytes[7]} is not supported (versions 1, 2 and 3 are)`);
  if (start + headerLen > bytes.length) throw new NpyError(`${what}: truncated .npy header (${headerLen} bytes announced)`);
  // v1/v2 headers are latin-1, v3 UTF-8; the fields we read are ASCII either way.
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new NpyError(`${what}: malformed .npy header ${JSON.stringify(header.trim())}`);
  }
  if (descr !== '<f4') {
    const hint = descr === '>f4' ? 'big-endian float32; use a.astype("<f4")' : `dtype "${descr}"; use a.astype(numpy.float32)`;
    throw new NpyError(`${what}: the array must be little-endian float32 ("<f4"), got ${hint} before numpy.save()`);
  }
  if (fortran === 'True') throw new NpyError(`${what}: Fortran-order arrays are not supported; save numpy.ascontiguousarray(a)`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length)
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isSafeInteger(n) || n < 0) throw new NpyError(`${what}: bad dimension "${s}" in the .npy shape`);
      return n;
    });
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLen;
  if (bytes.length - dataStart < count * 4) {
    throw new NpyError(`${what}: truncated .npy data: shape (${shape.join(', ')}) needs ${count * 4} bytes, the file has ${bytes.length - dataStart}`);
  }
  const data = new Float32Array(count);
  // Copy (rather than view) so the data is 4-byte aligned whatever the header length.
  new Uint8Array(data.buffer).set(bytes.subarray(dataStart, dataStart + count * 4));
  return { shape, data };
}

/** Writes `data` as a version 1.0 .npy file: little-endian float32, C order. */
export function writeNpy(shape: readonly number[], data: Float32Array): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new NpyError(`writeNpy: shape (${shape.join(', ')}) holds ${count} values, ${data.length} given`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  // Pad with spaces and end with a newline so the data starts at a multiple of 64 bytes.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  if (header.length > 0xffff) throw new NpyError(`writeNpy: header too long for .npy version 1.0`);
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}
