import type { BatchRecord, ProfileRecord } from './profiler.ts';

const PID = 1;
const GPU_TID = 1;
const CPU_TID = 2;

interface TraceEvent {
  name: string;
  ph: 'X' | 'M';
  pid: number;
  tid?: number;
  ts?: number;
  dur?: number;
  cat?: string;
  args?: Record<string, unknown>;
}

/**
 * Chrome trace-event JSON (opens in Perfetto and chrome://tracing): GPU dispatches on one track,
 * CPU encode/submit spans on another, as complete ('X') events in µs. The GPU clock has its own
 * epoch; it is shifted by the smallest offset that starts no submission's GPU work before its
 * queue.submit() on the CPU, which keeps the gaps between GPU events exact.
 */
export function chromeTrace(records: readonly ProfileRecord[], batches: readonly BatchRecord[], processName: string): { traceEvents: TraceEvent[]; displayTimeUnit: 'ms' } {
  const meta = (name: string, args: Record<string, unknown>, tid?: number): TraceEvent => ({ name, ph: 'M', pid: PID, tid, args });
  const events: TraceEvent[] = [
    meta('process_name', { name: processName }),
    meta('thread_name', { name: 'GPU' }, GPU_TID),
    meta('thread_name', { name: 'CPU encode/submit' }, CPU_TID),
    meta('thread_sort_index', { sort_index: 0 }, GPU_TID),
    meta('thread_sort_index', { sort_index: 1 }, CPU_TID),
  ];
  batches.forEach((b, i) => {
    events.push({ name: `encode batch ${i}`, cat: 'cpu', ph: 'X', pid: PID, tid: CPU_TID, ts: b.encode_us, dur: b.submit_us - b.encode_us, args: { dispatches: b.dispatches } });
    events.push({ name: `submit batch ${i}`, cat: 'cpu', ph: 'X', pid: PID, tid: CPU_TID, ts: b.submit_us, dur: b.submitted_us - b.submit_us });
  });
  const timed = records.filter((r) => Number.isFinite(r.gpu_ns));
  if (timed.length) {
    // GPU times are taken relative to the earliest one first: raw timestamps can be ~1e15 ns,
    // where a double's rounding (~1e-4 µs) could put an event just before its own submission.
    const base = timed.reduce((m, r) => Math.min(m, r.start_ns), Infinity);
    let offset = -Infinity;
    const firstStart = new Map<number, number>();
    for (const r of timed) firstStart.set(r.batch, Math.min(firstStart.get(r.batch) ?? Infinity, r.start_ns - base));
    for (const [b, start] of firstStart) offset = Math.max(offset, batches[b].submit_us - start / 1e3);
    for (const r of timed) {
      events.push({
        name: r.label,
        cat: r.kernel,
        ph: 'X',
        pid: PID,
        tid: GPU_TID,
        ts: (r.start_ns - base) / 1e3 + offset,
        dur: r.gpu_ns / 1e3,
        args: { kernel: r.kernel, variant: r.variant, shape: r.shape, flops: r.flops, bytes: r.bytes, batch: r.batch },
      });
    }
  } else {
    // No timestamps: each submission's wall time on the GPU track.
    batches.forEach((b, i) => {
      if (Number.isFinite(b.done_us)) {
        events.push({ name: `batch ${i} (${b.dispatches} dispatches)`, cat: 'gpu-wall', ph: 'X', pid: PID, tid: GPU_TID, ts: b.submit_us, dur: b.done_us - b.submit_us });
      }
    });
  }
  return { traceEvents: events, displayTimeUnit: 'ms' };
}

/** One JSON object per line: every dispatch, then (without timestamps) every batch's wall time. */
export function jsonLines(records: readonly ProfileRecord[], batches: readonly BatchRecord[], timestamps: boolean): string {
  const lines = records.map((r) =>
    JSON.stringify({ type: 'dispatch', label: r.label, kernel: r.kernel, variant: r.variant, shape: r.shape, gpu_ns: Number.isFinite(r.gpu_ns) ? r.gpu_ns : null, flops: r.flops, bytes: r.bytes, batch: r.batch }),
  );
  if (!timestamps) {
    batches.forEach((b, i) => lines.push(JSON.stringify({ type: 'batch', batch: i, dispatches: b.dispatches, wall_ms: (b.done_us - b.submit_us) / 1e3 })));
  }
  return lines.map((l) => l + '\n').join('');
}
