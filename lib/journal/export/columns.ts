import type { JournalRecord } from '../types';

/** One cell: text, a number, or nothing. */
export type Cell = string | number | null;

/**
 * The export's columns: first the original's event grid (docs/screens.md §6.3: Fecha with milliseconds, TAG,
 * Descripción = description and state text, Atención, Atendido por), then ours, so a file carries every
 * field of an event and can be matched to the journal by id or by its raw bytes.
 */
export const COLUMNS: readonly string[] = [
  'Fecha',
  'TAG',
  'Descripción',
  'Atención',
  'Atendido por',
  'id',
  'received (UTC)',
  'line',
  'device',
  'type',
  'value',
  'quality',
  'severity',
  'raw',
];

/** What Atención shows for an alarm not attended (the original grid's link text). */
export const UNATTENDED_TEXT = 'Sin atención';

const p2 = (n: number) => (n < 10 ? '0' : '') + n;
const p3 = (n: number) => (n < 10 ? '00' : n < 100 ? '0' : '') + n;

/** yyyy-MM-dd HH:mm:ss.fff in the server's local time (the attend time is a clock reading, not a device time). */
export function localStamp(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${p3(d.getMilliseconds())}`;
}

/** The operator's description of an event: "<description> <state text>" (docs/screens.md §6.3). */
export function describe(r: Pick<JournalRecord, 'description' | 'stateText'>): string {
  if (r.description && r.stateText) return `${r.description} ${r.stateText}`;
  return r.description ?? r.stateText ?? '';
}

/** The cells of one record, in COLUMNS order. */
export function cells(r: JournalRecord): Cell[] {
  return [
    // the device time as decoded (local civil time of the installation, no zone); '' when impossible
    r.deviceIso ? r.deviceIso.replace('T', ' ') : '',
    r.tag,
    describe(r),
    r.attendedAt !== null ? localStamp(r.attendedAt) : r.severity > 0 ? UNATTENDED_TEXT : null,
    r.attendedBy,
    r.id,
    r.receivedIso,
    r.line,
    r.device,
    r.type,
    r.value,
    r.quality,
    r.severity,
    r.raw.toString('hex'),
  ];
}
