import { JournalError } from './errors';

/**
 * The few calls the journal needs from SQLite, met by both bindings it can use:
 *  - `node:sqlite`, built into Node from 22.13 (no install, no native build), preferred where it exists;
 *  - `better-sqlite3` 12.x, an optional dependency built from source by `npm ci` where no prebuilt binary
 *    can be fetched; the binding of Node 20, which has no `node:sqlite`.
 * Both are synchronous, which is what write-ahead needs: the commit is done when the call returns.
 * Parameters are positional only (the two bindings name parameters differently).
 */
export type BindingName = 'node:sqlite' | 'better-sqlite3';
export type SqlValue = number | string | null | Uint8Array;
export type SqlRow = Record<string, unknown>;

export interface SqlStatement {
  run(...params: SqlValue[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: SqlValue[]): SqlRow | undefined;
  all(...params: SqlValue[]): SqlRow[];
}

export interface SqlDatabase {
  readonly binding: BindingName;
  exec(sql: string): void;
  prepare(sql: string): SqlStatement;
  close(): void;
}

type Opener = (file: string) => SqlDatabase;

let cache: Map<BindingName, Opener | JournalError> | null = null;

function load(name: BindingName): Opener | JournalError {
  cache ??= new Map();
  const hit = cache.get(name);
  if (hit) return hit;
  let v: Opener | JournalError;
  try {
    v = name === 'node:sqlite' ? nodeSqlite() : betterSqlite3();
  } catch (e) {
    v = new JournalError('EJOURNAL_BINDING', `${name} cannot be loaded: ${(e as Error).message}`, { cause: e });
  }
  cache.set(name, v);
  return v;
}

function nodeSqlite(): Opener {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only where this Node has it (22.13+)
  const { DatabaseSync } = require('node:sqlite') as { DatabaseSync: new (file: string) => Omit<SqlDatabase, 'binding'> };
  return (file) => {
    const db = new DatabaseSync(file);
    return {
      binding: 'node:sqlite',
      exec: (sql) => db.exec(sql),
      prepare: (sql) => db.prepare(sql),
      close: () => db.close(),
    };
  };
}

function betterSqlite3(): Opener {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- an optional dependency: its absence is a clear error, not a crash at import
  const Database = require('better-sqlite3') as new (file: string) => Omit<SqlDatabase, 'binding'>;
  // a native addon built for another Node (another ABI) fails here, not at the first use
  return (file) => {
    const db = new Database(file);
    return {
      binding: 'better-sqlite3',
      exec: (sql) => void db.exec(sql),
      prepare: (sql) => db.prepare(sql),
      close: () => void db.close(),
    };
  };
}

/** The binding `openDatabase` would use: node:sqlite where this Node has it, else better-sqlite3; null when neither loads. */
export function defaultBinding(): BindingName | null {
  for (const name of ['node:sqlite', 'better-sqlite3'] as const) if (!(load(name) instanceof JournalError)) return name;
  return null;
}

/** Opens (creating it if missing) a database file with the given binding, or the default one; EJOURNAL_BINDING when none loads. */
export function openDatabase(file: string, binding?: BindingName): SqlDatabase {
  const names: BindingName[] = binding ? [binding] : ['node:sqlite', 'better-sqlite3'];
  const errors: string[] = [];
  for (const name of names) {
    const opener = load(name);
    if (opener instanceof JournalError) errors.push(opener.message);
    else return opener(file);
  }
  throw new JournalError('EJOURNAL_BINDING', `no SQLite binding for the journal on Node ${process.versions.node}: ${errors.join('; ')}`);
}
