import type { AcceptedReply, DeviceState, LineState, StateStore } from '../link/state-store';
import type { AppendResult, EventInput, JournalStore, ReplyInput } from './types';

/** Turns an accepted reply into the journal's entries (the point, texts and severity of each event); may throw to hold the reply back. */
export type DescribeReply = (reply: AcceptedReply) => EventInput[];

/** Where the store commits: the journal itself, or its JournalHub (which also tells the journal's users). */
export interface AppendTarget {
  append(reply: ReplyInput): AppendResult;
}

/**
 * The master's write-ahead StateStore over the journal [docs/journal.md]: the master hands each new reply to
 * `save` BEFORE it acknowledges it, and the reply's events and the SEQ state that acknowledges it are committed
 * in one transaction, once per reply. That commit replaces the per-reply state file; nothing else is written.
 * A failed commit throws (EJOURNAL_…): the master then holds the reply back (the device keeps it) and asks
 * again later, so nothing is lost and nothing is recorded twice.
 *
 * Only the devices whose state changed since the last commit are written (one row per reply on a multi-drop
 * line, not one per device). `legacy`: the state file of a line from before the journal; its state is taken
 * when the journal has none for the line, and the file is removed once the journal holds the state.
 */
export class JournalStateStore implements StateStore {
  readonly writeAhead = true;
  /** The state as last committed, per device ("seq|recent…"), so unchanged devices are not written again. */
  private readonly committed = new Map<string, string>();
  private legacyPending: StateStore | null = null;

  constructor(
    private readonly journal: JournalStore,
    readonly line: string,
    private readonly describe: DescribeReply = bareEvents,
    private readonly target: AppendTarget = journal,
    private readonly legacy: StateStore | null = null,
  ) {}

  load(): LineState {
    const s = this.journal.loadState(this.line);
    if (Object.keys(s).length === 0 && this.legacy) {
      this.legacyPending = this.legacy;
      const old = this.legacy.load(); // throws ESTATE for a bad file (kept aside by it): the master starts afresh
      return old;
    }
    for (const [dev, d] of Object.entries(s)) this.committed.set(dev, stamp(d));
    return s;
  }

  save(state: LineState, reply?: AcceptedReply): void {
    const changed: Record<string, DeviceState> = {};
    const stamps: [string, string][] = [];
    for (const [dev, d] of Object.entries(state)) {
      const st = stamp(d);
      if (this.committed.get(dev) === st) continue;
      changed[dev] = d;
      stamps.push([dev, st]);
    }
    if (!reply && stamps.length === 0) return;
    const events = reply ? this.describe(reply) : [];
    this.target.append({
      line: this.line,
      device: reply?.address ?? 0,
      replyKey: reply?.key ?? '-',
      receivedAt: reply?.at ?? Date.now(),
      events,
      state: changed,
    });
    for (const [dev, st] of stamps) this.committed.set(dev, st);
    if (this.legacyPending) {
      const legacy = this.legacyPending;
      this.legacyPending = null;
      try {
        legacy.remove?.();
      } catch {
        // the old file stays; the journal's state is the one read from now on
      }
    }
  }

  /** The line was deleted: its SEQ state goes (its events stay in the journal). */
  remove(): void {
    this.journal.removeState?.(this.line);
    this.committed.clear();
    this.legacy?.remove?.();
  }
}

function stamp(d: DeviceState): string {
  return `${d.seq}|${d.recent.join(',')}`;
}

/** The events of a reply without a workbook: recorded unmapped (no tag), CALIF as questionable. */
export function bareEvents(reply: AcceptedReply): EventInput[] {
  return (reply.frame.reply?.events ?? []).map((ev) => ({
    type: ev.type,
    deviceTime: ev.time,
    raw: ev.raw,
    value: ev.type === 'digital' ? ev.state : ev.type === 'energy' ? ev.value : ev.type === 'comsys' ? ev.code : null,
    quality: ev.calif ? 'questionable' : 'good',
    severity: ev.type === 'digital' || ev.type === 'comsys' ? 1 : 0,
  }));
}
