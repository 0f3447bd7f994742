/**
 * A project's live alarm state beside its journal (docs/journal.md "Protection marks" and "Blinking"): applies the
 * docs/screens.md §6.3 hooks (protection-marks.ts) to the project's element state as events come in and are attended, brings the
 * marks back from the journal at start, and keeps the set of element tags that have an unattended alarm (what the
 * screens blink), telling its listeners when that set changes. One per project; no Node-RED here.
 */
import type { ElementWrite } from '../project/project-runtime';
import type { ProjectModel } from '../project/model';
import type { JournalChange, JournalListener } from './journal-hub';
import { MarkIndex, alarmTagsOf, marksOfAttend, marksOfNew, restoreMarks, type TextOf } from './protection-marks';
import type { JournalPage, JournalQuery, JournalRecord } from './types';

export interface AlarmHub {
  subscribe(id: string, l: JournalListener): void;
  unsubscribe(id: string): void;
  records(ids: readonly number[]): JournalRecord[];
  store: { query(q: JournalQuery): JournalPage };
}

export interface ProjectAlarmsOptions {
  hub: AlarmHub;
  /** Writes element texts into the project's state (ProjectRuntime.update); may throw (reported, nothing else stops). */
  apply: (writes: ElementWrite[]) => void;
  /** An element's current text (the project's engine), undefined when it has none yet. */
  textOf: TextOf;
  warn?: (m: string) => void;
  /** Listener id on the hub (default 'project-alarms'). */
  id?: string;
  /** Unattended alarms tracked one by one (default 100 000); past it, each attend reads the unattended set again. */
  maxTracked?: number;
}

export type AlarmTagsListener = (tags: readonly string[]) => void;

const ATTEND_CHUNK = 10_000;

export class ProjectAlarms {
  private idx: MarkIndex | null = null;
  /** Unattended alarm id → the tags it makes blink. */
  private readonly unattended = new Map<number, string[]>();
  private readonly counts = new Map<string, number>();
  /** More unattended alarms than tracked: an attend rescans. */
  private overflow = false;
  private readonly listeners = new Map<string, AlarmTagsListener>();
  private list: string[] = [];
  private closed = false;
  private readonly id: string;
  private readonly maxTracked: number;
  private readonly onChange: JournalListener = (c) => this.change(c);

  constructor(private readonly o: ProjectAlarmsOptions) {
    this.id = o.id ?? 'project-alarms';
    this.maxTracked = o.maxTracked ?? 100_000;
  }

  /**
   * The project's workbook (again). The first call starts: it restores the marks from the journal, reads the
   * unattended alarms and subscribes to the journal (all synchronous: no change falls in between).
   */
  setModel(model: Pick<ProjectModel, 'points' | 'elements'>): void {
    if (this.closed) return;
    const first = this.idx === null;
    this.idx = new MarkIndex(model);
    if (first) {
      try {
        const r = restoreMarks(this.idx, (q) => this.o.hub.store.query(q));
        if (r.truncated)
          this.warn(`protection marks: the journal holds more than the start-up scan reads (${r.scanned} unattended alarms); older marks may be missing`);
        this.write(r.writes);
      } catch (e) {
        this.warn(`protection marks could not be restored from the journal: ${(e as Error).message}`);
      }
      this.o.hub.subscribe(this.id, this.onChange);
    }
    this.rescan();
  }

  /** Element tags with an unattended alarm (a DI's tag; a protection trip's bay breaker too), sorted. */
  tags(): readonly string[] {
    return this.list;
  }

  /** Hears every change of `tags()`; called at once with the current set. */
  subscribe(id: string, l: AlarmTagsListener): void {
    this.listeners.set(id, l);
    this.call(l);
  }

  unsubscribe(id: string): void {
    this.listeners.delete(id);
  }

  close(): void {
    this.closed = true;
    this.listeners.clear();
    this.o.hub.unsubscribe(this.id);
  }

  private change(c: JournalChange): void {
    const idx = this.idx;
    if (this.closed || !idx) return;
    if (c.kind === 'records') {
      this.write(marksOfNew(c.records, idx));
      let changed = false;
      for (const r of c.records) if (r.severity > 0 && r.attendedAt === null) changed = this.track(r, idx) || changed;
      if (changed) this.publish();
    } else if (c.kind === 'attend') {
      const ids = [...c.ids].sort((a, b) => a - b);
      for (let i = 0; i < ids.length; i += ATTEND_CHUNK) this.write(marksOfAttend(this.o.hub.records(ids.slice(i, i + ATTEND_CHUNK)), idx, this.o.textOf));
      if (this.overflow) return this.rescan();
      let changed = false;
      for (const id of ids) changed = this.untrack(id) || changed;
      if (changed) this.publish();
    }
  }

  private track(r: JournalRecord, idx: MarkIndex): boolean {
    if (this.unattended.has(r.id)) return false;
    const tags = alarmTagsOf(r, idx);
    if (this.unattended.size >= this.maxTracked) this.overflow = true;
    else this.unattended.set(r.id, tags);
    let changed = false;
    for (const t of tags) {
      const n = this.counts.get(t) ?? 0;
      this.counts.set(t, n + 1);
      if (n === 0) changed = true;
    }
    return changed;
  }

  private untrack(id: number): boolean {
    const tags = this.unattended.get(id);
    if (!tags) return false;
    this.unattended.delete(id);
    let changed = false;
    for (const t of tags) {
      const n = (this.counts.get(t) ?? 1) - 1;
      if (n > 0) this.counts.set(t, n);
      else {
        this.counts.delete(t);
        changed = true;
      }
    }
    return changed;
  }

  /** Reads the unattended alarms again (newest first, up to maxTracked). */
  private rescan(): void {
    const idx = this.idx;
    if (!idx) return;
    this.unattended.clear();
    this.counts.clear();
    this.overflow = false;
    try {
      for (let before: number | undefined; ;) {
        const page = this.o.hub.store.query({ unattendedOnly: true, limit: 1000, ...(before === undefined ? {} : { beforeId: before }) });
        for (const r of page.records) this.track(r, idx);
        if (page.next === null || !page.records.length || this.overflow) break;
        before = page.next;
      }
    } catch (e) {
      this.warn(`unattended alarms could not be read from the journal: ${(e as Error).message}`);
    }
    this.publish();
  }

  private write(writes: ElementWrite[]): void {
    if (!writes.length) return;
    try {
      this.o.apply(writes);
    } catch (e) {
      this.warn(`protection marks not applied: ${(e as Error).message}`);
    }
  }

  private publish(): void {
    const next = [...this.counts.keys()].sort();
    if (next.length === this.list.length && next.every((t, i) => t === this.list[i])) return;
    this.list = next;
    for (const l of [...this.listeners.values()]) this.call(l);
  }

  private call(l: AlarmTagsListener): void {
    try {
      l(this.list);
    } catch (e) {
      this.warn(`alarm listener failed: ${(e as Error).message}`);
    }
  }

  private warn(m: string): void {
    this.o.warn?.(m);
  }
}
