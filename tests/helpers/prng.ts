/**
 * mulberry32, bit-identical to tests/golden/common.py's `Mulberry32`, so big random weights can be
 * regenerated in tests instead of committed. Values are k/2^24 scaled to [-1, 1): exact in f32.
 */
export class Mulberry32 {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  nextU32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform in [-1, 1), a multiple of 2^-23. */
  nextSigned(): number {
    return (this.nextU32() >>> 8) / 2 ** 23 - 1;
  }
  fill(n: number, scale = 1): Float32Array {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = this.nextSigned() * scale;
    return a;
  }
}
