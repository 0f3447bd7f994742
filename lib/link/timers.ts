/**
 * The timers and clock a component runs on, injectable so tests (or a host with its own scheduler) drive
 * time instead of waiting for it. The default looks the globals up at each call, so node:test's
 * `mock.timers` also reaches a component built with the default.
 */
export type TimerHandle = object;

export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
  /** Wall-clock time in ms since the epoch, as Date.now(). */
  now(): number;
}

/** Node's own timers and Date.now. */
export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
  now: () => Date.now(),
};

/** A promise that resolves after `ms` on `timers`, or rejects with the signal's reason once it is aborted. */
export function sleep(timers: Timers, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      timers.clearTimeout(h);
      reject(signal!.reason);
    };
    const h = timers.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
