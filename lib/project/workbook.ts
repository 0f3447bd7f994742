/**
 * Workbook import (docs/workbook.md §7): `.xlsx` / `.xls` (SheetJS, in a contained worker: workbook-worker.ts), CSV per
 * sheet and the JSON form of the model. Every source becomes rows of cells and goes through the same builder
 * (workbook-build.ts). Nothing here throws or rejects because of its input: whatever is wrong comes back as
 * problems, next to the part of the model that could be imported.
 *
 *   const { model, problems } = await workbook.load('substation.xlsx');
 */
import { promises as fsp } from 'node:fs';
import type { ResourceLimits } from 'node:worker_threads';
import type { Problem, ProjectModel } from './model';
import { emptyModel } from './model';
import { RowSet, parseCsv, sheetKey } from './sheet-rows';
import { SHEET_NAMES, SheetKind } from './sheet-schema';
import { BuildInput, buildModel } from './workbook-build';
import { jsonToRowSets } from './workbook-json';
import { REPLY_TOO_LARGE, RawSheet, rawToRowSet, readInWorker } from './workbook-worker';

export type { RowSet, Cell } from './sheet-rows';
export { CellError, normaliseLabels, parseCsv } from './sheet-rows';

export interface LoadOptions {
  /** Largest file accepted, in bytes (default 20 MiB). */
  maxBytes?: number;
  /** Data rows read per sheet (default 200 000); a longer sheet gives a problem and its first maxRows rows. */
  maxRows?: number;
  /** Columns read per sheet (default 1024). */
  maxCols?: number;
  /** Budget for the decompressed size of all the entries of an .xlsx (default 256 MiB): zip bombs. */
  maxUnzippedBytes?: number;
  /** The reader is terminated after this many ms (default 30 000). */
  timeoutMs?: number;
  /** Longest text of one cell (default 32 767, Excel's own limit): a longer cell is read as empty, with a problem. */
  maxCellChars?: number;
  /** Largest reply of the reader, serialised (default 64 MiB): a workbook whose rows exceed it is not read. */
  maxReplyBytes?: number;
  /**
   * Where SheetJS runs: 'process' (default), a child process (`node --max-old-space-size`), or 'thread', a worker
   * thread with `resourceLimits`. A worker thread that exhausts its heap can abort the whole process
   * ("FATAL ERROR: Reached heap limit", nodejs/node#47224); a child process dies alone.
   */
  isolation?: 'process' | 'thread';
  /**
   * Limits of the reader, merged over { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 48, stackSizeMb: 4 }.
   * A child process gets --max-old-space-size = maxOldGenerationSizeMb and --max-semi-space-size =
   * maxYoungGenerationSizeMb / 3 (stackSizeMb applies to threads only).
   */
  resourceLimits?: ResourceLimits;
}

export interface LoadResult {
  model: ProjectModel;
  problems: Problem[];
}

const MiB = 1024 * 1024;
const DEFAULTS = {
  maxBytes: 20 * MiB,
  maxRows: 200_000,
  maxCols: 1024,
  maxUnzippedBytes: 256 * MiB,
  timeoutMs: 30_000,
  maxCellChars: 32_767,
  maxReplyBytes: 64 * MiB,
};
const DEFAULT_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 48, stackSizeMb: 4 };

function fileProblem(message: string): Problem {
  return { sheet: '', row: null, column: null, message };
}

function failed(problems: Problem[]): LoadResult {
  return { model: emptyModel(), problems };
}

function positive(v: unknown, dflt: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : dflt;
}

/**
 * Reads a workbook (.xlsx or .xls; a file whose content is a JSON object is read as the JSON model) from a path
 * or from bytes. Never rejects: a file it cannot read at all gives one problem (sheet '', row and column null)
 * and an empty model.
 */
export async function load(src: string | Buffer | Uint8Array, opts: LoadOptions = {}): Promise<LoadResult> {
  const problems: Problem[] = [];
  try {
    const o = {
      maxBytes: positive(opts.maxBytes, DEFAULTS.maxBytes),
      maxRows: positive(opts.maxRows, DEFAULTS.maxRows),
      maxCols: positive(opts.maxCols, DEFAULTS.maxCols),
      maxUnzippedBytes: positive(opts.maxUnzippedBytes, DEFAULTS.maxUnzippedBytes),
      timeoutMs: positive(opts.timeoutMs, DEFAULTS.timeoutMs),
      maxCellChars: positive(opts.maxCellChars, DEFAULTS.maxCellChars),
      maxReplyBytes: positive(opts.maxReplyBytes, DEFAULTS.maxReplyBytes),
      resourceLimits: { ...DEFAULT_LIMITS, ...(opts.resourceLimits ?? {}) },
      isolation: opts.isolation === 'thread' ? ('thread' as const) : ('process' as const),
    };
    const bytes = await readBytes(src, o.maxBytes, problems);
    if (!bytes) return failed(problems);
    const kind = sniff(bytes);
    if (kind === 'empty') return failed([fileProblem('the file is empty')]);
    if (kind === 'json') {
      let obj: unknown;
      try {
        obj = JSON.parse(new TextDecoder('utf-8', { fatal: false }).decode(bytes));
      } catch (e) {
        return failed([fileProblem(`not valid JSON: ${(e as Error).message}`)]);
      }
      return loadJson(obj);
    }
    if (kind === null) return failed([fileProblem('not an Excel workbook: the content is neither .xlsx (zip) nor .xls (OLE2 compound file)')]);

    const r = await readInWorker(bytes, {
      maxRows: o.maxRows,
      maxCols: o.maxCols,
      maxUnzippedBytes: o.maxUnzippedBytes,
      timeoutMs: o.timeoutMs,
      maxCellChars: o.maxCellChars,
      maxReplyBytes: o.maxReplyBytes,
      resourceLimits: o.resourceLimits,
      isolation: o.isolation,
      sheets: [...SHEET_NAMES.keys()],
      fillSheets: [...SHEET_NAMES].filter(([, k]) => k === 'color').map(([n]) => n),
    });
    if (!r.ok) {
      const m =
        r.message === 'TIMEOUT'
          ? `timed out: reading the workbook took longer than ${o.timeoutMs} ms (reader terminated)`
          : r.message === 'OUT_OF_MEMORY'
            ? `the workbook needs more memory than the reader may use (maxOldGenerationSizeMb ${o.resourceLimits.maxOldGenerationSizeMb})`
            : r.message.includes('UNZIP_BUDGET')
              ? `the workbook decompresses to more than ${o.maxUnzippedBytes} bytes (maxUnzippedBytes): not read`
              : r.message.startsWith(REPLY_TOO_LARGE)
                ? `the workbook's rows are larger than ${o.maxReplyBytes} bytes (maxReplyBytes; ${r.message.slice(REPLY_TOO_LARGE.length + 2, 200)}): not read`
                : `cannot read the workbook: ${r.message.slice(0, 300)}`;
      return failed([fileProblem(m)]);
    }
    return fromRawSheets(r.sheets, o.maxRows, o.maxCols, problems, o.maxCellChars);
  } catch (e) {
    problems.push(fileProblem(`internal error while importing: ${(e as Error)?.message ?? String(e)}`));
    return failed(problems);
  }
}

/** The bytes of `src` in an ArrayBuffer of their own (the worker takes it over), or null with a problem. */
async function readBytes(src: unknown, maxBytes: number, problems: Problem[]): Promise<Uint8Array | null> {
  if (typeof src === 'string') {
    let buf: Buffer;
    try {
      const st = await fsp.stat(src);
      if (!st.isFile()) {
        problems.push(fileProblem(`cannot read ${src}: not a file`));
        return null;
      }
      if (st.size > maxBytes) {
        problems.push(fileProblem(`${src} is ${st.size} bytes, above the limit of ${maxBytes} (maxBytes): not read`));
        return null;
      }
      buf = await fsp.readFile(src);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      problems.push(fileProblem(`cannot read ${src}: ${err.code === 'ENOENT' ? 'no such file' : (err.message ?? String(e))}`));
      return null;
    }
    if (buf.length > maxBytes) {
      problems.push(fileProblem(`${src} is ${buf.length} bytes, above the limit of ${maxBytes} (maxBytes): not read`));
      return null;
    }
    return buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength ? new Uint8Array(buf.buffer) : new Uint8Array(buf);
  }
  if (src instanceof Uint8Array) {
    if (src.length > maxBytes) {
      problems.push(fileProblem(`the workbook is ${src.length} bytes, above the limit of ${maxBytes} (maxBytes): not read`));
      return null;
    }
    return new Uint8Array(src); // a copy: the caller's buffer is never transferred away
  }
  problems.push(fileProblem(`expected a file path or a Buffer, got ${src === null ? 'null' : typeof src}`));
  return null;
}

function sniff(b: Uint8Array): 'zip' | 'cfb' | 'json' | 'empty' | null {
  if (b.length === 0) return 'empty';
  if (b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && ((b[2] === 3 && b[3] === 4) || (b[2] === 5 && b[3] === 6))) return 'zip';
  const cfb = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
  if (b.length >= 8 && cfb.every((x, i) => b[i] === x)) return 'cfb';
  let i = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0a || b[i] === 0x0d)) i++;
  if (i === b.length) return 'empty';
  return b[i] === 0x7b ? 'json' : null;
}

/** Worker output → row sets (error cells as CellError, caps as problems) → model. */
function fromRawSheets(raw: RawSheet[], maxRows: number, maxCols: number, problems: Problem[], maxCellChars: number): LoadResult {
  const named = raw.map((s) => ({ name: s.name, raw: s, set: () => rawToRowSet(s) }));
  const inputs = pick(named, problems, (n) => {
    if (n.raw.truncatedRows)
      problems.push({
        sheet: n.name,
        row: maxRows + 2,
        column: null,
        message: `more than ${maxRows} data rows (maxRows): only rows 2-${maxRows + 1} were read`,
      });
    if (n.raw.truncatedCols)
      problems.push({ sheet: n.name, row: null, column: null, message: `more than ${maxCols} columns (maxCols): the columns beyond were not read` });
    for (const [r, c, len] of n.raw.longCells ?? []) {
      const label = n.raw.rows[0]?.[c];
      problems.push({
        sheet: n.name,
        row: r + 1,
        column: typeof label === 'string' && label.trim() ? label.trim().slice(0, 40) : columnLetter(c),
        message: `cell ${columnLetter(c)}${r + 1} holds ${len} characters, above the limit of ${maxCellChars} (maxCellChars): read as empty`,
      });
    }
  });
  return { model: buildModel(inputs, problems), problems };
}

/** Excel's column name of 0-based column c: 0 → A, 26 → AA. */
function columnLetter(c: number): string {
  let s = '';
  for (let n = c + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** Known sheets by name (case-insensitive), first of each kind; unknown sheets (documentation) are ignored. */
function pick<T extends { name: string; set: () => RowSet }>(sheets: T[], problems: Problem[], each?: (s: T) => void): BuildInput[] {
  const seen = new Map<SheetKind, string>();
  const out: BuildInput[] = [];
  for (const s of sheets) {
    const kind = SHEET_NAMES.get(sheetKey(s.name));
    if (!kind) continue;
    const first = seen.get(kind);
    if (first !== undefined) {
      problems.push({ sheet: s.name, row: null, column: null, message: `a second ${kind} sheet (the first is ${JSON.stringify(first)}): ignored` });
      continue;
    }
    seen.set(kind, s.name);
    each?.(s);
    out.push({ kind, set: s.set() });
  }
  if (!out.length) problems.push(fileProblem(`no sheet of a Mara workbook found (expected some of ${[...SHEET_NAMES.keys()].join(', ')})`));
  return out;
}

/**
 * The JSON form of the model (what `JSON.stringify(model)` writes), validated by the same rules as a workbook.
 * Problems name the array as sheet, the 1-based position in it as row and the field as column.
 */
export function loadJson(obj: unknown): LoadResult {
  const problems: Problem[] = [];
  try {
    const inputs = jsonToRowSets(obj, problems);
    if (!inputs) return failed(problems);
    return { model: buildModel(inputs, problems), problems };
  } catch (e) {
    problems.push(fileProblem(`internal error while importing: ${(e as Error)?.message ?? String(e)}`));
    return failed(problems);
  }
}

/** Alias of loadJson. */
export const fromJson = loadJson;

/**
 * One CSV text per sheet, keyed by sheet name (`{ di: '…', ai: '…' }` or a Map). The separator is ',' unless the
 * header line has more ';' or tabs. Row numbers are CSV records (row 1 = labels).
 */
export function loadCsv(sheets: Record<string, string> | Map<string, string>): LoadResult {
  const problems: Problem[] = [];
  try {
    const entries: [string, unknown][] =
      sheets instanceof Map
        ? [...sheets.entries()]
        : typeof sheets === 'object' && sheets !== null
          ? Object.keys(sheets).map((k) => [k, (sheets as Record<string, unknown>)[k]])
          : [];
    const named: { name: string; set: () => RowSet }[] = [];
    for (const [name, text] of entries) {
      if (typeof text !== 'string') {
        problems.push({ sheet: String(name), row: null, column: null, message: 'the CSV of a sheet must be a string' });
        continue;
      }
      named.push({
        name: String(name),
        set: () => {
          const rows = parseCsv(text);
          return { name: String(name), labels: rows[0] ?? [], rows: rows.slice(1) };
        },
      });
    }
    return { model: buildModel(pick(named, problems), problems), problems };
  } catch (e) {
    problems.push(fileProblem(`internal error while importing: ${(e as Error)?.message ?? String(e)}`));
    return failed(problems);
  }
}

/** Row sets of any other source (already named by kind-matching sheet names) through the same builder. */
export function loadRows(sets: readonly RowSet[]): LoadResult {
  const problems: Problem[] = [];
  try {
    const named = sets.map((s) => ({ name: s.name, set: () => s }));
    return { model: buildModel(pick(named, problems), problems), problems };
  } catch (e) {
    problems.push(fileProblem(`internal error while importing: ${(e as Error)?.message ?? String(e)}`));
    return failed(problems);
  }
}

export { emptyModel };
