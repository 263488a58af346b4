import { fmtShape } from '../tensor/errors.ts';
import { WeightFileError, type HostTensor } from './safetensors.ts';

/** One layer of a Caffe model that carries weights. */
export interface CaffeLayer {
  name: string;
  /** The layer type: a string in the new format, the V1 enum's name (or "V1:<n>") in the old. */
  type: string;
  blobs: HostTensor[];
}

// V1LayerParameter.LayerType values that DeepLab files contain (caffe.proto); others print as numbers.
const V1_TYPES: Record<number, string> = { 4: 'Convolution', 14: 'InnerProduct', 17: 'Pooling', 18: 'ReLU', 39: 'Deconvolution' };

const WIRE_VARINT = 0, WIRE_I64 = 1, WIRE_LEN = 2, WIRE_I32 = 5;

/**
 * A bounds-checked cursor over protobuf wire format (https://protobuf.dev/programming-guides/encoding/).
 * Every read that would pass `end` throws a WeightFileError naming the file, the byte offset and
 * what was being read, so a truncated or foreign file is refused rather than misread.
 */
class Wire {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    readonly dv: DataView,
    readonly what: string,
    public context: string,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  fail(msg: string): never {
    throw new WeightFileError(`${this.what}: not a readable Caffe model: ${msg} at byte ${this.pos} (in ${this.context}); the file is truncated, damaged or of another format`);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Varints up to 2^53 are exact; Caffe's int32/int64 fields never come near. */
  varint(): number {
    let v = 0;
    for (let shift = 0, mul = 1; ; shift += 7, mul *= 128) {
      if (this.pos >= this.end) this.fail('a varint runs past the end of its message');
      if (shift > 63) this.fail('a varint is longer than 10 bytes');
      const b = this.bytes[this.pos++];
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
    }
  }

  tag(): { field: number; wire: number } {
    const t = this.varint();
    const field = Math.floor(t / 8);
    const wire = t & 7;
    if (field === 0 || wire === 3 || wire === 4 || wire > 5) this.fail(`invalid field tag ${t} (field ${field}, wire type ${wire})`);
    return { field, wire };
  }

  /** The [start, end) of a length-delimited field's payload; the cursor moves past it. */
  span(): [number, number] {
    const n = this.varint();
    if (n > this.end - this.pos) this.fail(`a ${n}-byte field runs past the end of its message (${this.end - this.pos} bytes left)`);
    const s = this.pos;
    this.pos += n;
    return [s, this.pos];
  }

  sub(context: string): Wire {
    const [s, e] = this.span();
    return new Wire(this.bytes, this.dv, this.what, context, s, e);
  }

  string(): string {
    const [s, e] = this.span();
    return new TextDecoder().decode(this.bytes.subarray(s, e));
  }

  fixed(n: 4 | 8): number {
    if (this.end - this.pos < n) this.fail(`a ${n}-byte value runs past the end of its message`);
    this.pos += n;
    return this.pos - n;
  }

  skip(wire: number): void {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_I64) this.fixed(8);
    else if (wire === WIRE_LEN) this.span();
    else this.fixed(4);
  }
}

/** Reads a BlobShape (dim = 1, int64, packed or not). */
function readShape(w: Wire): number[] {
  const dims: number[] = [];
  while (!w.done) {
    const { field, wire } = w.tag();
    if (field === 1 && wire === WIRE_VARINT) dims.push(w.varint());
    else if (field === 1 && wire === WIRE_LEN) {
      const p = w.sub(w.context);
      while (!p.done) dims.push(p.varint());
    } else w.skip(wire);
  }
  return dims;
}

/**
 * Reads a BlobProto. Float data (field 5) may be packed (one run: a zero-copy view of the file when
 * 4-byte aligned) or unpacked (one tagged value each: copied); double_data (8) is narrowed to f32.
 */
function readBlob(w: Wire): HostTensor {
  const legacy = [0, 0, 0, 0];
  let hasLegacy = false;
  let shape: number[] | null = null;
  // Where the values lie: runs of n little-endian values `step` bytes apart. A packed field is one
  // run (step 4); consecutive unpacked values chain into one run (step 5: a tag byte between them).
  const runs: { s: number; n: number; step: number; f64: boolean }[] = [];
  while (!w.done) {
    const { field, wire } = w.tag();
    if (field >= 1 && field <= 4 && wire === WIRE_VARINT) {
      legacy[field - 1] = w.varint();
      hasLegacy = true;
    } else if ((field === 5 || field === 8) && wire === WIRE_LEN) {
      const size = field === 5 ? 4 : 8;
      const [s, e] = w.span();
      if ((e - s) % size) w.fail(`packed ${size === 4 ? 'float' : 'double'} data of ${e - s} bytes is not a whole number of values`);
      runs.push({ s, n: (e - s) / size, step: size, f64: size === 8 });
    } else if ((field === 5 && wire === WIRE_I32) || (field === 8 && wire === WIRE_I64)) {
      const f64 = field === 8;
      const s = w.fixed(f64 ? 8 : 4);
      const last = runs[runs.length - 1];
      const step = f64 ? 9 : 5;
      if (last && last.step === step && last.s + last.n * step === s) last.n++;
      else runs.push({ s, n: 1, step, f64 });
    } else if (field === 7 && wire === WIRE_LEN) shape = readShape(w.sub(`${w.context} shape`));
    else w.skip(wire);
  }
  shape ??= hasLegacy ? legacy : [0];
  const n = shape.reduce((a, b) => a * b, 1);
  const total = runs.reduce((a, r) => a + r.n, 0);
  if (total !== n) w.fail(`a blob of shape ${fmtShape(shape)} (${n} values) holds ${total} values`);
  const { bytes, dv } = w;
  const one = runs[0];
  if (runs.length === 1 && one.step === 4 && (bytes.byteOffset + one.s) % 4 === 0) {
    return { dtype: 'F32', shape, data: new Float32Array(bytes.buffer, bytes.byteOffset + one.s, n) };
  }
  const data = new Float32Array(n);
  let i = 0;
  for (const r of runs) {
    for (let k = 0, p = r.s; k < r.n; k++, p += r.step) data[i++] = r.f64 ? dv.getFloat64(p, true) : dv.getFloat32(p, true);
  }
  return { dtype: 'F32', shape, data };
}

/** Reads a LayerParameter (new format: name 1, type 2, blobs 7) or a V1LayerParameter (name 4, type 5, blobs 6). */
function readLayer(w: Wire, v1: boolean): CaffeLayer {
  const layer: CaffeLayer = { name: '', type: '', blobs: [] };
  const [NAME, TYPE, BLOBS] = v1 ? [4, 5, 6] : [1, 2, 7];
  const blobSpans: Wire[] = [];
  while (!w.done) {
    const { field, wire } = w.tag();
    if (field === NAME && wire === WIRE_LEN) layer.name = w.string();
    else if (field === TYPE && !v1 && wire === WIRE_LEN) layer.type = w.string();
    else if (field === TYPE && v1 && wire === WIRE_VARINT) {
      const t = w.varint();
      layer.type = V1_TYPES[t] ?? `V1:${t}`;
    } else if (field === BLOBS && wire === WIRE_LEN) blobSpans.push(w.sub(''));
    else w.skip(wire);
  }
  // Blobs are read after the name so errors inside them can say which layer they belong to.
  blobSpans.forEach((b, i) => {
    b.context = `layer "${layer.name}" blob ${i}`;
    layer.blobs.push(readBlob(b));
  });
  return layer;
}

/** The name of a layer whose record is cut off, for the error message ('' if unreadable). */
function peekName(w: Wire, v1: boolean): string {
  try {
    while (!w.done) {
      const { field, wire } = w.tag();
      if (field === (v1 ? 4 : 1) && wire === WIRE_LEN) return w.string();
      w.skip(wire);
    }
  } catch {
    // fall through: the name itself is cut off
  }
  return '';
}

/**
 * Reads a Caffe `.caffemodel` (protobuf NetParameter: V1 `layers` = 2 and/or new `layer` = 100;
 * field numbers in deeplab-spec §4) and returns its layers that carry blobs, in file order.
 * `what` names the file in errors.
 */
export function readCaffemodel(bytes: Uint8Array, what = 'caffemodel'): CaffeLayer[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const w = new Wire(bytes, dv, what, 'NetParameter', 0, bytes.byteLength);
  const layers: CaffeLayer[] = [];
  let count = 0;
  while (!w.done) {
    const { field, wire } = w.tag();
    if ((field === 2 || field === 100) && wire === WIRE_LEN) {
      const at = w.pos;
      const len = w.varint();
      if (len > w.end - w.pos) {
        const name = peekName(new Wire(bytes, dv, what, '', w.pos, w.end), field === 2);
        w.pos = at;
        w.fail(`layer ${count}${name ? ` "${name}"` : ''} needs ${len} bytes but the file ends ${w.end - at} bytes later`);
      }
      w.pos = at;
      const l = readLayer(w.sub(`layer ${count}`), field === 2);
      count++;
      if (l.blobs.length) layers.push(l);
    } else w.skip(wire);
  }
  if (!layers.length) {
    throw new WeightFileError(`${what}: no layer with weights was found (${count} layers read); this is not a trained Caffe model (.caffemodel), perhaps a prototxt or another format`);
  }
  return layers;
}

/**
 * Names blobs like our safetensors files: blobs[0] → `<layer>.weight` (as stored: O×I×kH×kW),
 * blobs[1] → `<layer>.bias` flattened to [N] (old files store biases as 1×1×1×N), further blobs
 * → `<layer>.blob<k>`.
 */
export function caffeTensors(layers: CaffeLayer[], what = 'caffemodel'): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  for (const l of layers) {
    if (out.has(`${l.name}.weight`)) throw new WeightFileError(`${what}: two layers are named "${l.name}"`);
    l.blobs.forEach((b, i) => {
      const key = i === 0 ? 'weight' : i === 1 ? 'bias' : `blob${i}`;
      out.set(`${l.name}.${key}`, i === 1 ? { ...b, shape: [b.data.length] } : b);
    });
  }
  return out;
}
