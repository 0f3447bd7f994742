/**
 * Journal benchmark: `npm run bench -- journal`.
 *
 * stdout: one JSON line per figure, nothing else. Progress and notes go to stderr.
 *
 *  1. Appends through the journal (`SqliteJournal.append`: validation, the read-only check, one transaction per
 *     reply of 10 events with the line's state row) against a bare insert loop on the same binding, same schema
 *     and same transaction shape (BEGIN IMMEDIATE, 10 inserts, 1 state upsert, COMMIT), no journal code:
 *     events/s of each and the ratio journal/bare (goal ≥ 0.5), with synchronous=NORMAL (the default) and FULL.
 *     The two alternate round by round (and which one goes first alternates); medians are reported.
 *  2. The write-ahead path as the line runs it (bench/journal-line.ts): a MaraMaster polling 8 simulated IEDs over
 *     the in-memory wire, every reply 252 bytes with 10 events, recorded by a JournalStateStore over a real file
 *     before it is acknowledged. Rounds of 2 000 exchanges of each store, and of the bare insert loop of 1., in
 *     rotating order; medians of 5 rounds:
 *      - events/s recorded through the master and the journal against the bare insert loop in the same run
 *        (ratio; goal >= 0.5: the master's own exchange, both ends and the wire's hops are in the first figure);
 *      - the line's efficiency with the journal on against off (MemoryStateStore) and against the state file of
 *        before the journal (FileStateStore): the host's work per exchange at zero wire time is the overhead,
 *        efficiency = wire / (wire + overhead) with wire = 260 bytes x 10 bits / baud, as bench/line.bench.ts
 *        computes it (goal: journal on within 1 % of off, i.e. a ratio >= 0.99);
 *      - the same line with the journal opened with `checkpointMs: 0` (SQLite's own checkpoint inside the commit,
 *        as before the checkpoint timer), same rounds;
 *      - the main thread's cost per reply of the store's save, the journal's commit (JournalStateStore.save with
 *        the AcceptedReply the master gave it) against the state file's write + rename (FileStateStore.save),
 *        replaying the saves recorded from a run of the master: median, mean and p95 µs; the journal's checkpoint
 *        runs between the saves (untimed, reported apart) as its timer would, against SQLite's checkpoint in the
 *        commit; and the same saves through a JournalHub with a listener, as a line of a project commits.
 *  3. A 10^6-row journal of schema 1, generated in one transaction: rows/s of the generation, the first open (the
 *     migration to schema 2: the new tag index, meta 'late'), the open (header check), and the median ms of the
 *     unattended-alarm page, the last-100 page (goal ≤ 5 ms for both), a page in the middle, a device page, the horn
 *     state, and the pages of the other filters the widgets and the events node use (tag prefix, with a type, with
 *     alarms or unattended only, one rare tag, `to` far back, a past range with a tag prefix), each beside the
 *     median of schema 1's query of the same page (its SQL, on the same file before the migration; same ids checked).
 *
 * The code is measured from the sources (tsx): the cost is SQLite's, the journal's own code is thin.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JournalHub, JournalStateStore, bareEvents, openJournal, type EventInput, type JournalQuery, type ReplyInput } from '../lib/journal';
import type { SqliteJournal } from '../lib/journal/sqlite-journal';
import { FileStateStore, MemoryStateStore, type AcceptedReply, type LineState, type StateStore } from '../lib/link/state-store';
import { APPLICATION_ID, SCHEMA, SCHEMA_INDEXES, SCHEMA_TABLES, SCHEMA_VERSION, UNATTENDED } from '../lib/journal/schema';
import { openDatabase, type SqlDatabase } from '../lib/journal/sqlite';
import { gc, mean, median, nowMs, quantile, reporter, round3 } from './common';
import { REPLY_BYTES, REQUEST_BYTES, lineRound, recording, type LineRound } from './journal-line';

const rep = reporter('journal', 'ts');
const { log, emit } = rep;
const ROWS = Number(process.env.MARA_BENCH_JOURNAL_ROWS ?? 1_000_000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mara-journal-bench-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

const T0 = 1_800_000_000_000;
const TIME = { year: 2026, month: 12, day: 3, hour: 10, minute: 20, second: 30, fraction: 16384 };

function events(r: number): EventInput[] {
  return Array.from({ length: 10 }, (_, i) => {
    const raw = Buffer.alloc(10);
    raw.writeUInt32BE(r * 10 + i, 0);
    return {
      type: 'digital',
      deviceTime: TIME,
      raw,
      value: i & 1,
      quality: 'good',
      tag: `BAY${i}.CB`,
      description: 'breaker',
      stateText: i & 1 ? 'closed' : 'open',
      severity: 0,
    };
  });
}

function replyOf(r: number, evs: EventInput[]): ReplyInput {
  return {
    line: 'L1',
    device: 1 + (r % 16),
    replyKey: `${0x20 + (r % 96)}:${r.toString(36)}`,
    receivedAt: T0 + r,
    events: evs,
    state: { [String(1 + (r % 16))]: { seq: 0x20 + ((r + 1) % 96), recent: [`k${r}`] } },
  };
}

const INSERT = `INSERT OR IGNORE INTO events (line, device, reply_key, idx, type, device_time, device_iso, received_at, tag, description, state_text, value, raw, quality, severity)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const UPSERT =
  'INSERT INTO state (line, device, seq, recent) VALUES (?, ?, ?, ?) ON CONFLICT (line, device) DO UPDATE SET seq = excluded.seq, recent = excluded.recent';

function bareDb(file: string, sync: string, schema = SCHEMA): SqlDatabase {
  const db = openDatabase(file);
  db.exec(
    `PRAGMA journal_mode = WAL; PRAGMA synchronous = ${sync}; ${schema} PRAGMA application_id = ${APPLICATION_ID}; PRAGMA user_version = ${SCHEMA_VERSION};`,
  );
  return db;
}

/** The bare insert loop: one transaction per reply (BEGIN IMMEDIATE, its inserts, its state upserts, COMMIT), no journal code; returns events/s. */
function bareWriter(bare: SqlDatabase): (replies: ReplyInput[]) => number {
  const ins = bare.prepare(INSERT);
  const up = bare.prepare(UPSERT);
  const devTime = JSON.stringify([TIME.year, TIME.month, TIME.day, TIME.hour, TIME.minute, TIME.second, TIME.fraction]);
  return (replies) => {
    let n = 0;
    const t = nowMs();
    for (const r of replies) {
      bare.exec('BEGIN IMMEDIATE');
      r.events.forEach((e, i) =>
        ins.run(
          r.line,
          r.device,
          r.replyKey,
          i,
          e.type,
          devTime,
          '2026-12-03T10:20:30.500',
          r.receivedAt,
          e.tag!,
          e.description!,
          e.stateText!,
          e.value!,
          e.raw,
          e.quality,
          0,
        ),
      );
      for (const [d, s] of Object.entries(r.state!)) up.run(r.line, Number(d), s.seq, JSON.stringify(s.recent));
      bare.exec('COMMIT');
      n += r.events.length;
    }
    return n / ((nowMs() - t) / 1000);
  };
}

function appendFigures(sync: 'normal' | 'full', replies: number, rounds: number): void {
  const j = openJournal(path.join(dir, `j-${sync}.sqlite`), { synchronous: sync });
  const bare = bareDb(path.join(dir, `bare-${sync}.sqlite`), sync.toUpperCase());
  const writeBare = bareWriter(bare);
  let next = 0;
  const journalRound = () => {
    const start = next;
    const pre = Array.from({ length: replies }, (_, k) => replyOf(start + k, events(start + k)));
    const t = nowMs();
    for (const r of pre) j.append(r);
    next += replies;
    return (replies * 10) / ((nowMs() - t) / 1000);
  };
  const bareRound = () => {
    const start = next;
    const pre = Array.from({ length: replies }, (_, k) => replyOf(start + k, events(start + k)));
    next += replies;
    return writeBare(pre);
  };
  journalRound();
  bareRound(); // warm-up
  const js: number[] = [];
  const bs: number[] = [];
  for (let k = 0; k < rounds; k++) {
    if (k % 2) {
      bs.push(bareRound());
      js.push(journalRound());
    } else {
      js.push(journalRound());
      bs.push(bareRound());
    }
  }
  const jm = median(js);
  const bm = median(bs);
  const extra = { synchronous: sync, binding: j.binding, eventsPerReply: 10, replies, rounds };
  emit(`append events/s through the journal (${sync})`, 'events/s', Math.round(jm), extra);
  emit(`append events/s, bare insert loop (${sync})`, 'events/s', Math.round(bm), extra);
  emit(`append ratio journal/bare (${sync}; goal >= 0.5)`, 'ratio', round3(jm / bm), extra);
  j.close();
  bare.close();
}

function timeMs(f: () => unknown, runs: number): number {
  for (let i = 0; i < 5; i++) f();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = nowMs();
    f();
    xs.push(nowMs() - t);
  }
  return round3(median(xs));
}

/** The indexes of schema 1 (the bench builds a journal of schema 1 and times its migration on open). */
const SCHEMA_1_INDEXES = SCHEMA_INDEXES.replace(
  /CREATE INDEX IF NOT EXISTS events_tag_filter [^;]*;/,
  'CREATE INDEX IF NOT EXISTS events_tag ON events (tag, id);',
);

/** A page as schema 1's code read it: one statement (prepared per call), the time terms as they are, the tag index forced. */
function schema1Page(db: SqlDatabase, q: JournalQuery): number[] {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const add = (sql: string, ...v: (string | number)[]) => {
    where.push(sql);
    params.push(...v);
  };
  if (q.from !== undefined) add('received_at >= ?', q.from);
  if (q.to !== undefined) add('received_at < ?', q.to);
  if (q.type !== undefined) add('type = ?', q.type);
  if (q.tagPrefix) add('tag >= ? AND tag < ?', q.tagPrefix, q.tagPrefix + '\uffff');
  if (q.unattendedOnly) where.push(UNATTENDED);
  else if (q.alarmsOnly) where.push('severity > 0');
  const from = q.tagPrefix ? 'events INDEXED BY events_tag' : 'events';
  const sql = `SELECT * FROM events WHERE id IN (SELECT id FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?) ORDER BY id DESC`;
  return db
    .prepare(sql)
    .all(...params, (q.limit ?? 100) + 1)
    .map((r) => Number(r.id));
}

function bigJournal(): void {
  const file = path.join(dir, 'big.sqlite');
  // the rows first, the indexes after (one sort each instead of 10^6 inserts into six b-trees), in one transaction;
  // a journal of schema 1, so that the open below times the migration to schema 2 on 10^6 rows
  const db = bareDb(file, 'NORMAL', SCHEMA_TABLES);
  db.exec('PRAGMA cache_size = -200000; PRAGMA user_version = 1');
  const ins = db.prepare(INSERT);
  const devTime = JSON.stringify([TIME.year, TIME.month, TIME.day, TIME.hour, TIME.minute, TIME.second, TIME.fraction]);
  const raw = Buffer.alloc(10);
  log(`generating ${ROWS} rows in one transaction…`);
  const t = nowMs();
  db.exec('BEGIN');
  for (let n = 0; n < ROWS; n++) {
    raw.writeUInt32BE(n, 0);
    // 1 % alarms; the alarms of the oldest 90 % are attended, so about 1 000 stay unattended per 10^6
    const alarm = n % 100 === 7;
    ins.run(
      'L1',
      1 + (n % 16),
      `${Math.floor(n / 10)}`,
      n % 10,
      n % 50 === 3 ? 'comsys' : 'digital',
      devTime,
      '2026-12-03T10:20:30.500',
      T0 + n,
      `BAY${n % 32}.E${n % 7}`,
      'breaker',
      'open',
      n & 1,
      raw,
      'good',
      alarm ? 2 : 0,
    );
  }
  db.exec(`UPDATE events SET attended_by = 'op', attended_at = received_at + 1000 WHERE severity > 0 AND id <= ${Math.floor(ROWS * 0.9)}`);
  db.exec(SCHEMA_1_INDEXES);
  db.exec('COMMIT');
  const genMs = nowMs() - t;
  emit('generate a journal in one transaction', 'rows/s', Math.round(ROWS / (genMs / 1000)), { rows: ROWS, ms: Math.round(genMs) });
  emit('journal file size', 'MB', round3(fs.statSync(file).size / 1e6 + (fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size / 1e6 : 0)), {
    rows: ROWS,
  });

  // the filters of the widgets and the events node beyond the two of the goal: 'BAY7.' is 1 row in 32, with the
  // comsys type or the alarms 1 in 800, 'BAY7.E3' 1 in 224; receive times grow with the id (1 ms apart)
  const at = (f: number) => T0 + Math.floor(ROWS * f);
  const filters: [string, JournalQuery][] = [
    ['tag-prefix page of 100', { tagPrefix: 'BAY7.' }],
    ['tag prefix + type page of 100', { tagPrefix: 'BAY7.', type: 'comsys' }],
    ['tag prefix + alarms only page of 100', { tagPrefix: 'BAY7.', alarmsOnly: true }],
    ['tag prefix + unattended page of 100', { tagPrefix: 'BAY7.', unattendedOnly: true }],
    ['one tag (1 row in 224) page of 100', { tagPrefix: 'BAY7.E3' }],
    ['page of 100 with `to` 90 % back', { to: at(0.1) }],
    ['page of 100 with `to` half-way back', { to: at(0.5) }],
    ['page of 100 in a past range (from, to) + tag prefix', { from: at(0.3), to: at(0.31), tagPrefix: 'BAY7.' }],
  ];
  const before = new Map<string, { ms: number; ids: number[] }>();
  for (const [name, q] of filters) before.set(name, { ms: timeMs(() => schema1Page(db, q), 10), ids: schema1Page(db, q) });
  db.close();

  const t1 = nowMs();
  const j = openJournal(file);
  emit('first open of a schema-1 journal: migration (tag index built, late found)', 'ms', Math.round(nowMs() - t1), { rows: ROWS });
  j.close();
  const t2 = nowMs();
  const j2 = openJournal(file);
  emit('open (header check)', 'ms', Math.round(nowMs() - t2), { rows: ROWS });
  runQueries(j2, filters, before);
  j2.close();
}

function runQueries(j: SqliteJournal, filters: [string, JournalQuery][], before: Map<string, { ms: number; ids: number[] }>): void {
  const extra = { rows: ROWS, binding: j.binding, runs: 50 };
  const unattended = j.query({ unattendedOnly: true, limit: 100 });
  if (unattended.records.length !== 100 || unattended.records.some((r) => r.attendedAt !== null || r.severity === 0)) rep.fail('the unattended page is wrong');
  emit(
    'unattended-alarm page of 100, median (goal <= 5 ms)',
    'ms',
    timeMs(() => j.query({ unattendedOnly: true, limit: 100 }), 50),
    extra,
  );
  emit(
    'last-100 page, median (goal <= 5 ms)',
    'ms',
    timeMs(() => j.query({ limit: 100 }), 50),
    extra,
  );
  const deep = j.query({ limit: 100, beforeId: Math.floor(ROWS / 2) });
  if (deep.records[0].id !== Math.floor(ROWS / 2) - 1) rep.fail('the keyset page is wrong');
  emit(
    'a page of 100 in the middle (beforeId), median',
    'ms',
    timeMs(() => j.query({ limit: 100, beforeId: Math.floor(ROWS / 2) }), 50),
    extra,
  );
  emit(
    'device page of 100, median',
    'ms',
    timeMs(() => j.query({ line: 'L1', device: 5, limit: 100 }), 50),
    extra,
  );
  emit(
    'horn state (count of unattended), median',
    'ms',
    timeMs(() => j.horn(), 50),
    extra,
  );
  for (const [name, q] of filters) {
    const b = before.get(name)!;
    const ids = j.query({ ...q, limit: 100 }).records.map((r) => r.id);
    if (JSON.stringify(ids) !== JSON.stringify(b.ids.slice(0, 100))) rep.fail(`${name}: the page differs from schema 1's`);
    emit(
      `${name}, median`,
      'ms',
      timeMs(() => j.query(q), 50),
      extra,
    );
    emit(`${name}, schema 1's query (10 runs, before this change), median`, 'ms', b.ms, { ...extra, runs: 10 });
  }
}

const BAUDS = [9600, 19200, 115200];
const wireMs = (baud: number) => ((REQUEST_BYTES + REPLY_BYTES) * 10 * 1000) / baud;

/** Figures 2: the master recording through the journal, against the bare loop, no journal, and the state file. */
async function writeAheadFigures(exchanges: number, rounds: number): Promise<void> {
  const j = openJournal(path.join(dir, 'wa.sqlite'));
  // the journal as before: SQLite's own checkpoint inside the commit every 1000 WAL pages
  const jAuto = openJournal(path.join(dir, 'wa-auto.sqlite'), { checkpointMs: 0 });
  const writeBare = bareWriter(bareDb(path.join(dir, 'wa-bare.sqlite'), 'NORMAL'));
  let line = 0;
  let next = 1_000_000;
  const saves: { state: LineState; reply: AcceptedReply }[] = [];
  const stores: Record<'journal' | 'auto' | 'memory' | 'file', () => StateStore> = {
    journal: () => recording(new JournalStateStore(j, `L${++line}`), saves, exchanges),
    auto: () => new JournalStateStore(jAuto, `L${++line}`),
    memory: () => new MemoryStateStore(),
    file: () => new FileStateStore(path.join(dir, `state-${++line}.json`)),
  };
  const kinds = ['journal', 'auto', 'memory', 'file', 'bare'] as const;
  const runs: Record<(typeof kinds)[number], LineRound[]> = { journal: [], auto: [], memory: [], file: [], bare: [] };
  const round = async (kind: (typeof kinds)[number], keep: boolean) => {
    gc();
    let r: LineRound;
    if (kind === 'bare') {
      const start = next;
      next += exchanges;
      const rate = writeBare(Array.from({ length: exchanges }, (_, k) => replyOf(start + k, events(start + k))));
      r = { ms: ((exchanges * 10) / rate) * 1000, exchanges, events: exchanges * 10, short: 0 };
    } else r = await lineRound(stores[kind](), 200, exchanges);
    if (r.short) rep.fail(`${r.short} replies of the ${kind} round were not ${REPLY_BYTES} bytes with 10 events`);
    if (keep) runs[kind].push(r);
  };
  for (const k of kinds) await round(k, false); // warm-up
  for (let k = 0; k < rounds; k++) for (let i = 0; i < kinds.length; i++) await round(kinds[(i + k) % kinds.length], true);
  const recorded = j.count();
  const expected = (rounds + 1) * (200 + exchanges) * 10;
  if (recorded < expected) rep.fail(`the journal holds ${recorded} events, the master handed on at least ${expected}`);

  const rate = (k: (typeof kinds)[number]) => median(runs[k].map((r) => r.events / (r.ms / 1000)));
  const overhead = (k: (typeof kinds)[number]) => median(runs[k].map((r) => r.ms / r.exchanges));
  const extra = { binding: j.binding, synchronous: 'normal', devices: 8, eventsPerReply: 10, exchanges, rounds };
  emit('write-ahead: events/s recorded by the master through the journal', 'events/s', Math.round(rate('journal')), extra);
  emit('write-ahead: events/s of the bare insert loop, same run', 'events/s', Math.round(rate('bare')), extra);
  emit('write-ahead ratio master+journal/bare (goal >= 0.5)', 'ratio', round3(rate('journal') / rate('bare')), extra);
  for (const k of ['journal', 'auto', 'memory', 'file'] as const) {
    emit(`line polls/s at zero wire time, ${k} store`, 'polls/s', Math.round(1000 / overhead(k)), extra);
    emit(`host overhead per exchange, ${k} store`, 'ms', round3(overhead(k)), extra);
  }
  for (const baud of BAUDS) {
    const eff = (k: (typeof kinds)[number]) => wireMs(baud) / (wireMs(baud) + overhead(k));
    emit(`line efficiency at ${baud} baud, journal on`, 'ratio', Math.round(eff('journal') * 1e5) / 1e5, extra);
    emit(`line efficiency at ${baud} baud, journal off (memory)`, 'ratio', Math.round(eff('memory') * 1e5) / 1e5, extra);
    emit(`line efficiency at ${baud} baud, journal on/off (goal >= 0.99)`, 'ratio', Math.round((eff('journal') / eff('memory')) * 1e5) / 1e5, extra);
    emit(`line efficiency at ${baud} baud, journal on/state file`, 'ratio', Math.round((eff('journal') / eff('file')) * 1e5) / 1e5, extra);
    emit(
      `line efficiency at ${baud} baud, journal with SQLite's checkpoint in the commit (before)/off`,
      'ratio',
      Math.round((eff('auto') / eff('memory')) * 1e5) / 1e5,
      extra,
    );
  }

  // the main thread's cost per reply: the same saves replayed into each store, one call timed at a time
  // the replay is one synchronous loop, in which the checkpoint timer cannot fire: it is called between the saves
  // instead, untimed, as often as the timer would on a line at 115200 baud (a reply every 22.6 ms: 44 a second)
  const CHECKPOINT_EVERY = 44;
  const cps: number[] = [];
  const per = (store: StateStore, withReply: boolean, checkpoint?: () => void) => {
    const xs: number[] = [];
    saves.forEach((s, i) => {
      if (checkpoint && i % CHECKPOINT_EVERY === 0) {
        const t = nowMs();
        checkpoint();
        cps.push((nowMs() - t) * 1000);
      }
      const t = nowMs();
      store.save(s.state, withReply ? s.reply : undefined);
      xs.push((nowMs() - t) * 1000);
    });
    return xs;
  };
  const fresh = openJournal(path.join(dir, 'per-reply.sqlite'));
  const freshAuto = openJournal(path.join(dir, 'per-reply-auto.sqlite'), { checkpointMs: 0 });
  per(new JournalStateStore(fresh, 'warm'), true, () => fresh.checkpoint());
  per(new JournalStateStore(freshAuto, 'warm'), true);
  per(new FileStateStore(path.join(dir, 'per-reply-warm.json')), false);
  cps.length = 0;
  gc();
  const jx = per(new JournalStateStore(fresh, 'R'), true, () => fresh.checkpoint());
  gc();
  const ax = per(new JournalStateStore(freshAuto, 'R'), true);
  gc();
  // as a line of a project commits: through the JournalHub, whose listeners (the project's alarms, events nodes) hear each record
  const hub = new JournalHub(fresh);
  hub.subscribe('bench', () => undefined);
  const hx = per(new JournalStateStore(fresh, 'H', bareEvents, hub), true, () => fresh.checkpoint());
  gc();
  const fx = per(new FileStateStore(path.join(dir, 'per-reply.json')), false);
  const pextra = { binding: fresh.binding, replies: saves.length, devices: 8, eventsPerReply: 10 };
  emit('per reply on the main thread: journal commit (JournalStateStore.save), median', 'µs', round3(median(jx)), pextra);
  emit('per reply on the main thread: journal commit, mean', 'µs', round3(mean(jx)), pextra);
  emit('per reply on the main thread: journal commit, p95', 'µs', round3(quantile(jx, 0.95)), pextra);
  emit('per reply through the JournalHub with a listener (a line of a project), median', 'µs', round3(median(hx)), pextra);
  emit('per reply through the JournalHub with a listener, mean', 'µs', round3(mean(hx)), pextra);
  emit(`the timer's checkpoint between replies (every ${CHECKPOINT_EVERY} replies), median`, 'µs', round3(median(cps)), { ...pextra, runs: cps.length });
  emit(`the timer's checkpoint between replies, mean`, 'µs', round3(mean(cps)), { ...pextra, runs: cps.length });
  emit("per reply: journal commit with SQLite's checkpoint in the commit (before), median", 'µs', round3(median(ax)), pextra);
  emit("per reply: journal commit with SQLite's checkpoint in the commit (before), mean", 'µs', round3(mean(ax)), pextra);
  emit("per reply: journal commit with SQLite's checkpoint in the commit (before), p95", 'µs', round3(quantile(ax, 0.95)), pextra);
  emit('per reply on the main thread: state file write + rename (FileStateStore.save), median', 'µs', round3(median(fx)), pextra);
  emit('per reply on the main thread: state file write + rename, mean', 'µs', round3(mean(fx)), pextra);
  emit('per reply on the main thread: state file write + rename, p95', 'µs', round3(quantile(fx, 0.95)), pextra);
  emit('per reply on the main thread: journal commit / state file, medians', 'ratio', round3(median(jx) / median(fx)), pextra);
  fresh.close();
  freshAuto.close();
  jAuto.close();
  j.close();
}

async function main(): Promise<void> {
  log(`Node ${process.version}`);
  appendFigures('normal', 2000, 5);
  appendFigures('full', 500, 5);
  await writeAheadFigures(2000, 5);
  bigJournal();
}

main().catch((e) => rep.fail((e as Error).stack ?? String(e)));
