/**
 * Rows of cells: the one shape every source (xlsx/xls through the worker, CSV, JSON) is turned into before
 * workbook-build.ts makes the model out of it. Also the label rules of docs/workbook.md §7.1 and a small CSV reader.
 */

/** An Excel error value in a cell (`#DIV/0!`, `#N/A`, …): never a usable value. */
export class CellError {
  constructor(readonly text: string) {}
}

/** One cell: what SheetJS gives as `v` (cached value for formula cells), '' or null when empty. */
export type Cell = string | number | boolean | null | CellError;

/** One sheet as rows of cells. */
export interface RowSet {
  /** Sheet name as the source spells it (Problem.sheet). */
  name: string;
  /** Row 1: the column labels as in the sheet (Problem.column uses them). */
  labels: Cell[];
  /** Data rows (row 2 on). */
  rows: Cell[][];
  /** 1-based workbook row of each data row, for problems; default index + 2. */
  rowNumbers?: number[];
  /** `row` stored in the model; default rowNumbers (JSON keeps the objects' own `row`). */
  modelRows?: number[];
  /** Background fill of each cell as '#rrggbb' or null (only read for the color sheet), aligned with rows. */
  fills?: (string | null)[][];
  /** Rows whose cells are all empty are skipped silently (default true; JSON: false). */
  skipBlank?: boolean;
}

export function isEmpty(c: Cell | undefined): boolean {
  return c === undefined || c === null || c === '' || (typeof c === 'string' && c.trim() === '');
}

/** A cell as text: numbers without a trailing `.0` (JS renders 33 as '33', 33.2 as '33.2'). */
export function cellText(c: Cell | undefined): string {
  if (c === undefined || c === null) return '';
  if (typeof c === 'string') return c;
  if (typeof c === 'number') return Number.isFinite(c) ? String(c) : '';
  if (typeof c === 'boolean') return c ? 'TRUE' : 'FALSE';
  return c.text;
}

/**
 * Column labels normalised as docs/workbook.md §7.1: lower-case, spaces and `-` → `_`, empty → `no_now_name`, a leading
 * `_` gets the prefix `column_`, repeated labels get `_1`, `_2`, … in order. Labels are trimmed first (the
 * original kept surrounding blanks, which turned `tag ` into an unknown `tag_`).
 */
export function normaliseLabels(labels: readonly Cell[]): string[] {
  const seen = new Map<string, number>();
  const out: string[] = [];
  for (const l of labels) {
    let n = cellText(l).trim().toLowerCase().replace(/[ -]/g, '_');
    if (n === '') n = 'no_now_name';
    else if (n.startsWith('_')) n = 'column_' + n;
    const k = seen.get(n);
    if (k === undefined) {
      seen.set(n, 0);
      out.push(n);
    } else {
      seen.set(n, k + 1);
      out.push(`${n}_${k + 1}`);
    }
  }
  return out;
}

/** Sheet-name key: trimmed, lower-case (sheet names are matched case-insensitively). */
export function sheetKey(name: string): string {
  return name.trim().toLowerCase();
}

/**
 * RFC 4180 CSV → rows of strings. Quotes, doubled quotes, CR/LF/CRLF line ends, a leading BOM. The separator is
 * ',' unless the first line has more ';' (or tabs) outside quotes: spreadsheets in Spanish locales write ';'.
 */
export function parseCsv(text: string): string[][] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const sep = detectSeparator(text);
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  const n = text.length;
  let quoted = false;
  let any = false;
  while (i < n) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') {
      quoted = true;
      any = true;
      i++;
    } else if (ch === sep) {
      row.push(field);
      field = '';
      any = true;
      i++;
    } else if (ch === '\r' || ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      any = false;
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      field += ch;
      any = true;
      i++;
    }
  }
  if (any || field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function detectSeparator(text: string): string {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && (ch === ',' || ch === ';' || ch === '\t')) counts[ch]++;
  }
  if (counts[';'] > counts[','] && counts[';'] >= counts['\t']) return ';';
  if (counts['\t'] > counts[',']) return '\t';
  return ',';
}
