/**
 * Reads an .xlsx / .xls with SheetJS outside this process's heap, so that a crafted file can hurt only a disposable
 * reader: SheetJS 0.18.5 (the newest on npm) has unfixed advisories (CVE-2023-30533 prototype pollution while
 * reading, CVE-2024-22363 ReDoS).
 *
 * Containment:
 *  - one fresh reader per file: a child process (default; `node --max-old-space-size=256 -e <source>`, IPC with
 *    the V8 serializer) or a worker thread (`isolation: 'thread'`, `resourceLimits`), killed / terminated after a
 *    wall-clock timeout; whatever it polluted dies with it. The child process is the default because a worker
 *    thread that runs out of heap can abort the whole process ("FATAL ERROR: Reached heap limit",
 *    nodejs/node#47224: reproduced here with a 3 MB workbook of long texts at the default limits); a child dies
 *    alone and the load reports a problem;
 *  - the reader's zip inflater is Node's zlib with a budget on the total decompressed size (zip bombs; SheetJS's
 *    own inflater trusts the sizes declared in the archive), and rows per sheet are capped while parsing
 *    (SheetJS `sheetRows`), columns after it;
 *  - only zip (xlsx) and OLE2 (xls) containers reach SheetJS: the caller sniffs the bytes first, so none of its
 *    text parsers (CSV, HTML, SYLK, XML 2003, …) ever run on the input;
 *  - what comes back is plain data built with fixed keys: sheet names (strings) and rows of primitive cell values,
 *    plus the fill colours of the colour sheet; (de)serialisation copies no prototype, no accessor, and the reply
 *    is checked for its shape before use.
 *
 * The reader (workbook-reader.js) runs from source text (`-e` / `eval: true`), so the same code works from dist/
 * (compiled JS) and from the TypeScript sources under tsx with no loader: it gets no execArgv, no NODE_OPTIONS,
 * and requires SheetJS by the absolute path resolved here. The build copies the file to dist/.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { deserialize } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { Cell, CellError, RowSet } from './sheet-rows';

/** One sheet as the reader returns it. Row r of `rows` is workbook row r + 1. */
export interface RawSheet {
  name: string;
  rows: (string | number | boolean)[][];
  /** Cells holding an Excel error value: [row index, column index, '#DIV/0!' …]. */
  errors: [number, number, string][];
  /** '#rrggbb' background fill per cell, for the sheets asked for (the colour sheet); else null. */
  fills: (string | null)[][] | null;
  /** More rows than maxRows data rows: the rest was not read. */
  truncatedRows: boolean;
  /** Cells beyond maxCols columns were dropped. */
  truncatedCols: boolean;
  /** Cells longer than maxCellChars, read as empty: [row index, column index, length]. */
  longCells?: [number, number, number][];
}

export interface WorkerReadOptions {
  maxRows: number;
  maxCols: number;
  maxUnzippedBytes: number;
  timeoutMs: number;
  resourceLimits: NonNullable<ConstructorParameters<typeof Worker>[1]>['resourceLimits'];
  /** 'process' (default): a child process with --max-old-space-size; 'thread': a worker thread with resourceLimits. */
  isolation?: 'process' | 'thread';
  /** Lower-case names of the sheets to return. */
  sheets: string[];
  /** Lower-case sheet names whose cell fills are wanted. */
  fillSheets: string[];
  /** Longest text of one cell, in characters: a longer cell is not read (a problem names it). */
  maxCellChars: number;
  /** Largest reply, in bytes, serialised: checked in the reader before sending and here before deserialising. */
  maxReplyBytes: number;
}

/** Epoch ms (sub-ms resolution) at the worker's milestones, for the benchmark. */
export interface ReaderStamps {
  required: number;
  read: number;
  styled: number;
  extracted: number;
}

export type WorkerReadResult = { ok: true; sheets: RawSheet[]; stamps?: ReaderStamps } | { ok: false; message: string };

/** The reader's reply would exceed maxReplyBytes: `message` starts with this and names the sheet and cell. */
export const REPLY_TOO_LARGE = 'REPLY_TOO_LARGE';

/** A sheet from the worker as rows of cells: row 1 the labels, error cells as CellError. */
export function rawToRowSet(s: RawSheet): RowSet {
  const rows: Cell[][] = s.rows as Cell[][];
  for (const [r, c, text] of s.errors) if (rows[r] && c < rows[r].length) rows[r][c] = new CellError(String(text));
  return { name: s.name, labels: rows[0] ?? [], rows: rows.slice(1), fills: s.fills ? s.fills.slice(1) : undefined };
}

/* The reader's source (workbook-reader.js, plain CommonJS next to this file, copied to dist/ by the build): read
 * once, on the first load, and run as text (`-e` / `eval: true`). */
let readerSource: string | null = null;
function workerSource(): string {
  return (readerSource ??= fs.readFileSync(path.join(__dirname, 'workbook-reader.js'), 'utf8'));
}

let xlsxPath: string | null = null;
let cpexcelPath: string | null = null;
let live = 0;

/** Readers (threads or processes) started and not yet exited: terminated on timeout, or done. */
export function liveReaders(): number {
  return live;
}

/**
 * Parses workbook bytes in a fresh reader: a child process (`isolation: 'process'`, the default) or a worker
 * thread. The buffer may be transferred (detached): pass a copy you own.
 */
export function readInWorker(bytes: Uint8Array, o: WorkerReadOptions): Promise<WorkerReadResult> {
  try {
    xlsxPath ??= require.resolve('xlsx');
    cpexcelPath ??= require.resolve('xlsx/dist/cpexcel.js');
  } catch (e) {
    return Promise.resolve({ ok: false, message: `SheetJS (xlsx) is not installed: ${(e as Error).message}` });
  }
  const job = {
    bytes,
    xlsxPath,
    cpexcelPath,
    sheets: o.sheets,
    maxRows: o.maxRows,
    maxCols: o.maxCols,
    maxUnzippedBytes: o.maxUnzippedBytes,
    fillSheets: o.fillSheets,
    maxCellChars: o.maxCellChars,
    maxReplyBytes: o.maxReplyBytes,
  };
  return o.isolation === 'thread' ? inThread(job, o) : inProcess(job, o);
}

type Job = Record<string, unknown> & { bytes: Uint8Array };

function settle(resolve: (r: WorkerReadResult) => void, stop: () => void, timeoutMs: number) {
  let settled = false;
  const timer = setTimeout(() => done({ ok: false, message: 'TIMEOUT' }), timeoutMs);
  function done(r: WorkerReadResult): void {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    stop();
    resolve(r);
  }
  return done;
}

function inThread(job: Job, o: WorkerReadOptions): Promise<WorkerReadResult> {
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(workerSource(), {
        eval: true,
        execArgv: [],
        argv: [],
        env: {},
        stdout: true,
        stderr: true,
        resourceLimits: o.resourceLimits,
        workerData: job,
        transferList: [job.bytes.buffer as ArrayBuffer],
      });
    } catch (e) {
      resolve({ ok: false, message: `cannot start the workbook reader: ${(e as Error).message}` });
      return;
    }
    live++;
    worker.once('exit', () => live--);
    // SheetJS logs to the console on odd records: keep a crafted file from writing to ours
    worker.stdout.resume();
    worker.stderr.resume();
    const done = settle(resolve, () => void worker.terminate().catch(() => undefined), o.timeoutMs);
    worker.on('message', (m: unknown) => done(unpack(m, o.maxReplyBytes)));
    worker.on('error', (e: Error & { code?: string }) =>
      done({ ok: false, message: e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'OUT_OF_MEMORY' : `reader failed: ${String(e.message).slice(0, 300)}` }),
    );
    worker.on('exit', (code) => done({ ok: false, message: `reader exited (code ${code}) without an answer` }));
  });
}

function inProcess(job: Job, o: WorkerReadOptions): Promise<WorkerReadResult> {
  return new Promise((resolve) => {
    const lim = o.resourceLimits ?? {};
    const args: string[] = [];
    if (lim.maxOldGenerationSizeMb) args.push(`--max-old-space-size=${Math.max(1, Math.floor(lim.maxOldGenerationSizeMb))}`);
    if (lim.maxYoungGenerationSizeMb) args.push(`--max-semi-space-size=${Math.max(1, Math.floor(lim.maxYoungGenerationSizeMb / 3))}`);
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [...args, '-e', workerSource()], {
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        serialization: 'advanced',
        // nothing of ours: no NODE_OPTIONS (no --import tsx, no inspector), Windows needs SystemRoot to start
        env: process.platform === 'win32' ? { SystemRoot: process.env.SystemRoot ?? '' } : {},
        windowsHide: true,
      });
    } catch (e) {
      resolve({ ok: false, message: `cannot start the workbook reader: ${(e as Error).message}` });
      return;
    }
    live++;
    let exited = false;
    child.once('exit', () => {
      exited = true;
      live--;
    });
    // the tail of stderr tells a V8 out-of-memory abort from other deaths; nothing of it reaches our console
    let errTail = '';
    child.stderr?.setEncoding('latin1');
    child.stderr?.on('data', (d: string) => (errTail = (errTail + d).slice(-4096)));
    const done = settle(resolve, () => (exited ? undefined : child.kill('SIGKILL')), o.timeoutMs);
    child.on('message', (m: unknown) => done(unpack(m, o.maxReplyBytes)));
    child.on('error', (e: Error) =>
      done({
        ok: false,
        message: `cannot start the workbook reader (${process.execPath}): ${String(e.message).slice(0, 300)}; isolation 'thread' needs no child process`,
      }),
    );
    child.on('close', (code, signal) =>
      done(
        /heap out of memory|Reached heap limit|Allocation failed/i.test(errTail)
          ? { ok: false, message: 'OUT_OF_MEMORY' }
          : { ok: false, message: `reader exited (${signal ?? `code ${code}`}) without an answer` },
      ),
    );
    child.send(job, (e) => {
      if (e) done({ ok: false, message: `cannot hand the workbook to the reader: ${e.message}` });
    });
  });
}

/** The reader's serialised reply, deserialised only when it is bytes within the size limit. */
function unpack(m: unknown, maxReplyBytes: number): WorkerReadResult {
  if (!(m instanceof Uint8Array)) return { ok: false, message: 'malformed reply from the reader' };
  const bytes = m;
  if (bytes.byteLength > maxReplyBytes) return { ok: false, message: `${REPLY_TOO_LARGE}: the reply is ${bytes.byteLength} bytes` };
  let v: unknown;
  try {
    v = deserialize(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch {
    return { ok: false, message: 'malformed reply from the reader' };
  }
  return checkReply(v);
}

/** The reply as data of the expected shape, whatever the worker sent. */
function checkReply(m: unknown): WorkerReadResult {
  if (typeof m !== 'object' || m === null) return { ok: false, message: 'malformed reply from the reader' };
  const r = m as { ok?: unknown; message?: unknown; sheets?: unknown };
  if (r.ok !== true) return { ok: false, message: typeof r.message === 'string' ? r.message : 'reader failed' };
  if (!Array.isArray(r.sheets)) return { ok: false, message: 'malformed reply from the reader' };
  const sheets: RawSheet[] = [];
  for (const s of r.sheets as unknown[]) {
    if (typeof s !== 'object' || s === null) return { ok: false, message: 'malformed reply from the reader' };
    const x = s as Record<string, unknown>;
    if (typeof x.name !== 'string' || !Array.isArray(x.rows) || !Array.isArray(x.errors)) return { ok: false, message: 'malformed reply from the reader' };
    sheets.push({
      name: x.name,
      rows: x.rows as RawSheet['rows'],
      errors: x.errors as RawSheet['errors'],
      fills: Array.isArray(x.fills) ? (x.fills as RawSheet['fills']) : null,
      truncatedRows: x.truncatedRows === true,
      truncatedCols: x.truncatedCols === true,
      longCells: Array.isArray(x.longCells) ? (x.longCells as [number, number, number][]) : [],
    });
  }
  const st = r as { stamps?: Record<string, unknown> };
  const stamps =
    st.stamps && ['required', 'read', 'styled', 'extracted'].every((k) => typeof st.stamps![k] === 'number')
      ? { required: st.stamps.required as number, read: st.stamps.read as number, styled: st.stamps.styled as number, extracted: st.stamps.extracted as number }
      : undefined;
  return { ok: true, sheets, stamps };
}
