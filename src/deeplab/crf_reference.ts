import { bilateralFeatures, buildLattice, filterCpu, normalisation, positionalFeatures } from './lattice.ts';
import type { CrfParams } from './crf.ts';

const f32 = Math.fround;

/** libDenseCRF's fast_exp (a polynomial, squared back up; exactly 0 below −20), in float32. */
export function fastExp(x: number): number {
  const positive = !(x < 0);
  x = Math.abs(x);
  if (x > 20) return 0;
  let mult = 0;
  while (x > 0.69 * 2 * 2 * 2) (mult += 3), (x = f32(x / 8));
  while (x > 0.69 * 2 * 2) (mult += 2), (x = f32(x / 4));
  while (x > 0.69) mult++, (x = f32(x / 2));
  const c = [0.9999999995, 0.4999999206, 0.1666653019, 0.0416573475, 0.0083013598, 0.001329882, 0.0001413161].map(f32);
  let p = c[6];
  for (let k = 5; k >= 0; k--) p = f32(c[k] - f32(x * p));
  x = f32(1 - f32(x * p));
  while (mult--) x = f32(x * x);
  return positive ? f32(1 / x) : x;
}

/** The reference's expAndNormalize on one pixel's row (max-subtracted, sequential sum). */
export function softmaxRow(row: Float32Array, scale: number): void {
  let mx = f32(scale * row[0]);
  for (let j = 1; j < row.length; j++) mx = Math.max(mx, f32(scale * row[j]));
  let tt = 0;
  for (let j = 0; j < row.length; j++) tt = f32(tt + (row[j] = fastExp(f32(f32(scale * row[j]) - mx))));
  for (let j = 0; j < row.length; j++) row[j] = f32(row[j] / tt);
}

/** denseCrf's parameters less its GPU storage and lattice choices. */
export type ReferenceParams = Omit<CrfParams, 'storage' | 'lattice'>;

/**
 * The whole dense CRF on the CPU, float32 step for step as DeepLab's libDenseCRF: the plain
 * reference the GPU path is checked against (slow: seconds at 500×375).
 */
export function denseCrfCpu(width: number, height: number, rgb: Uint8Array, unary: Float32Array, c: number, p: ReferenceParams): Float32Array {
  const n = width * height;
  const kernels = [
    { lat: buildLattice(positionalFeatures(width, height, p.posXyStd), 2, n), w: f32(p.posW) },
    { lat: buildLattice(bilateralFeatures(width, height, rgb, p.biXyStd, p.biRgbStd), 5, n), w: f32(p.biW) },
  ].map((k) => ({ ...k, norm: normalisation(k.lat) }));
  const q = new Float32Array(unary);
  for (let i = 0; i < n; i++) softmaxRow(q.subarray(i * c, (i + 1) * c), -1);
  for (let it = 0; it < p.iterations; it++) {
    const next = unary.map((u) => -u);
    for (const k of kernels) {
      const t = filterCpu(k.lat, q, c);
      for (let i = 0; i < n; i++) {
        const wn = f32(k.w * k.norm[i]);
        for (let l = 0; l < c; l++) next[i * c + l] = f32(next[i * c + l] + f32(wn * t[i * c + l]));
      }
    }
    for (let i = 0; i < n; i++) softmaxRow(next.subarray(i * c, (i + 1) * c), 1);
    q.set(next);
  }
  return q;
}
