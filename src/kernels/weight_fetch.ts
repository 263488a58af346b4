import subgroupFetch from '../../shaders/weights_subgroup.wgsl';
import uniformFetch from '../../shaders/weights_uniform.wgsl';
import type { Device } from '../tensor/device.ts';

/**
 * The register-blocked lavapipe kernels (conv2d_wino_gemm, conv2d_gemm1x1, conv2d_window) leave
 * their entry point and weight fetch to a prelude: weights_uniform.wgsl (loads at a
 * workgroup-uniform address) or, where the device has fixed-size subgroups, weights_subgroup.wgsl
 * (one load per SG/2 steps, shared by subgroupShuffle; WGSL's `enable subgroups;` cannot be
 * switched by an override, hence two preludes rather than a constant).
 */
export interface FetchingKernel {
  uniform: string;
  subgroup: string;
}

/** A kernel body with each prelude prepended (once, at module load: the pipeline cache keys on the text). */
export const withWeightFetch = (body: string): FetchingKernel => ({ uniform: uniformFetch + body, subgroup: subgroupFetch + body });

/** Test hook: run the uniform fetch even where subgroups are available. */
export const subgroupTesting = { off: false };

/**
 * The subgroup size the subgroup fetch may assume, or 0 for the uniform one: a fixed size (WGSL
 * cannot ask for one) that divides the workgroup, on a CPU adapter (GPUs run the tiled kernels, which have no such fetch).
 */
export function subgroupLanes(dev: Device, wg: number): number {
  if (subgroupTesting.off) return 0;
  const sg = dev.info.subgroupSize;
  return dev.info.isFallbackAdapter && sg >= 2 && sg % 2 === 0 && wg % sg === 0 ? sg : 0;
}

/** Shader text and override constants to run `k` with workgroups of `wg`; `uniform` forces that fetch. */
export function fetchFor(dev: Device, k: FetchingKernel, wg: number, constants: Record<string, number>, uniform = false): { shader: string; constants: Record<string, number> } {
  const sg = uniform ? 0 : subgroupLanes(dev, wg);
  return sg ? { shader: k.subgroup, constants: { ...constants, WG: wg, SG: sg } } : { shader: k.uniform, constants: { ...constants, WG: wg } };
}
