/**
 * Codec benchmark: `npm run bench -- codec`.
 *
 * stdout: one JSON line per figure, nothing else. Progress and notes go to stderr.
 *
 *  1. decodeFrame on the real 252-byte 0x10 reply with 10 events (`poll-response-real-2014-01-14`).
 *  2. The same work by a declarative `binary-parser` decoder (+ a small post-step for the checks
 *     binary-parser cannot express: QTY vs length, block sizes, BCC, diBits), and the ratio ours/binary-parser.
 *     Both decoders are checked to produce the same values on the vector before anything is timed.
 *  3. encodePollReply re-encoding the decoded vector.
 *  4. FrameReader throughput over a seeded 10 MB stream of real frames with ~10 % random noise between
 *     frames, in 4096-byte and 64 KiB chunks, and in 1-byte chunks over a 1 MB prefix.
 *
 * Method: warm-up, then timed rounds of at least ROUND_MS each (the two decoders alternate, and which one
 * goes first alternates too), median reported; a GC before every round; every result feeds a sink.
 * 1 MB = 1,000,000 bytes.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Parser } from 'binary-parser';
import type * as MaraLib from '../lib';
import type { MaraFrame } from '../lib';
import { mulberry32 } from '../lib/sim/activity';
import { ROOT, gc, keep, median, nowMs, Reporter, reporter, round3, sinkTotal, sourceFromEnv, timedRound, timedRounds, transpile, tsSources } from './common';

/**
 * Which build of the public API (lib/index.ts) is measured, reported as `code` in every figure:
 *  - default `tsc`: lib/**\/*.ts transpiled now, with tsconfig.json's compiler options, by TypeScript's
 *    transpileModule into a temporary directory: the same JavaScript `npm run build` puts in dist/lib (what
 *    `require('node-red-contrib-mara')` loads), always current, and independent of the rest of the package
 *    building (nodes/ may not compile while someone works on it);
 *  - MARA_BENCH_SOURCE=dist: the built dist/lib as it is;
 *  - MARA_BENCH_SOURCE=ts: lib/*.ts as transformed by tsx. esbuild's output adds costs the shipped code does
 *    not have (`__name` on every inner closure, getter-based re-exports): 2-5x slower, says little about the codec;
 *  - MARA_BENCH_LIB=<directory holding a compiled index.js>: another build (before/after comparisons).
 */
const CODE = process.env.MARA_BENCH_LIB ? path.resolve(process.env.MARA_BENCH_LIB) : sourceFromEnv(['dist', 'ts'] as const);
const rep = reporter('codec', CODE);
const { log, emit } = rep;
const fail: Reporter['fail'] = rep.fail; // declared with its type, so that TypeScript knows fail() does not return

function loadLib(): typeof MaraLib {
  if (CODE === 'ts') return require('../lib');
  if (CODE === 'tsc') return require(path.join(transpile(rep, tsSources('lib', { recursive: true })), 'lib'));
  if (CODE !== 'dist') return require(CODE);
  if (!fs.existsSync(path.join(ROOT, 'dist', '.build-stamp'))) fail('dist/ is not built (or its last build failed): run `npm run build`');
  return require('../dist/lib');
}

const VECTOR_NAME = 'poll-response-real-2014-01-14';
const VECTORS_PATH = path.resolve(__dirname, '../test/fixtures/mara-vectors.json');
const ROUND_MS = 300;
const DECODE_ROUNDS = 7; // per decoder
const READER_RUNS = 5;
const STREAM_BYTES = 10_000_000;
const SLICE_BYTES = 1_000_000; // for the 1-byte-chunk figure
const NOISE_SHARE = 0.1;
const SEED = 0x4d415241; // "MARA"

const { FrameReader, decodeFrame, encodePollReply, parseHex } = loadLib();

// ---------------------------------------------------------------------------------------------
// Vectors
// ---------------------------------------------------------------------------------------------

interface Vector {
  name: string;
  hex: string;
  decoded: { valid: boolean; [k: string]: unknown };
}

function loadVectors(): Vector[] {
  let text: string;
  try {
    text = fs.readFileSync(VECTORS_PATH, 'utf8');
  } catch (e) {
    fail(`cannot read the test vectors at ${VECTORS_PATH} (${(e as Error).message}); the codec bench needs test/fixtures/mara-vectors.json`);
  }
  const v = JSON.parse(text) as Vector[];
  if (!Array.isArray(v)) fail(`${VECTORS_PATH} is not an array of vectors`);
  return v;
}

// ---------------------------------------------------------------------------------------------
// The binary-parser decoder (declarative, compiled to JS by binary-parser on first use)
// ---------------------------------------------------------------------------------------------

type Obj = Record<string, any>;

const yearFmt = (y: number) => 2000 + y;
/** YY MM DD HH MN SS FL FH, fraction little-endian. */
const timeP = new Parser().uint8('year', { formatter: yearFmt }).uint8('month').uint8('day').uint8('hour').uint8('minute').uint8('second').uint16le('fraction');
/** Energy events carry YY MM DD HH MN only. */
const energyTimeP = new Parser().uint8('year', { formatter: yearFmt }).uint8('month').uint8('day').uint8('hour').uint8('minute');

const digitalP = new Parser().bit1('state').bit3('port').bit4('bit').nest('time', { type: timeP });
const energyP = new Parser()
  .bit2('idle')
  .bit3('code')
  .bit3('channel')
  .nest('time', { type: energyTimeP })
  .uint8('vh')
  .uint16le('value', {
    // value = b7 << 16 | b9 << 8 | b8: the high byte, then a little-endian word
    formatter: function (this: Obj, w: number) {
      return (this.vh << 16) | w;
    },
  });
const idleP = new Parser().bit2('idle0').bit3('code').bit3('idle1').nest('time', { type: timeP });
const comsysP = new Parser().bit4('code').bit4('motiv').nest('time', { type: timeP });

/** One 10-byte event: TCD = TYPE(2) CALIF(1) ADDR(5), then the type's layout. */
const eventP = new Parser()
  .bit2('type')
  .bit1('calif')
  .bit5('addr')
  .choice({ tag: 'type', choices: { 0: digitalP, 1: energyP, 2: idleP, 3: comsysP } });

const countAtLeast1 = (c: number | string) => (c as number) >= 1;
const aiFmt = (ws: number[]) => {
  const out = new Array(ws.length);
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i];
    out[i] = { raw: w, value: w & 0xfff, q: w >> 14 };
  }
  return out;
};

const frameP = new Parser()
  .uint8('sof', { assert: 0xfe })
  .uint8('qty', { assert: (q: number | string) => (q as number) >= 8 && (q as number) <= 253 })
  .uint8('dst')
  .uint8('src')
  .uint8('seq')
  .uint8('cmd')
  .uint8('qsv', { assert: countAtLeast1 })
  .array('sv', { type: 'uint8', length: 'qsv - 1' })
  .uint8('qdi', { assert: countAtLeast1 })
  .array('di', { type: 'uint8', length: 'qdi - 1' })
  .uint8('qai', { assert: countAtLeast1 })
  .array('ai', { type: 'uint16le', lengthInBytes: 'qai - 1', formatter: aiFmt })
  .uint8('qev', { assert: countAtLeast1 })
  .array('events', { type: eventP, lengthInBytes: 'qev - 1' })
  .uint16be('bcc');

const DIM = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** The same plausibility check ours runs on every event time (spec §9 "accept but flag"). */
function timeWarning(t: Obj): string {
  const leap = (t.year % 4 === 0 && t.year % 100 !== 0) || t.year % 400 === 0;
  const dim = t.month === 2 && leap ? 29 : DIM[t.month - 1];
  if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > dim || t.hour > 23 || t.minute > 59 || (t.second ?? 0) > 59 || (t.fraction ?? 0) >= 32768)
    return 'impossible time';
  return '';
}

/**
 * The post-step binary-parser cannot express, so that both decoders deliver the same object: a private
 * copy of the input (ours never aliases the caller's buffer), lengths, block sizes, the BCC (same
 * algorithm as ours), diBits, the payload view `data`, each event's 10-byte `raw` view and the
 * plausibility check of event times.
 */
function bpDecode(input: Buffer): Obj {
  const buf = Buffer.from(input);
  const f = frameP.parse(buf) as Obj;
  const qty = f.qty;
  if (qty !== buf.length) throw new Error(`QTY ${qty} differs from the buffer length ${buf.length}`);
  if (6 + f.qsv + f.qdi + f.qai + f.qev + 2 !== qty) throw new Error('blocks do not fill the payload');
  if ((f.qai - 1) % 2) throw new Error('odd AI byte count');
  if ((f.qev - 1) % 10) throw new Error('event bytes not a multiple of 10');
  // BCC [§3.1]: one's complement of the sum of big-endian words over [0, QTY-2)
  const n = qty - 2;
  let even = 0;
  let odd = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    even += buf[i];
    odd += buf[i + 1];
  }
  if (i < n) even += buf[i];
  if ((~(even * 256 + odd) & 0xffff) !== f.bcc) throw new Error('BCC mismatch');
  const di: number[] = f.di;
  const diBits = new Array<boolean>(di.length * 8);
  for (let k = 0; k < di.length; k++) {
    const v = di[k];
    for (let j = 0; j < 8; j++) diBits[k * 8 + j] = ((v >> j) & 1) === 1;
  }
  f.diBits = diBits;
  f.data = buf.subarray(6, qty - 2);
  const warnings: string[] = [];
  const ev0 = 6 + f.qsv + f.qdi + f.qai + 1;
  for (let k = 0; k < f.events.length; k++) {
    const e = f.events[k];
    e.raw = buf.subarray(ev0 + 10 * k, ev0 + 10 * k + 10);
    const w = timeWarning(e.time);
    if (w) warnings.push(w);
  }
  f.warnings = warnings;
  return f;
}

// ---------------------------------------------------------------------------------------------
// Equivalence check (once, before timing)
// ---------------------------------------------------------------------------------------------

const TYPE_NUM: Record<string, number> = { digital: 0, energy: 1, idle: 2, comsys: 3 };

function normTime(t: Obj): Obj {
  return { year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: t.second ?? 0, fraction: t.fraction ?? 0 };
}

function normEvent(e: Obj): Obj {
  const type = typeof e.type === 'string' ? TYPE_NUM[e.type] : e.type;
  const o: Obj = { type, addr: e.addr, calif: e.calif, time: normTime(e.time), raw: Buffer.from(e.raw).toString('hex') };
  if (type === 0) Object.assign(o, { state: e.state, port: e.port, bit: e.bit });
  else if (type === 1) Object.assign(o, { code: e.code, channel: e.channel, value: e.value });
  else if (type === 2) Object.assign(o, { code: e.code });
  else Object.assign(o, { code: e.code, motiv: e.motiv });
  return o;
}

function normalize(x: { qty: number; dst: number; src: number; seq: number; cmd: number; bcc: number; data: Buffer; warnings: unknown[]; r: Obj }): Obj {
  return {
    qty: x.qty,
    dst: x.dst,
    src: x.src,
    seq: x.seq,
    cmd: x.cmd,
    bcc: x.bcc,
    data: Buffer.from(x.data).toString('hex'),
    warnings: x.warnings.length,
    sv: [...x.r.sv],
    di: [...x.r.di],
    diBits: [...x.r.diBits],
    ai: x.r.ai.map((a: Obj) => ({ raw: a.raw, value: a.value, q: a.q })),
    events: x.r.events.map(normEvent),
  };
}

function checkEquivalent(buf: Buffer, vec: Vector): MaraFrame {
  const ours = decodeFrame(buf);
  if (!ours.reply) fail('decodeFrame gave no reply for the 0x10 reply vector');
  const theirs = bpDecode(buf);
  const a = normalize({
    qty: ours.length,
    dst: ours.dst,
    src: ours.src,
    seq: ours.seq,
    cmd: ours.cmd,
    bcc: ours.bcc,
    data: ours.data,
    warnings: ours.warnings,
    r: ours.reply,
  });
  const b = normalize({
    qty: theirs.qty,
    dst: theirs.dst,
    src: theirs.src,
    seq: theirs.seq,
    cmd: theirs.cmd,
    bcc: theirs.bcc,
    data: theirs.data,
    warnings: theirs.warnings,
    r: theirs,
  });
  try {
    assert.deepStrictEqual(b, a);
  } catch (e) {
    fail(`decodeFrame and the binary-parser decoder disagree on ${vec.name}:\n${(e as Error).message}`);
  }
  // and both against the vector's own expectations
  const d = vec.decoded as Obj;
  try {
    assert.equal(a.qty, d.qty);
    assert.deepStrictEqual(a.sv, d.sv);
    assert.deepStrictEqual(
      a.diBits.flatMap((on: boolean, i: number) => (on ? [i] : [])),
      d.diOn,
    );
    assert.deepStrictEqual(
      a.ai.map((x: Obj) => [x.value, x.q]),
      d.ai.map((x: Obj) => [x.value, x.q]),
    );
    assert.deepStrictEqual(
      a.events.map((x: Obj) => x.value),
      d.events.map((x: Obj) => x.value),
    );
  } catch (e) {
    fail(`decoded values differ from ${VECTORS_PATH} for ${vec.name}:\n${(e as Error).message}`);
  }
  // a corrupted BCC must be rejected by both
  const bad = Buffer.from(buf);
  bad[bad.length - 1] ^= 1;
  assert.throws(() => decodeFrame(bad));
  assert.throws(() => bpDecode(bad));
  return ours;
}

// ---------------------------------------------------------------------------------------------
// Timed loops (timedRound in common.ts calls them with n = BATCH)
// ---------------------------------------------------------------------------------------------

// Separate loops per operation, so that no call site is shared between them.
function loopOurs(buf: Buffer): (n: number) => number {
  return (n) => {
    let s = 0;
    for (let k = 0; k < n; k++) {
      const f = decodeFrame(buf);
      s += f.bcc + (f.reply as NonNullable<MaraFrame['reply']>).events.length;
    }
    return s;
  };
}
function loopBp(buf: Buffer): (n: number) => number {
  return (n) => {
    let s = 0;
    for (let k = 0; k < n; k++) {
      const f = bpDecode(buf);
      s += f.bcc + f.events.length;
    }
    return s;
  };
}
function loopEncode(frame: MaraFrame): (n: number) => number {
  return (n) => {
    let s = 0;
    for (let k = 0; k < n; k++) s += encodePollReply(frame)[1];
    return s;
  };
}

// ---------------------------------------------------------------------------------------------
// Noisy stream for FrameReader
// ---------------------------------------------------------------------------------------------

interface Stream {
  buf: Buffer;
  frames: number;
  noise: number;
  /** Frame ends: boundaries[k] = stream length after frame k (noise before a frame belongs to it). */
  boundaries: number[];
  /** Noise bytes in the stream up to boundaries[k]. */
  noiseAt: number[];
}

function buildStream(frames: Buffer[], total: number, seed: number): Stream {
  const rnd = mulberry32(seed);
  const avg = frames.reduce((s, f) => s + f.length, 0) / frames.length;
  const meanGap = (avg * NOISE_SHARE) / (1 - NOISE_SHARE);
  const out = Buffer.allocUnsafe(total + 2 * 256 + 2 * Math.ceil(meanGap) + 1);
  let p = 0;
  let noise = 0;
  const boundaries: number[] = [];
  const noiseAt: number[] = [];
  for (;;) {
    const gap = Math.floor(rnd() * (2 * meanGap + 1)); // uniform 0..2*meanGap: mean = meanGap
    const f = frames[Math.floor(rnd() * frames.length)];
    if (p + gap + f.length > total) break;
    for (let k = 0; k < gap; k++) out[p++] = Math.floor(rnd() * 256); // any byte, 0xFE included
    noise += gap;
    f.copy(out, p);
    p += f.length;
    boundaries.push(p);
    noiseAt.push(noise);
  }
  return { buf: out.subarray(0, p), frames: boundaries.length, noise, boundaries, noiseAt };
}

/** Feeds `buf` to a fresh FrameReader in `chunk`-byte pieces; returns MB/s and checks the frame count. */
function readerRun(buf: Buffer, chunk: number, expected: number): number {
  const reader = new FrameReader();
  let frames = 0;
  let seqs = 0;
  let rejects = 0;
  reader.on('frame', (f) => {
    frames++;
    seqs += f.seq;
  });
  reader.on('reject', () => {
    rejects++;
  });
  gc();
  const t0 = nowMs();
  const n = buf.length;
  for (let i = 0; i < n; i += chunk) reader.push(buf.subarray(i, i + chunk));
  const ms = nowMs() - t0;
  reader.flush();
  keep(seqs);
  if (frames !== expected)
    fail(`FrameReader (chunks of ${chunk} B) emitted ${frames} frames, ${expected} were sent (${rejects} rejects, stats ${JSON.stringify(reader.stats)})`);
  if (reader.stats.bytes !== n) fail(`FrameReader counted ${reader.stats.bytes} bytes, ${n} were pushed`);
  return n / 1e6 / (ms / 1000);
}

function readerFigure(label: string, buf: Buffer, chunk: number, expected: number, noise: number): void {
  readerRun(buf, chunk, expected); // warm-up
  const runs: number[] = [];
  for (let r = 0; r < READER_RUNS; r++) runs.push(readerRun(buf, chunk, expected));
  log(`${label}: MB/s per run ${runs.map((x) => x.toFixed(1)).join(' ')}`);
  emit(label, 'MB/s', round3(median(runs)), {
    n: READER_RUNS,
    bytes: buf.length,
    chunk,
    frames: expected,
    noise: round3(noise / buf.length),
    min: round3(Math.min(...runs)),
    max: round3(Math.max(...runs)),
  });
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

function main(): void {
  const t0 = nowMs();
  const vectors = loadVectors();
  const vec = vectors.find((v) => v.name === VECTOR_NAME);
  if (!vec) fail(`vector ${VECTOR_NAME} not found in ${VECTORS_PATH}`);
  const buf = parseHex(vec.hex);
  if (buf.length !== 252) fail(`${VECTOR_NAME} is ${buf.length} bytes, expected 252`);

  // 1 + 2: decodeFrame vs binary-parser
  const ours = checkEquivalent(buf, vec);
  if (ours.reply?.events.length !== 10) fail(`${VECTOR_NAME} decoded with ${ours.reply?.events.length} events, expected 10`);
  log(`decoders agree on ${VECTOR_NAME} (${buf.length} B, ${ours.reply.events.length} events); warming up`);
  const lOurs = loopOurs(buf);
  const lBp = loopBp(buf);
  for (let r = 0; r < 3; r++) {
    timedRound(lOurs, 150);
    timedRound(lBp, 150);
  }
  const oursRuns: number[] = [];
  const bpRuns: number[] = [];
  for (let r = 0; r < DECODE_ROUNDS; r++) {
    if (r % 2 === 0) {
      oursRuns.push(timedRound(lOurs, ROUND_MS));
      bpRuns.push(timedRound(lBp, ROUND_MS));
    } else {
      bpRuns.push(timedRound(lBp, ROUND_MS));
      oursRuns.push(timedRound(lOurs, ROUND_MS));
    }
  }
  log(`decodeFrame frames/s per round: ${oursRuns.map((x) => Math.round(x)).join(' ')}`);
  log(`binary-parser frames/s per round: ${bpRuns.map((x) => Math.round(x)).join(' ')}`);
  const mOurs = median(oursRuns);
  const mBp = median(bpRuns);
  emit('decodeFrame', 'frames/s', Math.round(mOurs), {
    n: DECODE_ROUNDS,
    bytes: buf.length,
    events: 10,
    min: Math.round(Math.min(...oursRuns)),
    max: Math.round(Math.max(...oursRuns)),
  });
  emit('binary-parser', 'frames/s', Math.round(mBp), {
    n: DECODE_ROUNDS,
    bytes: buf.length,
    events: 10,
    min: Math.round(Math.min(...bpRuns)),
    max: Math.round(Math.max(...bpRuns)),
  });
  const ratio = mOurs / mBp;
  emit('decodeFrame/binary-parser', 'ratio', Math.round(ratio * 100) / 100, { n: DECODE_ROUNDS, goal: 2, met: ratio >= 2 });

  // encodePollReply of the decoded vector
  const again = encodePollReply(ours);
  if (!again.equals(buf)) fail(`encodePollReply(decodeFrame(${VECTOR_NAME})) does not rebuild the vector`);
  const lEnc = loopEncode(ours);
  const encRuns = timedRounds(lEnc, DECODE_ROUNDS, ROUND_MS);
  log(`encodePollReply frames/s per round: ${encRuns.map((x) => Math.round(x)).join(' ')}`);
  emit('encodePollReply', 'frames/s', Math.round(median(encRuns)), {
    n: DECODE_ROUNDS,
    bytes: buf.length,
    events: 10,
    min: Math.round(Math.min(...encRuns)),
    max: Math.round(Math.max(...encRuns)),
  });

  // 3: FrameReader over a noisy stream of every valid frame of the vectors (requests, replies, PEH, control)
  const valid: Buffer[] = [];
  for (const v of vectors) {
    if (v.decoded?.valid !== true) continue;
    const b = parseHex(v.hex);
    decodeFrame(b); // must not throw
    valid.push(b);
  }
  const stream = buildStream(valid, STREAM_BYTES, SEED);
  log(
    `stream: ${stream.buf.length} B, ${stream.frames} frames from ${valid.length} valid vectors, noise ${((100 * stream.noise) / stream.buf.length).toFixed(2)} %`,
  );
  readerFigure('FrameReader 4096 B chunks', stream.buf, 4096, stream.frames, stream.noise);
  readerFigure('FrameReader 64 KiB chunks', stream.buf, 65536, stream.frames, stream.noise);
  // 1-byte chunks over a prefix ending on a frame boundary near 1 MB
  let k = 0;
  while (k < stream.boundaries.length && stream.boundaries[k] <= SLICE_BYTES) k++;
  const slice = stream.buf.subarray(0, stream.boundaries[k - 1]);
  readerFigure('FrameReader 1 B chunks', slice, 1, k, stream.noiseAt[k - 1]);

  log(`done in ${((nowMs() - t0) / 1000).toFixed(1)} s (sink ${sinkTotal()})`);
}

main();
