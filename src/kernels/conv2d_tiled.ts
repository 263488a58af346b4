import gatherShader from '../../shaders/conv2d_gather.wgsl';
import tiledBody from '../../shaders/conv2d_tiled.wgsl';
import tiled128Body from '../../shaders/conv2d_tiled128.wgsl';
import type { Device } from '../tensor/device.ts';
import type { Tensor } from '../tensor/tensor.ts';
import type { Geometry } from './conv2d.ts';
import { Params, runKernel } from './runner.ts';

/** Test hook: caps the grid dimension, so that position tiles spill into z on small inputs. */
export const tiledTesting = { maxGridDim: 0 };

/** Independent GEMMs of one shape at fixed strides (elements; w's in packed floats). */
export interface TiledBatch {
  count: number;
  x: number;
  w: number;
  y: number;
}

/**
 * Records the workgroup-memory implicit GEMM for GPUs: 'tiled' (conv2d_tiled.wgsl, 64 × 64
 * tiles) or 'tiled128' (conv2d_tiled128.wgsl, 128 × 128, which also runs `batch` GEMMs at once).
 * packed is the [⌈O/8⌉][K][8] weights; bias null for none ('tiled128' only).
 */
export function conv2dTiled(
  dev: Device, variant: 'tiled' | 'tiled128', x: Tensor, packed: Tensor, bias: Tensor | null, y: Tensor, g: Geometry,
  meta: { kernel: string; variant: string; shape?: string; flops?: number },
  batch: TiledBatch = { count: 1, x: 0, w: 0, y: 0 },
): void {
  if (variant === 'tiled' && (batch.count !== 1 || !bias)) throw new Error("conv2dTiled: 'tiled' runs one GEMM, with a bias");
  const size = variant === 'tiled' ? 64 : 128;
  const positions = g.N * g.OH * g.OW;
  // Position tiles are numbered across grid x and z: past 65,535 (4.2 M positions at 64) one
  // dimension cannot hold them.
  const tiles = Math.ceil(positions / size);
  const maxDim = tiledTesting.maxGridDim || dev.limits.maxComputeWorkgroupsPerDimension;
  const zTiles = Math.ceil(tiles / maxDim);
  const uniforms = new Params().u32(g.C, g.H, g.W, g.O, g.OH, g.OW, g.C * g.KH * g.KW, positions, g.stride, g.pad, g.dil, g.relu ? 1 : 0, tiles);
  if (variant === 'tiled128') uniforms.u32(zTiles, batch.x, batch.w / 4, batch.y);
  runKernel(dev, {
    ...meta,
    shader: gatherShader + (variant === 'tiled' ? tiledBody : tiled128Body),
    constants: { KH: g.KH, KW: g.KW, ...(variant === 'tiled128' && { BIAS: bias ? 1 : 0 }) },
    uniforms: uniforms.build(),
    // Without a bias the binding is never read; the weights stand in for it.
    tensors: [x, packed, bias ?? packed, y],
    workgroups: [Math.min(tiles, maxDim), Math.ceil(g.O / size), zTiles * batch.count],
  });
}
