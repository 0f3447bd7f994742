/**
 * Checks a 0x10 reply that enters `mara points` from a flow (a msg from mara-poll or mara-decode, or one a user
 * built) before it is mapped: the mapper masks what it reads (`& 0xff`, `& 0x0fff`), so NaN became 0, -5 became
 * 4091 and -3 became 253, all "good". Values out of range or of the wrong type are an EINVAL naming the block and
 * the index, with the value previewed (never quoted whole).
 */
import { MaraError } from '../mara/errors';
import { preview } from '../preview';

/** More entries than any reply frame can hold (QTY <= 253): a longer block is refused before it is read. */
export const MAX_BLOCK_ITEMS = 4096;

const bad = (what: string, v: unknown, range: string) => new MaraError('EINVAL', `${what} must be ${range}, got ${preview(v)}`);

function isInt(v: unknown, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
}

function block(r: Record<string, unknown>, name: string): ArrayLike<unknown> | null {
  const b = r[name];
  if (b === undefined || b === null) return null;
  if (typeof b !== 'object' || typeof (b as { length?: unknown }).length !== 'number') throw bad(`reply.${name}`, b, 'an array');
  const n = (b as ArrayLike<unknown>).length;
  if (!Number.isInteger(n) || n < 0 || n > MAX_BLOCK_ITEMS)
    throw new MaraError('EINVAL', `reply.${name} has ${preview(n)} entries; a reply holds at most ${MAX_BLOCK_ITEMS}`);
  return b as ArrayLike<unknown>;
}

/** Throws MaraError EINVAL unless `reply` holds only well-formed SV bytes, DI bytes or bits, AI words and events. */
export function checkReplyInput(reply: unknown): void {
  if (reply === null || typeof reply !== 'object') throw bad('the reply', reply, 'an object');
  const r = reply as Record<string, unknown>;
  for (const name of ['sv', 'di'] as const) {
    const b = block(r, name);
    if (b) for (let i = 0; i < b.length; i++) if (!isInt(b[i], 0xff)) throw bad(`reply.${name}[${i}]`, b[i], 'a byte 0-255');
  }
  const bits = block(r, 'diBits');
  if (bits)
    for (let i = 0; i < bits.length; i++) {
      const v = bits[i];
      if (typeof v !== 'boolean' && v !== 0 && v !== 1) throw bad(`reply.diBits[${i}]`, v, 'true, false, 0 or 1');
    }
  const ai = block(r, 'ai');
  if (ai)
    for (let i = 0; i < ai.length; i++) {
      const a = ai[i];
      if (typeof a === 'number') {
        if (!isInt(a, 0xffff)) throw bad(`reply.ai[${i}]`, a, 'a 16-bit word 0-65535');
        continue;
      }
      if (a === null || typeof a !== 'object') throw bad(`reply.ai[${i}]`, a, 'a word or {raw} or {value, q}');
      const w = a as { raw?: unknown; value?: unknown; q?: unknown };
      if (typeof w.raw === 'number' || w.raw !== undefined) {
        if (!isInt(w.raw, 0xffff)) throw bad(`reply.ai[${i}].raw`, w.raw, 'a 16-bit word 0-65535');
        continue;
      }
      if (w.value !== undefined && !isInt(w.value, 0x0fff)) throw bad(`reply.ai[${i}].value`, w.value, 'an integer 0-4095');
      if (w.q !== undefined && !isInt(w.q, 3)) throw bad(`reply.ai[${i}].q`, w.q, 'an integer 0-3');
    }
  const ev = block(r, 'events');
  if (ev) for (let i = 0; i < ev.length; i++) if (ev[i] === null || typeof ev[i] !== 'object') throw bad(`reply.events[${i}]`, ev[i], 'an event object');
}
