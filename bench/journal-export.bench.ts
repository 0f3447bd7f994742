/**
 * Journal export benchmark: `npm run bench -- journal-export` (also run by `npm run bench -- journal`).
 *
 * stdout: one JSON line per figure, nothing else. Progress and notes go to stderr.
 *
 * A 10^6-row journal is generated in one transaction (rows first, indexes after, as bench/journal.bench.ts
 * does) by a child process, then exported whole to a file by a fresh child per format, CSV then XLSX, through
 * `exportJournal` (keyset pages of 2 000, the file's write stream with its backpressure): rows/s of each (and
 * the CPU time of all the child's threads), the file size, and the child's peak RSS and heap during the export
 * (process.memoryUsage sampled every 20 ms; the export yields to the event loop between pages, so the sampler
 * runs), beside its RSS before it. Each export in its own process, so no figure carries what the generation or
 * the other export left. Bounded memory shows as a peak that does not grow with the rows (compare
 * MARA_BENCH_EXPORT_ROWS=100000).
 *
 * The code is measured from the sources (tsx): the cost is SQLite's reads, the formatting and zlib's.
 * The XLSX zip is yazl's; this file at commit 4b6d5ef measured it beside the hand-written writer it replaced
 * (docs/journal.md, "The zip: yazl").
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { exportJournal, openJournal, type ExportFormat } from '../lib/journal';
import { APPLICATION_ID, SCHEMA_INDEXES, SCHEMA_TABLES, SCHEMA_VERSION } from '../lib/journal/schema';
import { openDatabase } from '../lib/journal/sqlite';
import { gc, nowMs, reporter, round3 } from './common';

const rep = reporter('journal-export', 'ts');
const { log, emit } = rep;
const ROWS = Number(process.env.MARA_BENCH_EXPORT_ROWS ?? 1_000_000);
const [, , role, roleFile, roleFormat] = process.argv;
const T0 = 1_800_000_000_000;
const MB = (n: number) => round3(n / 1e6);

const INSERT = `INSERT INTO events (line, device, reply_key, idx, type, device_time, device_iso, received_at, tag, description, state_text, value, raw, quality, severity, attended_by, attended_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const TEXTS = ['CERRADO', 'ABIERTO', 'ACTUADA', 'NORMAL'];

function generate(file: string): void {
  const db = openDatabase(file);
  db.exec(
    `PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; ${SCHEMA_TABLES} PRAGMA application_id = ${APPLICATION_ID}; PRAGMA user_version = ${SCHEMA_VERSION};`,
  );
  db.exec('PRAGMA cache_size = -200000');
  const ins = db.prepare(INSERT);
  const raw = Buffer.alloc(10);
  const t = nowMs();
  db.exec('BEGIN');
  for (let n = 0; n < ROWS; n++) {
    raw.writeUInt32BE(n, 0);
    const alarm = n % 100 === 7;
    const ms = n % 1000;
    const sec = Math.floor(n / 1000) % 60;
    ins.run(
      `L${1 + (n % 4)}`,
      1 + (n % 16),
      `${Math.floor(n / 10)}`,
      n % 10,
      n % 50 === 3 ? 'comsys' : 'digital',
      JSON.stringify([2026, 12, 3, 10, 20, sec, Math.floor((ms * 32768) / 1000)]),
      `2026-12-03T10:20:${String(sec).padStart(2, '0')}.${String(ms).padStart(3, '0')}`,
      T0 + n * 10,
      `E4${n % 32}5${n % 7}B0${n % 9}`,
      `Interruptor de la celda ${n % 32}, barra ${n % 3}`,
      TEXTS[n % 4],
      n & 1,
      raw,
      'good',
      alarm ? 2 : 0,
      alarm && n < ROWS * 0.9 ? 'operador' : null,
      alarm && n < ROWS * 0.9 ? T0 + n * 10 + 5000 : null,
    );
  }
  db.exec(SCHEMA_INDEXES);
  db.exec('COMMIT');
  db.close();
  log(`generated ${ROWS} rows in ${Math.round(nowMs() - t)} ms`);
}

async function exportOnce(file: string, format: ExportFormat): Promise<void> {
  const j = openJournal(file);
  const target = path.join(path.dirname(file), `export.${format}`);
  gc();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > peakRss) peakRss = m.rss;
    if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
  }, 20);
  const out = fs.createWriteStream(target);
  const cpu0 = process.cpuUsage();
  const t = nowMs();
  const res = await exportJournal(j, out, { format });
  out.end();
  await once(out, 'close');
  const ms = nowMs() - t;
  // every thread's: the deflate runs in the thread pool
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  j.close();
  if (res.rows !== ROWS) rep.fail(`${format}: ${res.rows} rows exported of ${ROWS}`);
  const size = fs.statSync(target).size;
  if (size !== res.bytes) rep.fail(`${format}: the file has ${size} bytes, the export wrote ${res.bytes}`);
  if (format === 'csv') {
    let lines = 0;
    for await (const chunk of fs.createReadStream(target)) for (const b of chunk as Buffer) if (b === 10) lines++;
    if (lines !== ROWS + 1) rep.fail(`csv: ${lines} lines for ${ROWS} rows and a header`);
  }
  const extra = { rows: ROWS, binding: j.binding, pageSize: 2000, ms: Math.round(ms), cpuMs: Math.round((cpu.user + cpu.system) / 1000) };
  emit(`export to ${format.toUpperCase()}`, 'rows/s', Math.round(ROWS / (ms / 1000)), extra);
  emit(`${format.toUpperCase()} file size`, 'MB', MB(size), { rows: ROWS, sheets: res.sheets });
  emit(`peak RSS during the ${format.toUpperCase()} export`, 'MB', MB(peakRss), { rows: ROWS, rssBefore: MB(base.rss) });
  emit(`peak heap used during the ${format.toUpperCase()} export`, 'MB', MB(peakHeap), { rows: ROWS, heapBefore: MB(base.heapUsed) });
  fs.rmSync(target);
}

/** Runs this file again as a child for one step (its figures go straight to stdout). */
function child(...args: string[]): void {
  const r = spawnSync(process.execPath, [...process.execArgv, __filename, ...args], { stdio: 'inherit', env: process.env });
  if (r.status !== 0) rep.fail(`step ${args.join(' ')} failed (${r.status ?? r.signal})`);
}

async function main(): Promise<void> {
  if (role === '--generate') return generate(roleFile);
  if (role === '--export') return exportOnce(roleFile, roleFormat as ExportFormat);
  log(`Node ${process.version}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mara-export-bench-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'big.sqlite');
  child('--generate', file);
  child('--export', file, 'csv');
  child('--export', file, 'xlsx');
}

main().catch((e) => rep.fail((e as Error).stack ?? String(e)));
