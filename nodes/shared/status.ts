import type { NodeStatus } from 'node-red';
import { realTimers, TimerHandle, Timers } from '../../lib/link/timers';

/** A status, or how to work it out: a function is called only when its status may be shown (null: none to show). */
export type StatusSource = NodeStatus | (() => NodeStatus | null);

/**
 * Shows a node status only when it changes and at most once per `minMs` (CONTRIBUTING.md §5): a busy
 * line must not flood the editor's comms with a status per frame. The last status always lands.
 *
 * A status given as a function is worked out at most once per `minMs` (unless `now`): a node that sets its
 * status on every msg (its text translated, counts taken over its state) pays for that once a second, not
 * once per msg; the function is called when the status would be shown, so what lands is the newest state.
 */
export class StatusThrottle {
  private last = '';
  private lastAt = 0;
  /** When a status function was last called (shown or not): the next one waits minMs from then. */
  private workedAt = -Infinity;
  private pending: StatusSource | null = null;
  private timer: TimerHandle | null = null;

  constructor(
    private readonly target: { status(s: NodeStatus): void },
    private readonly minMs = 1000,
    private readonly timers: Timers = realTimers,
  ) {}

  /** `now` bypasses the rate limit, for state transitions a user must see at once (an error). */
  set(source: StatusSource, now = false): void {
    if (typeof source === 'function') return this.setLazy(source, now);
    const s = source;
    const key = JSON.stringify(s);
    if (key === this.last && !this.pending) return;
    const wait = this.lastAt + this.minMs - this.timers.now();
    if (now || wait <= 0) {
      this.show(s, key);
      return;
    }
    this.pending = s;
    this.arm(wait);
  }

  dispose(): void {
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }

  private setLazy(make: () => NodeStatus | null, now: boolean): void {
    if (!now) {
      if (this.timer) {
        this.pending = make;
        return;
      }
      const wait = Math.max(this.lastAt, this.workedAt) + this.minMs - this.timers.now();
      if (wait > 0) {
        this.pending = make;
        this.arm(wait);
        return;
      }
    }
    this.work(make);
  }

  /** Calls a status function and shows its status if it differs from the one shown. */
  private work(make: () => NodeStatus | null): void {
    this.workedAt = this.timers.now();
    const s = make();
    const key = s && JSON.stringify(s);
    if (!s || key === this.last) {
      this.dispose();
      return;
    }
    this.show(s, key as string);
  }

  private arm(wait: number): void {
    if (this.timer) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      const p = this.pending;
      if (!p) return;
      if (typeof p === 'function') this.work(p);
      else this.show(p, JSON.stringify(p));
    }, wait);
  }

  private show(s: NodeStatus, key: string): void {
    this.pending = null;
    if (this.timer) {
      this.timers.clearTimeout(this.timer);
      this.timer = null;
    }
    this.last = key;
    this.lastAt = this.timers.now();
    this.target.status(s);
  }
}
