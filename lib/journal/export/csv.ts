import type { Cell } from './columns';

/** Leading characters a spreadsheet may take for a formula (CSV injection): such a text gets a leading apostrophe. */
const FORMULA_START: ReadonlySet<string> = new Set(['=', '+', '-', '@', '\t', '\r']);

/** One CSV field (RFC 4180): quoted when it holds the separator, a quote or a line break; quotes doubled. */
export function csvField(v: Cell, separator: string): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  let s = v;
  if (s.length && FORMULA_START.has(s[0])) s = `'${s}`;
  if (s.includes('"') || s.includes(separator) || s.includes('\n') || s.includes('\r')) return `"${s.replaceAll('"', '""')}"`;
  return s;
}

/** One CSV record, CRLF-terminated (RFC 4180). */
export function csvRow(row: readonly Cell[], separator: string): string {
  let s = '';
  for (let i = 0; i < row.length; i++) s += (i ? separator : '') + csvField(row[i], separator);
  return s + '\r\n';
}
