/**
 * Line benchmark: `npm run bench -- line`.
 *
 * stdout: one JSON line per figure, nothing else. Progress and notes go to stderr.
 *
 * A pty does not enforce a baud rate: bytes cross a socat pty pair at memory speed, so everything an
 * exchange costs on the pty is host overhead, and the line efficiency at a real baud rate follows from it:
 *
 *   efficiency = wire / (wire + overhead),  wire = 260 B x 10 bit / baud  (8-byte 0x10 request + 252-byte reply, 8N1)
 *
 * Part 1, in this process: the master (MaraMaster over a SerialTransport on pty end `a`, 9600 8N1 configured,
 * which a pty ignores) polls 8 simulated IEDs (MaraSimulator on pty end `b`, addresses 1-8) in turn, each with
 * a 1 ms poll interval. Every reply is 252 bytes with 10 events: the real SMVE layout of vector
 * `poll-response-real-2014-01-14` (66 SV bytes, 26 DI bytes, 24 AI words; values seeded) and an event queue deep
 * enough that no reply runs short (checked). Every time stamp is process.hrtime in this one process, on both
 * sides of the pty:
 *   master side  mW  request handed to transport.write()      mR  arrival of the chunk completing the reply
 *   sim side     sD  arrival of the request's first chunk     sW  the reply handed to port.write() (see stampSimulator)
 * and per exchange p (request p, reply p, then request p+1):
 *   (a) turnaround      = sD[p+1] - sW[p]  reply leaves the simulator -> first byte of the next request at the
 *                         simulator: the simulator's serialport write, socat, the master's serialport read, decode,
 *                         accept, persistence, the 'reply' listeners, pump, encode, its serialport write, socat, the
 *                         simulator's serialport read. Everything the master (and the pty) adds.
 *   (b) request-reply   = mR[p] - mW[p]    request handed to the master's transport -> last reply byte at the
 *                         master, the simulator answering at once; compared with the master's own rttMs.
 *   sim processing      = sW[p] - sD[p]    (FrameReader, SimDevice.handle, encodePollReply)
 *   overhead            = sD[p+1] - sD[p] = sim processing + (a): the whole exchange cycle. A pty has no wire
 *                         time, so all of it counts as host overhead: both ends' work, the pty and socat hops and
 *                         the 260-byte copies. This over-counts on purpose (a real IED's processing is not the
 *                         host's, socat is a relay a real UART does not have). It does NOT contain what a pty cannot
 *                         show: UART FIFO / USB-serial adapter latency and the IED's real turnaround.
 * Median, p95 (also mean, p99, max) are over 5 rounds of 600 exchanges pooled, after 800 of warm-up; per-round
 * medians go to stderr. An exchange whose next poll was not queued yet when its reply was accepted (the next
 * poll waited for its 1 ms timer: an artefact of the zero wire time) is left out and counted (timerWaitsLeftOut).
 * The master is configured like a mara-line node with persistence on (a FileStateStore in a temp dir, written
 * on every accepted reply). A second run with a MemoryStateStore
 * isolates the cost of persistence. Where the time goes (per-stage medians) is printed to stderr and emitted
 * as `breakdown` figures.
 *
 * Every reply carries 10 events, so the master's drain rule (poll again at once, behind the polls already
 * due) is the path measured: the 8 devices take turns.
 *
 * Part 2: a real Node-RED 4.1 as the master. Node-RED runs in its own process with a temporary userDir (the
 * package linked into its node_modules: dist/ as `npm run build` made it) and a flow with a mara-line config
 * node on SERIAL pty end `a` (9600 8N1, 8 devices polled every 1 ms, persistence on: the node's defaults) and a
 * mara-poll node wired to nothing; the simulator runs in this process on end `b`. Figures:
 *  - CPU per 1 000 polls: utime+stime of the Node-RED process (/proc/<pid>/stat, all its threads, clock ticks of
 *    `getconf CLK_TCK`) read when the simulator counts the first and the last of 3 000 polls; median of 5 rounds;
 *  - the same exchanges timed at the simulator: (a) and overhead as above, with the real node as the master.
 *
 * Goals (issue): efficiency >= 0.98 at 9600 baud and >= 0.90 at 115200, i.e. p95 overhead under 2.5 ms.
 * Needs socat (and Linux /proc for part 2): without socat it says so on stderr and exits 0 with no figures.
 */
import { startNodeRed } from '../test/helpers/red-child';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MaraMaster as MasterT } from '../lib/link/master';
import { mulberry32 } from '../lib/sim/activity';
import type { MaraSimulator as SimulatorT } from '../lib/sim/simulator';
import type { PollResult } from '../lib/link/master-types';
import type { StateStore } from '../lib/link/state-store';
import type { Transport } from '../lib/link/transport';
import { PtyPair, SOCAT_MISSING, socatAvailable, socatPair } from '../test/helpers/socat';
import { ROOT, gc, mean, nowMs, quantile, reporter, round3 } from './common';

const CODE = 'dist';
const rep = reporter('line', CODE);
const { log, emit } = rep;

const ADDRESSES = [1, 2, 3, 4, 5, 6, 7, 8];
const REQUEST_BYTES = 8;
const REPLY_BYTES = 252;
const BAUDS = [9600, 19200, 115200];
const GOALS: Record<number, number> = { 9600: 0.98, 115200: 0.9 };
const OVERHEAD_P95_GOAL_MS = 2.5;
/** Real SMVE layout (vector poll-response-real-2014-01-14): 66 SV bytes, 26 DI bytes, 24 AI words, 10 events. */
const SV_BYTES = 66;
const DI_BYTES = 26;
const AI_WORDS = 24;

const WARMUP = 800; // exchanges
const ROUNDS = 5;
const PER_ROUND = 600; // exchanges per round: 3 000 measured per run
const NR_WARMUP_POLLS = 2000;
const NR_ROUNDS = 5;
const NR_POLLS = 3000; // per round
const SEED = 0x4d415241; // "MARA"

const round4 = (x: number) => Math.round(x * 10000) / 10000;

/** Things to undo on the way out, last first (socat, Node-RED, temp dirs). */
const cleanups: (() => Promise<unknown> | unknown)[] = [];
let cleaning: Promise<void> | null = null;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const f of cleanups.splice(0).reverse()) {
      try {
        await f();
      } catch (e) {
        log(`cleanup: ${(e as Error).message}`);
      }
    }
  })();
  return cleaning;
}
/** Synchronous last resort on exit: no Node-RED or socat we started may outlive us. */
const children = new Set<number>();
process.on('exit', () => {
  for (const pid of children) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
});
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.on(sig, () => {
    log(`${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  });

/** Says so on stderr, undoes what was set up, exits with status 1. */
async function fail(msg: string): Promise<never> {
  rep.failed(msg);
  await cleanup();
  process.exit(1);
}

/** This bench's percentiles interpolate linearly between ranks, its median too. */
const median = (xs: number[]) => quantile(xs, 0.5);
const p95 = (xs: number[]) => quantile(xs, 0.95);

const wireMs = (baud: number) => ((REQUEST_BYTES + REPLY_BYTES) * 10 * 1000) / baud;
const efficiency = (baud: number, overheadMs: number) => wireMs(baud) / (wireMs(baud) + overheadMs);

// ---------------------------------------------------------------------------------------------
// The package as built (what Node-RED loads too)
// ---------------------------------------------------------------------------------------------

interface Lib {
  MaraMaster: typeof MasterT;
  MaraSimulator: typeof SimulatorT;
  createTransport: typeof import('../lib/link/open-transport').createTransport;
  FileStateStore: typeof import('../lib/link/state-store').FileStateStore;
  MemoryStateStore: typeof import('../lib/link/state-store').MemoryStateStore;
}

async function loadLib(): Promise<Lib> {
  if (!fs.existsSync(path.join(ROOT, 'dist', '.build-stamp'))) await fail('dist/ is not built (or its last build failed): run `npm run build`');
  const d = path.join(ROOT, 'dist', 'lib', 'link');
  return {
    MaraMaster: require(path.join(d, 'master')).MaraMaster,
    MaraSimulator: require(path.join(ROOT, 'dist', 'lib', 'sim', 'simulator')).MaraSimulator,
    createTransport: require(path.join(d, 'open-transport')).createTransport,
    FileStateStore: require(path.join(d, 'state-store')).FileStateStore,
    MemoryStateStore: require(path.join(d, 'state-store')).MemoryStateStore,
  };
}

/** A simulator whose devices answer 252-byte replies with `events` events (10 or 9, see the header). */
function makeSimulator(lib: Lib, events: number, queueDepth: number): SimulatorT {
  const rnd = mulberry32(SEED);
  const aiWords = AI_WORDS + (10 - events) * 5; // one event = 10 bytes = 5 AI words
  const sim = new lib.MaraSimulator(
    ADDRESSES.map((address) => ({
      address,
      sv: Array.from({ length: SV_BYTES }, () => Math.floor(rnd() * 256)),
      di: Array.from({ length: DI_BYTES }, () => Math.floor(rnd() * 256)),
      ai: Array.from({ length: aiWords }, () => Math.floor(rnd() * 4096)),
      maxEventsPerReply: events,
      deliveredLogLimit: 0, // the simulated IED keeps no log: it answers as fast as it can
    })),
  );
  for (const d of sim.devices) d.queueEvents(queueDepth);
  return sim;
}

function tmpDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A socat pty pair; `close()` (idempotent) also runs at cleanup. */
async function newPair(): Promise<PtyPair> {
  const pair = await socatPair();
  children.add(pair.pid);
  const close = async () => {
    await pair.close();
    children.delete(pair.pid);
  };
  cleanups.push(close);
  return { ...pair, close };
}

function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      if (cond()) resolve();
      else if (Date.now() - t0 > ms) reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      else setTimeout(tick, 5);
    };
    tick();
  });
}

// ---------------------------------------------------------------------------------------------
// Part 1: master and simulator in this process, over the pty
// ---------------------------------------------------------------------------------------------

/**
 * Time stamps on the simulator's side of the pty: sD = arrival of the first chunk of each 0x10 request,
 * sW = each reply handed to port.write(), sWcb = that write's callback. The simulator's serial link calls
 * `port.write(b)` through the property at each call, so wrapping the instance's method sees every reply.
 *
 * (a) starts at sW, not at the callback: serialport writes in libuv's thread pool, and its callback reaches
 * JavaScript in some later loop turn, which can be after the next request has already arrived (seen with
 * Node-RED as the master: (a) from the callback came out negative). sW is the last moment the simulator
 * holds the reply, so (a) also carries the simulator's own write path: conservative.
 */
function stampSimulator(sim: SimulatorT): { sD: number[]; sSeq: number[]; sW: number[]; sWcb: number[] } {
  const out = { sD: [] as number[], sSeq: [] as number[], sW: [] as number[], sWcb: [] as number[] };
  const port = sim.serialPort as {
    write(b: Buffer, cb?: (err?: Error | null) => void): boolean;
    prependListener(ev: 'data', f: (chunk: Buffer) => void): void;
  } | null;
  if (!port) throw new Error('the simulator has no serial port open');
  let chunkAt = 0;
  let firstChunkAt: number | null = null;
  port.prependListener('data', () => {
    chunkAt = nowMs();
    firstChunkAt ??= chunkAt;
  });
  // 'request' is emitted synchronously while the chunk holding the frame's end is pushed to the reader
  sim.on('request', (f) => {
    const at = firstChunkAt ?? chunkAt;
    firstChunkAt = null;
    if (f.cmd !== 0x10) return; // the PEH sent on connect
    out.sD.push(at);
    out.sSeq.push(f.seq);
  });
  const write = port.write.bind(port);
  port.write = (b: Buffer, cb?: (err?: Error | null) => void) => {
    out.sW.push(nowMs());
    return write(b, (err?: Error | null) => {
      out.sWcb.push(nowMs());
      cb?.(err);
    });
  };
  return out;
}

interface Stamps {
  /** master: poll request handed to transport.write */
  mW: number[];
  mSeq: number[];
  /** master: chunk completing reply p arrived (before the master saw it) */
  mR: number[];
  /** master: 'reply' handed on (after decode and the SEQ checks) */
  mE: number[];
  /** master: the rttMs it reports itself (Date.now based: whole ms) */
  rtt: number[];
  /** sim: first chunk of poll request p arrived */
  sD: number[];
  sSeq: number[];
  /** sim: reply p handed to port.write, and that write's callback */
  sW: number[];
  sWcb: number[];
  /** store.save() durations, and when each started */
  saveMs: number[];
  saveAt: number[];
}

interface RunResult {
  a: number[];
  b: number[];
  overhead: number[];
  masterCycle: number[];
  simProc: number[];
  masterTurn: number[];
  replyTransit: number[];
  decodeAccept: number[];
  afterHandOn: number[];
  requestTransit: number[];
  save: number[];
  rtt: number[];
  /** the simulator's port.write() -> its callback */
  writeCb: number[];
  /** exchanges whose reply write callback came after the master already had the reply */
  lateCb: number;
  timerWaits: number;
  roundMedians: { a: number[]; b: number[]; overhead: number[] };
  polled: Record<number, number>;
}

async function runInProcess(lib: Lib, storeKind: 'file' | 'memory'): Promise<RunResult> {
  const total = WARMUP + Math.ceil(ROUNDS * PER_ROUND * 1.25) + 2; // room for exchanges left out (poll timer waits)
  const pair = await newPair();
  const sim = makeSimulator(lib, 10, Math.ceil((total * 10) / ADDRESSES.length) + 400);
  cleanups.push(() => sim.close());
  await sim.openSerial({ path: pair.b, baudRate: 9600 });

  const st: Stamps = { mW: [], mSeq: [], mR: [], mE: [], rtt: [], sD: [], sSeq: [], sW: [], sWcb: [], saveMs: [], saveAt: [] };

  const simSide = stampSimulator(sim);
  st.sD = simSide.sD;
  st.sSeq = simSide.sSeq;
  st.sW = simSide.sW;
  st.sWcb = simSide.sWcb;

  // ---- master side: wrap each transport it makes
  let masterChunkAt = 0;
  const wrap = (t: Transport): Transport => {
    t.on('data', () => (masterChunkAt = nowMs())); // registered before the master's own listener: runs first
    const w = t.write.bind(t);
    t.write = (bytes: Buffer) => {
      if (bytes.length === REQUEST_BYTES && bytes[5] === 0x10) {
        st.mW.push(nowMs());
        st.mSeq.push(bytes[4]);
      }
      return w(bytes);
    };
    return t;
  };
  const inner: StateStore =
    storeKind === 'file' ? new lib.FileStateStore(path.join(tmpDir('mara-line-bench-state-'), 'line.json')) : new lib.MemoryStateStore();
  const store: StateStore = {
    load: () => inner.load(),
    save: (s) => {
      const t0 = nowMs();
      inner.save(s);
      st.saveAt.push(t0);
      st.saveMs.push(nowMs() - t0);
    },
  };
  const master = new lib.MaraMaster({
    transport: () => wrap(lib.createTransport({ type: 'serial', path: pair.a, baudRate: 9600 })),
    devices: ADDRESSES.map((address) => ({ address, name: `ied${address}`, pollIntervalMs: 1, timeoutMs: 1000, retries: 3 })),
    store,
  });
  cleanups.push(() => master.stop());
  const polled: Record<number, number> = {};
  let replies = 0;
  let allDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  let short = 0;
  // The next poll must already be queued when a reply is accepted, else the turnaround would include a wait
  // for a poll timer: the master's queue (a private field of the built JS) is read, not stats() (too costly here).
  const queued = master as unknown as { polls?: unknown[] };
  const queueAtReply: number[] = [];
  master.on('reply', (r: PollResult) => {
    st.mE.push(nowMs());
    st.mR.push(masterChunkAt);
    queueAtReply.push(queued.polls?.length ?? -1);
    st.rtt.push(r.rttMs);
    polled[r.address] = (polled[r.address] ?? 0) + 1;
    if (r.raw.length !== REPLY_BYTES || r.frame.reply?.events.length !== 10) short++;
    if (++replies === total) allDone();
  });
  master.on('warning', (e) => log(`master warning: ${e.message}`));

  log(`${storeKind} store: ${WARMUP} exchanges of warm-up, then ${ROUNDS} x ${PER_ROUND}`);
  gc();
  const t0 = nowMs();
  master.start();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), 60_000)));
  if (await Promise.race([done.then(() => false), timedOut]))
    await fail(`timed out after 60 s waiting for ${total} replies (got ${replies}; master ${JSON.stringify(master.stats())})`);
  clearTimeout(timer);
  const wall = nowMs() - t0;
  await master.stop();
  await sim.close();
  await pair.close();

  const ms = master.stats();
  const ss = sim.stats;
  if (short) await fail(`${short} replies were not ${REPLY_BYTES} bytes with 10 events`);
  if (ms.timeouts || ms.bccErrors || ms.payloadErrors || ms.staleReplays || ss.devices.replays)
    await fail(
      `the line was not clean: ${JSON.stringify({ timeouts: ms.timeouts, bcc: ms.bccErrors, payload: ms.payloadErrors, stale: ms.staleReplays, replays: ss.devices.replays })}`,
    );
  // both sides saw the same exchanges in the same order
  const n = Math.min(st.mW.length, st.sD.length, st.sW.length, st.mR.length);
  for (let p = 0; p < n; p++) if (st.mSeq[p] !== st.sSeq[p]) await fail(`exchange ${p}: the master sent SEQ ${st.mSeq[p]}, the simulator saw ${st.sSeq[p]}`);
  if (n < total) await fail(`only ${n} complete exchanges stamped`);
  // Exchanges whose next poll was not queued yet waited for a 1 ms poll timer (setTimeout's floor): an artefact
  // of the pty's zero wire time (on a real line the timers have long fired), so they are left out and counted.
  const noQueueField = queueAtReply.includes(-1);
  if (noQueueField) log('note: the master has no `polls` field any more: the poll-timer check is off');
  const measured: number[] = [];
  let timerWaits = 0;
  for (let p = WARMUP; p < total - 1 && measured.length < ROUNDS * PER_ROUND; p++) {
    if (!noQueueField && queueAtReply[p] === 0) timerWaits++;
    else measured.push(p);
  }
  if (measured.length < ROUNDS * PER_ROUND) await fail(`only ${measured.length} exchanges did not wait for a poll timer (${timerWaits} did)`);
  log(`  ${timerWaits} exchanges left out: their next poll waited for its timer`);

  const r: RunResult = {
    a: [],
    b: [],
    overhead: [],
    masterCycle: [],
    simProc: [],
    masterTurn: [],
    replyTransit: [],
    decodeAccept: [],
    afterHandOn: [],
    requestTransit: [],
    save: [],
    rtt: [],
    writeCb: [],
    lateCb: 0,
    timerWaits,
    roundMedians: { a: [], b: [], overhead: [] },
    polled,
  };
  // persistence: one save per accepted reply, in the same order
  const saves = st.saveMs.length === st.mE.length ? st.saveMs : null;
  if (!saves) log(`note: ${st.saveMs.length} saves for ${st.mE.length} replies; no per-exchange save figure`);
  for (let k = 0; k < ROUNDS; k++) {
    const ra: number[] = [];
    const rb: number[] = [];
    const ro: number[] = [];
    for (const p of measured.slice(k * PER_ROUND, (k + 1) * PER_ROUND)) {
      ra.push(st.sD[p + 1] - st.sW[p]);
      rb.push(st.mR[p] - st.mW[p]);
      ro.push(st.sD[p + 1] - st.sD[p]);
      r.masterCycle.push(st.mW[p + 1] - st.mW[p]);
      r.simProc.push(st.sW[p] - st.sD[p]);
      r.masterTurn.push(st.mW[p + 1] - st.mR[p]);
      r.replyTransit.push(st.mR[p] - st.sW[p]);
      r.decodeAccept.push(st.mE[p] - st.mR[p]);
      r.afterHandOn.push(st.mW[p + 1] - st.mE[p]);
      r.requestTransit.push(st.sD[p + 1] - st.mW[p + 1]);
      r.writeCb.push(st.sWcb[p] - st.sW[p]);
      if (st.sWcb[p] > st.mR[p]) r.lateCb++;
      if (saves) r.save.push(saves[p]);
      r.rtt.push(st.rtt[p]);
    }
    r.a.push(...ra);
    r.b.push(...rb);
    r.overhead.push(...ro);
    r.roundMedians.a.push(median(ra));
    r.roundMedians.b.push(median(rb));
    r.roundMedians.overhead.push(median(ro));
  }
  log(
    `${storeKind} store: ${replies} exchanges in ${(wall / 1000).toFixed(2)} s (${Math.round((replies * 1000) / wall)}/s), polls per device ${JSON.stringify(polled)}`,
  );
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(3)).join(' ');
  log(`  round medians (ms): a ${fmt(r.roundMedians.a)} | b ${fmt(r.roundMedians.b)} | overhead ${fmt(r.roundMedians.overhead)}`);
  const stage = (name: string, xs: number[]) =>
    log(`  ${name.padEnd(58)} median ${median(xs).toFixed(3)}  p95 ${p95(xs).toFixed(3)}  max ${Math.max(...xs).toFixed(3)} ms`);
  stage('(a) turnaround: reply written -> next request at sim', r.a);
  stage('(b) request -> reply, master side', r.b);
  stage('overhead = cycle at the sim (sim processing + (a))', r.overhead);
  stage('cycle at the master (check: same mean)', r.masterCycle);
  stage('  sim: request first byte -> reply to port.write()', r.simProc);
  stage('  pty: reply port.write() (sim) -> reply chunk at master', r.replyTransit);
  stage('  master: reply chunk -> reply handed on (decode, accept)', r.decodeAccept);
  stage('  master: handed on -> next request to transport.write', r.afterHandOn);
  stage('    of which store.save()', r.save.length ? r.save : [NaN]);
  stage('  pty: request transport.write -> first byte at sim', r.requestTransit);
  stage('master turnaround: reply chunk -> next request write', r.masterTurn);
  stage('  (sim: port.write() -> its callback)', r.writeCb);
  log(`  the simulator's write callback came after the master had the reply in ${r.lateCb} of ${r.a.length} exchanges`);
  log(
    `  master's own rttMs (Date.now, whole ms): median ${median(r.rtt)} p95 ${p95(r.rtt)} mean ${mean(r.rtt).toFixed(3)} (our (b) mean ${mean(r.b).toFixed(3)})`,
  );
  return r;
}

/** `<figure> median` and `<figure> p95`, both with mean, p99 and max alongside. */
function emitLatency(figure: string, xs: number[], extra: Record<string, unknown>): void {
  const spread = { n: xs.length, mean: round3(mean(xs)), p99: round3(quantile(xs, 0.99)), max: round3(Math.max(...xs)) };
  emit(`${figure} median`, 'ms', round3(median(xs)), { ...extra, ...spread });
  emit(`${figure} p95`, 'ms', round3(p95(xs)), { ...extra, ...spread });
}

/** Line efficiency at each baud rate for the median and the p95 overhead, and whether the goals are met. */
function emitEfficiency(prefix: string, overhead: number[], extra: Record<string, unknown>): void {
  const om = median(overhead);
  const op = p95(overhead);
  for (const baud of BAUDS) {
    const goal = GOALS[baud];
    const e = { ...extra, baud, wireMs: round3(wireMs(baud)), bytes: REQUEST_BYTES + REPLY_BYTES };
    emit(`${prefix}efficiency ${baud} baud (median overhead)`, 'ratio', round4(efficiency(baud, om)), {
      ...e,
      overheadMs: round3(om),
      atMeanOverhead: round4(efficiency(baud, mean(overhead))),
    });
    emit(`${prefix}efficiency ${baud} baud (p95 overhead)`, 'ratio', round4(efficiency(baud, op)), {
      ...e,
      overheadMs: round3(op),
      ...(goal ? { goal, met: efficiency(baud, op) >= goal } : {}),
    });
  }
  const met = op < OVERHEAD_P95_GOAL_MS && BAUDS.every((b) => !GOALS[b] || efficiency(b, op) >= GOALS[b]);
  emit(`${prefix}overhead p95 goal`, 'ms', round3(op), { ...extra, goal: OVERHEAD_P95_GOAL_MS, goals: GOALS, met });
  log(
    `${prefix || 'in-process master: '}p95 overhead ${op.toFixed(3)} ms -> goals ${met ? 'MET' : 'NOT met'} (${BAUDS.map((b) => `${b}: ${efficiency(b, op).toFixed(4)}`).join(', ')})`,
  );
}

function emitRun(r: RunResult, store: 'file' | 'memory', main: boolean): void {
  const base = {
    rounds: ROUNDS,
    timerWaitsLeftOut: r.timerWaits,
    devices: ADDRESSES.length,
    replyBytes: REPLY_BYTES,
    events: 10,
    link: 'serial pty (socat)',
    master: 'in the bench process',
    store,
  };
  const sfx = main ? '' : ` (${store} store)`;
  emitLatency(`turnaround (a)${sfx}`, r.a, {
    ...base,
    from: 'reply written at the simulator',
    to: 'first byte of the next request at the simulator',
    roundMedians: r.roundMedians.a.map(round3),
  });
  emitLatency(`request-reply (b)${sfx}`, r.b, {
    ...base,
    from: 'request written by the master',
    to: 'last reply byte at the master',
    masterRttMsMedian: median(r.rtt),
    masterRttMsMean: round3(mean(r.rtt)),
    roundMedians: r.roundMedians.b.map(round3),
  });
  emitLatency(`overhead per exchange${sfx}`, r.overhead, {
    ...base,
    includes: 'the whole exchange cycle on the pty: simulator processing + (a)',
    masterCycleMedian: round3(median(r.masterCycle)),
    roundMedians: r.roundMedians.overhead.map(round3),
  });
  emitLatency(`master turnaround${sfx}`, r.masterTurn, { ...base, from: 'reply chunk at the master transport', to: 'next request to transport.write' });
  if (!main) return;
  for (const [name, xs] of [
    ['sim processing', r.simProc],
    ['pty reply transit', r.replyTransit],
    ['master decode+accept', r.decodeAccept],
    ['master after hand-on to next write', r.afterHandOn],
    ['store.save', r.save],
    ['pty request transit', r.requestTransit],
  ] as const)
    if (xs.length) emit(`breakdown: ${name} median`, 'ms', round3(median(xs)), { n: xs.length, p95: round3(p95(xs)), store });
  emitEfficiency('', r.overhead, { store, master: 'in the bench process' });
}

// ---------------------------------------------------------------------------------------------
// Part 2: a real Node-RED
// ---------------------------------------------------------------------------------------------

/** utime and stime of `pid` in clock ticks (summed over its threads by the kernel). */
function cpuTicks(pid: number): { user: number; sys: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
  return { user: Number(f[14 - 3]), sys: Number(f[15 - 3]) };
}

async function runNodeRed(lib: Lib): Promise<void> {
  if (!fs.existsSync('/proc/self/stat')) {
    log('no /proc: the Node-RED CPU figure is skipped');
    return;
  }
  let redJs: string;
  try {
    redJs = require.resolve('node-red/red.js', { paths: [ROOT] });
  } catch {
    return fail('node-red (devDependency) is not installed: npm install');
  }
  const clk = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  if (!(clk > 0)) await fail('getconf CLK_TCK gave no number');
  const pair = await newPair();
  const totalPolls = NR_WARMUP_POLLS + NR_ROUNDS * NR_POLLS + 4000;
  const sim = makeSimulator(lib, 10, Math.ceil((totalPolls * 10) / ADDRESSES.length));
  cleanups.push(() => sim.close());
  await sim.openSerial({ path: pair.b, baudRate: 9600 });
  const stamps = stampSimulator(sim);
  let polls = 0;
  let onPoll: (() => void) | null = null;
  const perDevice: Record<number, number> = {};
  sim.on('request', (f) => {
    if (f.cmd !== 0x10) return;
    polls++;
    perDevice[f.dst] = (perDevice[f.dst] ?? 0) + 1;
    onPoll?.();
  });
  let replyBytesOk = true;
  sim.on('reply', (b) => {
    if (b.length !== REPLY_BYTES) replyBytesOk = false;
  });

  const flows = [
    { id: 'tab1', type: 'tab', label: 'line bench' },
    {
      id: 'line1',
      type: 'mara-line',
      name: 'bench',
      transport: 'serial',
      host: '127.0.0.1',
      port: 9761,
      serialPath: pair.a,
      baud: 9600,
      dataBits: 8,
      parity: 'none',
      stopBits: 1,
      masterAddress: 64,
      devices: ADDRESSES.map((address) => ({ address, name: `ied${address}`, pollInterval: 0.001, timeout: 1000, retries: 3 })),
      pehInterval: 60,
      pehOnConnect: true,
      utc: false,
      maxQueue: 100,
      persist: true,
    },
    { id: 'poll1', type: 'mara-poll', z: 'tab1', name: '', line: 'line1', x: 160, y: 80, wires: [[], []] },
  ];
  // the same launcher as the browser tests: package linked into a temp userDir, Node-RED 4.1 on a free port
  const red = await startNodeRed(flows, {}, { logging: { console: { level: 'info' } } }).catch((e: Error) => fail(e.message));
  cleanups.push(() => red.stop());
  const proc = red.proc;
  if (proc.pid !== undefined) children.add(proc.pid);
  cleanups.push(async () => {
    if (proc.pid !== undefined) children.delete(proc.pid);
  });
  log(`Node-RED: userDir ${red.userDir}, port ${red.port}, serial ${pair.a}`);
  const output = () => red.output().slice(-10_000);
  const alive = () => proc.exitCode === null && proc.signalCode === null;
  const pid = proc.pid;
  if (pid === undefined) return fail(`Node-RED did not start:\n${output()}`);

  const t0 = nowMs();
  try {
    await until(() => polls >= NR_WARMUP_POLLS || !alive(), 30_000, `${NR_WARMUP_POLLS} polls from Node-RED`);
  } catch (e) {
    await fail(`${(e as Error).message} (${polls} so far). Node-RED said:\n${output()}`);
  }
  if (!alive()) await fail(`Node-RED exited (${proc.exitCode ?? proc.signalCode}). It said:\n${output()}`);
  log(`Node-RED polling after ${((nowMs() - t0) / 1000).toFixed(1)} s; ${NR_ROUNDS} rounds of ${NR_POLLS} polls`);

  const perK: number[] = [];
  const rates: number[] = [];
  const util: number[] = [];
  const userShare: number[] = [];
  const a: number[] = [];
  const overhead: number[] = [];
  let lateCb = 0;
  for (let k = 0; k < NR_ROUNDS; k++) {
    const startAt = polls + 1;
    const { ticks, user, ms } = await new Promise<{ ticks: number; user: number; ms: number }>((resolve, reject) => {
      let c0 = { user: 0, sys: 0 };
      let w0 = 0;
      const timer = setTimeout(() => reject(new Error(`round ${k}: ${NR_POLLS} polls did not come within 30 s`)), 30_000);
      onPoll = () => {
        if (polls === startAt) {
          c0 = cpuTicks(pid);
          w0 = nowMs();
        } else if (polls === startAt + NR_POLLS) {
          const c1 = cpuTicks(pid);
          onPoll = null;
          clearTimeout(timer);
          resolve({ ticks: c1.user + c1.sys - c0.user - c0.sys, user: c1.user - c0.user, ms: nowMs() - w0 });
        }
      };
    }).catch((e: Error) => fail(`${e.message}. Node-RED said:\n${output()}`));
    // exchanges startAt..startAt+NR_POLLS-1 (1-based poll numbers), as seen by the simulator
    for (let p = startAt - 1; p < startAt - 1 + NR_POLLS - 1; p++) {
      a.push(stamps.sD[p + 1] - stamps.sW[p]);
      overhead.push(stamps.sD[p + 1] - stamps.sD[p]);
      if (stamps.sWcb[p] > stamps.sD[p + 1]) lateCb++;
    }
    const cpuMs = (ticks * 1000) / clk;
    perK.push((cpuMs * 1000) / NR_POLLS);
    userShare.push(ticks ? user / ticks : NaN);
    rates.push((NR_POLLS * 1000) / ms);
    util.push(cpuMs / ms);
    log(
      `  round ${k + 1}: ${ticks} ticks (${user} user) = ${cpuMs.toFixed(0)} ms CPU for ${NR_POLLS} polls in ${ms.toFixed(0)} ms (${rates[k].toFixed(0)} polls/s, Node-RED at ${(100 * util[k]).toFixed(0)} % of a CPU)`,
    );
  }
  if (!replyBytesOk) await fail(`a reply was not ${REPLY_BYTES} bytes`);
  if (sim.stats.devices.replays || stamps.sW.length < stamps.sD.length - 1)
    await fail(`the Node-RED line was not clean: ${sim.stats.devices.replays} replays, ${stamps.sD.length} polls, ${stamps.sW.length} replies`);
  const bad = a.filter((x) => !(x >= 0)).length + overhead.filter((x) => !(x >= 0)).length;
  if (bad) await fail(`${bad} negative or missing intervals: misaligned simulator stamps in the Node-RED run`);
  log(`  the simulator's write callback came after the next request had arrived in ${lateCb} of ${a.length} exchanges`);
  const polledDevices = ADDRESSES.filter((a) => (perDevice[a] ?? 0) > 0).length;
  log(`  polls per device ${JSON.stringify(perDevice)}`);
  const complaints = output()
    .split('\n')
    .filter((l) => /\[(warn|error)\]/.test(l) && !/Projects disabled|unencrypted credentials/.test(l));
  if (complaints.length) log(`Node-RED said:\n${complaints.join('\n')}`);
  emit('Node-RED CPU per 1000 polls', 'ms', round3(median(perK)), {
    n: NR_ROUNDS,
    polls: NR_POLLS,
    min: round3(Math.min(...perK)),
    max: round3(Math.max(...perK)),
    clkTck: clk,
    pollsPerS: Math.round(median(rates)),
    cpuShare: round3(median(util)),
    userShare: round3(median(userShare)),
    devices: ADDRESSES.length,
    devicesPolled: polledDevices,
    replyBytes: REPLY_BYTES,
    events: 10,
    link: 'serial pty (socat), simulator in the bench process',
    persist: true,
    nodeRed: require(path.join(path.dirname(redJs), 'package.json')).version,
  });
  // The same exchanges timed at the simulator: the master here is the real mara-line node in its own process.
  const base = {
    devices: ADDRESSES.length,
    replyBytes: REPLY_BYTES,
    events: 10,
    link: 'serial pty (socat)',
    master: 'Node-RED mara-line node (own process)',
    store: 'file',
  };
  log(
    `  Node-RED master, at the simulator: (a) median ${median(a).toFixed(3)} p95 ${p95(a).toFixed(3)} | overhead median ${median(overhead).toFixed(3)} p95 ${p95(overhead).toFixed(3)} mean ${mean(overhead).toFixed(3)} max ${Math.max(...overhead).toFixed(3)} ms`,
  );
  emitLatency('Node-RED: turnaround (a)', a, { ...base, from: 'reply written at the simulator', to: 'first byte of the next request at the simulator' });
  emitLatency('Node-RED: overhead per exchange', overhead, { ...base, includes: 'the whole exchange cycle on the pty: simulator processing + (a)' });
  emitEfficiency('Node-RED: ', overhead, { store: 'file', master: 'Node-RED mara-line node (own process)' });
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (!socatAvailable()) {
    log(`${SOCAT_MISSING}: the line bench needs a pty pair; no figures`);
    return;
  }
  const t0 = nowMs();
  const lib = await loadLib();
  const file = await runInProcess(lib, 'file');
  const memory = await runInProcess(lib, 'memory');
  emitRun(file, 'file', true);
  emitRun(memory, 'memory', false);
  await runNodeRed(lib);
  await cleanup();
  log(`done in ${((nowMs() - t0) / 1000).toFixed(1)} s`);
}

main().catch(async (e) => {
  await fail((e as Error).stack ?? String(e));
});
