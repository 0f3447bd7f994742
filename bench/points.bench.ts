/**
 * Point-mapping benchmark: `npm run bench -- points`.
 *
 * stdout: one JSON line per figure, nothing else. Progress and notes go to stderr.
 *
 * The reply is the real 252-byte 0x10 reply `poll-response-real-2014-01-14` (11 SV blocks of 6 bytes,
 * 26 DI bytes, 24 AI words, 10 energy events). The model configures every unit of it: the COMaster's own
 * block (address 1: 6 SV bytes, 48 DIs, 8 AIs) and 10 IEDs (addresses 2-11: 6 SV bytes and 16 DIs each,
 * 2 AIs on channels 0/1 for the first six, 1 AI for the last four) = 298 points; 9 of the 10 energy
 * events find their AI (address 10 channel 1 has none).
 *
 *  1. apply(), every point changes: the real reply alternating with a twin whose DI bytes are inverted,
 *     AI counts moved by one and SV bytes changed in bit 0 → 298 state changes + 9 energy records per call.
 *  2. apply(), nothing changes: the real reply again and again → only the 9 energy records.
 *  3. apply(), nothing changes, no events: the pure scan of 298 points.
 *  4. decodeFrame + apply() on the real bytes (nothing changes): what a line pays per reply.
 * `points/s` = configured points scanned per second (298 × replies/s); `µs/reply` its inverse per call.
 *
 * Method: warm-up, then timed rounds of at least ROUND_MS each, median reported; a GC before every round;
 * every result feeds a sink. Code under test: lib/mara and lib/points (the mapper) transpiled now with
 * tsconfig.json's options (see sourceFromEnv in common.ts), MARA_BENCH_SOURCE=ts for tsx's output.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as MaraLib from '../lib/mara';
import type * as MappingLib from '../lib/points/mapping';
import type { Device, Point, ProjectModel } from '../lib/project/model';
import { median, nowMs, Reporter, reporter, round3, sinkTotal, sourceFromEnv, timedRounds, transpile, tsSources } from './common';

const CODE = sourceFromEnv(['ts'] as const);
const rep = reporter('points', CODE);
const { log, emit } = rep;
const fail: Reporter['fail'] = rep.fail; // declared with its type, so that TypeScript knows fail() does not return
const VECTOR_NAME = 'poll-response-real-2014-01-14';
const VECTORS_PATH = path.resolve(__dirname, '../test/fixtures/mara-vectors.json');
const ROUND_MS = 300;
const ROUNDS = 7;
// timedRound's BATCH (256) is even: the alternating loop ends on the same reply it started with

function load(): { mara: typeof MaraLib; mapping: typeof MappingLib } {
  if (CODE === 'ts') return { mara: require('../lib/mara'), mapping: require('../lib/points/mapping') };
  // lib/mara and the mapper's files only, not the whole lib: it may be mid-edit
  const dir = transpile(rep, [
    ...tsSources('lib/mara'),
    ...tsSources('lib/points', { match: /^(mapping.*|quality)\.ts$/ }),
    ...tsSources('lib/project', { match: /^(model|tag)\.ts$/ }),
    'lib/preview.ts',
  ]);
  return { mara: require(path.join(dir, 'lib/mara')), mapping: require(path.join(dir, 'lib/points/mapping')) };
}

const { mara, mapping } = load();
type PollReply = MaraLib.PollReply;

// ---------------------------------------------------------------------------------------------
// The model: every SV byte, DI bit and AI word of the real reply
// ---------------------------------------------------------------------------------------------

function buildModel(): Pick<ProjectModel, 'comasters' | 'devices' | 'points'> {
  const devices: Device[] = [];
  const points: Point[] = [];
  let row = 2;
  const add = (id: string, address: number, offset: number, diBytes: number, ais: number) => {
    devices.push({ id, comaster: 'CM', offset, address, svCount: 6, diCount: diBytes, aiCount: ais, row: row++ });
    for (let n = 0; n < diBytes * 8; n++)
      points.push({
        tag: `${id}_D${String(n).padStart(2, '0')}`,
        table: 'di',
        device: id,
        comaster: 'CM',
        offset: 0,
        port: n >> 4,
        bit: n & 15,
        maskinv: n % 5 === 0 ? 1 : 0,
        tipo: 0,
        textId: null,
        description: '',
        row: row++,
      });
    for (let k = 0; k < ais; k++)
      points.push({
        tag: `${id}_A${k}`,
        table: 'ai',
        device: id,
        comaster: 'CM',
        offset: k,
        channel: k,
        unit: 'kW',
        escala: 0.5 + k,
        escalaE: k < 2 ? 0.25 : null,
        description: '',
        row: row++,
      });
    for (let o = 0; o < 6; o++)
      points.push({ tag: `${id}_S${o}`, table: 'sv', device: id, comaster: 'CM', offset: o, bit: null, param: '', description: '', row: row++ });
  };
  add('CO', 1, 0, 6, 8);
  for (let k = 0; k < 10; k++) add(`IED${k + 2}`, k + 2, k + 1, 2, k < 6 ? 2 : 1);
  return { comasters: [{ id: 'CM', host: '127.0.0.1', port: 9761, enabled: true, row: 2 }], devices, points };
}

/** The twin reply: every DI bit inverted, every AI count moved by one, every SV byte's bit 0 flipped. */
function twin(r: PollReply): PollReply {
  const di = r.di.map((b) => b ^ 0xff);
  return {
    sv: r.sv.map((b) => b ^ 0x01),
    di,
    diBits: r.diBits.map((b) => !b),
    ai: r.ai.map((a) => {
      const value = a.value === 4095 ? 4094 : a.value + 1;
      return { raw: (a.raw & 0xf000) | value, value, q: a.q };
    }),
    events: r.events,
  };
}

// ---------------------------------------------------------------------------------------------
// Timing
// ---------------------------------------------------------------------------------------------

function figure(label: string, loop: (n: number) => number, points: number, extra: Record<string, unknown>): void {
  const runs = timedRounds(loop, ROUNDS, ROUND_MS);
  const m = median(runs);
  log(`${label}: replies/s per round ${runs.map((x) => Math.round(x)).join(' ')}`);
  emit(label, 'points/s', Math.round(m * points), {
    n: ROUNDS,
    points,
    'replies/s': Math.round(m),
    'µs/reply': round3(1e6 / m),
    min: Math.round(Math.min(...runs) * points),
    max: Math.round(Math.max(...runs) * points),
    ...extra,
  });
}

// Separate loops per figure, so that no call site is shared between them.
function loopAlternate(m: MappingLib.PointMapper, a: PollReply, b: PollReply): (n: number) => number {
  let t = 0;
  return (n) => {
    let s = 0;
    for (let k = 0; k < n; k += 2) {
      s += m.apply(a, ++t).length;
      s += m.apply(b, ++t).length;
    }
    return s;
  };
}
function loopSame(m: MappingLib.PointMapper, a: PollReply): (n: number) => number {
  let t = 0;
  return (n) => {
    let s = 0;
    for (let k = 0; k < n; k++) s += m.apply(a, ++t).length;
    return s;
  };
}
function loopSameNoEvents(m: MappingLib.PointMapper, a: PollReply): (n: number) => number {
  let t = 0;
  return (n) => {
    let s = 0;
    for (let k = 0; k < n; k++) s += m.apply(a, ++t).length;
    return s;
  };
}
function loopDecodeApply(m: MappingLib.PointMapper, buf: Buffer): (n: number) => number {
  let t = 0;
  return (n) => {
    let s = 0;
    for (let k = 0; k < n; k++) s += m.apply(mara.decodeFrame(buf).reply as PollReply, ++t).length;
    return s;
  };
}

// ---------------------------------------------------------------------------------------------

function main(): void {
  const t0 = nowMs();
  let vectors: { name: string; hex: string }[];
  try {
    vectors = JSON.parse(fs.readFileSync(VECTORS_PATH, 'utf8'));
  } catch (e) {
    fail(`cannot read the test vectors at ${VECTORS_PATH} (${(e as Error).message})`);
  }
  const vec = vectors.find((v) => v.name === VECTOR_NAME);
  if (!vec) fail(`vector ${VECTOR_NAME} not found in ${VECTORS_PATH}`);
  const buf = mara.parseHex(vec.hex);
  if (buf.length !== 252) fail(`${VECTOR_NAME} is ${buf.length} bytes, expected 252`);
  const a = mara.decodeFrame(buf).reply;
  if (!a) fail('no reply decoded');
  const b = twin(a);
  const quiet: PollReply = { ...a, events: [] };

  const model = buildModel();
  const points = model.points.length;
  const make = () => new mapping.PointMapper(model);
  const check = make();
  if (check.problems.length) fail(`the bench model has problems:\n${check.problems.join('\n')}`);
  if (check.size !== points || points !== 298) fail(`expected 298 mapped points, got ${check.size} of ${points}`);
  if (a.sv.length !== 66 || a.di.length !== 26 || a.ai.length !== 24) fail('the vector does not have the expected shape');
  // correctness of what is timed: first reply = every point; the twin changes every point; repeat = none
  const full = check.applyFull(a, 1);
  const energy = full.changes.filter((c) => c.kind === 'energy').length;
  if (energy !== 9 || full.unmapped.length !== 1) fail(`expected 9 mapped energy events and 1 unmapped, got ${energy} / ${full.unmapped.length}`);
  if (full.changes.length !== points + 9) fail(`first apply gave ${full.changes.length} records, expected ${points + 9}`);
  const twinChanges = check.apply(b, 2).filter((c) => c.kind === 'state').length;
  if (twinChanges !== points) fail(`the twin reply changed ${twinChanges} points, expected ${points}`);
  if (check.apply(b, 3).length !== 9) fail('a repeated reply must give only its 9 energy records');
  if (check.apply(quiet, 4).length !== points) fail('back to the real reply must change every point');
  if (check.apply(quiet, 5).length !== 0) fail('a repeated reply without events must give nothing');
  log(`model: ${points} points (${a.di.length * 8} DI, ${a.ai.length} AI, ${a.sv.length} SV), ${a.events.length} events; checks passed`);

  const m1 = make();
  m1.apply(a, 0);
  figure('apply, every point changes', loopAlternate(m1, a, b), points, { changes: points + 9, bytes: buf.length });
  const m2 = make();
  m2.apply(a, 0);
  figure('apply, nothing changes', loopSame(m2, a), points, { changes: 9, bytes: buf.length });
  const m3 = make();
  m3.apply(quiet, 0);
  figure('apply, nothing changes, no events', loopSameNoEvents(m3, quiet), points, { changes: 0, bytes: buf.length });
  const m4 = make();
  m4.apply(a, 0);
  figure('decodeFrame + apply, nothing changes', loopDecodeApply(m4, buf), points, { changes: 9, bytes: buf.length });
  log(`done in ${((nowMs() - t0) / 1000).toFixed(1)} s (sink ${sinkTotal()})`);
}

main();
