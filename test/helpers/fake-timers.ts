/** A Timers (lib/link/timers.ts) on a clock only the test moves: `tick(ms)` runs what falls due, in time order. */
import type { TimerHandle, Timers } from '../../lib/link/timers';

interface Entry {
  at: number;
  seq: number;
  fn: () => void;
  every: number;
}

export class FakeTimers implements Timers {
  private t: number;
  private seq = 0;
  private readonly due = new Map<TimerHandle, Entry>();

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.due.size;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, 0);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, Math.max(1, ms));
  }

  clearTimeout(h: TimerHandle): void {
    this.due.delete(h);
  }

  clearInterval(h: TimerHandle): void {
    this.due.delete(h);
  }

  /** Moves the clock `ms` forward, firing every timer due on the way (one at a time, earliest first). */
  tick(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: [TimerHandle, Entry] | null = null;
      for (const kv of this.due) if (kv[1].at <= end && (!next || kv[1].at < next[1].at || (kv[1].at === next[1].at && kv[1].seq < next[1].seq))) next = kv;
      if (!next) break;
      const [h, e] = next;
      this.t = Math.max(this.t, e.at);
      if (e.every) e.at += e.every;
      else this.due.delete(h);
      e.fn();
    }
    this.t = end;
  }

  private add(fn: () => void, ms: number, every: number): TimerHandle {
    const h = {};
    this.due.set(h, { at: this.t + Math.max(0, ms), seq: this.seq++, fn, every });
    return h;
  }
}
