/**
 * Exponential back-off with jitter for reconnects (CONTRIBUTING.md §4): min, 2·min, 4·min … capped at max,
 * each delay spread by ±jitter so many lines restarting together do not reconnect in lock-step.
 */
export class Backoff {
  private n = 0;

  constructor(
    private readonly minMs = 1000,
    private readonly maxMs = 30000,
    private readonly jitter = 0.2,
    private readonly rng: () => number = Math.random,
  ) {}

  /** The next delay in ms. */
  next(): number {
    const base = Math.min(this.maxMs, this.minMs * 2 ** Math.min(this.n, 30));
    this.n++;
    const spread = base * this.jitter * (2 * this.rng() - 1);
    return Math.max(0, Math.min(this.maxMs, Math.round(base + spread)));
  }

  /** After a good exchange the next failure starts again at `min`. */
  reset(): void {
    this.n = 0;
  }

  get attempts(): number {
    return this.n;
  }
}
