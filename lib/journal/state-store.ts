import type { LineState, StateStore } from '../link/state-store';
import { JournalError } from './errors';
import type { EventInput, JournalStore } from './types';

/** The events of one reply, waiting for the master's next `save` (which commits them with the state). */
export interface StagedReply {
  device: number;
  replyKey: string;
  receivedAt: number;
  events: readonly EventInput[];
}

/** Staged events beyond this mean the storage has failed for long: staging more fails (the line must stop acknowledging). */
export const MAX_STAGED_REPLIES = 10_000;

/**
 * The master's StateStore backed by the journal, so the journal's commit replaces the per-reply state file
 * instead of adding a second write. The line's 'reply' listener stages the reply's events (`stage`); the
 * master's `save`, called synchronously right after, commits them with the SEQ state in one transaction.
 * A failed save keeps what was staged and throws (EJOURNAL_…): the next save commits it, so nothing is lost
 * while the master does not acknowledge (the master's stop-on-failure is part of the write-ahead integration).
 */
export class JournalStateStore implements StateStore {
  private staged: StagedReply[] = [];

  constructor(
    private readonly journal: JournalStore,
    readonly line: string,
  ) {}

  load(): LineState {
    return this.journal.loadState(this.line);
  }

  stage(reply: StagedReply): void {
    if (this.staged.length >= MAX_STAGED_REPLIES)
      throw new JournalError('EJOURNAL_IO', `${MAX_STAGED_REPLIES} replies wait for the journal: storage has failed`);
    this.staged.push(reply);
  }

  /** Replies staged and not yet committed. */
  get pending(): number {
    return this.staged.length;
  }

  save(state: LineState): void {
    // every staged reply but the last is committed without the state, the last one with it: one transaction per reply
    while (this.staged.length > 1) {
      this.journal.append({ line: this.line, ...this.staged[0] });
      this.staged.shift();
    }
    const last = this.staged[0];
    if (last) this.journal.append({ line: this.line, ...last, state });
    else this.journal.append({ line: this.line, device: 0, replyKey: '-', receivedAt: Date.now(), events: [], state });
    this.staged.shift();
  }
}
