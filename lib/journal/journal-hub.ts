import path from 'node:path';
import { JournalError } from './errors';
import { openJournal, type OpenOptions, type Recovery } from './sqlite-journal';
import type { AppendResult, AttendTarget, HornState, JournalRecord, JournalStore, ReplyInput } from './types';

/** What a journal's users hear, in commit order, after the commit. */
export type JournalChange =
  { kind: 'records'; records: JournalRecord[] } | { kind: 'attend'; ids: number[]; user: string; at: number } | { kind: 'horn'; horn: HornState };

export type JournalListener = (c: JournalChange) => void;

/**
 * One journal shared by everything of a project (its lines write, its events nodes and alarm widgets read
 * and attend): every change goes through here so each user hears it once it is committed, whichever
 * node made it. Listeners are called synchronously after the commit; a failing one is reported and does
 * not stop the others nor undo the commit.
 */
export class JournalHub {
  private readonly listeners = new Map<string, JournalListener>();

  constructor(
    readonly store: JournalStore,
    private readonly onListenerError: (e: unknown) => void = () => undefined,
  ) {}

  subscribe(id: string, l: JournalListener): void {
    this.listeners.set(id, l);
  }

  unsubscribe(id: string): void {
    this.listeners.delete(id);
  }

  /** Commits a reply (write-ahead: throws a JournalError and stores nothing when it cannot), then publishes what it stored. */
  append(reply: ReplyInput): AppendResult {
    const r = this.store.append(reply);
    if (r.ids.length && this.listeners.size) {
      const records = r.records ?? this.records(r.ids);
      this.publish({ kind: 'records', records });
      if (records.some((x) => x.severity > 0 && x.attendedAt === null)) this.publish({ kind: 'horn', horn: this.store.horn() });
    }
    return r;
  }

  attend(target: AttendTarget, user: string, at: number): number[] {
    const ids = this.store.attend(target, user, at);
    if (ids.length) {
      this.publish({ kind: 'attend', ids, user, at });
      this.publish({ kind: 'horn', horn: this.store.horn() });
    }
    return ids;
  }

  silence(user: string, at: number): HornState {
    const horn = this.store.silence(user, at);
    this.publish({ kind: 'horn', horn });
    return horn;
  }

  /** The stored records of these ids (ascending; ids gone by retention are left out). */
  records(ids: readonly number[]): JournalRecord[] {
    if (!ids.length) return [];
    const lo = Math.min(...ids);
    const hi = Math.max(...ids);
    const want = new Set(ids);
    const out: JournalRecord[] = [];
    // ids of one append are consecutive: one keyset page (oldest first) from just below the first
    for (let after = lo - 1; after < hi;) {
      const page = this.store.query({ afterId: after, limit: Math.min(10_000, hi - after) });
      for (const r of page.records) if (r.id <= hi && want.has(r.id)) out.push(r);
      if (page.next === null || page.records.length === 0) break;
      after = page.next;
    }
    return out;
  }

  private publish(c: JournalChange): void {
    for (const l of [...this.listeners.values()]) {
      try {
        l(c);
      } catch (e) {
        this.onListenerError(e);
      }
    }
  }
}

interface Entry {
  hub: JournalHub;
  users: number;
  recovered: Recovery | null;
}

const open = new Map<string, Entry>();

export interface JournalLease {
  hub: JournalHub;
  /** What opening found: a corrupt file kept aside (a fresh journal was opened beside it), or null; given to the first lease only. */
  recovered: Recovery | null;
  /** The file, resolved. */
  file: string;
  /** Gives the journal back; the last user closes it. Calling it twice does nothing. */
  release(): void;
}

/**
 * Opens a journal file for a user, sharing it with every other user of the same file in this process
 * (a project's lines, events nodes and widgets): one connection, one hub, closed by the last release.
 * The first opener's options apply. Throws a JournalError when the file cannot be opened at all.
 */
export function acquireJournal(file: string, opts: OpenOptions = {}, onListenerError?: (e: unknown) => void): JournalLease {
  const key = path.resolve(file);
  let e = open.get(key);
  if (!e) {
    const j = openJournal(key, opts);
    e = { hub: new JournalHub(j, onListenerError), users: 0, recovered: j.recovered };
    open.set(key, e);
  }
  e.users++;
  const entry = e;
  let released = false;
  // told to the first user only: one log line for one file kept aside, however many nodes share the journal
  const recovered = entry.recovered;
  entry.recovered = null;
  return {
    hub: entry.hub,
    recovered,
    file: key,
    release() {
      if (released) return;
      released = true;
      if (--entry.users > 0 || open.get(key) !== entry) return;
      open.delete(key);
      try {
        entry.hub.store.close();
      } catch (err) {
        if (!(err instanceof JournalError)) throw err;
      }
    },
  };
}

/** Journals open in this process (tests check that every lease was released). */
export function openJournalCount(): number {
  return open.size;
}
