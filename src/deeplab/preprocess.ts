import type { Device } from '../tensor/device.ts';
import { fmtShape, ShapeError } from '../tensor/errors.ts';
import type { Tensor } from '../tensor/tensor.ts';

/** An 8-bit image, rows top to bottom, pixels interleaved RGB (or RGBA: alpha is ignored). */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** Caffe's per-channel means in B, G, R order (deeplab-spec §1, data_transformer.cpp). */
export const CAFFE_MEAN_BGR = [104.008, 116.669, 122.675] as const;

/** Bytes per pixel (3 or 4), after checking the image's size against its data. */
function channels(img: RgbImage): number {
  const { width: w, height: h, data } = img;
  if (!(Number.isInteger(w) && Number.isInteger(h) && w > 0 && h > 0)) throw new ShapeError(`preprocess: image size ${w}×${h} must be positive integers`);
  const ch = data.length / (w * h);
  if (ch !== 3 && ch !== 4) {
    throw new ShapeError(`preprocess: a ${w}×${h} image needs ${w * h * 3} bytes (RGB) or ${w * h * 4} (RGBA), got ${data.length}`);
  }
  return ch;
}

/**
 * Caffe test-time preprocessing as planar data: RGB → BGR, minus the means, no scaling, computed
 * in f32 as Caffe does (u8 − f32 mean). Padding to the net's size is left to the model.
 */
export function caffePreprocess(img: RgbImage): Float32Array {
  const { width: w, height: h, data } = img;
  const ch = channels(img);
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

/** torchvision's ImageNet normalisation (deeplab-spec §3), in RGB order. */
export const TORCHVISION_MEAN = [0.485, 0.456, 0.406] as const;
export const TORCHVISION_STD = [0.229, 0.224, 0.225] as const;

/**
 * torchvision's preprocessing for its segmentation models as planar RGB: to_tensor (u8 / 255),
 * then normalize ((x − mean) / std), each step in f32 as PyTorch computes it.
 */
export function torchvisionPreprocess(img: RgbImage): Float32Array {
  const { width: w, height: h, data } = img;
  const ch = channels(img);
  const n = w * h;
  const out = new Float32Array(3 * n);
  for (let c = 0; c < 3; c++) {
    const mean = Math.fround(TORCHVISION_MEAN[c]);
    const std = Math.fround(TORCHVISION_STD[c]);
    for (let i = 0; i < n; i++) out[c * n + i] = Math.fround(Math.fround(data[i * ch + c] / 255) - mean) / std;
  }
  return out;
}

/** torchvisionPreprocess, uploaded as a [1, 3, H, W] tensor. */
export function torchvisionPreprocessTensor(dev: Device, img: RgbImage): Tensor {
  return dev.tensor(torchvisionPreprocess(img), [1, 3, img.height, img.width]);
}

/** Every model's forward() takes what its preprocess() makes: an f32 image batch [N, 3, H, W]. */
export function checkInputBatch(model: string, x: Tensor): void {
  if (x.shape.length !== 4 || x.shape[1] !== 3 || x.dtype !== 'f32') {
    throw new ShapeError(`${model}: forward takes a preprocessed f32 image batch [N, 3, H, W], got ${fmtShape(x.shape)} ${x.dtype}; use model.preprocess(image)`);
  }
}
