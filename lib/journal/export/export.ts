import type { Writable } from 'node:stream';
import { JournalError } from '../errors';
import type { JournalQuery, JournalRecord, JournalStore } from '../types';
import { COLUMNS, cells } from './columns';
import { csvRow } from './csv';
import { SHEET_HEAD, SHEET_ROWS, SHEET_TAIL, columnName, packageParts, sheetRow } from './sheet-xml';
import { OutputSink } from './sink';
import { ZipOutput } from './zip';

export type ExportFormat = 'csv' | 'xlsx';
/** The events an export takes: JournalQuery's filters (its paging is the export's own). */
export type ExportFilter = Omit<JournalQuery, 'beforeId' | 'afterId' | 'limit'>;

export interface ExportOptions {
  format: ExportFormat;
  filter?: ExportFilter;
  /** 'oldest' first (default: a file reads in time order) or 'newest' first (as the grid shows them). */
  order?: 'oldest' | 'newest';
  /** Rows read per query, 1 … 10 000 (default 2 000): what the export holds at once. */
  pageSize?: number;
  /** At most this many rows (default 5 000 000); the result says when more matched (`truncated`). */
  maxRows?: number;
  /** CSV field separator: ',' (default, RFC 4180) or ';' (what Excel expects where the decimal sign is a comma). */
  separator?: ',' | ';';
  /** CSV: start with a UTF-8 byte order mark, so Excel reads the accents (default true). */
  bom?: boolean;
  /** XLSX deflate level 1 … 9 (default 6). */
  level?: number;
  /** XLSX rows per sheet, header included (default and at most Excel's 1 048 576; smaller only for tests). */
  sheetRows?: number;
  /** Stops the export (it rejects with EJOURNAL_CLOSED); the output is left to the caller to discard. */
  signal?: AbortSignal;
  /** Between pages, so the event loop (the lines) runs (default: setImmediate). */
  pause?: () => Promise<void>;
}

export interface ExportResult {
  format: ExportFormat;
  rows: number;
  /** Bytes written to the output. */
  bytes: number;
  /** XLSX: the sheets (Excel holds 1 048 576 rows a sheet); CSV: 1. */
  sheets: number;
  /** True when maxRows stopped the export before every matching row. */
  truncated: boolean;
  /** The newest id in the journal when the export began: rows committed later are not in it. */
  throughId: number;
}

const MAX_PAGE = 10_000;
const CHUNK = 256 * 1024;
const setImmediatePromise = () => new Promise<void>((r) => setImmediate(r));

/**
 * The records matching `filter`, a page at a time, read only when the previous page has been consumed (an
 * async generator: the consumer's pace, not the journal's size, sets what is held), by keyset paging on the
 * id. Stops at the journal's newest id when it began, so a busy line does not make an export endless.
 */
export async function* exportPages(
  store: Pick<JournalStore, 'query'>,
  filter: ExportFilter,
  opts: { order?: 'oldest' | 'newest'; pageSize?: number; signal?: AbortSignal; pause?: () => Promise<void> } = {},
): AsyncGenerator<JournalRecord[], number> {
  const limit = opts.pageSize ?? 2000;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new JournalError('EJOURNAL_INVALID', `pageSize must be an integer 1-${MAX_PAGE}`);
  const pause = opts.pause ?? setImmediatePromise;
  const top = store.query({ limit: 1 }).records[0]?.id ?? 0;
  const oldest = opts.order !== 'newest';
  let cursor = oldest ? 0 : top + 1;
  for (let first = true; ; first = false) {
    if (!first) await pause();
    if (opts.signal?.aborted) throw new JournalError('EJOURNAL_CLOSED', 'the export was stopped');
    const page = store.query({ ...filter, limit, ...(oldest ? { afterId: cursor } : { beforeId: cursor }) });
    const records = oldest ? page.records.filter((r) => r.id <= top) : page.records;
    if (records.length) yield records;
    if (page.next === null || records.length < page.records.length || !page.records.length) return top;
    cursor = page.next;
  }
}

function checkOptions(o: ExportOptions): void {
  if (o.format !== 'csv' && o.format !== 'xlsx') throw new JournalError('EJOURNAL_INVALID', 'format must be csv or xlsx');
  if (o.order !== undefined && o.order !== 'oldest' && o.order !== 'newest') throw new JournalError('EJOURNAL_INVALID', 'order must be oldest or newest');
  if (o.maxRows !== undefined && (!Number.isInteger(o.maxRows) || o.maxRows < 0)) throw new JournalError('EJOURNAL_INVALID', 'maxRows must be an integer >= 0');
  if (o.separator !== undefined && o.separator !== ',' && o.separator !== ';') throw new JournalError('EJOURNAL_INVALID', "separator must be ',' or ';'");
  if (o.sheetRows !== undefined && (!Number.isInteger(o.sheetRows) || o.sheetRows < 2 || o.sheetRows > SHEET_ROWS))
    throw new JournalError('EJOURNAL_INVALID', `sheetRows must be 2-${SHEET_ROWS}`);
  if (o.level !== undefined && (!Number.isInteger(o.level) || o.level < 1 || o.level > 9)) throw new JournalError('EJOURNAL_INVALID', 'level must be 1-9');
}

/**
 * Streams the events matching `filter` into `out` as CSV or XLSX, for any number of rows in bounded memory:
 * a page of records and a chunk of output at a time, waiting whenever `out` is full. `out` is not ended
 * (the caller ends it, and discards it when this rejects).
 */
export async function exportJournal(store: Pick<JournalStore, 'query'>, out: Writable, o: ExportOptions): Promise<ExportResult> {
  checkOptions(o);
  const maxRows = o.maxRows ?? 5_000_000;
  const pages = exportPages(store, o.filter ?? {}, { order: o.order, pageSize: o.pageSize, signal: o.signal, pause: o.pause });
  return o.format === 'csv' ? writeCsv(pages, out, o, maxRows) : writeXlsx(pages, out, o, maxRows);
}

/**
 * Walks the pages row by row, at most `maxRows`: `row` for each record (awaited only when it returns a promise,
 * i.e. when it had to wait for the output), `pageDone` after each page, so a page goes out before the next is
 * read. `throughId` is the newest id the export covers (the last one written when it stopped at `maxRows`).
 */
async function walkRows(
  pages: AsyncGenerator<JournalRecord[], number>,
  maxRows: number,
  row: (r: JournalRecord) => Promise<void> | void,
  pageDone: () => Promise<void>,
): Promise<{ rows: number; truncated: boolean; throughId: number }> {
  let rows = 0;
  let lastId = 0;
  for (;;) {
    const next = await pages.next();
    if (next.done) return { rows, truncated: false, throughId: next.value };
    for (const r of next.value) {
      if (rows >= maxRows) {
        await pageDone();
        await pages.return(0);
        return { rows, truncated: true, throughId: lastId };
      }
      const wait = row(r);
      if (wait) await wait;
      lastId = r.id;
      rows++;
    }
    await pageDone();
  }
}

async function writeCsv(pages: AsyncGenerator<JournalRecord[], number>, out: Writable, o: ExportOptions, maxRows: number): Promise<ExportResult> {
  const sep = o.separator ?? ',';
  const sink = new OutputSink(out);
  let buf = (o.bom === false ? '' : '\ufeff') + csvRow(COLUMNS, sep);
  const walked = await walkRows(
    pages,
    maxRows,
    (r) => {
      buf += csvRow(cells(r), sep);
      if (buf.length < CHUNK) return;
      const chunk = buf;
      buf = '';
      return sink.write(chunk);
    },
    async () => {
      // each page goes out before the next is read: the output's pace sets the reading
      if (buf) await sink.write(buf);
      buf = '';
    },
  );
  if (buf) await sink.write(buf);
  return { format: 'csv', rows: walked.rows, bytes: sink.bytes, sheets: 1, truncated: walked.truncated, throughId: walked.throughId };
}

async function writeXlsx(pages: AsyncGenerator<JournalRecord[], number>, out: Writable, o: ExportOptions, maxRows: number): Promise<ExportResult> {
  const zip = new ZipOutput(out, o.level ?? 6);
  const sheetRows = o.sheetRows ?? SHEET_ROWS;
  const cols = COLUMNS.map((_, i) => columnName(i));
  const names: string[] = [];
  let buf = '';
  let r = 0; // the current sheet's last row number
  const flush = async () => {
    if (!buf) return;
    await zip.write(Buffer.from(buf, 'utf8'));
    buf = '';
  };
  const newSheet = async () => {
    if (names.length) {
      buf += SHEET_TAIL;
      await flush();
      await zip.end();
    }
    names.push(names.length ? `Eventos ${names.length + 1}` : 'Eventos');
    await zip.begin(`xl/worksheets/sheet${names.length}.xml`);
    buf = SHEET_HEAD + sheetRow(1, COLUMNS, cols);
    r = 1;
  };
  await newSheet();
  const walked = await walkRows(
    pages,
    maxRows,
    (rec) => {
      // a promise only when the row has to wait (a new sheet, a full chunk): no microtask per row
      if (r >= sheetRows) return newSheet().then(() => void (buf += sheetRow(++r, cells(rec), cols)));
      buf += sheetRow(++r, cells(rec), cols);
      if (buf.length >= CHUNK) return flush();
    },
    flush,
  );
  buf += SHEET_TAIL;
  await flush();
  await zip.end();
  for (const [name, text] of packageParts(names)) await zip.add(name, text);
  await zip.finish();
  return { format: 'xlsx', rows: walked.rows, bytes: zip.bytes, sheets: names.length, truncated: walked.truncated, throughId: walked.throughId };
}
