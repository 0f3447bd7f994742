/**
 * Stable codes of the journal's errors; a Catch node (or the line) can switch on `err.code`.
 * Every failed append throws one of them, and nothing of that reply is stored: the caller must not
 * acknowledge the reply (write-ahead).
 */
export type JournalErrorCode =
  | 'EJOURNAL_BINDING' // no SQLite binding can be loaded (neither node:sqlite nor better-sqlite3)
  | 'EJOURNAL_CORRUPT' // the file is not a journal, or is corrupt or truncated (kept aside, a fresh one opened)
  | 'EJOURNAL_READONLY' // the file (or its directory) cannot be written: nothing is stored
  | 'EJOURNAL_IO' // another storage failure (disk full, I/O error, locked by another process)
  | 'EJOURNAL_CLOSED' // the journal was closed
  | 'EJOURNAL_INVALID' // an argument the journal refuses (bad record, bad query, bad msg to an events node)
  | 'EJOURNAL_BUSY' // an events node is already exporting
  | 'EJOURNAL_WAITING'; // the line's workbook is still loading: its replies wait (are not acknowledged) until it has loaded

export class JournalError extends Error {
  readonly code: JournalErrorCode;

  constructor(code: JournalErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JournalError';
    this.code = code;
  }
}

// primary SQLite result codes (the low byte of an extended code)
const SQLITE_PERM = 3;
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_READONLY = 8;
const SQLITE_CORRUPT = 11;
const SQLITE_CANTOPEN = 14;
const SQLITE_NOTADB = 26;

const NAMES: Record<string, number> = {
  SQLITE_PERM,
  SQLITE_BUSY,
  SQLITE_LOCKED,
  SQLITE_READONLY,
  SQLITE_CORRUPT,
  SQLITE_CANTOPEN,
  SQLITE_NOTADB,
};

/** The primary SQLite result code of an error of either binding (better-sqlite3: `code` 'SQLITE_…'; node:sqlite: `errcode`). */
export function sqliteCode(e: unknown): number | null {
  const err = e as { code?: unknown; errcode?: unknown } | null;
  if (!err || typeof err !== 'object') return null;
  if (typeof err.errcode === 'number') return err.errcode & 0xff;
  if (typeof err.code === 'string' && err.code.startsWith('SQLITE_')) {
    const primary = err.code.replace(/^(SQLITE_[A-Z]+).*$/, '$1');
    return NAMES[primary] ?? -1;
  }
  return null;
}

/** True when the error says the file is not a database or is damaged. */
export function isCorruption(e: unknown): boolean {
  const c = sqliteCode(e);
  return c === SQLITE_CORRUPT || c === SQLITE_NOTADB;
}

/** Wraps a storage error in a JournalError with a stable code; a JournalError passes through. */
export function toJournalError(e: unknown, what: string): JournalError {
  if (e instanceof JournalError) return e;
  const c = sqliteCode(e);
  const msg = (e as Error)?.message ?? String(e);
  if (c === SQLITE_READONLY || c === SQLITE_PERM) return new JournalError('EJOURNAL_READONLY', `${what}: the journal is read-only (${msg})`, { cause: e });
  if (c === SQLITE_CORRUPT || c === SQLITE_NOTADB) return new JournalError('EJOURNAL_CORRUPT', `${what}: the journal is corrupt (${msg})`, { cause: e });
  const fsCode = (e as NodeJS.ErrnoException)?.code;
  if (fsCode === 'EACCES' || fsCode === 'EPERM' || fsCode === 'EROFS')
    return new JournalError('EJOURNAL_READONLY', `${what}: the journal is read-only (${fsCode})`, { cause: e });
  return new JournalError('EJOURNAL_IO', `${what}: ${msg}`, { cause: e });
}
