import type { Device } from '../tensor/device.ts';
import { Profiler, type BatchRecord, type ProfileRecord } from './profiler.ts';
import { createWorkload, syntheticInput, type WorkloadOptions } from './workload.ts';

export interface SessionOptions extends WorkloadOptions {
  model: string;
  /** Input [N, 3, H, W]. */
  input: [number, number, number, number];
  warmup: number;
  runs: number;
}

/** Where the first run's time goes, in ms. */
export interface Breakdown {
  /** Building the model: weight generation or reading, and upload (synced). */
  build_ms: number;
  pipelines: number;
  /** First forward's CPU encode time minus a steady one's: mostly pipeline compilation. */
  compile_ms: number;
  /** First forward, encode to results on the GPU. */
  first_ms: number;
  /** Median wall time of the timed forwards, each encoded, submitted and awaited on its own. */
  steady_ms: number;
  /** Median CPU encode time of the timed forwards. */
  steady_encode_ms: number;
  /** Summed dispatch GPU time per timed forward (NaN without timestamp-query): the rest of steady_ms is overhead. */
  gpu_ms: number;
}

export interface SessionResult {
  breakdown: Breakdown;
  records: ProfileRecord[];
  batches: BatchRecord[];
  profiler: Profiler;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Builds the model, runs warm-up forwards, then profiles `runs` forwards, each one submission. */
export async function profileSession(dev: Device, o: SessionOptions): Promise<SessionResult> {
  const pipelinesBefore = dev.pipelines.size;
  let t = performance.now();
  const model = await createWorkload(dev, o.model, o);
  await dev.sync();
  const build_ms = performance.now() - t;
  const x = syntheticInput(dev, o.input);
  await dev.sync();

  // One forward: encode, submit, await the GPU (on CPU adapters without taking a core from it: poll.ts).
  const forward = async () => {
    const t0 = performance.now();
    dev.scope(() => model.forward(x)).dispose();
    const encode = performance.now() - t0;
    await dev.sync();
    return { encode, wall: performance.now() - t0 };
  };
  const first = await forward();
  const pipelines = dev.pipelines.size - pipelinesBefore;
  for (let i = 1; i < o.warmup; i++) await forward();

  const profiler = Profiler.attach(dev);
  const runs = [];
  try {
    for (let i = 0; i < o.runs; i++) runs.push(await forward());
    await profiler.collect();
  } finally {
    profiler.detach();
    model.dispose();
    x.dispose();
  }
  const steady_encode_ms = median(runs.map((r) => r.encode));
  const breakdown: Breakdown = {
    build_ms,
    pipelines,
    compile_ms: Math.max(0, first.encode - steady_encode_ms),
    first_ms: first.wall,
    steady_ms: median(runs.map((r) => r.wall)),
    steady_encode_ms,
    gpu_ms: profiler.records.reduce((sum, r) => sum + r.gpu_ns, 0) / o.runs / 1e6,
  };
  return { breakdown, records: profiler.records, batches: profiler.batches, profiler };
}

export function formatBreakdown(b: Breakdown, runs: number): string {
  const row = (what: string, ms: number, note: string) => `  ${what.padEnd(30)} ${ms.toFixed(1).padStart(9)} ms   ${note}`;
  return [
    'first run',
    row('model build + weight upload', b.build_ms, 'synced'),
    row('pipeline compilation', b.compile_ms, `≈ ${b.pipelines} pipelines: first forward's encode time minus a steady one's`),
    row('first forward', b.first_ms, 'wall, encode to results'),
    row('steady-state forward', b.steady_ms, `median wall of ${runs} profiled forwards (encode ${b.steady_encode_ms.toFixed(1)} ms)`),
    ...(Number.isFinite(b.gpu_ms) ? [row('  of which dispatches on GPU', b.gpu_ms, 'mean summed GPU time per forward; the rest is pass/submit overhead and gaps')] : []),
  ].join('\n');
}
