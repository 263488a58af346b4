// Public API of atrous in Node: everything in browser.ts, plus the PNG/JPEG codecs (Node's zlib).
export * from './browser.ts';
export { decodeImage, decodeLabelPng, encodeLabelPng, encodeRgbPng, overlay, ImageError, type RgbImage } from './io/image.ts';
