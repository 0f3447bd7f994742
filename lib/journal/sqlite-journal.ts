import fs from 'node:fs';
import path from 'node:path';
import { formatTime, timeProblem, type MaraTime } from '../mara/time';
import { JournalError, isCorruption, toJournalError } from './errors';
import { APPLICATION_ID, SCHEMA, SCHEMA_VERSION, UNATTENDED } from './schema';
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
}

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

/** Opens (creating it if missing) the journal file; a corrupt one is kept aside and a fresh one opened (see `recovered`). */
export function openJournal(file: string, opts: OpenOptions = {}): SqliteJournal {
  return new SqliteJournal(path.resolve(file), opts);
}

export class SqliteJournal implements JournalStore {
  readonly binding: BindingName;
  /** Set when the file found at open was not usable: it was renamed and this journal is a fresh one. */
  readonly recovered: Recovery | null = null;
  private db: SqlDatabase | null;
  private readonly st: Record<'insert' | 'has' | 'state' | 'loadState' | 'getMeta' | 'setMeta' | 'count', SqlStatement>;

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
    const p = (sql: string) => db.prepare(sql);
    this.st = {
      insert: p(
        `INSERT OR IGNORE INTO events (line, device, reply_key, idx, type, device_time, device_iso, received_at, tag, description, state_text, value, raw, quality, severity)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      has: p('SELECT 1 AS x FROM events WHERE line = ? AND device = ? AND reply_key = ? LIMIT 1'),
      state: p(
        'INSERT INTO state (line, device, seq, recent) VALUES (?, ?, ?, ?) ON CONFLICT (line, device) DO UPDATE SET seq = excluded.seq, recent = excluded.recent',
      ),
      loadState: p('SELECT device, seq, recent FROM state WHERE line = ?'),
      getMeta: p('SELECT v FROM meta WHERE k = ?'),
      setMeta: p('INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v'),
      count: p('SELECT count(*) AS n FROM events'),
    };
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
      const duplicate = rows.length > 0 && this.st.has.get(reply.line, reply.device, reply.replyKey) !== undefined;
      if (!duplicate) {
        for (const row of rows) {
          const r = this.st.insert.run(...row);
          if (Number(r.changes) === 1) ids.push(Number(r.lastInsertRowid));
        }
      }
      if (reply.state) for (const [dev, s] of Object.entries(reply.state)) this.st.state.run(reply.line, Number(dev), s.seq, JSON.stringify(s.recent));
      db.exec('COMMIT');
      return { ids, duplicate };
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
    const { where, params } = conditions(q);
    for (const [key, op] of [
      ['beforeId', '<'],
      ['afterId', '>'],
    ] as const) {
      const v = q[key];
      if (v === undefined) continue;
      if (!Number.isInteger(v)) throw new JournalError('EJOURNAL_INVALID', `${key} must be an integer`);
      where.push(`id ${op} ?`);
      params.push(v);
    }
    const order = q.afterId !== undefined ? 'ASC' : 'DESC';
    // the page's ids first, from an index alone (events_tag covers (tag, id): a prefix sorts ids, not rows), then its rows
    const from = q.tagPrefix ? 'events INDEXED BY events_tag' : 'events';
    const sql = `SELECT * FROM events WHERE id IN (SELECT id FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id ${order} LIMIT ?) ORDER BY id ${order}`;
    const rows = this.run('query the journal', () =>
      this.open()
        .prepare(sql)
        .all(...params, limit + 1),
    );
    const more = rows.length > limit;
    const records = rows.slice(0, limit).map(toRecord);
    return { records, next: more ? records[records.length - 1].id : null };
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
            for (const r of db.prepare(sql).all(user, at, ...chunk)) out.push(Number(r.id));
          }
        } else {
          const { where, params } = conditions({ ...target.filter, unattendedOnly: true });
          const sql = `UPDATE events SET attended_by = ?, attended_at = ? WHERE ${where.join(' AND ')} RETURNING id`;
          for (const r of db.prepare(sql).all(user, at, ...params)) out.push(Number(r.id));
        }
        db.exec('COMMIT');
      } catch (e) {
        db.exec('ROLLBACK');
        throw e;
      }
      return out.sort((a, b) => a - b);
    });
  }

  silence(user: string, at: number): HornState {
    if (typeof user !== 'string' || !user || user.length > 200) throw new JournalError('EJOURNAL_INVALID', 'silence needs a user name (1-200 characters)');
    const db = this.open();
    this.run('silence', () => {
      const last = db.prepare(`SELECT max(id) AS m FROM events WHERE ${UNATTENDED}`).get();
      this.st.setMeta.run('silence', JSON.stringify({ through: Number(last?.m ?? 0), by: user, at }));
    });
    return this.horn();
  }

  horn(): HornState {
    const db = this.open();
    return this.run('read the horn state', () => {
      const meta = this.st.getMeta.get('silence');
      let s: { through?: unknown; by?: unknown; at?: unknown } = {};
      try {
        s = meta ? (JSON.parse(String(meta.v)) as typeof s) : {};
      } catch {
        s = {};
      }
      const through = typeof s.through === 'number' ? s.through : 0;
      const unattended = Number(db.prepare(`SELECT count(*) AS n FROM events WHERE ${UNATTENDED}`).get()?.n ?? 0);
      const newer = db.prepare(`SELECT 1 AS x FROM events WHERE ${UNATTENDED} AND id > ? LIMIT 1`).get(through) !== undefined;
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
    if (db) db.close();
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
      db.exec(`BEGIN; ${SCHEMA} PRAGMA application_id = ${APPLICATION_ID}; PRAGMA user_version = ${SCHEMA_VERSION}; COMMIT;`);
    } else {
      const version = Number(get('PRAGMA user_version').user_version);
      if (version > SCHEMA_VERSION) throw new JournalError('EJOURNAL_INVALID', `${path.basename(file)} was written by a newer version (schema ${version})`);
      db.exec(SCHEMA);
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
function conditions(q: JournalQuery): { where: string[]; params: SqlValue[] } {
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
  if (q.from !== undefined) add('received_at >= ?', num(q.from, 'from'));
  if (q.to !== undefined) add('received_at < ?', num(q.to, 'to'));
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
