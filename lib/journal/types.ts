import type { MaraTime } from '../mara/time';

/** The event types of a Mara reply [docs/protocol.md §5.6]. */
export type JournalEventType = 'digital' | 'energy' | 'idle' | 'comsys';

/** One event as the line hands it to the journal (the mapping to a point is done by the caller). */
export interface EventInput {
  type: JournalEventType;
  /** The device time as decoded (local civil time of the installation, no zone). */
  deviceTime: MaraTime;
  /** The 10 bytes of the event as received. */
  raw: Uint8Array;
  /** The state (digital) or the count (energy); null for the others. */
  value?: number | null;
  /** IEC 61850 validity of the point ('good', 'questionable', 'invalid'). */
  quality: string;
  /** The point the event maps to, when it maps to one. */
  tag?: string | null;
  description?: string | null;
  /** The state text of `textoevtipo` (value-0 texts kept). */
  stateText?: string | null;
  /** Alarm severity from the workbook (DI `tipo`, issue 14): 0 = not an alarm, 1 … 9 = an alarm. */
  severity?: number;
}

/** What the master persists for one device (lib/link/state-store.ts's DeviceState). */
export interface JournalDeviceState {
  seq: number;
  recent: string[];
}

/** One accepted reply: its events and the line's SEQ state after it, committed together. */
export interface ReplyInput {
  /** The line's name (one journal holds every line of a project). */
  line: string;
  /** The RS-485 address of the device that sent the reply. */
  device: number;
  /** The master's replay key of the reply, `${seq}:${digest}` (replyKey()): a reply already stored is not stored again. */
  replyKey: string;
  /** Receive time, ms since the epoch. */
  receivedAt: number;
  events: readonly EventInput[];
  /** The line's state after this reply (every device, as the master saves it); omitted: the state rows stay. */
  state?: Readonly<Record<string, JournalDeviceState>>;
}

export interface AppendResult {
  /** Ids of the events stored by this call (empty for a replay already stored, or a reply without events). */
  ids: number[];
  /** True when the reply was already in the journal (its events were not stored again). */
  duplicate: boolean;
  /** The records stored, as a query would return them (optional: a store may leave the reading back to its caller). */
  records?: JournalRecord[];
}

/** One stored event. */
export interface JournalRecord {
  id: number;
  line: string;
  device: number;
  replyKey: string;
  /** Position of the event in its reply. */
  index: number;
  type: JournalEventType;
  deviceTime: MaraTime;
  /** `formatTime` of the device time (milliseconds, no zone), '' when the device time is impossible. */
  deviceIso: string;
  receivedAt: number;
  /** ISO 8601 (UTC) of the receive time. */
  receivedIso: string;
  tag: string | null;
  description: string | null;
  stateText: string | null;
  value: number | null;
  raw: Buffer;
  quality: string;
  severity: number;
  attendedBy: string | null;
  attendedAt: number | null;
}

export interface JournalQuery {
  /** Receive time range, ms since the epoch: from ≤ receivedAt < to. */
  from?: number;
  to?: number;
  line?: string;
  device?: number;
  /** Tags starting with this text (case-sensitive). */
  tagPrefix?: string;
  type?: JournalEventType;
  /** Only alarms (severity > 0). */
  alarmsOnly?: boolean;
  /** Only alarms not yet attended. */
  unattendedOnly?: boolean;
  /** Paging, newest first: only events older than this id (the last id of the previous page). */
  beforeId?: number;
  /**
   * Catching up, oldest first: only events newer than this id (the last id a consumer has seen; 0 for all).
   * With it the page is in ascending id order and `next` is the `afterId` of the following page.
   */
  afterId?: number;
  /** Page size, 1 … 10 000 (default 100). */
  limit?: number;
}

export interface JournalPage {
  records: JournalRecord[];
  /** The `beforeId` of the next (older) page (the `afterId` of the next newer one with `afterId`), or null when this is the last one. */
  next: number | null;
}

/** Which events an attend applies to: some ids, or every unattended alarm matching a filter. */
export type AttendTarget = { ids: readonly number[] } | { filter: Omit<JournalQuery, 'beforeId' | 'afterId' | 'limit' | 'unattendedOnly'> };

export interface HornState {
  /** True while an unattended alarm came after the last silence. */
  sounding: boolean;
  unattended: number;
  silencedBy: string | null;
  silencedAt: number | null;
}

export interface Retention {
  /** Events received more than this many days ago go. */
  maxAgeDays?: number;
  /** Only the newest this many events stay. */
  maxRows?: number;
  /** Unattended alarms stay whatever their age (default true). */
  keepUnattended?: boolean;
}

/**
 * The journal's storage: one small interface so that a server database can be added beside SQLite.
 * Every call is synchronous: an append has been committed when it returns, so the caller may then
 * acknowledge the reply; a failed append throws a JournalError and stores nothing.
 */
export interface JournalStore {
  /** The saved state of a line's devices ({} when there is none). */
  loadState(line: string): Record<string, JournalDeviceState>;
  /** Stores a reply's events and the line's state in one transaction. */
  append(reply: ReplyInput): AppendResult;
  /** True when that reply of that device is already stored. */
  has(line: string, device: number, replyKey: string): boolean;
  query(q?: JournalQuery): JournalPage;
  /** Marks alarms attended by `user` at `at` (ms); returns the ids newly attended (an attended one keeps its first attend). */
  attend(target: AttendTarget, user: string, at: number): number[];
  /** Stops the horn for the alarms so far (attend is separate); a later alarm sounds it again. */
  silence(user: string, at: number): HornState;
  horn(): HornState;
  /** Removes what the retention lets go, at most `batch` rows per call (default 10 000); returns how many went. */
  prune(retention: Retention, now: number, batch?: number): number;
  count(): number;
  /** Forgets a line's SEQ state (the line was deleted; its events stay). */
  removeState?(line: string): void;
  /** The last id a named consumer (an events node) has handled, 0 when none: it catches up from there after a restart. */
  cursor(name: string): number;
  setCursor(name: string, id: number): void;
  close(): void;
}
