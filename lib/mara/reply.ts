import { AI_Q_SHIFT, AI_RESERVED_MASK, AI_VALUE_MASK, EVENT_LEN, HEADER_LEN } from './constants';
import { MaraError } from './errors';
import { EventInput, MaraEvent, decodeEvent, encodeEvent } from './events';

/** One analog input word [docs/protocol.md §5.4]: `raw` the LE16 word, `value` its 12 bits, `q` its two top bits. */
export interface AnalogValue {
  raw: number;
  value: number;
  q: number;
}

/** The payload of a 0x10 reply [docs/protocol.md §5.2]. `di` are the DI bytes; `diBits[n]` is input n (LSB first). */
export interface PollReply {
  sv: number[];
  di: number[];
  diBits: boolean[];
  ai: AnalogValue[];
  events: MaraEvent[];
}

const BLOCKS = ['QSV', 'QDI', 'QAI', 'QEV'] as const;

/** Checks the count byte of block k at `p` and returns where its data start [docs/protocol.md §9 rows 6-7]. */
function countByte(b: Buffer, p: number, end: number, k: number): number {
  if (p >= end) throw new MaraError('EPAYLOAD', `payload ends before the ${BLOCKS[k]} count byte`, p);
  const c = b[p];
  if (c === 0) throw new MaraError('EPAYLOAD', `${BLOCKS[k]} = 0: a count byte is at least 1 (itself)`, p);
  if (p + c > end) throw new MaraError('EPAYLOAD', `${BLOCKS[k]} = ${c} runs ${p + c - end} byte(s) past the payload end at offset ${end}`, p);
  return p + 1;
}

/**
 * Decodes the 0x10 reply payload of frame `b` (a Buffer the caller owns), payload from offset 6 to `end`
 * (exclusive). Throws EPAYLOAD naming the byte offset of the first inconsistency [docs/protocol.md §9 rows 6-10].
 */
export function decodePollReply(b: Buffer, end: number, warnings: string[]): PollReply {
  // Block bounds, walked with scalars: this function runs for every reply on a busy line.
  let p = HEADER_LEN;
  const sv0 = countByte(b, p, end, 0);
  p += b[p];
  const di0 = countByte(b, p, end, 1);
  p += b[p];
  const ai0 = countByte(b, p, end, 2);
  p += b[p];
  const ev0 = countByte(b, p, end, 3);
  p += b[p];
  if (p !== end) throw new MaraError('EPAYLOAD', `${end - p} payload byte(s) left after the event block`, p);
  const nDi = ai0 - di0 - 1;
  const aiBytes = ev0 - ai0 - 1;
  const evBytes = end - ev0;
  if (aiBytes % 2) throw new MaraError('EPAYLOAD', `QAI = ${aiBytes + 1} announces an odd number of AI bytes`, ai0 - 1);
  if (evBytes % EVENT_LEN) throw new MaraError('EPAYLOAD', `QEV = ${evBytes + 1} announces ${evBytes} event bytes, not a multiple of ${EVENT_LEN}`, ev0 - 1);

  const sv = new Array<number>(di0 - 1 - sv0);
  for (let i = 0; i < sv.length; i++) sv[i] = b[sv0 + i];

  if (nDi % 2) warnings.push(`odd DI byte count ${nDi} (decoded byte-wise)`);
  const di = new Array<number>(nDi);
  const diBits = new Array<boolean>(nDi * 8);
  for (let i = 0, k = 0; i < nDi; i++, k += 8) {
    const v = b[di0 + i];
    di[i] = v;
    // bit j of byte i is input 8i + j, LSB first (unrolled: twice as fast as two nested loops)
    diBits[k] = (v & 0x01) !== 0;
    diBits[k + 1] = (v & 0x02) !== 0;
    diBits[k + 2] = (v & 0x04) !== 0;
    diBits[k + 3] = (v & 0x08) !== 0;
    diBits[k + 4] = (v & 0x10) !== 0;
    diBits[k + 5] = (v & 0x20) !== 0;
    diBits[k + 6] = (v & 0x40) !== 0;
    diBits[k + 7] = (v & 0x80) !== 0;
  }

  const ai = new Array<AnalogValue>(aiBytes >> 1);
  for (let i = 0; i < ai.length; i++) {
    const o = ai0 + 2 * i;
    const raw = b[o] | (b[o + 1] << 8);
    if (raw & AI_RESERVED_MASK) warnings.push(`AI ${i} at offset ${o}: reserved bits 13-12 set`);
    ai[i] = { raw, value: raw & AI_VALUE_MASK, q: raw >> AI_Q_SHIFT };
  }

  const events = new Array<MaraEvent>(evBytes / EVENT_LEN);
  for (let i = 0; i < events.length; i++) events[i] = decodeEvent(b, ev0 + i * EVENT_LEN, warnings);

  return { sv, di, diBits, ai, events };
}

/** What `encodePollReply` accepts for the reply body; every block is optional (empty). */
export interface PollReplyInput {
  sv?: ArrayLike<number>;
  /** DI bytes; or give `diBits` (packed LSB first, padded to whole 16-bit ports). */
  di?: ArrayLike<number>;
  diBits?: ArrayLike<boolean | number>;
  /** AI raw words, or `{raw}`, or `{value, q}`. */
  ai?: ArrayLike<number | { raw?: number; value?: number; q?: number }>;
  events?: ArrayLike<EventInput>;
}

function byteArray(name: string, a: ArrayLike<number> | undefined): number[] {
  if (a === undefined || a === null) return [];
  if (typeof a !== 'object' || typeof a.length !== 'number') throw new MaraError('EINVAL', `${name} must be an array of bytes`);
  const out = new Array<number>(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255)
      throw new MaraError('EINVAL', `${name}[${i}] must be a byte 0-255, got ${String(v)}`);
    out[i] = v;
  }
  return out;
}

function packBits(bits: ArrayLike<boolean | number>): number[] {
  if (typeof bits !== 'object' || bits === null || typeof bits.length !== 'number') throw new MaraError('EINVAL', 'diBits must be an array');
  // whole 16-bit ports, as a COMaster sends them [docs/protocol.md §5.3, Q9]
  const out = new Array<number>(Math.ceil(bits.length / 16) * 2).fill(0);
  for (let i = 0; i < bits.length; i++) if (bits[i]) out[i >> 3] |= 1 << (i & 7);
  return out;
}

function aiWord(i: number, a: number | { raw?: number; value?: number; q?: number }): number {
  const bad = (why: string) => new MaraError('EINVAL', `ai[${i}] ${why}`);
  if (typeof a === 'number') {
    if (!Number.isInteger(a) || a < 0 || a > 0xffff) throw bad(`must be a 16-bit word, got ${a}`);
    return a;
  }
  if (a === null || typeof a !== 'object') throw bad('must be a number or {raw} or {value, q}');
  if (a.raw !== undefined) return aiWord(i, a.raw);
  const v = a.value ?? 0;
  const q = a.q ?? 0;
  if (!Number.isInteger(v) || v < 0 || v > AI_VALUE_MASK) throw bad(`value must be an integer 0-4095, got ${v}`);
  if (!Number.isInteger(q) || q < 0 || q > 3) throw bad(`q must be 0-3, got ${q}`);
  return (q << AI_Q_SHIFT) | v;
}

/** The payload bytes of a 0x10 reply (the exact inverse of `decodePollReply`). */
export function encodePollReplyPayload(r: PollReplyInput): Buffer {
  if (r === null || typeof r !== 'object') throw new MaraError('EINVAL', 'reply must be an object');
  const sv = byteArray('sv', r.sv);
  const di = r.di !== undefined && r.di !== null ? byteArray('di', r.di) : r.diBits ? packBits(r.diBits) : [];
  const aiIn = r.ai ?? [];
  const evIn = r.events ?? [];
  if (typeof aiIn !== 'object' || typeof aiIn.length !== 'number') throw new MaraError('EINVAL', 'ai must be an array');
  if (typeof evIn !== 'object' || typeof evIn.length !== 'number') throw new MaraError('EINVAL', 'events must be an array');
  const sizes = [sv.length, di.length, aiIn.length * 2, evIn.length * EVENT_LEN];
  for (let k = 0; k < 4; k++) if (sizes[k] + 1 > 255) throw new MaraError('EINVAL', `${BLOCKS[k]} block of ${sizes[k]} bytes does not fit its count byte`);
  const out = Buffer.alloc(sizes[0] + sizes[1] + sizes[2] + sizes[3] + 4);
  let p = 0;
  out[p++] = sv.length + 1;
  out.set(sv, p);
  p += sv.length;
  out[p++] = di.length + 1;
  out.set(di, p);
  p += di.length;
  out[p++] = sizes[2] + 1;
  for (let i = 0; i < aiIn.length; i++) {
    const w = aiWord(i, aiIn[i]);
    out[p++] = w & 0xff;
    out[p++] = w >> 8;
  }
  out[p++] = sizes[3] + 1;
  for (let i = 0; i < evIn.length; i++, p += EVENT_LEN) encodeEvent(evIn[i], out, p);
  return out;
}
