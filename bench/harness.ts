import { Profiler } from '../src/profile/profiler.ts';
import type { Device } from '../src/tensor/device.ts';
import { LimitError, ShapeError } from '../src/tensor/errors.ts';
import type { BenchCase, BenchEntry } from './types.ts';

/** What one (kernel, variant, shape) measured: the JSON line `bench --json` writes. */
export interface BenchResult {
  device: string;
  kernel: string;
  variant: string;
  shape: string;
  median_ms: number;
  /** null when the kernel's flops are not meaningful (0). */
  gflops: number | null;
  gbps: number;
  /**
   * Roofline-style: the larger of GFLOP/s over gemm_peak's and GB/s over copy_peak's, i.e. how close
   * the kernel comes to the resource it is bound by; null with no peak known.
   */
  frac_peak: number | null;
  /** Which peak frac_peak is against. */
  bound: 'compute' | 'memory' | null;
  runs: number;
  timer: 'gpu-timestamps' | 'wall';
}

export class ValidationError extends Error {
  override name = 'ValidationError';
}

/**
 * The variant refused the shape (a ShapeError or LimitError naming why, e.g. Winograd on a 1×1
 * conv): nothing wrong, just nothing to time. `bench` skips it when running every variant.
 */
export class NotApplicableError extends Error {
  override name = 'NotApplicableError';
}

const isRefusal = (e: unknown) => e instanceof ShapeError || e instanceof LimitError;

export function median(xs: readonly number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Deterministic inputs in [-1, 1) for bench cases (a hash, not a PRNG stream: any element on its own). */
export function benchData(n: number, seed = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = ((Math.imul(i + seed * 0x9e3779b9, 0x85ebca6b) >>> 8) / 2 ** 23) - 1;
  return a;
}

export interface Agreement {
  ok: boolean;
  maxDiff: number;
  /** tolerance · (1 + max |ref|) */
  bound: number;
}

/** max |got − ref| against tolerance·(1 + max|ref|); NaN or a length mismatch never agrees. */
export function compare(ref: ArrayLike<number>, got: ArrayLike<number>, tolerance: number): Agreement {
  let maxRef = 0;
  let maxDiff = ref.length === got.length ? 0 : Infinity;
  for (let i = 0; i < ref.length && i < got.length; i++) {
    const d = Math.abs(got[i] - ref[i]);
    maxDiff = Math.max(maxDiff, Number.isNaN(d) ? Infinity : d);
    maxRef = Math.max(maxRef, Math.abs(ref[i]));
  }
  const bound = tolerance * (1 + maxRef);
  return { ok: maxDiff <= bound && Number.isFinite(maxRef), maxDiff, bound };
}

/** Runs the reference (variants[0]) and `variant` on the case and throws a ValidationError unless they agree. */
export async function validate(dev: Device, entry: BenchEntry, c: BenchCase, variant: string, shape: string): Promise<Agreement> {
  const ref = await download(run(entry.variants[0]));
  const got = variant === entry.variants[0] ? ref : await download(run(variant));
  const tolerance = entry.variantTolerance?.[variant] ?? entry.tolerance;
  const a = compare(ref, got, tolerance);
  if (!a.ok) {
    throw new ValidationError(
      `${entry.kernel}/${variant} at ${shape} disagrees with the reference ${entry.variants[0]}: max abs diff ${a.maxDiff} > ` +
        `${a.bound} (tolerance ${tolerance} · (1 + max|ref|)); not timing a wrong kernel`,
    );
  }
  return a;
  function run(v: string): ReturnType<BenchCase['run']> {
    try {
      return c.run(v);
    } catch (e) {
      if (!isRefusal(e)) throw e;
      const what = `${entry.kernel}/${v} does not run ${shape}: ${(e as Error).message}`;
      if (v === variant) throw new NotApplicableError(what);
      throw new ValidationError(`${what}; the reference cannot check ${variant} there, so it is not timed`);
    }
  }
  async function download(t: ReturnType<BenchCase['run']>): Promise<Float32Array> {
    const v = new Float32Array(await t.download());
    t.dispose();
    dev.throwIfFailed(`${entry.kernel}/${variant}`);
    return v;
  }
}

/**
 * Times `runs` runs of the variant after one warm-up run (which compiles its pipelines). With
 * timestamp-query the runs are recorded into one submission and a run's time is the span from its
 * first dispatch's start to its last one's end; without it each run is flushed and awaited on its
 * own (wall time, encoding included).
 */
export async function timeRuns(dev: Device, c: BenchCase, variant: string, runs: number): Promise<{ samples: number[]; timer: BenchResult['timer'] }> {
  c.run(variant).dispose();
  await dev.sync();
  if (!dev.hasFeature('timestamp-query')) {
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      c.run(variant).dispose();
      await dev.sync();
      samples.push(performance.now() - t0);
    }
    return { samples, timer: 'wall' };
  }
  const prof = Profiler.attach(dev);
  try {
    const bounds = [0];
    for (let i = 0; i < runs; i++) {
      c.run(variant).dispose();
      bounds.push(prof.records.length);
    }
    const recs = await prof.collect();
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const mine = recs.slice(bounds[i], bounds[i + 1]);
      if (!mine.length) throw new Error(`${variant}: a run recorded no dispatch`);
      const start = Math.min(...mine.map((r) => r.start_ns));
      const end = Math.max(...mine.map((r) => r.start_ns + r.gpu_ns));
      samples.push((end - start) / 1e6);
    }
    return { samples, timer: 'gpu-timestamps' };
  } finally {
    prof.destroy();
  }
}

/** The device's measured peaks, taken once per process from the gemm_peak and copy_peak entries. */
export class Peaks {
  private cache = new Map<string, Promise<number | null>>();
  constructor(private readonly entries: readonly BenchEntry[]) {}

  /** GFLOP/s of the best gemm_peak variant, or null if no gemm_peak is registered. */
  gflops(dev: Device): Promise<number | null> {
    return this.measure(dev, 'gemm_peak', 'flops');
  }

  /** GB/s of the copy_peak bandwidth probe, or null if it is not registered. */
  gbps(dev: Device): Promise<number | null> {
    return this.measure(dev, 'copy_peak', 'bytes');
  }

  private measure(dev: Device, kernel: string, per: 'flops' | 'bytes'): Promise<number | null> {
    let p = this.cache.get(kernel);
    if (!p) {
      const entry = this.entries.find((e) => e.kernel === kernel);
      p = entry ? measurePeak(dev, entry, per) : Promise.resolve(null);
      this.cache.set(kernel, p);
    }
    return p;
  }
}

/** The best run of the best variant: a peak is what the device can do, not its typical speed under contention. */
async function measurePeak(dev: Device, entry: BenchEntry, per: 'flops' | 'bytes'): Promise<number> {
  const shape = Object.values(entry.presets)[0][0];
  const c = await entry.setup(dev, shape);
  try {
    let best = 0;
    for (const v of entry.variants) {
      await validate(dev, entry, c, v, shape);
      const { samples } = await timeRuns(dev, c, v, 10);
      best = Math.max(best, c[per] / Math.min(...samples) / 1e6);
    }
    return best;
  } finally {
    c.dispose();
  }
}

/** The larger of the compute and memory fractions of peak, and which one it is; nulls where unknown. */
export function roofline(gflops: number | null, gbps: number, peakGflops: number | null, peakGbps: number | null): Pick<BenchResult, 'frac_peak' | 'bound'> {
  const compute = gflops !== null && peakGflops ? gflops / peakGflops : null;
  const memory = peakGbps ? gbps / peakGbps : null;
  if (compute === null && memory === null) return { frac_peak: null, bound: null };
  return (compute ?? -1) >= (memory ?? -1) ? { frac_peak: compute, bound: 'compute' } : { frac_peak: memory, bound: 'memory' };
}

/** Validates, then times one (kernel, variant, shape); frac_peak is filled in when `peaks` is given. */
export async function benchOne(dev: Device, entry: BenchEntry, variant: string, shape: string, runs: number, peaks: Peaks | null): Promise<BenchResult> {
  if (!entry.variants.includes(variant)) throw new ValidationError(`${entry.kernel} has no variant "${variant}" (have: ${entry.variants.join(', ')})`);
  const c = await entry.setup(dev, shape);
  try {
    await validate(dev, entry, c, variant, shape);
    const { samples, timer } = await timeRuns(dev, c, variant, runs);
    const ms = median(samples);
    const gflops = c.flops > 0 ? c.flops / ms / 1e6 : null;
    const gbps = (c.bytesFor?.(variant) ?? c.bytes) / ms / 1e6;
    const peakGflops = peaks && gflops !== null ? await peaks.gflops(dev) : null;
    const peakGbps = peaks ? await peaks.gbps(dev) : null;
    const { frac_peak, bound } = roofline(gflops, gbps, peakGflops, peakGbps);
    return { device: dev.name, kernel: entry.kernel, variant, shape, median_ms: ms, gflops, gbps, frac_peak, bound, runs, timer };
  } finally {
    c.dispose();
  }
}

const fmt = (x: number | null, d: number) => (x === null || !Number.isFinite(x) ? '-' : x.toFixed(d));

export const RESULT_HEADER = ['kernel', 'variant', 'shape', 'median ms', 'GFLOP/s', 'GB/s', '% peak', 'bound', 'timer'];

/** One readable table row per result. */
export function resultRow(r: BenchResult): string[] {
  return [r.kernel, r.variant, r.shape, fmt(r.median_ms, 3), fmt(r.gflops, 2), fmt(r.gbps, 2), fmt(r.frac_peak === null ? null : 100 * r.frac_peak, 1), r.bound ?? '-', r.timer];
}
