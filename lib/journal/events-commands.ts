import { JournalError } from './errors';
import { describe } from './export/columns';
import type { ExportFilter } from './export/export';
import type { AttendTarget, JournalEventType, JournalQuery, JournalRecord } from './types';

/** What a msg to an events node asks for, checked and bounded. */
export type EventsCommand =
  | { action: 'attend'; target: AttendTarget; user: string }
  | { action: 'attend-all'; filter: ExportFilter; user: string }
  | { action: 'silence'; user: string }
  | { action: 'query'; query: JournalQuery }
  | {
      action: 'export';
      format: 'csv' | 'xlsx';
      file: string | null;
      overwrite: boolean;
      filter: ExportFilter;
      order: 'oldest' | 'newest';
      separator: ',' | ';';
    };

export const LIMITS = {
  /** ids in one attend */
  ids: 10_000,
  /** a name, a tag prefix, a line */
  text: 200,
  /** an export's file path */
  file: 500,
  /** records in one query page */
  page: 1000,
} as const;

/** Who acts when a msg names nobody. */
export const FLOW_USER = 'flow';

const ACTIONS: ReadonlySet<string> = new Set(['attend', 'attend-all', 'silence', 'query', 'export']);
const TYPES: ReadonlySet<string> = new Set(['digital', 'energy', 'idle', 'comsys']);

const bad = (message: string) => new JournalError('EJOURNAL_INVALID', message);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: Record<string, unknown>, k: string): unknown => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);

function text(v: unknown, name: string, max: number = LIMITS.text): string {
  if (typeof v !== 'string' || v.length > max) throw bad(`${name} must be text of at most ${max} characters`);
  return v;
}

function bool(v: unknown, name: string): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw bad(`${name} must be true or false`);
  return v;
}

/** A time: ms since the epoch, or an ISO 8601 text (at most 40 characters). */
function time(v: unknown, name: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.length <= 40) {
    const ms = Date.parse(v);
    if (Number.isFinite(ms)) return ms;
  }
  throw bad(`${name} must be a time (ms since the epoch or an ISO 8601 text)`);
}

function id(v: unknown, name: string): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw bad(`${name} must be an event id`);
  return v as number;
}

/** The filters of a query, an attend-all or an export (unknown keys are ignored). */
export function parseFilter(p: Record<string, unknown>): ExportFilter {
  const f: ExportFilter = {};
  const v = (k: string) => own(p, k);
  if (v('from') !== undefined) f.from = time(v('from'), 'from');
  if (v('to') !== undefined) f.to = time(v('to'), 'to');
  if (v('line') !== undefined) f.line = text(v('line'), 'line');
  if (v('device') !== undefined) {
    const d = v('device');
    if (!Number.isInteger(d) || (d as number) < 0 || (d as number) > 255) throw bad('device must be an address 0-255');
    f.device = d as number;
  }
  if (v('tagPrefix') !== undefined) f.tagPrefix = text(v('tagPrefix'), 'tagPrefix');
  if (v('type') !== undefined) {
    const t = v('type');
    if (typeof t !== 'string' || !TYPES.has(t)) throw bad('type must be digital, energy, idle or comsys');
    f.type = t as JournalEventType;
  }
  if (bool(v('alarmsOnly'), 'alarmsOnly')) f.alarmsOnly = true;
  if (bool(v('unattendedOnly'), 'unattendedOnly')) f.unattendedOnly = true;
  return f;
}

/** The user of an attend or silence: msg.user (1-200 characters), else 'flow'. */
export function userOf(msg: Record<string, unknown>): string {
  const u = own(msg, 'user');
  if (u === undefined || u === null) return FLOW_USER;
  const s = text(u, 'msg.user').trim();
  if (!s) throw bad('msg.user must not be empty');
  return s;
}

/**
 * Reads a msg to an events node: the action is payload.action, else msg.topic; its arguments are in the payload.
 * Everything is checked and bounded; anything else throws EJOURNAL_INVALID (and nothing is done).
 */
export function parseCommand(msg: Record<string, unknown>): EventsCommand {
  const payload = own(msg, 'payload');
  const p: Record<string, unknown> = isObject(payload) ? payload : {};
  const a = own(p, 'action') ?? own(msg, 'topic');
  if (typeof a !== 'string' || !ACTIONS.has(a)) throw bad('the action (msg.topic or msg.payload.action) must be attend, attend-all, silence, query or export');
  switch (a) {
    case 'attend': {
      const ids = Array.isArray(payload) ? payload : own(p, 'ids');
      const filter = own(p, 'filter');
      if (ids !== undefined) {
        if (!Array.isArray(ids) || ids.length > LIMITS.ids) throw bad(`ids must be an array of at most ${LIMITS.ids} event ids`);
        return { action: 'attend', target: { ids: ids.map((x, i) => id(x, `ids[${i}]`)) }, user: userOf(msg) };
      }
      if (isObject(filter)) return { action: 'attend', target: { filter: withoutUnattended(parseFilter(filter)) }, user: userOf(msg) };
      throw bad('attend needs payload.ids (event ids) or payload.filter');
    }
    case 'attend-all':
      return {
        action: 'attend-all',
        filter: withoutUnattended(parseFilter(isObject(own(p, 'filter')) ? (own(p, 'filter') as Record<string, unknown>) : p)),
        user: userOf(msg),
      };
    case 'silence':
      return { action: 'silence', user: userOf(msg) };
    case 'query': {
      const q: JournalQuery = parseFilter(p);
      const limit = own(p, 'limit');
      if (limit !== undefined) {
        if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > LIMITS.page) throw bad(`limit must be an integer 1-${LIMITS.page}`);
        q.limit = limit as number;
      }
      if (own(p, 'beforeId') !== undefined && own(p, 'afterId') !== undefined) throw bad('a query pages by beforeId or by afterId, not both');
      if (own(p, 'beforeId') !== undefined) q.beforeId = id(own(p, 'beforeId'), 'beforeId');
      if (own(p, 'afterId') !== undefined) q.afterId = id(own(p, 'afterId'), 'afterId');
      return { action: 'query', query: q };
    }
    default: {
      const format = own(p, 'format') ?? 'csv';
      if (format !== 'csv' && format !== 'xlsx') throw bad('format must be csv or xlsx');
      const file = own(p, 'file');
      const order = own(p, 'order') ?? 'oldest';
      if (order !== 'oldest' && order !== 'newest') throw bad('order must be oldest or newest');
      const separator = own(p, 'separator') ?? ',';
      if (separator !== ',' && separator !== ';') throw bad("separator must be ',' or ';'");
      return {
        action: 'export',
        format,
        file: file === undefined || file === null || file === '' ? null : text(file, 'file', LIMITS.file),
        overwrite: bool(own(p, 'overwrite'), 'overwrite'),
        filter: parseFilter(p),
        order,
        separator,
      };
    }
  }
}

function withoutUnattended(f: ExportFilter): Omit<ExportFilter, 'unattendedOnly'> {
  const { unattendedOnly: _, ...rest } = f;
  return rest;
}

/** An event as a msg carries it: JSON-friendly (raw bytes as hex, times as ms and ISO). */
export interface EventJson {
  id: number;
  line: string;
  device: number;
  type: JournalEventType;
  tag: string | null;
  description: string | null;
  stateText: string | null;
  /** "<description> <state text>", as the operators' grid shows it. */
  text: string;
  value: number | null;
  quality: string;
  severity: number;
  alarm: boolean;
  deviceTime: { year: number; month: number; day: number; hour: number; minute: number; second: number; fraction: number };
  /** The device time with milliseconds, no zone (local civil time of the installation); '' when impossible. */
  deviceIso: string;
  receivedAt: number;
  receivedIso: string;
  attendedBy: string | null;
  attendedAt: number | null;
  attendedIso: string | null;
  raw: string;
  replyKey: string;
  index: number;
}

export function eventJson(r: JournalRecord): EventJson {
  const t = r.deviceTime;
  return {
    id: r.id,
    line: r.line,
    device: r.device,
    type: r.type,
    tag: r.tag,
    description: r.description,
    stateText: r.stateText,
    text: describe(r),
    value: r.value,
    quality: r.quality,
    severity: r.severity,
    alarm: r.severity > 0,
    deviceTime: { year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: t.second, fraction: t.fraction },
    deviceIso: r.deviceIso,
    receivedAt: r.receivedAt,
    receivedIso: r.receivedIso,
    attendedBy: r.attendedBy,
    attendedAt: r.attendedAt,
    attendedIso: r.attendedAt === null ? null : new Date(r.attendedAt).toISOString(),
    raw: r.raw.toString('hex'),
    replyKey: r.replyKey,
    index: r.index,
  };
}
