/**
 * One monotonic clock mapped to wall time (DESIGN.md: all timestamps are ms on one
 * monotonic clock). Wall-clock jumps (NTP) must not bend a measured RTO, so every
 * timestamp is performance.timeOrigin + performance.now().
 */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
