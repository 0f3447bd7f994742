/**
 * What the alarm widget (nodes/ui_mara_alarms.ts) sends its browsers and the rules both sides share: the row of an
 * event as shown, the severity colours, the time format of docs/screens.md §6.3, the horn's rhythm and the bounds of what a
 * browser may ask. No Node import: the browser bundle (ui/alarms/) uses it too.
 */
import { domId } from './dom-id';

/** The journal's event types (lib/journal/types.ts JournalEventType; repeated here: that module is not for the browser's type-check). */
export type JournalEventType = 'digital' | 'energy' | 'idle' | 'comsys';

/** What a row is made of: the fields of a JournalRecord it shows. */
export interface RecordFields {
  id: number;
  deviceIso: string;
  receivedIso: string;
  type: JournalEventType;
  tag: string | null;
  description: string | null;
  stateText: string | null;
  severity: number;
  attendedAt: number | null;
  attendedBy: string | null;
}

/** An event as the lists show it (short keys: a page of rows goes to every client). */
export interface AlarmRow {
  id: number;
  /** Device time, `yyyy-MM-ddTHH:mm:ss.fff` (no zone; '' when the device sent an impossible time). */
  dev: string;
  /** Receive time, ISO 8601 UTC. */
  rx: string;
  type: JournalEventType;
  tag: string;
  d: string;
  s: string;
  sev: number;
  /** Attend time (ms since the epoch) and user; null while unattended. */
  at: number | null;
  by: string | null;
}

export function toRow(r: RecordFields): AlarmRow {
  return {
    id: r.id,
    dev: r.deviceIso,
    rx: r.receivedIso,
    type: r.type,
    tag: r.tag ?? '',
    d: r.description ?? '',
    s: r.stateText ?? '',
    sev: r.severity,
    at: r.attendedAt,
    by: r.attendedBy,
  };
}

/** The journal filters a browser may set (receive time: the device time has no zone). */
export interface AlarmFilter {
  from?: number;
  to?: number;
  tagPrefix?: string;
  type?: JournalEventType;
  unattendedOnly?: boolean;
}

export const EVENT_TYPES: readonly JournalEventType[] = ['digital', 'energy', 'idle', 'comsys'];
export const BANNER_ROW_CHOICES = [3, 5, 7] as const;
export const DEFAULT_BANNER_ROWS = 5;
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 200;
/** Ids one attend may name (a page, or the shown rows). */
export const MAX_ATTEND_IDS = 500;
export const MAX_TAG_PREFIX = 64;

/** The horn of docs/screens.md §6.3: a beep, then a 300 ms pause, again while it sounds. */
export const HORN = Object.freeze({ beepMs: 250, pauseMs: 300, hz: 880, gain: 0.2 });

/** Background and text colour of severity 1 … 9 (0, not an alarm: none): yellow to red, then purple; text contrast ≥ 4.5 (WCAG AA). */
const SEVERITY: readonly (readonly [string, string])[] = [
  ['#fff59d', '#000000'],
  ['#ffee58', '#000000'],
  ['#ffca28', '#000000'],
  ['#ffa726', '#000000'],
  ['#fb8c00', '#000000'],
  ['#bf360c', '#ffffff'],
  ['#c62828', '#ffffff'],
  ['#9a0007', '#ffffff'],
  ['#6a1b9a', '#ffffff'],
];

export function severityColours(sev: unknown): { bg: string; fg: string } | null {
  if (typeof sev !== 'number' || !Number.isInteger(sev) || sev < 1) return null;
  const [bg, fg] = SEVERITY[Math.min(9, sev) - 1];
  return { bg, fg };
}

/** `yyyy-MM-dd HH:mm:ss.fff` (docs/screens.md §6.3) of a device time as the journal stores it. */
export function displayDeviceTime(iso: unknown): string {
  return typeof iso === 'string' ? iso.replace('T', ' ').slice(0, 23) : '';
}

/** `yyyy-MM-dd HH:mm:ss.fff` of an instant in the browser's (or server's) zone. */
export function displayInstant(ms: unknown): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '';
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getFullYear(), 4)}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** The element id of a `ui_mara_alarms` widget's `<div>` (the server writes it, the browser finds it). */
export function alarmsElementId(nodeId: string): string {
  return 'mara-alarms-' + domId(nodeId);
}
