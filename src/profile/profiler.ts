import type { Device, DispatchObserver, DispatchRecord } from '../tensor/device.ts';

/** WebGPU caps a query set at 4096 queries: 2048 dispatches (begin + end) per set. */
const QUERIES_PER_SET = 4096;

/** One dispatch as profiled. Times are NaN where the device has no timestamp-query. */
export interface ProfileRecord extends DispatchRecord {
  /** GPU time of the dispatch's compute pass, from its begin/end timestamps. */
  gpu_ns: number;
  /** Begin timestamp on the GPU's clock. */
  start_ns: number;
  /** Index into Profiler.batches of the submission that carried it. */
  batch: number;
}

/** One submitted command buffer (usually one forward), on the CPU clock in µs since the profiler started. */
export interface BatchRecord {
  dispatches: number;
  /** First dispatch recorded: encoding starts. */
  encode_us: number;
  /** queue.submit() called / returned. */
  submit_us: number;
  submitted_us: number;
  /** onSubmittedWorkDone resolved; measured only without timestamp-query (NaN otherwise). */
  done_us: number;
}

interface Readback {
  buffer: GPUBuffer;
  records: ProfileRecord[];
}

/**
 * Per-dispatch GPU profiler. Attach it to a device; every dispatch then gets its own begin/end
 * timestamps, resolved in one resolveQuerySet per query set per submission and read back only by
 * collect(), never per kernel. Without timestamp-query it measures each submission's wall time
 * instead (flush to onSubmittedWorkDone). Detached, the device does no extra work at all.
 */
export class Profiler implements DispatchObserver {
  readonly timestamps: boolean;
  readonly records: ProfileRecord[] = [];
  readonly batches: BatchRecord[] = [];
  private readonly t0 = performance.now();
  private readonly sets: GPUQuerySet[] = [];
  private readonly resolveBuffers: GPUBuffer[] = [];
  private open: BatchRecord | null = null;
  private openRecords: ProfileRecord[] = [];
  private readbacks: Readback[] = [];
  private done: Promise<void>[] = [];

  private constructor(readonly dev: Device) {
    this.timestamps = dev.hasFeature('timestamp-query');
  }

  /** Starts profiling every dispatch on dev (replacing any other observer). */
  static attach(dev: Device): Profiler {
    if (dev.pending) dev.flush(); // work recorded before attaching has no queries to resolve
    const p = new Profiler(dev);
    dev.observer = p;
    return p;
  }

  /** Stops observing; records already taken stay readable via collect(). */
  detach(): void {
    if (this.dev.observer !== this) return;
    this.dev.flush();
    this.dev.observer = null;
  }

  /** How the times were taken, for report headers. */
  get timing(): string {
    return this.timestamps
      ? 'GPU timestamps (timestamp-query), one pair per dispatch'
      : 'CPU wall time per submitted batch (this device has no timestamp-query: no per-dispatch times)';
  }

  private now(): number {
    return (performance.now() - this.t0) * 1000;
  }

  onDispatch(rec: DispatchRecord): GPUComputePassTimestampWrites | undefined {
    const t = this.now();
    this.open ??= { dispatches: 0, encode_us: t, submit_us: NaN, submitted_us: NaN, done_us: NaN };
    const r: ProfileRecord = { ...rec, gpu_ns: NaN, start_ns: NaN, batch: this.batches.length };
    this.records.push(r);
    this.open.dispatches++;
    if (!this.timestamps) return undefined;
    const q = this.openRecords.length * 2;
    this.openRecords.push(r);
    const s = Math.floor(q / QUERIES_PER_SET);
    this.sets[s] ??= this.dev.gpu.createQuerySet({ type: 'timestamp', count: QUERIES_PER_SET, label: `profiler-${s}` });
    return { querySet: this.sets[s], beginningOfPassWriteIndex: q % QUERIES_PER_SET, endOfPassWriteIndex: (q % QUERIES_PER_SET) + 1 };
  }

  beforeSubmit(encoder: GPUCommandEncoder): void {
    if (!this.open) return;
    this.open.submit_us = this.now();
    const used = this.openRecords.length * 2;
    if (!used) return;
    // The query sets are reused by the next submission: resolve them into this one's own readback.
    const readback = this.dev.gpu.createBuffer({ size: used * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'profiler-readback' });
    for (let s = 0; s * QUERIES_PER_SET < used; s++) {
      const n = Math.min(QUERIES_PER_SET, used - s * QUERIES_PER_SET);
      this.resolveBuffers[s] ??= this.dev.gpu.createBuffer({
        size: QUERIES_PER_SET * 8,
        usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
        label: `profiler-resolve-${s}`,
      });
      encoder.resolveQuerySet(this.sets[s], 0, n, this.resolveBuffers[s], 0);
      encoder.copyBufferToBuffer(this.resolveBuffers[s], 0, readback, s * QUERIES_PER_SET * 8, n * 8);
    }
    this.readbacks.push({ buffer: readback, records: this.openRecords });
    this.openRecords = [];
  }

  afterSubmit(): void {
    const b = this.open;
    if (!b) return;
    this.open = null;
    b.submitted_us = this.now();
    this.batches.push(b);
    // Only the fallback waits per submission.
    if (!this.timestamps) this.done.push(this.dev.awaitGpu(() => this.dev.gpu.queue.onSubmittedWorkDone()).then(() => void (b.done_us = this.now())));
  }

  /** Submits pending work, reads every outstanding timestamp back (one map per submission) and returns all records. */
  async collect(): Promise<ProfileRecord[]> {
    this.dev.flush();
    const readbacks = this.readbacks.splice(0);
    const done = this.done.splice(0);
    await this.dev.awaitGpu(() => Promise.all([...readbacks.map((r) => r.buffer.mapAsync(GPUMapMode.READ)), ...done]));
    for (const { buffer, records } of readbacks) {
      const ts = new BigInt64Array(buffer.getMappedRange());
      records.forEach((r, i) => {
        r.start_ns = Number(ts[2 * i]);
        r.gpu_ns = Number(ts[2 * i + 1] - ts[2 * i]);
      });
      buffer.unmap();
      buffer.destroy();
    }
    this.dev.throwIfFailed('profile');
    return this.records;
  }

  /** Forgets collected records and batches (call after collect()), keeping the query sets. */
  clear(): void {
    this.records.length = 0;
    this.batches.length = 0;
  }

  /** Detaches and frees the query sets. */
  destroy(): void {
    this.detach();
    for (const s of this.sets) s.destroy();
    for (const b of this.resolveBuffers) b.destroy();
    for (const r of this.readbacks) r.buffer.destroy();
    this.sets.length = this.resolveBuffers.length = this.readbacks.length = 0;
  }
}
