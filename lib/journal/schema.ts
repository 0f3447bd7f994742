/** Marks a file as this package's journal (PRAGMA application_id): another SQLite file is not taken for one. */
export const APPLICATION_ID = 0x4d4a524e; // 'MJRN'
/** 2: the tag index also covers type, severity and attended_at, and meta 'late' is kept (see LATE). */
export const SCHEMA_VERSION = 2;

/**
 * One row per event; `id` is the insertion order, so "newest first" is `ORDER BY id DESC` and a page is
 * a keyset (`id < beforeId`), never an OFFSET. The unique key is the master's replay rule: the same
 * reply (line, device, `${seq}:${digest}`) is never stored twice. The partial index holds only the
 * unattended alarms, so the alarm list and the horn stay fast however long the journal is.
 */
export const SCHEMA_TABLES = `
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY,
  line TEXT NOT NULL,
  device INTEGER NOT NULL,
  reply_key TEXT NOT NULL,
  idx INTEGER NOT NULL,
  type TEXT NOT NULL,
  device_time TEXT NOT NULL,
  device_iso TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  tag TEXT,
  description TEXT,
  state_text TEXT,
  value INTEGER,
  raw BLOB NOT NULL,
  quality TEXT NOT NULL,
  severity INTEGER NOT NULL DEFAULT 0,
  attended_by TEXT,
  attended_at INTEGER
);
CREATE TABLE IF NOT EXISTS state (
  line TEXT NOT NULL,
  device INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  recent TEXT NOT NULL,
  PRIMARY KEY (line, device)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;
`;

/** The indexes (apart, so that a bulk load can build them after the rows). */
export const SCHEMA_INDEXES = `
CREATE UNIQUE INDEX IF NOT EXISTS events_reply ON events (line, device, reply_key, idx);
CREATE INDEX IF NOT EXISTS events_received ON events (received_at);
CREATE INDEX IF NOT EXISTS events_device ON events (line, device, id);
CREATE INDEX IF NOT EXISTS events_tag_filter ON events (tag, type, severity, attended_at, id);
CREATE INDEX IF NOT EXISTS events_type ON events (type, id);
CREATE INDEX IF NOT EXISTS events_unattended ON events (id) WHERE severity > 0 AND attended_at IS NULL;
`;

export const SCHEMA = SCHEMA_TABLES + SCHEMA_INDEXES;

/**
 * From schema 1: the tag index of schema 1 (tag, id) gives way to one that also holds the other filters of a
 * tag-prefix page, so such a page is read from the index without a row lookup per candidate (same pages per append).
 */
export const MIGRATE_TO_2 = 'DROP INDEX IF EXISTS events_tag;';

/**
 * meta 'late' = the greatest id of an event received earlier (received_at) than an event stored before it; 0 when
 * none. Above it, received_at never decreases with id, so a time range there is an id range (a keyset seek, not a
 * scan of the time index); the append keeps it in the same transaction, the migration to schema 2 computes it.
 */
export const LATE = 'late';
export const LATE_OF_ROWS = `SELECT coalesce(max(id), 0) AS d FROM (SELECT id, received_at < max(received_at) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS late FROM events) WHERE late`;

/** The condition of the partial index (a query must spell it the same way to use it). */
export const UNATTENDED = 'severity > 0 AND attended_at IS NULL';
