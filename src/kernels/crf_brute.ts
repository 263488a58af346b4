import bruteShader from '../../shaders/crf_brute.wgsl';
import softmaxShader from '../../shaders/crf_softmax.wgsl';
import type { Device } from '../tensor/device.ts';
import { LimitError } from '../tensor/errors.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { labelStride } from './crf.ts';
import { grid1d, Params, runKernel } from './runner.ts';

const SHADER = softmaxShader + bruteShader;
/** The brute-force kernel keeps every label's sums in registers. */
export const BRUTE_MAX_LABELS = 32;

/**
 * Records `iterations` exact (O(N²)) mean-field updates: Gaussian kernels on feature tensors `fa`
 * (pixels×da) and `fb` (pixels×db), per-pixel normalisation after filtering, weights wa and wb.
 * q0 holds Q on entry; returns the tensor holding the result (q0 or scratch). For small images.
 */
export function crfBruteIterate(
  dev: Device,
  k: { fa: Tensor; da: number; wa: number; fb: Tensor; db: number; wb: number },
  numLabels: number,
  unary: Tensor,
  q0: Tensor,
  scratch: Tensor,
  iterations: number,
): Tensor {
  if (numLabels > BRUTE_MAX_LABELS) throw new LimitError(`crf brute force: ${numLabels} labels, at most ${BRUTE_MAX_LABELS}`);
  if (k.da > 8 || k.db > 8) throw new LimitError(`crf brute force: feature dimensions ${k.da}, ${k.db}; at most 8`);
  const pixels = q0.shape[0];
  let [src, dst] = [q0, scratch];
  for (let it = 0; it < iterations; it++) {
    runKernel(dev, {
      kernel: 'crf_brute',
      shader: SHADER,
      constants: { C: numLabels, C4: labelStride(numLabels) / 4, DA: k.da, DB: k.db },
      uniforms: new Params().u32(pixels).f32(k.wa, k.wb).build(),
      tensors: [k.fa, k.fb, src, unary, dst],
      workgroups: grid1d(dev, Math.ceil(pixels / 64)),
    });
    [src, dst] = [dst, src];
  }
  return src;
}
