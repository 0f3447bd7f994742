/**
 * What a browser of the alarm widget may ask, checked before anything runs (the server trusts nothing a browser
 * sends): a known type, integers in range, at most MAX_ATTEND_IDS ids, filter fields of the right type and size.
 * Anything else is refused whole, with a stable reason; nothing of a refused request is used.
 */
import { EVENT_TYPES, MAX_ATTEND_IDS, MAX_TAG_PREFIX, type AlarmFilter, type JournalEventType } from './alarm-rows';

export type AlarmRequest =
  | { type: 'hello' }
  | { type: 'page'; req: number; filter: AlarmFilter; beforeId: number | null; afterId: number | null }
  | { type: 'attend'; ids: number[] }
  | { type: 'attendAll' }
  | { type: 'silence' };

export type Parsed = { ok: true; request: AlarmRequest } | { ok: false; reason: string };

/** Ids and times: JavaScript's safe integers, and times within years 1970 … 9999. */
const MAX_ID = Number.MAX_SAFE_INTEGER;
const MAX_TIME = 253_402_300_799_999;
const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0 && v <= MAX_ID;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= MAX_TIME;
const own = (o: object, k: string): unknown => (Object.prototype.hasOwnProperty.call(o, k) ? (o as Record<string, unknown>)[k] : undefined);

function parseFilter(f: unknown): AlarmFilter | string {
  if (f === undefined || f === null) return {};
  if (typeof f !== 'object' || Array.isArray(f)) return 'filter is not an object';
  const keys = Object.keys(f);
  if (keys.length > 8) return 'filter has too many fields';
  const out: AlarmFilter = {};
  for (const k of keys) {
    const v = own(f, k);
    if (v === undefined || v === null || v === '') continue;
    switch (k) {
      case 'from':
      case 'to':
        if (!isTime(v)) return `filter.${k} is not a time (ms since 1970)`;
        out[k] = v;
        break;
      case 'tagPrefix':
        if (typeof v !== 'string' || v.length > MAX_TAG_PREFIX) return `filter.tagPrefix is not a string of at most ${MAX_TAG_PREFIX} characters`;
        out.tagPrefix = v;
        break;
      case 'type':
        if (typeof v !== 'string' || !(EVENT_TYPES as readonly string[]).includes(v)) return `filter.type is not one of ${EVENT_TYPES.join(', ')}`;
        out.type = v as JournalEventType;
        break;
      case 'unattendedOnly':
        if (typeof v !== 'boolean') return 'filter.unattendedOnly is not a boolean';
        if (v) out.unattendedOnly = true;
        break;
      default:
        return `filter has an unknown field`;
    }
  }
  if (out.from !== undefined && out.to !== undefined && out.from > out.to) return 'filter.from is after filter.to';
  return out;
}

export function parseAlarmRequest(m: unknown): Parsed {
  if (!m || typeof m !== 'object' || Array.isArray(m)) return { ok: false, reason: 'not an object' };
  const type = own(m, 'type');
  switch (type) {
    case 'hello':
    case 'attendAll':
    case 'silence':
      return { ok: true, request: { type } };
    case 'attend': {
      const ids = own(m, 'ids');
      if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_ATTEND_IDS)
        return { ok: false, reason: `ids is not a list of 1 … ${MAX_ATTEND_IDS} ids` };
      if (!ids.every(isId)) return { ok: false, reason: 'ids holds something that is not an event id' };
      return { ok: true, request: { type, ids: [...new Set(ids as number[])] } };
    }
    case 'page': {
      const req = own(m, 'req');
      if (typeof req !== 'number' || !Number.isSafeInteger(req) || req < 0) return { ok: false, reason: 'req is not a request number' };
      const filter = parseFilter(own(m, 'filter'));
      if (typeof filter === 'string') return { ok: false, reason: filter };
      const b = own(m, 'beforeId');
      const a = own(m, 'afterId');
      if (b !== undefined && b !== null && !isId(b)) return { ok: false, reason: 'beforeId is not an event id' };
      const after = a === 0 || isId(a) ? (a as number) : null;
      if (a !== undefined && a !== null && after === null) return { ok: false, reason: 'afterId is not an event id' };
      if (isId(b) && after !== null) return { ok: false, reason: 'beforeId and afterId together' };
      return { ok: true, request: { type, req, filter, beforeId: isId(b) ? b : null, afterId: after } };
    }
    default:
      return { ok: false, reason: 'unknown type' };
  }
}
