import fs from 'node:fs';
import path from 'node:path';
import { formatTime, timeProblem, type MaraTime } from '../mara/time';
import { JournalError, isCorruption, toJournalError } from './errors';
import { APPLICATION_ID, LATE, LATE_OF_ROWS, MIGRATE_TO_2, SCHEMA, SCHEMA_VERSION, UNATTENDED } from './schema';
import { openDatabase, type BindingName, type SqlDatabase, type SqlRow, type SqlStatement, type SqlValue } from './sqlite';
import type {
  AppendResult,
  AttendTarget,
  EventInput,
  HornState,
  JournalDeviceState,
  JournalEventType,
  JournalPage,
  JournalQuery,
  JournalRecord,
  JournalStore,
  ReplyInput,
  Retention,
} from './types';

export interface OpenOptions {
  /** The SQLite binding; default: node:sqlite where this Node has it, else better-sqlite3. */
  binding?: BindingName;
  /**
   * 'normal' (default): with WAL, a commit is in the operating system's hands when append returns, so a
   * crash or SIGKILL of the process loses nothing; a power cut may lose the last commits (they and the SEQ
   * state go back together). 'full': each commit is also fsynced (survives a power cut; costs a disk flush
   * per reply).
   */
  synchronous?: 'normal' | 'full';
  /**
   * What open checks. 'header' (default): the file is SQLite, is a journal, and is not shorter than its header
   * says (a truncated file), in microseconds. 'quick': also PRAGMA quick_check (reads every page: about 5 s for
   * 10^6 rows here). Damage found later fails the call with EJOURNAL_CORRUPT.
   */
  check?: 'header' | 'quick' | 'none';
  /** Clock for the name of a file kept aside. */
  now?: () => number;
  /**
   * How often (ms) a PASSIVE checkpoint copies the WAL into the file, from a timer, off the appends (default 1000).
   * SQLite's own checkpoint then runs only when the WAL passes WAL_BOUND_PAGES (a burst the timer could not keep up
   * with), so the WAL stays bounded. 0: SQLite's default instead (a checkpoint inside the commit every 1000 pages).
   */
  checkpointMs?: number;
  /** Rows a tag-prefix page looks at, newest first, before it turns to the tag index (default WINDOW; tests make it small). */
  window?: number;
}

/** The WAL pages past which a commit checkpoints itself even with the timer on (4 KB pages: about 40 MB). */
export const WAL_BOUND_PAGES = 10_000;
/** What a reset WAL file is cut back to after a burst made it larger. */
const WAL_KEEP_BYTES = 16 * 1024 * 1024;
/** Distinct SQL texts whose prepared statements are kept (queries and attends are a few shapes). */
const STATEMENT_CACHE = 200;

/** What open found and did about a file it could not use. */
export interface Recovery {
  error: JournalError;
  /** Where the old file now is (renamed, never deleted). */
  keptAs: string;
}

const MAX_EVENTS_PER_REPLY = 1000;
const MAX_TEXT = 1000;
const MAX_PAGE = 10_000;
const TYPES: ReadonlySet<string> = new Set(['digital', 'energy', 'idle', 'comsys']);
/** Rows a tag-prefix page looks at newest first before it turns to the tag index (a prefix of ≥ 1 row in 40 fills a page of 100 here). */
const WINDOW = 4096;
/** The columns a filter reads (the window's rows are filtered without the rest). */
const WINDOW_COLUMNS = 'id, line, device, type, tag, severity, attended_at, received_at';
/** The first id above `late` received at or after a time (received_at never decreases there, so it is the first in the index). */
const FIRST_AT_OR_AFTER = 'SELECT id FROM events INDEXED BY events_received WHERE received_at >= ? AND id > ? ORDER BY received_at, id LIMIT 1';

/** Ids lo … hi (inclusive; ±Infinity: unbounded); `timed`: the time terms still apply. */
interface Span {
  lo: number;
  hi: number;
  timed: boolean;
}

/** An id bound as SQLite takes it (its integers are 64-bit; a double compares with them exactly). */
function bound(v: number): number {
  return v === Infinity ? Number.MAX_VALUE : v === -Infinity ? -Number.MAX_VALUE : v;
}

/** Opens (creating it if missing) the journal file; a corrupt one is kept aside and a fresh one opened (see `recovered`). */
export function openJournal(file: string, opts: OpenOptions = {}): SqliteJournal {
  return new SqliteJournal(path.resolve(file), opts);
}

export class SqliteJournal implements JournalStore {
  readonly binding: BindingName;
  /** Set when the file found at open was not usable: it was renamed and this journal is a fresh one. */
  readonly recovered: Recovery | null = null;
  private db: SqlDatabase | null;
  private readonly st: Record<
    'insert' | 'has' | 'maxReceived' | 'state' | 'loadState' | 'getMeta' | 'setMeta' | 'count' | 'checkpoint' | 'dataVersion',
    SqlStatement
  >;
  private readonly statements = new Map<string, SqlStatement>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly window: number;
  /**
   * The count of unattended alarms as of `version` (PRAGMA data_version, which moves when another connection commits):
   * the horn's count, read after every append with an alarm, is a count over the partial index (1.3 ms at 60 000
   * unattended here); this connection's own appends and attends adjust it, a prune or another writer makes it recount.
   */
  private unattended: { n: number; version: number } | null = null;

  constructor(
    readonly file: string,
    opts: OpenOptions = {},
  ) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
    } catch (e) {
      throw toJournalError(e, `cannot make the directory of ${path.basename(file)}`);
    }
    let db: SqlDatabase;
    try {
      db = initialise(file, opts);
    } catch (e) {
      if (!(e instanceof JournalError && e.code === 'EJOURNAL_CORRUPT')) throw e;
      const keptAs = keepAside(file, (opts.now ?? Date.now)());
      this.recovered = {
        error: new JournalError('EJOURNAL_CORRUPT', `${e.message}; kept as ${path.basename(keptAs)}, a fresh journal was opened`, { cause: e }),
        keptAs,
      };
      db = initialise(file, opts);
    }
    this.db = db;
    this.binding = db.binding;
    this.window = Number.isInteger(opts.window) && opts.window! > 0 ? Math.min(opts.window!, 1_000_000) : WINDOW;
    const p = (sql: string) => db.prepare(sql);
    this.st = {
      insert: p(
        `INSERT OR IGNORE INTO events (line, device, reply_key, idx, type, device_time, device_iso, received_at, tag, description, state_text, value, raw, quality, severity)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      has: p('SELECT 1 AS x FROM events WHERE line = ? AND device = ? AND reply_key = ? LIMIT 1'),
      maxReceived: p('SELECT max(received_at) AS m FROM events'),
      state: p(
        'INSERT INTO state (line, device, seq, recent) VALUES (?, ?, ?, ?) ON CONFLICT (line, device) DO UPDATE SET seq = excluded.seq, recent = excluded.recent',
      ),
      loadState: p('SELECT device, seq, recent FROM state WHERE line = ?'),
      getMeta: p('SELECT v FROM meta WHERE k = ?'),
      setMeta: p('INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v'),
      count: p('SELECT count(*) AS n FROM events'),
      checkpoint: p('PRAGMA wal_checkpoint(PASSIVE)'),
      dataVersion: p('PRAGMA data_version'),
    };
    const every = opts.checkpointMs ?? 1000;
    if (every > 0) {
      // the checkpoint off the reply path: a commit only appends to the WAL (its fsyncs and page copies were the
      // spikes of the commit); the timer copies many commits' pages at once, each distinct page once
      db.exec(`PRAGMA wal_autocheckpoint = ${WAL_BOUND_PAGES}; PRAGMA journal_size_limit = ${WAL_KEEP_BYTES};`);
      this.timer = setInterval(() => this.checkpoint(), every);
      this.timer.unref?.();
    }
  }

  /**
   * Copies the committed WAL pages into the file (PASSIVE: never waits for a lock, never blocks a writer of another
   * connection); the next commit then starts the WAL afresh. Run by the timer; a failure (a read-only file) is
   * left for the next append to report.
   */
  checkpoint(): void {
    if (!this.db) return;
    try {
      this.st.checkpoint.get();
    } catch {
      // the appends say what is wrong with the file
    }
  }

  loadState(line: string): Record<string, JournalDeviceState> {
    const out: Record<string, JournalDeviceState> = Object.create(null);
    for (const r of this.run('load the state', () => this.st.loadState.all(line))) {
      let recent: unknown;
      try {
        recent = JSON.parse(String(r.recent));
      } catch {
        recent = [];
      }
      out[String(r.device)] = {
        seq: Number(r.seq),
        recent: Array.isArray(recent) ? recent.filter((x): x is string => typeof x === 'string' && x.length <= 64).slice(-8) : [],
      };
    }
    return out;
  }

  append(reply: ReplyInput): AppendResult {
    const rows = checkReply(reply);
    const db = this.open();
    // the open file descriptor may still write when the file was made read-only: refuse, so the line does not
    // acknowledge what it may not be able to keep (and resumes as soon as the file is writable again)
    try {
      fs.accessSync(this.file, fs.constants.W_OK);
    } catch (e) {
      throw toJournalError(e, `cannot append to ${path.basename(this.file)}`);
    }
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (e) {
      throw toJournalError(e, 'cannot begin the append');
    }
    try {
      const ids: number[] = [];
      const inserted: number[] = [];
      const duplicate = rows.length > 0 && this.st.has.get(reply.line, reply.device, reply.replyKey) !== undefined;
      // received before an event already stored (the clock went back): meta 'late' moves up to this reply's events
      const late = rows.length > 0 && !duplicate && reply.receivedAt < Number(this.st.maxReceived.get()?.m ?? -Infinity);
      if (!duplicate) {
        for (let i = 0; i < rows.length; i++) {
          const r = this.st.insert.run(...rows[i]);
          if (Number(r.changes) === 1) {
            ids.push(Number(r.lastInsertRowid));
            inserted.push(i);
          }
        }
      }
      if (late && ids.length) this.st.setMeta.run(LATE, String(ids[ids.length - 1]));
      if (reply.state) for (const [dev, s] of Object.entries(reply.state)) this.st.state.run(reply.line, Number(dev), s.seq, JSON.stringify(s.recent));
      db.exec('COMMIT');
      // what was stored, as a query would read it back (the hub publishes these without a second read)
      if (!ids.length) return { ids, duplicate };
      if (this.unattended) for (const i of inserted) if (Number(rows[i][14]) > 0) this.unattended.n++;
      return { ids, duplicate, records: inserted.map((i, k) => recordOf(ids[k], rows[i], reply.events[i].deviceTime)) };
    } catch (e) {
      try {
        db.exec('ROLLBACK');
      } catch {
        // the failed statement may have rolled the transaction back already
      }
      throw toJournalError(e, `cannot append to ${path.basename(this.file)}`);
    }
  }

  has(line: string, device: number, replyKey: string): boolean {
    return this.run('look the reply up', () => this.st.has.get(line, device, replyKey) !== undefined);
  }

  query(q: JournalQuery = {}): JournalPage {
    const limit = q.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new JournalError('EJOURNAL_INVALID', `limit must be an integer 1-${MAX_PAGE}`);
    for (const key of ['beforeId', 'afterId'] as const) {
      const v = q[key];
      if (v !== undefined && !Number.isInteger(v)) throw new JournalError('EJOURNAL_INVALID', `${key} must be an integer`);
    }
    const filter = conditions(q, false);
    const time = conditions({ from: q.from, to: q.to });
    const asc = q.afterId !== undefined;
    const all: Span = { lo: q.afterId === undefined ? -Infinity : q.afterId + 1, hi: q.beforeId === undefined ? Infinity : q.beforeId - 1, timed: false };
    const ids = this.run('query the journal', () => {
      const out: number[] = [];
      for (const span of time.where.length ? this.timeSpans(all, q, asc) : [all]) {
        if (span.lo > span.hi) continue;
        const where = span.timed ? { where: [...filter.where, ...time.where], params: [...filter.params, ...time.params] } : filter;
        out.push(...this.pageIds(span, where, q, asc, limit + 1 - out.length));
        if (out.length > limit) break;
      }
      return out;
    });
    const order = asc ? 'ASC' : 'DESC';
    const rows = ids.length
      ? this.run('query the journal', () =>
          this.statement(`SELECT * FROM events WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id ${order}`).all(JSON.stringify(ids)),
        )
      : [];
    const more = rows.length > limit;
    const records = rows.slice(0, limit).map(toRecord);
    return { records, next: more ? records[records.length - 1].id : null };
  }

  /**
   * A time range as id spans, in page order: above meta 'late' received_at never decreases with id, so there it
   * is the id span between the first ids received at or after `from` and `to` (two seeks of events_received);
   * at or below 'late' the time terms stay as they are.
   */
  private timeSpans(all: Span, q: JournalQuery, asc: boolean): Span[] {
    const late = this.late();
    const first = (t: number) => this.statement(FIRST_AT_OR_AFTER).get(t, late)?.id;
    let lo = Math.max(all.lo, late + 1);
    let hi = all.hi;
    if (q.from !== undefined) {
      const k = first(q.from);
      lo = Math.max(lo, k === undefined ? Infinity : Number(k));
    }
    if (q.to !== undefined) {
      const k = first(q.to);
      if (k !== undefined) hi = Math.min(hi, Number(k) - 1);
    }
    const above: Span = { lo, hi, timed: false };
    const below: Span = { lo: all.lo, hi: Math.min(all.hi, late), timed: true };
    return asc ? [below, above] : [above, below];
  }

  /**
   * Up to `need` ids of a span that pass the filter, in page order. With a tag prefix (a range of the tag index,
   * whose ids are not in order) the newest WINDOW rows of the span are looked at first, which finds a common
   * prefix's page at once; what the window did not fill is read from the tag index below (above, ascending) it.
   */
  private pageIds(span: Span, f: { where: string[]; params: SqlValue[] }, q: JournalQuery, asc: boolean, need: number): number[] {
    const order = asc ? 'ASC' : 'DESC';
    const ids = (rows: SqlRow[]) => rows.map((r) => Number(r.id));
    const range = [bound(span.lo), bound(span.hi)];
    if (!f.where.length) return ids(this.statement(`SELECT id FROM events WHERE id >= ? AND id <= ? ORDER BY id ${order} LIMIT ?`).all(...range, need));
    const cond = f.where.join(' AND ');
    let out: number[] = [];
    let rest = span;
    if (q.tagPrefix && !q.unattendedOnly) {
      const win = `SELECT ${WINDOW_COLUMNS} FROM events WHERE id >= ? AND id <= ? ORDER BY id ${order} LIMIT ${this.window}`;
      out = ids(this.statement(`SELECT id FROM (${win}) WHERE ${cond} ORDER BY id ${order} LIMIT ?`).all(...range, ...f.params, need));
      if (out.length >= need) return out;
      const edge = this.statement(`SELECT id FROM events WHERE id >= ? AND id <= ? ORDER BY id ${order} LIMIT 1 OFFSET ${this.window - 1}`).get(...range);
      if (!edge) return out; // the window held the whole span
      rest = asc ? { ...span, lo: Number(edge.id) + 1 } : { ...span, hi: Number(edge.id) - 1 };
    }
    // the page's ids from an index alone (events_tag_filter holds every filter of a tag-prefix page), then its rows
    const from = q.tagPrefix ? 'events INDEXED BY events_tag_filter' : 'events';
    const sql = `SELECT id FROM ${from} WHERE id >= ? AND id <= ? AND ${cond} ORDER BY id ${order} LIMIT ?`;
    return out.concat(ids(this.statement(sql).all(bound(rest.lo), bound(rest.hi), ...f.params, need - out.length)));
  }

  /** meta 'late' (schema.ts LATE); unknown: every id (the time terms are then used as they are). */
  private late(): number {
    const v = this.st.getMeta.get(LATE);
    const n = v ? Number(v.v) : NaN;
    return Number.isSafeInteger(n) && n >= 0 ? n : Number.MAX_SAFE_INTEGER;
  }

  attend(target: AttendTarget, user: string, at: number): number[] {
    if (typeof user !== 'string' || !user || user.length > 200) throw new JournalError('EJOURNAL_INVALID', 'attend needs a user name (1-200 characters)');
    if (!Number.isFinite(at)) throw new JournalError('EJOURNAL_INVALID', 'attend needs a time');
    const db = this.open();
    return this.run('attend', () => {
      const out: number[] = [];
      db.exec('BEGIN IMMEDIATE');
      try {
        if ('ids' in target) {
          const ids = target.ids.filter((x) => Number.isInteger(x));
          for (let i = 0; i < ids.length; i += 500) {
            const chunk = ids.slice(i, i + 500);
            const sql = `UPDATE events SET attended_by = ?, attended_at = ? WHERE id IN (${chunk.map(() => '?').join(',')}) AND ${UNATTENDED} RETURNING id`;
            for (const r of this.statement(sql).all(user, at, ...chunk)) out.push(Number(r.id));
          }
        } else {
          const { where, params } = conditions({ ...target.filter, unattendedOnly: true });
          const sql = `UPDATE events SET attended_by = ?, attended_at = ? WHERE ${where.join(' AND ')} RETURNING id`;
          for (const r of this.statement(sql).all(user, at, ...params)) out.push(Number(r.id));
        }
        db.exec('COMMIT');
      } catch (e) {
        db.exec('ROLLBACK');
        throw e;
      }
      if (this.unattended) this.unattended.n -= out.length; // each was an unattended alarm (the UPDATE's condition)
      return out.sort((a, b) => a - b);
    });
  }

  silence(user: string, at: number): HornState {
    if (typeof user !== 'string' || !user || user.length > 200) throw new JournalError('EJOURNAL_INVALID', 'silence needs a user name (1-200 characters)');
    this.run('silence', () => {
      const last = this.statement(`SELECT max(id) AS m FROM events WHERE ${UNATTENDED}`).get();
      this.st.setMeta.run('silence', JSON.stringify({ through: Number(last?.m ?? 0), by: user, at }));
    });
    return this.horn();
  }

  horn(): HornState {
    return this.run('read the horn state', () => {
      const meta = this.st.getMeta.get('silence');
      let s: { through?: unknown; by?: unknown; at?: unknown } = {};
      try {
        s = meta ? (JSON.parse(String(meta.v)) as typeof s) : {};
      } catch {
        s = {};
      }
      const through = typeof s.through === 'number' ? s.through : 0;
      const version = Number(this.st.dataVersion.get()?.data_version);
      if (!this.unattended || this.unattended.version !== version)
        this.unattended = { n: Number(this.statement(`SELECT count(*) AS n FROM events WHERE ${UNATTENDED}`).get()?.n ?? 0), version };
      const unattended = this.unattended.n;
      const newer = this.statement(`SELECT 1 AS x FROM events WHERE ${UNATTENDED} AND id > ? LIMIT 1`).get(through) !== undefined;
      return {
        sounding: newer,
        unattended,
        silencedBy: typeof s.by === 'string' ? s.by : null,
        silencedAt: typeof s.at === 'number' ? s.at : null,
      };
    });
  }

  prune(retention: Retention, now: number, batch = 10_000): number {
    const keep = retention.keepUnattended === false ? '' : ` AND NOT (${UNATTENDED})`;
    const db = this.open();
    this.unattended = null;
    return this.run('apply the retention', () => {
      let gone = 0;
      if (retention.maxAgeDays !== undefined) {
        const cutoff = now - retention.maxAgeDays * 86_400_000;
        gone += Number(
          db.prepare(`DELETE FROM events WHERE id IN (SELECT id FROM events WHERE received_at < ?${keep} ORDER BY id LIMIT ?)`).run(cutoff, batch).changes,
        );
      }
      if (retention.maxRows !== undefined && gone < batch) {
        const edge = db.prepare('SELECT id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?').get(Math.max(0, Math.floor(retention.maxRows) - 1));
        if (edge) {
          const cut = retention.maxRows <= 0 ? Number(edge.id) + 1 : Number(edge.id);
          gone += Number(
            db.prepare(`DELETE FROM events WHERE id IN (SELECT id FROM events WHERE id < ?${keep} ORDER BY id LIMIT ?)`).run(cut, batch - gone).changes,
          );
        }
      }
      return gone;
    });
  }

  removeState(line: string): void {
    this.run('forget the line state', () => this.open().prepare('DELETE FROM state WHERE line = ?').run(line));
  }

  cursor(name: string): number {
    const v = this.run('read a cursor', () => this.st.getMeta.get(`cursor:${name}`));
    const n = v ? Number(v.v) : 0;
    return Number.isSafeInteger(n) && n > 0 ? n : 0;
  }

  setCursor(name: string, id: number): void {
    if (typeof name !== 'string' || !name || name.length > 200) throw new JournalError('EJOURNAL_INVALID', 'a cursor needs a name of 1-200 characters');
    if (!Number.isSafeInteger(id) || id < 0) throw new JournalError('EJOURNAL_INVALID', 'a cursor is an event id');
    this.run('save a cursor', () => this.st.setMeta.run(`cursor:${name}`, String(id)));
  }

  count(): number {
    return this.run('count', () => Number(this.st.count.get()?.n ?? 0));
  }

  close(): void {
    const db = this.db;
    this.db = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.statements.clear();
    if (db) db.close();
  }

  /** A prepared statement for this SQL, prepared once (preparing costs more than running a page query). */
  private statement(sql: string): SqlStatement {
    let st = this.statements.get(sql);
    if (!st) {
      if (this.statements.size >= STATEMENT_CACHE) this.statements.clear();
      st = this.open().prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  private open(): SqlDatabase {
    if (!this.db) throw new JournalError('EJOURNAL_CLOSED', 'the journal is closed');
    return this.db;
  }

  private run<T>(what: string, f: () => T): T {
    this.open();
    try {
      return f();
    } catch (e) {
      throw toJournalError(e, `cannot ${what}`);
    }
  }
}

/** Opens the file and makes it a journal; EJOURNAL_CORRUPT when it is not one or is damaged. */
function initialise(file: string, opts: OpenOptions): SqlDatabase {
  if (opts.check !== 'none') {
    const problem = headerProblem(file);
    if (problem) throw corrupt(file, new Error(problem));
  }
  let db: SqlDatabase;
  try {
    db = openDatabase(file, opts.binding);
  } catch (e) {
    throw e instanceof JournalError ? e : isCorruption(e) ? corrupt(file, e) : toJournalError(e, `cannot open ${path.basename(file)}`);
  }
  try {
    const get = (sql: string) => db.prepare(sql).get() ?? {};
    const tables = Number(get("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").n);
    const appId = Number(get('PRAGMA application_id').application_id);
    if (tables > 0 && appId !== APPLICATION_ID) throw corrupt(file, new Error('another SQLite database, not a journal'));
    if (opts.check === 'quick' && tables > 0) {
      const r = get('PRAGMA quick_check(1)');
      const v = String(Object.values(r)[0]);
      if (v !== 'ok') throw corrupt(file, new Error(v));
    }
    const mode = String(get('PRAGMA journal_mode = WAL').journal_mode);
    if (mode !== 'wal') throw new JournalError('EJOURNAL_IO', `${path.basename(file)}: WAL mode refused (${mode})`);
    // a lock held by another process is waited for on the main thread (the bindings are synchronous): briefly, since
    // the line retries a held-back reply every second anyway (100 ms of 1 s, not a blocked event loop)
    db.exec(`PRAGMA synchronous = ${opts.synchronous === 'full' ? 'FULL' : 'NORMAL'}; PRAGMA busy_timeout = 100;`);
    if (tables === 0) {
      db.exec(
        `BEGIN; ${SCHEMA} INSERT INTO meta (k, v) VALUES ('${LATE}', '0'); PRAGMA application_id = ${APPLICATION_ID}; PRAGMA user_version = ${SCHEMA_VERSION}; COMMIT;`,
      );
    } else {
      const version = Number(get('PRAGMA user_version').user_version);
      if (version > SCHEMA_VERSION) throw new JournalError('EJOURNAL_INVALID', `${path.basename(file)} was written by a newer version (schema ${version})`);
      if (version < 2) {
        // once per file, in one transaction: the new tag index is built and 'late' found (one scan each; docs/journal.md)
        db.exec(`BEGIN IMMEDIATE; ${MIGRATE_TO_2} ${SCHEMA}`);
        try {
          const d = Number(get(LATE_OF_ROWS).d ?? 0);
          db.prepare('INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v').run(LATE, String(d));
          db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}; COMMIT;`);
        } catch (e) {
          db.exec('ROLLBACK');
          throw e;
        }
      } else db.exec(SCHEMA);
    }
    return db;
  } catch (e) {
    db.close();
    if (e instanceof JournalError) throw e;
    throw isCorruption(e) ? corrupt(file, e) : toJournalError(e, `cannot open ${path.basename(file)}`);
  }
}

/** Why the file's SQLite header says it is not usable ('' when it is, or when there is no file yet). */
function headerProblem(file: string): string {
  let size: number;
  const head = Buffer.alloc(100);
  try {
    const fd = fs.openSync(file, 'r');
    try {
      size = fs.fstatSync(fd).size;
      fs.readSync(fd, head, 0, 100, 0);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return ''; // missing (a fresh journal) or unreadable: SQLite's open says which
  }
  if (size === 0) return '';
  if (size < 100 || head.toString('latin1', 0, 16) !== 'SQLite format 3\0') return 'not a SQLite file';
  const raw = head.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  const pages = head.readUInt32BE(28);
  // the in-header size is valid only when written by the same change as the counter; pages still in the
  // WAL may legitimately lie beyond the end of the file
  const valid = head.readUInt32BE(92) === head.readUInt32BE(24);
  let wal: number;
  try {
    wal = fs.statSync(`${file}-wal`).size;
  } catch {
    wal = 0;
  }
  if (valid && wal === 0 && size < pages * pageSize) return `truncated: ${size} of ${pages * pageSize} bytes`;
  return '';
}

function corrupt(file: string, e: unknown): JournalError {
  return new JournalError('EJOURNAL_CORRUPT', `journal ${path.basename(file)} is not usable (${(e as Error).message})`, { cause: e });
}

/** Renames the file and its WAL files to `<file>.corrupt-<time>[-wal|-shm]`; returns the new name of the file. */
function keepAside(file: string, now: number): string {
  const kept = `${file}.corrupt-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      fs.renameSync(file + suffix, kept + suffix);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || suffix === '') throw toJournalError(e, `cannot keep ${path.basename(file + suffix)} aside`);
    }
  }
  return kept;
}

function text(v: unknown, name: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.length > MAX_TEXT) throw new JournalError('EJOURNAL_INVALID', `${name} must be a string of at most ${MAX_TEXT} characters`);
  return v;
}

/** Validates a reply before the transaction and returns the rows to insert. */
function checkReply(r: ReplyInput): SqlValue[][] {
  if (!r || typeof r !== 'object') throw new JournalError('EJOURNAL_INVALID', 'a reply must be an object');
  if (typeof r.line !== 'string' || !r.line || r.line.length > 200) throw new JournalError('EJOURNAL_INVALID', 'line must be a name of 1-200 characters');
  if (!Number.isInteger(r.device) || r.device < 0 || r.device > 255) throw new JournalError('EJOURNAL_INVALID', 'device must be an address 0-255');
  if (typeof r.replyKey !== 'string' || !r.replyKey || r.replyKey.length > 64)
    throw new JournalError('EJOURNAL_INVALID', 'replyKey must be a key of 1-64 characters');
  if (!Number.isFinite(r.receivedAt)) throw new JournalError('EJOURNAL_INVALID', 'receivedAt must be a time in ms');
  if (!Array.isArray(r.events) || r.events.length > MAX_EVENTS_PER_REPLY)
    throw new JournalError('EJOURNAL_INVALID', `events must be an array of at most ${MAX_EVENTS_PER_REPLY}`);
  if (r.state !== undefined) {
    for (const [dev, s] of Object.entries(r.state)) {
      if (!/^\d{1,3}$/.test(dev) || !s || !Number.isInteger(s.seq) || !Array.isArray(s.recent))
        throw new JournalError('EJOURNAL_INVALID', `state of device ${dev} must be { seq, recent }`);
    }
  }
  return r.events.map((e: EventInput, i) => {
    if (!e || !TYPES.has(e.type)) throw new JournalError('EJOURNAL_INVALID', `event ${i}: unknown type`);
    if (!(e.raw instanceof Uint8Array) || e.raw.length > 64) throw new JournalError('EJOURNAL_INVALID', `event ${i}: raw must be at most 64 bytes`);
    const t = e.deviceTime;
    const fields = t && [t.year, t.month, t.day, t.hour, t.minute, t.second, t.fraction];
    if (!fields || !fields.every((n) => Number.isInteger(n))) throw new JournalError('EJOURNAL_INVALID', `event ${i}: deviceTime must be a decoded Mara time`);
    const severity = e.severity ?? 0;
    if (!Number.isInteger(severity) || severity < 0 || severity > 9) throw new JournalError('EJOURNAL_INVALID', `event ${i}: severity must be 0-9`);
    const value = e.value ?? null;
    if (value !== null && !Number.isFinite(value)) throw new JournalError('EJOURNAL_INVALID', `event ${i}: value must be a number`);
    return [
      r.line,
      r.device,
      r.replyKey,
      i,
      e.type,
      JSON.stringify(fields),
      timeProblem(t) ? '' : formatTime(t),
      r.receivedAt,
      text(e.tag, 'tag'),
      text(e.description, 'description'),
      text(e.stateText, 'stateText'),
      value,
      e.raw,
      text(e.quality, 'quality') ?? 'invalid',
      severity,
    ];
  });
}

/** The WHERE terms of a filter (positional parameters). */
function conditions(q: JournalQuery, time = true): { where: string[]; params: SqlValue[] } {
  const where: string[] = [];
  const params: SqlValue[] = [];
  const num = (v: unknown, name: string) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new JournalError('EJOURNAL_INVALID', `${name} must be a number`);
    return v;
  };
  const add = (sql: string, v: SqlValue) => {
    where.push(sql);
    params.push(v);
  };
  if (q.from !== undefined) num(q.from, 'from');
  if (q.to !== undefined) num(q.to, 'to');
  if (time && q.from !== undefined) add('received_at >= ?', q.from);
  if (time && q.to !== undefined) add('received_at < ?', q.to);
  if (q.line !== undefined) add('line = ?', String(q.line));
  if (q.device !== undefined) add('device = ?', num(q.device, 'device'));
  if (q.type !== undefined) {
    if (!TYPES.has(q.type)) throw new JournalError('EJOURNAL_INVALID', `unknown event type ${String(q.type).slice(0, 20)}`);
    where.push('type = ?');
    params.push(q.type);
  }
  if (q.tagPrefix !== undefined && q.tagPrefix !== '') {
    const p = text(q.tagPrefix, 'tagPrefix') as string;
    // a range, not LIKE: it uses the tag index and has no wildcard to escape
    where.push('tag >= ? AND tag < ?');
    params.push(p, p + '\uffff');
  }
  if (q.unattendedOnly) where.push(UNATTENDED);
  else if (q.alarmsOnly) where.push('severity > 0');
  return { where, params };
}

/** The record of a row just inserted (checkReply's values, in its column order), equal to what toRecord reads back. */
function recordOf(id: number, v: SqlValue[], t: MaraTime): JournalRecord {
  const receivedAt = Number(v[7]);
  const raw = v[12] as Uint8Array;
  return {
    id,
    line: String(v[0]),
    device: Number(v[1]),
    replyKey: String(v[2]),
    index: Number(v[3]),
    type: v[4] as JournalEventType,
    deviceTime: { year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: t.second, fraction: t.fraction },
    deviceIso: String(v[6]),
    receivedAt,
    receivedIso: new Date(receivedAt).toISOString(),
    tag: v[8] === null ? null : String(v[8]),
    description: v[9] === null ? null : String(v[9]),
    stateText: v[10] === null ? null : String(v[10]),
    value: v[11] === null ? null : Number(v[11]),
    raw: Buffer.from(raw),
    quality: String(v[13]),
    severity: Number(v[14]),
    attendedBy: null,
    attendedAt: null,
  };
}

function toRecord(r: SqlRow): JournalRecord {
  const f = JSON.parse(String(r.device_time)) as number[];
  const deviceTime: MaraTime = { year: f[0], month: f[1], day: f[2], hour: f[3], minute: f[4], second: f[5], fraction: f[6] };
  const raw = r.raw as Uint8Array;
  const receivedAt = Number(r.received_at);
  return {
    id: Number(r.id),
    line: String(r.line),
    device: Number(r.device),
    replyKey: String(r.reply_key),
    index: Number(r.idx),
    type: String(r.type) as JournalEventType,
    deviceTime,
    deviceIso: String(r.device_iso),
    receivedAt,
    receivedIso: new Date(receivedAt).toISOString(),
    tag: r.tag === null ? null : String(r.tag),
    description: r.description === null ? null : String(r.description),
    stateText: r.state_text === null ? null : String(r.state_text),
    value: r.value === null ? null : Number(r.value),
    raw: Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength),
    quality: String(r.quality),
    severity: Number(r.severity),
    attendedBy: r.attended_by === null ? null : String(r.attended_by),
    attendedAt: r.attended_at === null ? null : Number(r.attended_at),
  };
}
