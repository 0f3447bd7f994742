import type { JournalChange, JournalHub } from './journal-hub';
import type { HornState, JournalRecord } from './types';

/** What a feed hands on, in commit order: a new event, an attend, a horn change. */
export type FeedItem =
  { kind: 'event'; record: JournalRecord } | { kind: 'attend'; ids: number[]; user: string; at: number } | { kind: 'horn'; horn: HornState };

export interface FeedOptions {
  /** The consumer's cursor in the journal (an events node: its id); it catches up from there after a restart. */
  name: string;
  /** Only alarms (severity > 0). */
  alarmsOnly?: boolean;
  /** Hand attends on (default true) and horn changes (default false). */
  attends?: boolean;
  horn?: boolean;
  /** Where a consumer the journal has never seen starts: 'end' (default: what is committed from now on) or 'all' (everything kept). */
  startAt?: 'end' | 'all';
  /** Events per catch-up batch (default 100); batches are apart by `schedule`. */
  batch?: number;
  /** Runs a function later (default setImmediate): between catch-up batches and to save the cursor. */
  schedule?: (f: () => void) => void;
  /** Called once the catch-up has reached the journal's end (live from then on). */
  onCaughtUp?: () => void;
  /** A failure that stops nothing (the cursor could not be saved, attends queued beyond the bound). */
  onError?: (e: unknown) => void;
}

/** Attends and horn changes heard during a catch-up wait for it (they may name events not handed on yet); at most this many. */
const MAX_QUEUED = 10_000;
const MAX_BATCH = 10_000;

/**
 * Every event of a journal, once, in order, to one consumer, across restarts: on start it hands on what was
 * committed after its cursor (oldest first, in batches with the event loop free between them), then what is
 * committed live. The switch is gap-free and duplicate-free: live changes heard during the catch-up are not
 * handed on (the catch-up reads them from the journal), and the last, empty, page is read in the same turn of
 * the event loop as the switch, so no commit can fall between them. The cursor is saved after handing on
 * (at-least-once: a crash between the two hands the last events on again after the restart, never loses them).
 */
export class EventFeed {
  private lastSent = 0;
  private savedId = -1;
  private catchingUp = false;
  private stopped = true;
  private saving = false;
  /** The catch-up failed: the next commit heard retries it. */
  private failed = false;
  private queued: FeedItem[] = [];
  private dropped = 0;
  private readonly schedule: (f: () => void) => void;
  private readonly batch: number;
  private readonly startedKey: string;

  constructor(
    private readonly hub: JournalHub,
    private readonly opts: FeedOptions,
    private readonly emit: (item: FeedItem) => void,
  ) {
    this.schedule = opts.schedule ?? ((f) => void setImmediate(f));
    this.batch = Math.max(1, Math.min(MAX_BATCH, Math.floor(opts.batch ?? 100)));
    this.startedKey = `${opts.name}#started`;
  }

  /** True until the catch-up has reached the journal's end. */
  get catchUp(): boolean {
    return this.catchingUp;
  }

  /** The last event id handed on (or skipped by the filter). */
  get position(): number {
    return this.lastSent;
  }

  /** Subscribes and starts the catch-up; throws a JournalError when the journal cannot be read. */
  start(): void {
    const store = this.hub.store;
    if (store.cursor(this.startedKey) === 0) {
      // a consumer the journal has never seen: from the end, unless told to take everything kept
      this.lastSent = this.opts.startAt === 'all' ? 0 : (store.query({ limit: 1 }).records[0]?.id ?? 0);
      store.setCursor(this.opts.name, this.lastSent);
      store.setCursor(this.startedKey, 1);
      this.savedId = this.lastSent;
    } else {
      this.lastSent = store.cursor(this.opts.name);
      this.savedId = this.lastSent;
    }
    this.stopped = false;
    this.catchingUp = true;
    this.hub.subscribe(this.opts.name, (c) => this.heard(c));
    this.schedule(() => this.step());
  }

  /** Unsubscribes and saves the cursor (a journal already closed keeps the last one saved: at-least-once). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.hub.unsubscribe(this.opts.name);
    this.save();
  }

  private step(): void {
    if (this.stopped) return;
    let more: boolean;
    try {
      const page = this.hub.store.query({ afterId: this.lastSent, limit: this.batch, ...(this.opts.alarmsOnly ? { alarmsOnly: true } : {}) });
      for (const record of page.records) {
        this.emit({ kind: 'event', record });
        this.lastSent = record.id;
      }
      more = page.next !== null;
    } catch (e) {
      // a journal that fails (busy, damaged) stops the catch-up; the next commit heard (or the next start) resumes it
      this.failed = true;
      this.opts.onError?.(e);
      return;
    }
    this.saveSoon();
    if (more) {
      this.schedule(() => this.step());
      return;
    }
    this.catchingUp = false;
    const q = this.queued;
    this.queued = [];
    for (const item of q) this.emit(item);
    if (this.dropped)
      this.opts.onError?.(new Error(`${this.dropped} attend/horn change(s) heard during the catch-up were not handed on (more than ${MAX_QUEUED})`));
    this.dropped = 0;
    this.opts.onCaughtUp?.();
  }

  private heard(c: JournalChange): void {
    if (this.stopped) return;
    if (c.kind === 'records') {
      if (this.catchingUp) {
        // the catch-up reads them from the journal; one that had failed tries again
        if (this.failed) {
          this.failed = false;
          this.schedule(() => this.step());
        }
        return;
      }
      let moved = false;
      for (const record of c.records) {
        if (record.id <= this.lastSent) continue;
        this.lastSent = record.id;
        moved = true;
        if (!this.opts.alarmsOnly || record.severity > 0) this.emit({ kind: 'event', record });
      }
      if (moved) this.saveSoon();
      return;
    }
    if (c.kind === 'attend' ? this.opts.attends === false : !this.opts.horn) return;
    const item: FeedItem = c.kind === 'attend' ? { kind: 'attend', ids: c.ids, user: c.user, at: c.at } : { kind: 'horn', horn: c.horn };
    if (!this.catchingUp) this.emit(item);
    else if (this.queued.length < MAX_QUEUED) this.queued.push(item);
    else this.dropped++;
  }

  /** Saves the cursor once the current turn is over (one write for a burst, not one per reply). */
  private saveSoon(): void {
    if (this.saving) return;
    this.saving = true;
    this.schedule(() => {
      this.saving = false;
      if (!this.stopped) this.save();
    });
  }

  private save(): void {
    if (this.savedId === this.lastSent) return;
    try {
      this.hub.store.setCursor(this.opts.name, this.lastSent);
      this.savedId = this.lastSent;
    } catch (e) {
      this.opts.onError?.(e);
    }
  }
}
