/**
 * Awaiting the GPU without taking a core from it, on CPU adapters (lavapipe).
 *
 * While any Dawn promise is pending (mapAsync, onSubmittedWorkDone), the Node binding re-polls
 * its events with back-to-back setImmediate calls and keeps a whole core busy, the one lavapipe's
 * second worker thread needs: kernels ran 1.3–1.45× slower awaited than unawaited
 * (dawn-notes.md, pitfall 2). The binding looks `setImmediate` up on the global object for every
 * call, so while atrous awaits the GPU it hands the binding's callbacks (native functions) to a
 * 1 ms timer instead: the GPU's completion is noticed at most ~1 ms late and the core stays free.
 * Measured on lavapipe (2 cores), a ~100 ms dispatch awaited: 92–102 ms throttled against
 * 132–189 ms with the binding's own polling. JavaScript callbacks pass through untouched.
 *
 * This replaces sleeping through an expected GPU time before awaiting, which needed the time
 * learned from a previous run of the same work and helped neither first runs nor new work.
 */
const POLL_MS = 1;

/** Counts of the binding's polls routed through the timer, for tests. */
export const pollStats = { throttled: 0 };

let pending = 0;
let original: typeof setImmediate | null = null;
let installed: typeof setImmediate | null = null;

const isNative = (fn: unknown) => typeof fn === 'function' && /\{\s*\[native code\]\s*\}$/.test(Function.prototype.toString.call(fn));

function install(): void {
  original = globalThis.setImmediate;
  const real = original;
  const throttled = ((fn: (...args: unknown[]) => void, ...args: unknown[]) =>
    isNative(fn) ? (pollStats.throttled++, setTimeout(fn, POLL_MS, ...args)) : real(fn, ...args)) as unknown as typeof setImmediate;
  installed = throttled;
  globalThis.setImmediate = throttled;
}

function uninstall(): void {
  // Someone else may have replaced it meanwhile: leave theirs in place.
  if (globalThis.setImmediate === installed && original) globalThis.setImmediate = original;
  original = installed = null;
}

/**
 * Runs `start` (which creates a Dawn promise) and awaits it with the binding's polling throttled,
 * when `throttle` is set (CPU adapters) and setImmediate exists (Node); otherwise just awaits it.
 */
export async function awaitGpu<T>(throttle: boolean, start: () => Promise<T>): Promise<T> {
  if (!throttle || typeof globalThis.setImmediate !== 'function') return start();
  if (pending++ === 0) install();
  try {
    return await start();
  } finally {
    if (--pending === 0) uninstall();
  }
}
