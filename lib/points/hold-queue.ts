/**
 * What a node holds while it cannot yet apply its input (mara-points before its project has loaded):
 * the items in arrival order, applied in that order once it can. The line has already advanced the
 * device's SEQ for every reply it handed on, so dropping one would lose its events for good.
 *
 * Bound: at most `max` items (default 2000: about half an hour of 1 s polls of one device, 2 minutes
 * of 16 devices). Past it, room is made by dropping the oldest item that carries no event and is
 * superseded by a newer item with the same key (a state-only reply of a device that has answered
 * since: its state is replaced by the newer reply, nothing else is lost). Only when every held item
 * carries events or is the newest of its key is an item refused: the one arriving is then returned
 * as `refused` for the caller to fail with a stable error code (EQUEUEFULL), never dropped silently.
 */
export interface HoldOptions<T> {
  max?: number;
  /** The item carries something that must be handed on once (events). */
  hasEvents(item: T): boolean;
  /** Items with the same key supersede each other's state (the msg topic: line/address). */
  key(item: T): string;
}

export class HoldQueue<T> {
  readonly max: number;
  private items: T[] = [];
  /** Items dropped because a newer one of the same key superseded them (state only). */
  superseded = 0;

  constructor(private readonly opts: HoldOptions<T>) {
    this.max = opts.max ?? 2000;
    if (!Number.isInteger(this.max) || this.max < 1) throw new RangeError('max must be a positive integer');
  }

  get size(): number {
    return this.items.length;
  }

  /** Holds `item`; returns what had to leave: `dropped` (superseded, state only) or `refused` (the new item). */
  push(item: T): { dropped: T | null; refused: T | null } {
    if (this.items.length < this.max) {
      this.items.push(item);
      return { dropped: null, refused: null };
    }
    const i = this.supersededIndex(item);
    if (i < 0) return { dropped: null, refused: item };
    const [dropped] = this.items.splice(i, 1);
    this.superseded++;
    this.items.push(item);
    return { dropped, refused: null };
  }

  /** The oldest held item (still held), or undefined. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** Every held item in arrival order; the queue is empty after. */
  drain(): T[] {
    const out = this.items;
    this.items = [];
    return out;
  }

  /** The oldest item without events that a newer item (held, or the one arriving) of its key replaces. */
  private supersededIndex(arriving: T): number {
    const { key, hasEvents } = this.opts;
    const newest = new Map<string, number>();
    for (let i = 0; i < this.items.length; i++) newest.set(key(this.items[i]), i);
    const k = key(arriving);
    for (let i = 0; i < this.items.length; i++) {
      const it = this.items[i];
      if (hasEvents(it)) continue;
      const ki = key(it);
      if (ki === k || newest.get(ki)! > i) return i;
    }
    return -1;
  }
}
