import { createRequire } from 'node:module';

// JPEG pixels as libjpeg(-turbo) gives them by default, which is what PIL, OpenCV and so Caffe's
// DeepLab and torchvision users feed their networks. jpeg-js (loaded at run time: see image.ts)
// decodes the scans and inverse DCTs; for three-component files this file then does the two steps
// jpeg-js does differently: chroma upsampling by libjpeg's "fancy" triangle filter where jpeg-js
// repeats samples, and libjpeg's fixed-point YCbCr→RGB where jpeg-js truncates floats. Against
// PIL 9.4 on libjpeg-turbo 2.1, on 4:2:0 files: max |Δ| 70 → 3, mean 2.5 → 0.15 levels; what is
// left is jpeg-js's inverse DCT (an integer Loeffler–Ligtenberg–Moschytz, not libjpeg's ISLOW).
const jpeg = createRequire(import.meta.url)('jpeg-js') as typeof import('jpeg-js');

interface Layout {
  /** In frame order: id and sampling factors. */
  components: { id: number; h: number; v: number }[];
  jfif: boolean;
  /** The Adobe APP14 marker's transform flag and its byte offset, if there is one. */
  adobe: { transform: number; at: number } | null;
}

/** The markers before the first scan that decide how libjpeg reads the pixels. */
function readLayout(b: Uint8Array): Layout {
  const layout: Layout = { components: [], jfif: false, adobe: null };
  for (let p = 2; p + 4 <= b.length; ) {
    if (b[p] !== 0xff) return layout; // not a marker where one must be: jpeg-js will say what is wrong
    const m = b[p + 1];
    if (m === 0xff) (p += 1); // fill byte
    else if (m === 0x01 || (m >= 0xd0 && m <= 0xd7)) (p += 2); // markers without a length
    else if (m === 0xda) return layout; // start of scan
    else {
      const len = (b[p + 2] << 8) | b[p + 3];
      const text = (n: number) => String.fromCharCode(...b.subarray(p + 4, p + 4 + n));
      if (m === 0xe0 && text(5) === 'JFIF\0') layout.jfif = true;
      if (m === 0xee && text(5) === 'Adobe' && len >= 14) layout.adobe = { transform: b[p + 15], at: p + 15 };
      if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
        for (let k = 0, q = p + 10; k < b[p + 9]; k++, q += 3) layout.components.push({ id: b[q], h: b[q + 1] >> 4, v: b[q + 1] & 15 });
      }
      p += 2 + len;
    }
  }
  return layout;
}

/** libjpeg's guess of the colour space of a three-component file (jdapimin.c). */
function isYCbCr(l: Layout): boolean {
  if (l.jfif) return true;
  if (l.adobe) return l.adobe.transform !== 0;
  const [a, b, c] = l.components.map((x) => x.id);
  return !(a === 82 && b === 71 && c === 66); // 'R', 'G', 'B'
}

/**
 * Component k of jpeg-js's interleaved output (each sample repeated fx × fy times) upsampled as
 * libjpeg does (jdsample.c): h2v1 and h2v2 by the triangle filter, 3/4 of the nearer sample and
 * 1/4 of the next, when the component is more than two samples wide, with libjpeg's rounding
 * biases and edge samples; h2v2 takes the row above (even output rows) or below (odd), the edge
 * rows repeated. Every other ratio is repetition, as in libjpeg (libjpeg-turbo ≥ 2 also filters
 * h1v2, 4:4:0, which no file tested here has: repeated).
 */
function upsample(data: Uint8Array, w: number, h: number, k: number, fx: number, fy: number): Uint8Array {
  const out = new Uint8Array(w * h);
  const cw = Math.ceil(w / fx);
  const ch = Math.ceil(h / fy);
  if (fx !== 2 || (fy !== 1 && fy !== 2) || cw <= 2) {
    for (let i = 0; i < w * h; i++) out[i] = data[3 * i + k];
    return out;
  }
  // Component row r (the samples jpeg-js repeated), into a reused buffer.
  const a = new Int32Array(cw);
  const b = new Int32Array(cw);
  const c = new Int32Array(cw);
  const rowOf = (r: number, v: Int32Array) => {
    for (let x = 0, i = 3 * r * fy * w + k; x < cw; x++, i += 6) v[x] = data[i];
  };
  const line = new Uint8Array(2 * cw);
  for (let y = 0; y < h; y++) {
    const r = fy === 2 ? y >> 1 : y;
    rowOf(r, a);
    if (fy === 1) {
      line[0] = a[0];
      line[1] = (a[0] * 3 + a[1] + 2) >> 2;
      for (let x = 1; x < cw - 1; x++) {
        line[2 * x] = (a[x] * 3 + a[x - 1] + 1) >> 2;
        line[2 * x + 1] = (a[x] * 3 + a[x + 1] + 2) >> 2;
      }
      line[2 * cw - 2] = (a[cw - 1] * 3 + a[cw - 2] + 1) >> 2;
      line[2 * cw - 1] = a[cw - 1];
    } else {
      rowOf(y & 1 ? Math.min(r + 1, ch - 1) : Math.max(r - 1, 0), b);
      for (let x = 0; x < cw; x++) c[x] = a[x] * 3 + b[x]; // column sums: 3/4 nearer row + 1/4 other, ×4
      line[0] = (c[0] * 4 + 8) >> 4;
      line[1] = (c[0] * 3 + c[1] + 7) >> 4;
      for (let x = 1; x < cw - 1; x++) {
        line[2 * x] = (c[x] * 3 + c[x - 1] + 8) >> 4;
        line[2 * x + 1] = (c[x] * 3 + c[x + 1] + 7) >> 4;
      }
      line[2 * cw - 2] = (c[cw - 1] * 3 + c[cw - 2] + 8) >> 4;
      line[2 * cw - 1] = (c[cw - 1] * 4 + 7) >> 4;
    }
    out.set(line.subarray(0, w), y * w);
  }
  return out;
}

// libjpeg's YCbCr→RGB tables (jdcolor.c: 16 fraction bits, rounded).
const FIX = (x: number) => Math.round(x * 65536);
const CR_R = new Int32Array(256);
const CB_B = new Int32Array(256);
const CR_G = new Int32Array(256);
const CB_G = new Int32Array(256);
for (let i = 0; i < 256; i++) {
  const x = i - 128;
  CR_R[i] = (FIX(1.402) * x + 32768) >> 16;
  CB_B[i] = (FIX(1.772) * x + 32768) >> 16;
  CR_G[i] = -FIX(0.71414) * x;
  CB_G[i] = -FIX(0.34414) * x + 32768;
}
const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);

/** Decodes a JPEG to 8-bit RGB as libjpeg would (throws jpeg-js's errors for damaged files). */
export function decodeJpegPixels(bytes: Uint8Array): { width: number; height: number; data: Uint8Array } {
  const layout = readLayout(bytes);
  const three = layout.components.length === 3;
  let input = bytes;
  // jpeg-js converts colours itself, whatever it is told, when an Adobe marker asks for a
  // transform: hand it a copy saying "none", and convert here.
  if (three && layout.adobe?.transform) (input = bytes.slice())[layout.adobe.at] = 0;
  const img = jpeg.decode(input, { useTArray: true, formatAsRGBA: false, tolerantDecoding: false, colorTransform: three ? false : undefined });
  if (!three) return { width: img.width, height: img.height, data: img.data };
  const { width: w, height: h, data } = img;
  const maxH = Math.max(...layout.components.map((c) => c.h));
  const maxV = Math.max(...layout.components.map((c) => c.v));
  const [p0, p1, p2] = layout.components.map((c, k) => upsample(data, w, h, k, maxH / c.h, maxV / c.v));
  const rgb = new Uint8Array(w * h * 3);
  const ycc = isYCbCr(layout);
  for (let i = 0, j = 0; i < w * h; i++, j += 3) {
    const y = p0[i];
    const cb = p1[i];
    const cr = p2[i];
    if (!ycc) (rgb[j] = y), (rgb[j + 1] = cb), (rgb[j + 2] = cr);
    else (rgb[j] = clamp(y + CR_R[cr])), (rgb[j + 1] = clamp(y + ((CB_G[cb] + CR_G[cr]) >> 16))), (rgb[j + 2] = clamp(y + CB_B[cb]));
  }
  return { width: w, height: h, data: rgb };
}
