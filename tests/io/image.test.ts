// Reference images: written by pngjs and jpeg-js (independent encoders) from known pixels, and the
// palette PNGs written by tools/scenes.py's Python writer (assets/demo/*_gt.png).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { crc32 } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VOC_PALETTE } from '../../src/deeplab/palette.ts';
import { decodeImage, decodeLabelPng, encodeLabelPng, encodeRgbPng, overlay, ImageError } from '../../src/io/image.ts';
import { repoRoot } from '../helpers/assert.ts';

const load = createRequire(import.meta.url); // see src/io/image.ts
const { PNG } = load('pngjs') as typeof import('pngjs');
const jpeg = load('jpeg-js') as typeof import('jpeg-js');

const W = 5, H = 3;
const px = (n: number, f: (i: number) => number) => Uint8Array.from({ length: n }, (_, i) => f(i));

function pngjsWrite(data: Uint8Array | Uint16Array, colorType: 0 | 2 | 4 | 6, bitDepth: 8 | 16 = 8): Uint8Array {
  const png = new PNG({ width: W, height: H, colorType, inputColorType: colorType, bitDepth, inputHasAlpha: colorType >= 4 });
  png.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return PNG.sync.write(png, { colorType, inputColorType: colorType, bitDepth, inputHasAlpha: colorType >= 4 });
}

const isImageError = (msg: RegExp) => (e: unknown) => e instanceof ImageError && msg.test(e.message);

test('PNG RGB, RGBA (alpha dropped), grey and grey+alpha decode to the known RGB pixels', () => {
  const rgb = px(W * H * 3, (i) => (i * 37) % 256);
  assert.equal(decodeImage(pngjsWrite(rgb, 2), 'rgb.png'), { width: W, height: H, data: rgb });
  const rgba = px(W * H * 4, (i) => (i % 4 === 3 ? i % 7 : (i * 11) % 256));
  const want = px(W * H * 3, (i) => rgba[Math.floor(i / 3) * 4 + (i % 3)]);
  assert.equal(decodeImage(pngjsWrite(rgba, 6), 'rgba.png').data, want);
  const grey = px(W * H, (i) => i * 17);
  assert.equal(decodeImage(pngjsWrite(grey, 0), 'grey.png').data, px(W * H * 3, (i) => grey[Math.floor(i / 3)]));
  const ga = px(W * H * 2, (i) => (i % 2 ? 0 : i * 8));
  assert.equal(decodeImage(pngjsWrite(ga, 4), 'ga.png').data, px(W * H * 3, (i) => ga[Math.floor(i / 3) * 2]));
});

test('16-bit PNG is rounded to 8 bits', () => {
  const v16 = Uint16Array.from({ length: W * H * 3 }, (_, i) => i * 1000);
  const got = decodeImage(pngjsWrite(v16, 2, 16), 'deep.png').data;
  assert.equal(got, px(W * H * 3, (i) => Math.round((v16[i] * 255) / 65535)));
});

test('JPEG decodes close to the encoded pixels', () => {
  const w = 16, h = 16;
  const rgba = px(w * h * 4, (i) => (i % 4 === 3 ? 255 : i % 4 === 0 ? 200 : i % 4 === 1 ? 100 : 30));
  const bytes = jpeg.encode({ width: w, height: h, data: rgba }, 95).data;
  const img = decodeImage(bytes, 'flat.jpg');
  assert.is(img.width, w);
  assert.is(img.height, h);
  for (let i = 0; i < w * h; i++) {
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(img.data[i * 3 + c] - [200, 100, 30][c]) <= 3, `pixel ${i} channel ${c}: ${img.data[i * 3 + c]}`);
  }
  assert.throws(() => decodeImage(bytes.subarray(0, bytes.length >> 1), 'cut.jpg'), isImageError(/cut\.jpg: truncated JPEG/));
});

test('damaged, truncated and foreign files give an ImageError naming the file', () => {
  const png = pngjsWrite(px(W * H * 3, (i) => i), 2);
  assert.throws(() => decodeImage(png.subarray(0, png.length - 20), 'a.png'), isImageError(/a\.png: truncated PNG/));
  assert.throws(() => decodeImage(png.subarray(0, 30), 'b.png'), isImageError(/b\.png: truncated PNG/));
  const bad = png.slice();
  bad[40] ^= 0xff; // inside IDAT: the CRC no longer matches
  assert.throws(() => decodeImage(bad, 'c.png'), isImageError(/c\.png: damaged PNG/));
  assert.throws(() => decodeImage(new TextEncoder().encode('GIF89a....'), 'd.gif'), isImageError(/d\.gif: not a PNG or JPEG image/));
  assert.throws(() => decodeImage(new Uint8Array(0), 'empty'), isImageError(/empty: not a PNG or JPEG/));
  assert.throws(() => decodeLabelPng(png.subarray(0, 20), 'e.png'), isImageError(/e\.png: truncated PNG/));
});

test('VOC palette: the standard colours', () => {
  const c = (i: number) => [...VOC_PALETTE.subarray(i * 3, i * 3 + 3)];
  assert.equal(c(0), [0, 0, 0]);
  assert.equal(c(1), [128, 0, 0]);
  assert.equal(c(15), [192, 128, 128]); // person
  assert.equal(c(20), [0, 64, 128]); // tvmonitor
  assert.equal(c(255), [224, 224, 192]); // "ignore"
});

test('label PNG is a palette PNG whose indices are the labels and whose colours are VOC', () => {
  const labels = px(W * H, (i) => [0, 1, 5, 20, 255][i % 5]);
  const bytes = encodeLabelPng(labels, W, H);
  assert.is(bytes[25], 3, 'colour type 3');
  assert.equal(decodeLabelPng(bytes, 'l.png'), { width: W, height: H, labels });
  const rgba = PNG.sync.read(Buffer.from(bytes)).data; // pngjs as the independent decoder
  for (let i = 0; i < W * H; i++) assert.equal([...rgba.subarray(i * 4, i * 4 + 3)], [...VOC_PALETTE.subarray(labels[i] * 3, labels[i] * 3 + 3)]);
});

test('label PNGs written by Python, and RGB and grey label PNGs, read back as indices', () => {
  const gt = readFileSync(`${repoRoot}/assets/demo/sample1_gt.png`);
  const { width, height, labels } = decodeLabelPng(gt, 'sample1_gt.png');
  const rgb = decodeImage(gt, 'sample1_gt.png');
  assert.ok(new Set(labels).size > 1, 'more than one class');
  for (let i = 0; i < width * height; i++) assert.is(rgb.data[i * 3], VOC_PALETTE[labels[i] * 3]);
  assert.equal(decodeLabelPng(encodeRgbPng(rgb), 'rgb_gt.png').labels, labels);
  const grey = px(W * H, (i) => i);
  assert.equal(decodeLabelPng(pngjsWrite(grey, 0), 'grey_gt.png').labels, grey);
  const off = encodeRgbPng({ width: 1, height: 1, data: Uint8Array.of(1, 2, 3) });
  assert.throws(() => decodeLabelPng(off, 'odd.png'), isImageError(/odd\.png: pixel 0,0 has colour \(1,2,3\)/));
});

// pngjs writes no palette PNGs: turn its grey PNG (adaptively filtered rows) into one by setting
// colour type 3 and adding a PLTE, so the indices must come out as the grey values.
function greyAsPalette(png: Uint8Array): Uint8Array {
  const b = Buffer.from(png);
  b[25] = 3;
  b.writeUInt32BE(crc32(b.subarray(12, 29)), 29);
  const plte = Buffer.alloc(12 + 768);
  plte.writeUInt32BE(768, 0);
  plte.write('PLTE', 4, 'latin1');
  plte.set(VOC_PALETTE, 8);
  plte.writeUInt32BE(crc32(plte.subarray(4, 8 + 768)), 8 + 768);
  return Buffer.concat([b.subarray(0, 33), plte, b.subarray(33)]);
}

test('palette PNG with filtered rows (sub, up, average, Paeth) reads back as indices', () => {
  const w = 40, h = 30;
  const grey = px(w * h, (i) => ((i % w) * 3 + Math.floor(i / w) * 5 + ((i * 7919) % 13)) % 256);
  const png = new PNG({ width: w, height: h, colorType: 0, inputColorType: 0 });
  png.data = Buffer.from(grey);
  const bytes = greyAsPalette(PNG.sync.write(png, { colorType: 0, inputColorType: 0 }));
  assert.equal(decodeLabelPng(bytes, 'filtered.png').labels, grey);
});

test('RGB PNG round trip and overlay leaves background untouched', () => {
  const img = { width: W, height: H, data: px(W * H * 3, (i) => (i * 29) % 256) };
  assert.equal(decodeImage(encodeRgbPng(img), 'x.png'), img);
  const labels = px(W * H, (i) => (i === 4 ? 1 : 0));
  const o = overlay(img, labels, 0.5);
  for (let i = 0; i < W * H * 3; i++) {
    const want = Math.floor(i / 3) === 4 ? Math.round(0.5 * img.data[i] + 0.5 * VOC_PALETTE[3 + (i % 3)]) : img.data[i];
    assert.is(o.data[i], want, `value ${i}`);
  }
});

test.run();
