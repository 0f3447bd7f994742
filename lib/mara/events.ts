import { EVENT_LEN, EVENT_TYPE, EVENT_TYPE_NAMES } from './constants';
import { MaraError } from './errors';
import { MaraTime, checkTimeFields, readTime, timeProblem, writeTime } from './time';

interface EventBase {
  /** The 10 bytes of the record as received. */
  raw: Buffer;
  /** Bits 4-0 of the TCD byte: RS-485 address of the IED (spec Q1: TYPE(2) CALIF(1) ADDR(5)). */
  addr: number;
  /** Bit 5 of the TCD byte. */
  calif: number;
}
/** Type 0: a digital input changed [docs/protocol.md §5.6.1]. */
export interface DigitalEvent extends EventBase {
  type: 'digital';
  state: number;
  port: number;
  bit: number;
  time: MaraTime;
}
/** Type 1: an energy (pulse count) register [docs/protocol.md §5.6.2]; no seconds in its time. */
export interface EnergyEvent extends EventBase {
  type: 'energy';
  channel: number;
  code: number;
  value: number;
  time: MaraTime;
  /** Bits 7-6 of byte 1, 0 in every captured event; kept so re-encoding is exact. */
  idle?: number;
}
/** Type 2: reserved, decoded and passed through [docs/protocol.md §5.6.3]. */
export interface IdleEvent extends EventBase {
  type: 'idle';
  code: number;
  time: MaraTime;
  /** The undefined bits 7-6 and 2-0 of byte 1, as received; kept so re-encoding is exact. */
  idle?: number;
}
/** Type 3: communications / system event [docs/protocol.md §5.6.4]. */
export interface ComsysEvent extends EventBase {
  type: 'comsys';
  code: number;
  motiv: number;
  time: MaraTime;
}
export type MaraEvent = DigitalEvent | EnergyEvent | IdleEvent | ComsysEvent;

/** Decodes the 10-byte event at `off`; appends to `warnings` what is odd but acceptable [docs/protocol.md §9]. */
/** `b` must be a Buffer the caller owns: `raw` is a view into it, not a copy. */
export function decodeEvent(b: Buffer, off: number, warnings?: string[]): MaraEvent {
  const tcd = b[off];
  const b1 = b[off + 1];
  const raw = b.subarray(off, off + EVENT_LEN);
  const type = tcd >> 6;
  const addr = tcd & 0x1f;
  const calif = (tcd >> 5) & 1;
  let ev: MaraEvent;
  switch (type) {
    case EVENT_TYPE.DIGITAL:
      ev = { type: 'digital', raw, addr, calif, state: b1 >> 7, port: (b1 >> 4) & 7, bit: b1 & 0x0f, time: readTime(b, off + 2) };
      break;
    case EVENT_TYPE.ENERGY:
      ev = {
        type: 'energy',
        raw,
        addr,
        calif,
        channel: b1 & 7,
        code: (b1 >> 3) & 7,
        idle: b1 >> 6,
        // HH byte, then a little-endian word [docs/protocol.md §5.6.2, Q7]
        value: (b[off + 7] << 16) | (b[off + 9] << 8) | b[off + 8],
        time: { year: 2000 + b[off + 2], month: b[off + 3], day: b[off + 4], hour: b[off + 5], minute: b[off + 6], second: 0, fraction: 0 },
      };
      break;
    case EVENT_TYPE.IDLE:
      ev = { type: 'idle', raw, addr, calif, code: (b1 >> 3) & 7, idle: b1 & 0xc7, time: readTime(b, off + 2) };
      break;
    default:
      ev = { type: 'comsys', raw, addr, calif, code: b1 >> 4, motiv: b1 & 0x0f, time: readTime(b, off + 2) };
  }
  if (warnings) {
    const why = timeProblem(ev.time);
    if (why) warnings.push(`event at offset ${off}: impossible time (${why})`);
    if (ev.type === 'idle') warnings.push(`event at offset ${off}: reserved type 2 (idle)`);
    if (ev.type === 'energy' && b1 >> 6) warnings.push(`event at offset ${off}: energy idle bits set`);
  }
  return ev;
}

/** Input accepted by `encodeEvent`: a decoded event (its `raw` is ignored) or 10 raw bytes. */
export type EventInput = MaraEvent | Uint8Array;

const TYPE_CODES: Record<string, number> = { digital: 0, energy: 1, idle: 2, comsys: 3 };

function field(ev: object, name: string, max: number): number {
  const v = (ev as Record<string, unknown>)[name];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max)
    throw new MaraError('EINVAL', `event.${name} must be an integer 0-${max}, got ${String(v)}`);
  return v;
}

function optional(ev: object, name: string, max: number): number {
  return (ev as Record<string, unknown>)[name] === undefined ? 0 : field(ev, name, max);
}

/** Writes one event record at `off` (the exact inverse of `decodeEvent`). */
export function encodeEvent(ev: EventInput, out: Uint8Array = Buffer.alloc(EVENT_LEN), off = 0): Uint8Array {
  if (ev instanceof Uint8Array) {
    if (ev.length !== EVENT_LEN) throw new MaraError('EINVAL', `a raw event must be ${EVENT_LEN} bytes, got ${ev.length}`);
    out.set(ev, off);
    return out;
  }
  if (ev === null || typeof ev !== 'object') throw new MaraError('EINVAL', 'event must be an object');
  const type = Object.prototype.hasOwnProperty.call(TYPE_CODES, ev.type) ? TYPE_CODES[ev.type] : -1;
  if (type < 0) throw new MaraError('EINVAL', `event.type must be one of ${EVENT_TYPE_NAMES.join(', ')}`);
  out[off] = (type << 6) | (field(ev, 'calif', 1) << 5) | field(ev, 'addr', 31);
  const t = ev.time;
  checkTimeFields(t, false);
  switch (ev.type) {
    case 'digital':
      out[off + 1] = (field(ev, 'state', 1) << 7) | (field(ev, 'port', 7) << 4) | field(ev, 'bit', 15);
      writeTime(out, off + 2, t);
      break;
    case 'energy': {
      out[off + 1] = (optional(ev, 'idle', 3) << 6) | (field(ev, 'code', 7) << 3) | field(ev, 'channel', 7);
      const v = field(ev, 'value', 0xffffff);
      out[off + 2] = t.year - 2000;
      out[off + 3] = t.month;
      out[off + 4] = t.day;
      out[off + 5] = t.hour;
      out[off + 6] = t.minute;
      out[off + 7] = v >> 16;
      out[off + 8] = v & 0xff;
      out[off + 9] = (v >> 8) & 0xff;
      break;
    }
    case 'idle':
      out[off + 1] = (field(ev, 'code', 7) << 3) | (optional(ev, 'idle', 0xff) & 0xc7);
      writeTime(out, off + 2, t);
      break;
    default:
      out[off + 1] = (field(ev, 'code', 15) << 4) | field(ev, 'motiv', 15);
      writeTime(out, off + 2, t);
  }
  return out;
}
