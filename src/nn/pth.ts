import { fmtShape } from '../tensor/errors.ts';
import { elementReader, FLOAT_DTYPES, WeightFileError, type HostTensor } from './safetensors.ts';

// PyTorch `torch.save` files holding a state dict (deeplab-spec §4): (a) the zip format of
// PyTorch ≥ 1.6 (`<prefix>/data.pkl` plus one stored entry per storage, `<prefix>/data/<key>`);
// (b) the legacy stream (magic, protocol and sys_info pickles, the object pickle, the list of
// storage keys, then per key an int64 element count and the raw bytes). Only the pickle opcodes
// and globals a state dict needs are understood: no code is ever run.

const STORAGE_DTYPES: Record<string, [HostTensor['dtype'], number]> = {
  FloatStorage: ['F32', 4],
  HalfStorage: ['F16', 2],
  BFloat16Storage: ['BF16', 2],
  DoubleStorage: ['F64', 8],
  LongStorage: ['I64', 8],
  IntStorage: ['I32', 4],
  ByteStorage: ['U8', 1],
};

interface StorageRef {
  storage: true;
  key: string;
  type: string;
}
interface TensorRef {
  tensor: true;
  storage: StorageRef;
  offset: number;
  shape: number[];
  stride: number[];
}
interface Global {
  global: string;
}
type Value = unknown;

/** Runs a pickle (protocols 2–5) far enough to rebuild a state dict; `persistent` resolves storages. */
function unpickle(bytes: Uint8Array, start: number, what: string, persistent: (pid: Value[]) => Value): { value: Value; end: number } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder();
  const stack: Value[] = [];
  const marks: number[] = [];
  const memo = new Map<number, Value>();
  let p = start;
  const fail = (msg: string): never => {
    throw new WeightFileError(`${what}: not a readable PyTorch state dict: ${msg} at byte ${p}; the file is truncated, damaged, or holds more than tensors by name`);
  };
  const need = (n: number) => (p + n <= bytes.length ? p : fail('the pickle runs past the end of the file'));
  const u8 = () => {
    need(1);
    return bytes[p++];
  };
  const u32 = () => (need(4), (p += 4), dv.getUint32(p - 4, true));
  const str = (n: number) => (need(n), (p += n), text.decode(bytes.subarray(p - n, p)));
  const line = () => {
    const e = bytes.indexOf(10, p);
    if (e < 0) fail('a GLOBAL name has no end');
    const s = text.decode(bytes.subarray(p, e));
    p = e + 1;
    return s;
  };
  const popMark = () => {
    if (!marks.length) fail('a MARK is missing');
    return stack.splice(marks.pop()!);
  };
  const top = () => (stack.length ? stack[stack.length - 1] : fail('the pickle stack is empty'));
  const setItems = (d: Value, kv: Value[]) => {
    if (!(d instanceof Map)) fail('SETITEMS on a non-dict');
    for (let i = 0; i < kv.length; i += 2) (d as Map<Value, Value>).set(kv[i], kv[i + 1]);
  };
  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: need(8); p += 8; break; // FRAME
      case 0x2e: return { value: stack.pop(), end: p }; // STOP
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x28: marks.push(stack.length); break; // MARK
      case 0x74: stack.push(popMark()); break; // TUPLE
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x85: stack.push(stack.splice(-1)); break; // TUPLE1
      case 0x86: stack.push(stack.splice(-2)); break; // TUPLE2
      case 0x87: stack.push(stack.splice(-3)); break; // TUPLE3
      case 0x64: { const kv = popMark(); const d = new Map(); setItems(d, kv); stack.push(d); break; } // DICT
      case 0x73: { const v = stack.pop(); const k = stack.pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const kv = popMark(); setItems(top(), kv); break; } // SETITEMS
      case 0x61: { const v = stack.pop(); (top() as Value[]).push(v); break; } // APPEND
      case 0x65: { const vs = popMark(); (top() as Value[]).push(...vs); break; } // APPENDS
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: { const i = op === 0x68 ? u8() : u32(); if (!memo.has(i)) fail(`memo ${i} is unset`); stack.push(memo.get(i)); break; } // BINGET, LONG_BINGET
      case 0x4a: need(4); p += 4; stack.push(dv.getInt32(p - 4, true)); break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: need(2); p += 2; stack.push(dv.getUint16(p - 2, true)); break; // BININT2
      case 0x8a: { const n = u8(); need(n); let v = 0; for (let i = n - 1; i >= 0; i--) v = v * 256 + bytes[p + i]; if (n && bytes[p + n - 1] & 0x80) v -= 256 ** n; p += n; stack.push(v); break; } // LONG1
      case 0x47: need(8); p += 8; stack.push(dv.getFloat64(p - 8, false)); break; // BINFLOAT (big-endian)
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x58: case 0x54: case 0x42: stack.push(str(u32())); break; // BINUNICODE, BINSTRING, BINBYTES
      case 0x8c: case 0x55: case 0x43: stack.push(str(u8())); break; // SHORT_BINUNICODE, SHORT_BINSTRING, SHORT_BINBYTES
      case 0x63: stack.push({ global: `${line()}.${line()}` } as Global); break; // GLOBAL
      case 0x93: { const name = stack.pop(); const mod = stack.pop(); stack.push({ global: `${mod}.${name}` } as Global); break; } // STACK_GLOBAL
      case 0x51: stack.push(persistent(stack.pop() as Value[])); break; // BINPERSID
      case 0x52: case 0x81: { const args = stack.pop() as Value[]; const f = stack.pop() as Global; stack.push(call(f, args, fail)); break; } // REDUCE, NEWOBJ
      case 0x62: stack.pop(); break; // BUILD: the state (an OrderedDict's _metadata) is not needed
      default: fail(`pickle opcode 0x${op.toString(16)} is not supported`);
    }
  }
}

/** The callables a state dict's pickle REDUCEs: dicts and tensor rebuilders; anything else is refused. */
function call(f: Global, args: Value[], fail: (m: string) => never): Value {
  switch (f.global) {
    case 'collections.OrderedDict':
      return new Map();
    case 'torch._utils._rebuild_tensor_v2': {
      const [storage, offset, shape, stride] = args as [StorageRef, number, number[], number[]];
      return { tensor: true, storage, offset, shape: [...shape], stride: [...stride] } as TensorRef;
    }
    case 'torch._utils._rebuild_parameter':
      return args[0];
    default:
      return fail(`the pickle calls ${f.global}, which a state dict of tensors does not`);
  }
}

/** Copies a (possibly strided) tensor out of its storage's bytes into a HostTensor. */
function materialise(name: string, t: TensorRef, bytes: Uint8Array | undefined, what: string): HostTensor {
  const [dtype, size] = STORAGE_DTYPES[t.storage.type] ?? [];
  if (!dtype) throw new WeightFileError(`${what}: tensor "${name}" is stored as ${t.storage.type}; supported are ${Object.keys(STORAGE_DTYPES).join(', ')}`);
  if (!bytes) throw new WeightFileError(`${what}: tensor "${name}" refers to storage ${t.storage.key}, which the file lacks; it is truncated or damaged`);
  const ints = (a: unknown[]) => a.every((v) => Number.isSafeInteger(v));
  if (!ints(t.shape) || t.shape.some((d) => d < 0) || !ints(t.stride) || t.stride.length !== t.shape.length || !Number.isSafeInteger(t.offset)) {
    throw new WeightFileError(`${what}: tensor "${name}" has an invalid shape [${t.shape}], stride [${t.stride}] or offset ${t.offset}; the file is damaged`);
  }
  const n = t.shape.reduce((a, b) => a * b, 1);
  let last = t.offset;
  t.shape.forEach((d, i) => (last += d > 0 ? (d - 1) * t.stride[i] : 0));
  if (n && (t.offset < 0 || (last + 1) * size > bytes.length)) {
    throw new WeightFileError(`${what}: tensor "${name}" ${fmtShape(t.shape)} reaches past its storage (${bytes.length} bytes); the file is damaged`);
  }
  // A contiguous f32 tensor (nearly every weight) is a view of the file when aligned, else one copy.
  const rowMajor = t.stride.every((st, i) => t.shape[i] === 1 || st === t.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  if (dtype === 'F32' && rowMajor) {
    const at = bytes.byteOffset + t.offset * 4;
    const data = at % 4 === 0 ? new Float32Array(bytes.buffer, at, n) : new Float32Array(bytes.buffer.slice(at, at + n * 4));
    return { dtype, shape: t.shape, data };
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = elementReader(dv, dtype, name, what);
  const data = FLOAT_DTYPES.includes(dtype) ? new Float32Array(n) : new Int32Array(n);
  // Row-major walk over the shape, through the strides (a view, a transpose or a slice).
  const idx = new Array(t.shape.length).fill(0);
  for (let i = 0, e = t.offset; i < n; i++) {
    data[i] = read(e);
    for (let k = t.shape.length - 1; k >= 0; k--) {
      e += t.stride[k];
      if (++idx[k] < t.shape[k]) break;
      e -= t.stride[k] * t.shape[k];
      idx[k] = 0;
    }
  }
  return { dtype, shape: t.shape, data };
}

/** The zip's entries by name: where each stored (uncompressed) file's bytes lie. */
function zipEntries(bytes: Uint8Array, what: string): Map<string, Uint8Array> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (m: string): never => {
    throw new WeightFileError(`${what}: not a readable PyTorch zip: ${m}; the file is truncated or damaged`);
  };
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) if (dv.getUint32(i, true) === 0x06054b50) { eocd = i; break; }
  if (eocd < 0) bad('no end-of-central-directory record');
  let count = dv.getUint16(eocd + 10, true);
  let at = dv.getUint32(eocd + 16, true);
  if (at === 0xffffffff || count === 0xffff) {
    // ZIP64: the locator just before points at the zip64 end record.
    const loc = eocd - 20;
    if (loc < 0 || dv.getUint32(loc, true) !== 0x07064b50) bad('a ZIP64 end record is announced but missing');
    const rec = Number(dv.getBigUint64(loc + 8, true));
    if (rec + 56 > bytes.length) bad('the ZIP64 end record lies past the end');
    count = Number(dv.getBigUint64(rec + 32, true));
    at = Number(dv.getBigUint64(rec + 48, true));
  }
  const out = new Map<string, Uint8Array>();
  const text = new TextDecoder();
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || dv.getUint32(at, true) !== 0x02014b50) bad(`central directory entry ${i} is missing`);
    const method = dv.getUint16(at + 10, true);
    let size = dv.getUint32(at + 24, true);
    const nameLen = dv.getUint16(at + 28, true);
    const extraLen = dv.getUint16(at + 30, true);
    const commentLen = dv.getUint16(at + 32, true);
    let local = dv.getUint32(at + 42, true);
    const name = text.decode(bytes.subarray(at + 46, at + 46 + nameLen));
    // ZIP64 extra field (id 1): the 64-bit sizes and offset, in that order, for those saturated.
    for (let x = at + 46 + nameLen; x + 4 <= at + 46 + nameLen + extraLen; x += 4 + dv.getUint16(x + 2, true)) {
      if (dv.getUint16(x, true) !== 1) continue;
      let f = x + 4;
      if (size === 0xffffffff) (size = Number(dv.getBigUint64(f, true))), (f += 8);
      if (dv.getUint32(at + 20, true) === 0xffffffff) f += 8;
      if (local === 0xffffffff) local = Number(dv.getBigUint64(f, true));
    }
    if (method !== 0) bad(`entry ${name} is compressed (method ${method}); torch.save stores entries uncompressed`);
    if (local + 30 > bytes.length || dv.getUint32(local, true) !== 0x04034b50) bad(`the local header of ${name} is missing`);
    const data = local + 30 + dv.getUint16(local + 26, true) + dv.getUint16(local + 28, true);
    if (data + size > bytes.length) bad(`entry ${name} runs past the end`);
    out.set(name, bytes.subarray(data, data + size));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** The state dict inside what the pickle held: itself, or a checkpoint's `state_dict` / `model`. */
function stateDict(top: Value, what: string): Map<string, TensorRef> {
  let d = top;
  if (d instanceof Map && !(([...d.values()][0] as TensorRef)?.tensor)) d = d.get('state_dict') ?? d.get('model') ?? d;
  if (!(d instanceof Map) || ![...d.values()].every((v) => (v as TensorRef)?.tensor)) {
    throw new WeightFileError(`${what}: the PyTorch file holds no state dict (a dict of tensors by name, or a checkpoint with one under "state_dict" or "model"); save model.state_dict()`);
  }
  return d as Map<string, TensorRef>;
}

/**
 * Reads a `torch.save`d state dict (zip or legacy format) into tensors by name. `what` names the
 * file. Whatever a damaged or foreign file makes the reader trip over is a WeightFileError.
 */
export function readPth(bytes: Uint8Array, what = 'PyTorch file'): Map<string, HostTensor> {
  try {
    return readPthUnchecked(bytes, what);
  } catch (e) {
    if (e instanceof WeightFileError) throw e;
    throw new WeightFileError(`${what}: not a readable PyTorch state dict (${(e as Error).message}); the file is damaged, truncated or holds more than tensors by name`);
  }
}

function readPthUnchecked(bytes: Uint8Array, what: string): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
    const entries = zipEntries(bytes, what);
    const pkl = [...entries.keys()].find((k) => k.endsWith('/data.pkl') || k === 'data.pkl');
    if (!pkl) throw new WeightFileError(`${what}: a zip without data.pkl is not a PyTorch file`);
    const prefix = pkl.slice(0, -'data.pkl'.length);
    const persistent = (pid: Value[]) => ({ storage: true, type: (pid[1] as Global).global.split('.').pop()!, key: String(pid[2]) }) as StorageRef;
    const sd = stateDict(unpickle(entries.get(pkl)!, 0, what, persistent).value, what);
    for (const [name, t] of sd) out.set(name, materialise(name, t, entries.get(`${prefix}data/${t.storage.key}`), what));
    return out;
  }
  // Legacy: magic number, protocol version, sys_info, then the object, then the storage keys.
  const none = () => null;
  let p = 0;
  for (let i = 0; i < 3; i++) p = unpickle(bytes, p, what, none).end;
  const storages = new Map<string, StorageRef>();
  const persistent = (pid: Value[]) => {
    const key = String(pid[2]);
    if (!storages.has(key)) storages.set(key, { storage: true, type: (pid[1] as Global).global.split('.').pop()!, key });
    return storages.get(key)!;
  };
  const main = unpickle(bytes, p, what, persistent);
  const keys = unpickle(bytes, main.end, what, none);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const data = new Map<string, Uint8Array>();
  p = keys.end;
  for (const key of keys.value as string[]) {
    const ref = storages.get(String(key));
    const size = STORAGE_DTYPES[ref?.type ?? '']?.[1] ?? 1;
    if (p + 8 > bytes.length) throw new WeightFileError(`${what}: storage ${key} is missing; the file is truncated`);
    const n = Number(dv.getBigInt64(p, true));
    if (n < 0 || p + 8 + n * size > bytes.length) throw new WeightFileError(`${what}: storage ${key} (${n} elements) runs past the end; the file is truncated or damaged`);
    data.set(String(key), bytes.subarray(p + 8, p + 8 + n * size));
    p += 8 + n * size;
  }
  for (const [name, t] of stateDict(main.value, what)) out.set(name, materialise(name, t, data.get(t.storage.key), what));
  return out;
}
