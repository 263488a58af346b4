import { createRequire } from 'node:module';
import { deflateSync, inflateSync } from 'node:zlib';
import { VOC_PALETTE } from '../deeplab/palette.ts';
import { AtrousError } from '../tensor/errors.ts';
import { decodeJpegPixels } from './jpeg.ts';

/** An 8-bit RGB image, rows top to bottom, HWC. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

// pngjs and jpeg-js (jpeg.ts) are CommonJS that require() Node built-ins, which an esbuild ESM bundle cannot
// do; loading them at run time from node_modules keeps them out of the bundle.
const load = createRequire(import.meta.url);
const { PNG } = load('pngjs') as typeof import('pngjs');

export class ImageError extends AtrousError {
  override name = 'ImageError';
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const startsWith = (b: Uint8Array, magic: number[]) => magic.every((v, i) => b[i] === v);

/**
 * Decodes a PNG (any colour type and bit depth: grey, grey+alpha, RGB, RGBA, palette; 16-bit is
 * rounded to 8) or a baseline/progressive JPEG, sniffed by magic bytes, to 8-bit RGB. Alpha is
 * dropped, not composited: segmentation sees the colours as stored. `what` names the file in errors.
 */
export function decodeImage(bytes: Uint8Array, what: string): RgbImage {
  if (startsWith(bytes, PNG_MAGIC)) return decodePng(bytes, what);
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return decodeJpeg(bytes, what);
  throw new ImageError(`${what}: not a PNG or JPEG image`);
}

function decodePng(bytes: Uint8Array, what: string): RgbImage {
  let png: { width: number; height: number; data: Uint8Array };
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    // pngjs reports a cut-off file in several ways; the missing IEND trailer is the reliable sign.
    const tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - 8), bytes.length - 4)).toString('latin1');
    if (tail !== 'IEND') throw new ImageError(`${what}: truncated PNG (no IEND chunk at the end; ${bytes.length} bytes)`);
    throw new ImageError(`${what}: damaged PNG (${(e as Error).message})`);
  }
  return { width: png.width, height: png.height, data: dropAlpha(png.data, png.width * png.height) };
}

function decodeJpeg(bytes: Uint8Array, what: string): RgbImage {
  // A complete JPEG ends with EOI (FF D9); jpeg-js would otherwise fill a cut-off scan with grey.
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--; // some writers pad after EOI
  if (end < 4 || bytes[end - 2] !== 0xff || bytes[end - 1] !== 0xd9) {
    throw new ImageError(`${what}: truncated JPEG (no end-of-image marker; ${bytes.length} bytes)`);
  }
  try {
    return decodeJpegPixels(bytes);
  } catch (e) {
    throw new ImageError(`${what}: damaged or unsupported JPEG (${(e as Error).message})`);
  }
}

function dropAlpha(rgba: Uint8Array, n: number): Uint8Array {
  const rgb = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    rgb[i * 3] = rgba[i * 4];
    rgb[i * 3 + 1] = rgba[i * 4 + 1];
    rgb[i * 3 + 2] = rgba[i * 4 + 2];
  }
  return rgb;
}

/**
 * Reads the label indices of a label PNG. A palette PNG (VOC's SegmentationClass layout) gives its
 * indices; a greyscale PNG its grey values. RGB colours are mapped back through the VOC palette.
 */
export function decodeLabelPng(bytes: Uint8Array, what: string): { width: number; height: number; labels: Uint8Array } {
  if (!startsWith(bytes, PNG_MAGIC)) throw new ImageError(`${what}: not a PNG image (label maps must be PNG)`);
  if (bytes.length < 33) throw new ImageError(`${what}: truncated PNG (${bytes.length} bytes)`);
  const ihdr = new DataView(bytes.buffer, bytes.byteOffset + 16, 10);
  const [width, height, depth, ctype] = [ihdr.getUint32(0), ihdr.getUint32(4), ihdr.getUint8(8), ihdr.getUint8(9)];
  if (ctype === 3 && depth === 8) {
    const idx = pngIndices(bytes, width, height, what);
    if (idx) return { width, height, labels: idx };
  }
  const img = decodeImage(bytes, what);
  const labels = new Uint8Array(width * height);
  const byColour = new Map<number, number>();
  for (let i = 255; i >= 0; i--) byColour.set((VOC_PALETTE[i * 3] << 16) | (VOC_PALETTE[i * 3 + 1] << 8) | VOC_PALETTE[i * 3 + 2], i);
  for (let i = 0; i < labels.length; i++) {
    const [r, g, b] = [img.data[i * 3], img.data[i * 3 + 1], img.data[i * 3 + 2]];
    if (ctype === 0 || ctype === 4) {
      labels[i] = r;
      continue;
    }
    const l = byColour.get((r << 16) | (g << 8) | b);
    if (l === undefined) throw new ImageError(`${what}: pixel ${i % width},${Math.floor(i / width)} has colour (${r},${g},${b}), which is not in the VOC palette`);
    labels[i] = l;
  }
  return { width, height, labels };
}

/** The raw indices of an 8-bit palette PNG: inflate IDAT and undo the row filters. */
function pngIndices(bytes: Uint8Array, width: number, height: number, what: string): Uint8Array | null {
  // pngjs only hands out RGBA, so read the indices ourselves; its decode still validates the file.
  decodePng(bytes, what);
  const chunks: Uint8Array[] = [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let p = 8; p + 8 <= bytes.length; ) {
    const len = dv.getUint32(p);
    const type = String.fromCharCode(...bytes.subarray(p + 4, p + 8));
    if (type === 'IHDR' && bytes[p + 8 + 12] !== 0) return null; // interlaced: fall back to colours
    if (type === 'IDAT') chunks.push(bytes.subarray(p + 8, p + 8 + len));
    p += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(chunks));
  const out = new Uint8Array(width * height);
  const stride = width;
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const row = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const a = x > 0 ? cur[x - 1] : 0;
      const b = prev[x];
      const c = x > 0 ? prev[x - 1] : 0;
      const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : paeth(a, b, c);
      cur[x] = (row[x] + pred) & 255;
    }
    out.set(cur, y * width);
    prev = cur;
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

// pngjs writes only grey/RGB(A), not palette PNGs, so both encoders are this small writer over zlib.
function encodePng(pixels: Uint8Array, width: number, height: number, channels: 1 | 3, palette?: Uint8Array): Uint8Array {
  if (pixels.length !== width * height * channels) throw new ImageError(`encodePng: ${pixels.length} values for a ${width}×${height}×${channels} image`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, palette ? 3 : 2, 0, 0, 0], 8);
  const stride = width * channels;
  const raw = Buffer.alloc((stride + 1) * height); // filter type 0 on every row
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  return Buffer.concat([
    Buffer.from(PNG_MAGIC),
    chunk('IHDR', ihdr),
    ...(palette ? [chunk('PLTE', palette)] : []),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** A label map as a palette PNG (colour type 3) in the VOC colours: the pixel values are the labels. */
export function encodeLabelPng(labels: Uint8Array, width: number, height: number): Uint8Array {
  return encodePng(labels, width, height, 1, VOC_PALETTE);
}

export function encodeRgbPng(img: RgbImage): Uint8Array {
  return encodePng(img.data, img.width, img.height, 3);
}

/** Blends the VOC colour of each label ≠ 0 into the image with weight `alpha`; background stays as is. */
export function overlay(img: RgbImage, labels: Uint8Array, alpha = 0.5): RgbImage {
  const n = img.width * img.height;
  if (labels.length !== n) throw new ImageError(`overlay: ${labels.length} labels for a ${img.width}×${img.height} image`);
  const data = img.data.slice();
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    if (l === 0) continue;
    for (let c = 0; c < 3; c++) data[i * 3 + c] = Math.round((1 - alpha) * img.data[i * 3 + c] + alpha * VOC_PALETTE[l * 3 + c]);
  }
  return { width: img.width, height: img.height, data };
}
