import type { NodeStatus } from 'node-red';
import { realTimers, TimerHandle, Timers } from '../../lib/link/timers';

/**
 * Shows a node status only when it changes and at most once per `minMs` (CONTRIBUTING.md §5): a busy
 * line must not flood the editor's comms with a status per frame. The last status always lands.
 */
export class StatusThrottle {
  private last = '';
  private lastAt = 0;
  private pending: NodeStatus | null = null;
  private timer: TimerHandle | null = null;

  constructor(
    private readonly target: { status(s: NodeStatus): void },
    private readonly minMs = 1000,
    private readonly timers: Timers = realTimers,
  ) {}

  /** `now` bypasses the rate limit, for state transitions a user must see at once (an error). */
  set(s: NodeStatus, now = false): void {
    const key = JSON.stringify(s);
    if (key === this.last && !this.pending) return;
    const wait = this.lastAt + this.minMs - this.timers.now();
    if (now || wait <= 0) {
      this.show(s, key);
      return;
    }
    this.pending = s;
    if (!this.timer)
      this.timer = this.timers.setTimeout(() => {
        this.timer = null;
        const p = this.pending;
        if (p) this.show(p, JSON.stringify(p));
      }, wait);
  }

  dispose(): void {
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
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
