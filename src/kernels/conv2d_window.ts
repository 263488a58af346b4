import windowBody from '../../shaders/conv2d_window.wgsl';
import type { Device } from '../tensor/device.ts';
import type { Tensor } from '../tensor/tensor.ts';
import type { Geometry } from './conv2d.ts';
import { Params, runKernel } from './runner.ts';
import { fetchFor, withWeightFetch } from './weight_fetch.ts';

const WG = 64;
const WINDOW = withWeightFetch(windowBody);

/** Why the 'window' variant cannot run this conv, or null if it can. */
export function windowRefusal(dev: Device, g: Geometry): string | null {
  if (g.stride !== 1 || g.dil !== 1 || g.KW > 5) return `needs stride 1, dilation 1 and a kernel at most 5 wide (got stride ${g.stride}, dilation ${g.dil}, ${g.KH}×${g.KW})`;
  const lanes = g.N * g.OH * Math.ceil(g.OW / 8);
  if (Math.ceil(lanes / WG) > dev.limits.maxComputeWorkgroupsPerDimension) return `needs fewer than ${WG * dev.limits.maxComputeWorkgroupsPerDimension} groups of 8 output columns`;
  const { hp, wp } = windowPadding(g);
  if (g.N * g.C * hp * wp > dev.limits.maxStorageBufferBindingSize / 4) return `needs its padded input under the device's maxStorageBufferBindingSize`;
  return null;
}

/** Rows and columns of the padded input: each row a multiple of 4 long, reaching the last lane's third vec4. */
export function windowPadding(g: Geometry): { hp: number; wp: number } {
  const ow8 = Math.ceil(g.OW / 8);
  return { hp: g.H + 2 * g.pad, wp: Math.ceil(Math.max(g.W + 2 * g.pad, ow8 * 8 + 4) / 4) * 4 };
}

/**
 * Records conv2d_window.wgsl: xp is x zero-padded to windowPadding(g) (x at offset (pad, pad)),
 * packed the [⌈O/8⌉][K][8] weights; writes NCHW y.
 */
export function conv2dWindow(
  dev: Device, xp: Tensor, packed: Tensor, bias: Tensor, y: Tensor, g: Geometry,
  meta: { kernel: string; variant: string; shape: string; flops: number },
): void {
  const { hp, wp } = windowPadding(g);
  const ow8 = Math.ceil(g.OW / 8);
  const lanes = g.N * g.OH * ow8;
  runKernel(dev, {
    ...meta,
    ...fetchFor(dev, WINDOW, WG, { KH: g.KH, KW: g.KW }),
    uniforms: new Params()
      .u32(g.C, (hp * wp) / 4, (g.C * hp * wp) / 4, wp / 4, g.O, g.OH, g.OW, ow8, lanes, g.C * g.KH * g.KW, g.relu ? 1 : 0)
      .build(),
    tensors: [xp, packed, bias, y],
    workgroups: [Math.ceil(lanes / WG), Math.ceil(g.O / 8), 1],
  });
}
