/**
 * On CPU adapters (lavapipe), sleeps through most of a submission's expected GPU time before the
 * caller awaits it. While a Dawn promise is pending, the binding polls with back-to-back
 * setImmediate and takes a core from lavapipe's worker threads (dawn-notes.md, pitfall 2): a
 * DeepLab-LargeFOV 321×321 forward took 4.2 s awaited at once and 2.4 s with a sleep first
 * (lavapipe, 2 cores). A timer costs nothing.
 *
 * The expected time is the last measured time of the same work: the same dispatches (count,
 * grids, bytes bound) submitted since the previous wait. Repeated forwards, folder segmentation,
 * profile and bench runs repeat their work exactly; new work is awaited at once, as before. Work
 * that compiled a pipeline is not learned from: lavapipe JIT-compiles shaders at their first
 * dispatch, and a first LargeFOV forward takes 4× a steady one. The sleep covers 80 % of the
 * last time; where the GPU turns out to have finished during the sleep, the next sleep is shorter.
 */
const SLEEP_SHARE = 0.8;
const MIN_SLEEP_MS = 2; // timers are too coarse below this
const MAX_REMEMBERED = 1024;
const OVERSLEPT_MS = 1; // done this soon after waking: the GPU had finished before

export class Pacer {
  private dispatches = 0;
  private hash = 0;
  private bytes = 0;
  private compiled = false;
  private firstSubmit = -1;
  private readonly lastMs = new Map<string, number>();

  constructor(readonly enabled: boolean) {}

  /** One dispatch recorded: its workgroup count, the bytes of the tensors it binds, whether its pipeline is new. */
  noteDispatch(workgroups: number, bytes: number, newPipeline: boolean): void {
    if (!this.enabled) return;
    this.dispatches++;
    this.compiled ||= newPipeline;
    this.hash = (Math.imul(this.hash ^ workgroups, 0x9e3779b1) + bytes) | 0;
    this.bytes += bytes;
  }

  /**
   * The open encoder was submitted: the GPU starts on its dispatches now. A submission without
   * dispatches (uploads, clears) starts no clock: the CPU work that follows it (weight loading,
   * image decoding) is not GPU time.
   */
  submitted(): void {
    if (this.enabled && this.dispatches > 0 && this.firstSubmit < 0) this.firstSubmit = performance.now();
  }

  /** Awaits `done` (a Dawn promise for everything submitted so far), sleeping first where the same work ran before. */
  async wait<T>(done: () => Promise<T>): Promise<T> {
    if (!this.enabled || this.dispatches === 0) return done();
    const key = `${this.dispatches}:${this.hash}:${this.bytes}`;
    const start = this.firstSubmit < 0 ? performance.now() : this.firstSubmit;
    const learn = !this.compiled;
    this.dispatches = this.hash = this.bytes = 0;
    this.firstSubmit = -1;
    this.compiled = false;
    const last = this.lastMs.get(key);
    const left = last === undefined ? 0 : SLEEP_SHARE * last - (performance.now() - start);
    if (left > MIN_SLEEP_MS) await new Promise((r) => setTimeout(r, left));
    const woke = performance.now();
    const result = await done();
    const end = performance.now();
    if (this.lastMs.size >= MAX_REMEMBERED) this.lastMs.clear();
    if (learn) this.lastMs.set(key, left > MIN_SLEEP_MS && end - woke < OVERSLEPT_MS ? SLEEP_SHARE * (end - start) : end - start);
    return result;
  }
}
