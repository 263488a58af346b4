/**
 * Waits most of an expected GPU time before the caller awaits the GPU. While a Dawn promise is
 * pending, the binding busy-polls a core that lavapipe's workers would otherwise use, slowing
 * kernels 1.3–1.45× (dawn-notes.md, pitfall 2); a timer costs nothing. Short waits are skipped:
 * timers are too coarse for them.
 */
export function idleFor(expectedMs: number): Promise<void> {
  return expectedMs > 2 ? new Promise((r) => setTimeout(r, expectedMs * 0.6)) : Promise.resolve();
}
