import type { Device } from '../tensor/device.ts';
import { ShapeError } from '../tensor/errors.ts';
import type { Tensor } from '../tensor/tensor.ts';

/** An 8-bit image, rows top to bottom, pixels interleaved RGB (or RGBA: alpha is ignored). */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** Caffe's per-channel means in B, G, R order (deeplab-spec §1, data_transformer.cpp). */
export const CAFFE_MEAN_BGR = [104.008, 116.669, 122.675] as const;

/**
 * Caffe test-time preprocessing as planar data: RGB → BGR, minus the means, no scaling, computed
 * in f32 as Caffe does (u8 − f32 mean). Padding to the net's size is left to the model.
 */
export function caffePreprocess(img: RgbImage): Float32Array {
  const { width: w, height: h, data } = img;
  if (!(Number.isInteger(w) && Number.isInteger(h) && w > 0 && h > 0)) throw new ShapeError(`preprocess: image size ${w}×${h} must be positive integers`);
  const ch = data.length / (w * h);
  if (ch !== 3 && ch !== 4) {
    throw new ShapeError(`preprocess: a ${w}×${h} image needs ${w * h * 3} bytes (RGB) or ${w * h * 4} (RGBA), got ${data.length}`);
  }
  const n = w * h;
  const out = new Float32Array(3 * n);
  const mean = CAFFE_MEAN_BGR.map(Math.fround);
  for (let i = 0; i < n; i++) {
    out[i] = data[i * ch + 2] - mean[0];
    out[n + i] = data[i * ch + 1] - mean[1];
    out[2 * n + i] = data[i * ch] - mean[2];
  }
  return out;
}

/** caffePreprocess, uploaded as a [1, 3, H, W] tensor. */
export function caffePreprocessTensor(dev: Device, img: RgbImage): Tensor {
  return dev.tensor(caffePreprocess(img), [1, 3, img.height, img.width]);
}
