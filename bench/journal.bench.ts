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
 *  2. A 10^6-row journal, generated in one transaction: rows/s of the generation, the open (header check),
 *     and the median ms of the unattended-alarm page, the last-100 page, a tag-prefix page, a device page and
 *     the horn state (goal ≤ 5 ms for the first two).
 *
 * The code is measured from the sources (tsx): the cost is SQLite's, the journal's own code is thin.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openJournal, type EventInput, type ReplyInput } from '../lib/journal';
import { APPLICATION_ID, SCHEMA, SCHEMA_INDEXES, SCHEMA_TABLES, SCHEMA_VERSION } from '../lib/journal/schema';
import { openDatabase, type SqlDatabase } from '../lib/journal/sqlite';
import { median, nowMs, reporter, round3 } from './common';

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

function appendFigures(sync: 'normal' | 'full', replies: number, rounds: number): void {
  const j = openJournal(path.join(dir, `j-${sync}.sqlite`), { synchronous: sync });
  const bare = bareDb(path.join(dir, `bare-${sync}.sqlite`), sync.toUpperCase());
  const ins = bare.prepare(INSERT);
  const up = bare.prepare(UPSERT);
  const devTime = JSON.stringify([TIME.year, TIME.month, TIME.day, TIME.hour, TIME.minute, TIME.second, TIME.fraction]);
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
    const t = nowMs();
    for (const r of pre) {
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
    }
    next += replies;
    return (replies * 10) / ((nowMs() - t) / 1000);
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

function bigJournal(): void {
  const file = path.join(dir, 'big.sqlite');
  // the rows first, the indexes after (one sort each instead of 10^6 inserts into six b-trees), in one transaction
  const db = bareDb(file, 'NORMAL', SCHEMA_TABLES);
  db.exec('PRAGMA cache_size = -200000');
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
  db.exec(SCHEMA_INDEXES);
  db.exec('COMMIT');
  const genMs = nowMs() - t;
  db.close();
  emit('generate a journal in one transaction', 'rows/s', Math.round(ROWS / (genMs / 1000)), { rows: ROWS, ms: Math.round(genMs) });
  emit('journal file size', 'MB', round3(fs.statSync(file).size / 1e6 + (fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size / 1e6 : 0)), {
    rows: ROWS,
  });

  const t1 = nowMs();
  const j = openJournal(file);
  emit('open (header check)', 'ms', Math.round(nowMs() - t1), { rows: ROWS });
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
    'tag-prefix page of 100, median',
    'ms',
    timeMs(() => j.query({ tagPrefix: 'BAY7.', limit: 100 }), 50),
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
  j.close();
}

log(`Node ${process.version}`);
appendFigures('normal', 2000, 5);
appendFigures('full', 500, 5);
bigJournal();
