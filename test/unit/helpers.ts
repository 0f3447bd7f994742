/**
 * Shared helpers of the codec tests (not a test file itself): a seeded PRNG, the spec's vectors, an
 * independent reference BCC and generators of random, valid protocol content.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { EventInput, MaraError, MaraErrorCode, MaraTime, PollReplyInput } from '../../lib';

/** A uniform [0, 1) generator. */
export type Rng = () => number;

/** mulberry32: tiny, fast, replayable from its seed (the simulator's). */
export { mulberry32 } from '../../lib/sim/activity';

/** Integer in [lo, hi], both inclusive. */
export function int(rnd: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rnd() * (hi - lo + 1));
}

export function randomBytes(rnd: Rng, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (rnd() * 256) | 0;
  return b;
}

/** Hex text to bytes without going through the codec (so vector tests do not depend on parseHex). */
export function hexToBytes(hex: string): Buffer {
  const s = hex.replace(/\s+/g, '');
  assert.match(s, /^([0-9A-Fa-f]{2})*$/, `bad hex in a test vector: ${hex}`);
  return Buffer.from(s, 'hex');
}

/** The spec's reference BCC (§3.1), transcribed literally: big-endian word sum mod 2^16, complemented. */
export function refBcc(bytes: ArrayLike<number>, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i += 2) {
    const hi = bytes[i];
    const lo = i + 1 < n ? bytes[i + 1] : 0;
    sum = (sum + ((hi << 8) | lo)) & 0xffff;
  }
  return ~sum & 0xffff;
}

/** Writes a correct BCC into a frame whose QTY byte and length already agree. */
export function fixBcc(frame: Buffer): Buffer {
  const n = frame.length - 2;
  const c = refBcc(frame, n);
  frame[n] = c >> 8;
  frame[n + 1] = c & 0xff;
  return frame;
}

/** Runs `fn`, which must throw a MaraError (never a TypeError or anything else); returns it. */
export function catchMara(fn: () => unknown, code?: MaraErrorCode): MaraError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown !== undefined, 'expected a MaraError, nothing was thrown');
  assert.ok(thrown instanceof MaraError, `expected a MaraError, got ${String((thrown as Error)?.stack ?? thrown)}`);
  if (code !== undefined) assert.equal(thrown.code, code, `expected code ${code}, got ${thrown.code}: ${thrown.message}`);
  return thrown;
}

// ---------------------------------------------------------------------------------------------
// Test vectors
// ---------------------------------------------------------------------------------------------

export interface VectorEvent {
  raw: string;
  type: 'DIGITAL' | 'ENERGY' | 'IDLE' | 'COMSYS';
  calif: number;
  addr: number;
  status?: number;
  port?: number;
  bit?: number;
  code?: number;
  channel?: number;
  idle?: number;
  motiv?: number;
  timestamp: string;
  fraction?: number;
  subsecond?: number;
  value?: number;
}

export interface Vector {
  name: string;
  hex: string;
  source: string;
  decoded: {
    valid: boolean;
    qty?: number;
    dst?: number;
    src?: number;
    seq?: number;
    cmd?: number;
    bcc?: string;
    kind?: 'poll-request' | 'poll-response' | 'peh' | 'other';
    payload?: string;
    qsv?: number;
    sv?: number[];
    qdi?: number;
    diBytes?: string;
    diOn?: number[];
    qai?: number;
    ai?: { raw: string; value: number; q: number }[];
    qev?: number;
    events?: VectorEvent[];
    time?: string;
    fraction?: number;
    subsecond?: number;
    dow?: number;
    error?: string;
    firstFrame?: { qty: number; dst: number; src: number; seq: number; cmd: number; bcc: string; kind: string };
  };
}

export const VECTORS_PATH = path.resolve(__dirname, '../fixtures/mara-vectors.json');

export function loadVectors(): Vector[] {
  return JSON.parse(fs.readFileSync(VECTORS_PATH, 'utf8')) as Vector[];
}

/** `2014-01-13T16:15:30` or `2012-08-03T15:00` (energy events: no seconds) as numbers. */
export function parseStamp(s: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d))?$/.exec(s);
  assert.ok(m, `unexpected timestamp format in a vector: ${s}`);
  return { year: +m[1], month: +m[2], day: +m[3], hour: +m[4], minute: +m[5], second: m[6] === undefined ? 0 : +m[6] };
}

// ---------------------------------------------------------------------------------------------
// Random valid protocol content
// ---------------------------------------------------------------------------------------------

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A valid Mara time; energy times carry no seconds/fraction (the record has no room for them). */
export function randomTime(rnd: Rng, withSeconds = true): MaraTime {
  const year = int(rnd, 2000, 2253);
  const month = int(rnd, 1, 12);
  return {
    year,
    month,
    day: int(rnd, 1, daysInMonth(year, month)),
    hour: int(rnd, 0, 23),
    minute: int(rnd, 0, 59),
    second: withSeconds ? int(rnd, 0, 59) : 0,
    fraction: withSeconds ? int(rnd, 0, 32767) : 0,
  };
}

export function randomEvent(rnd: Rng): EventInput {
  const calif = int(rnd, 0, 1);
  const addr = int(rnd, 0, 31);
  switch (int(rnd, 0, 3)) {
    case 0:
      return { type: 'digital', calif, addr, state: int(rnd, 0, 1), port: int(rnd, 0, 7), bit: int(rnd, 0, 15), time: randomTime(rnd) } as EventInput;
    case 1:
      return {
        type: 'energy',
        calif,
        addr,
        code: int(rnd, 0, 7),
        channel: int(rnd, 0, 7),
        value: int(rnd, 0, 0xffffff),
        time: randomTime(rnd, false),
      } as EventInput;
    case 2:
      return { type: 'idle', calif, addr, code: int(rnd, 0, 7), time: randomTime(rnd) } as EventInput;
    default:
      return { type: 'comsys', calif, addr, code: int(rnd, 0, 15), motiv: int(rnd, 0, 15), time: randomTime(rnd) } as EventInput;
  }
}

export interface ReplyFields extends PollReplyInput {
  dst: number;
  src: number;
  seq: number;
  sv: number[];
  di: number[];
  ai: number[];
  events: EventInput[];
}

/**
 * A random 0x10 reply whose payload (4 count bytes + blocks) is at most `maxPayload` bytes.
 * DI bytes come in whole 16-bit ports, AI words have bits 13-12 clear, events have valid fields.
 */
export function randomReply(rnd: Rng, maxPayload = 245): ReplyFields {
  let budget = int(rnd, 4, maxPayload) - 4;
  const nEv = Math.min(int(rnd, 0, 10), Math.floor(budget / 10));
  budget -= nEv * 10;
  const nAi = int(rnd, 0, Math.floor(budget / 2 / 2));
  budget -= nAi * 2;
  const nDi = 2 * int(rnd, 0, Math.floor(budget / 2 / 2));
  budget -= nDi;
  const nSv = int(rnd, 0, budget);
  const ai: number[] = [];
  for (let i = 0; i < nAi; i++) ai.push((int(rnd, 0, 3) << 14) | int(rnd, 0, 0x0fff));
  const events: EventInput[] = [];
  for (let i = 0; i < nEv; i++) events.push(randomEvent(rnd));
  return {
    dst: int(rnd, 0, 255),
    src: int(rnd, 0, 255),
    seq: int(rnd, 0, 255),
    sv: [...randomBytes(rnd, nSv)],
    di: [...randomBytes(rnd, nDi)],
    ai,
    events,
  };
}
