/**
 * Seeded uniform values for random-weight models (tests, benchmarks, demos without a weight file).
 * mulberry32, bit-identical to tests/golden/common.py's Mulberry32, so a PyTorch reference can
 * regenerate the same weights: values are ((u >>> 8) / 2^23 − 1) · scale, rounded once to f32.
 */
export class Mulberry32 {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  fill(n: number, scale = 1): Float32Array {
    const a = new Float32Array(n);
    let s = this.s;
    for (let i = 0; i < n; i++) {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = Math.imul(s ^ (s >>> 15), s | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      a[i] = (((t ^ (t >>> 14)) >>> 8) / 2 ** 23 - 1) * scale;
    }
    this.s = s;
    return a;
  }
}
