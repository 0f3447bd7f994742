import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { JournalError, openJournal } from '../../lib/journal';
import { openDatabase } from '../../lib/journal/sqlite';
import { reply, tempDir } from './fixtures';

const root = path.resolve(__dirname, '../..');
const code = (c: string) => (e: unknown) => e instanceof JournalError && e.code === c;

/** Runs the child until it has acknowledged `acks` replies, then SIGKILLs it; returns the acknowledged reply numbers. */
function burstAndKill(file: string, first: number, acks: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'append-child.ts'), file, String(first)], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: number[] = [];
    let buf = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = /^ack (\d+)$/.exec(line);
        if (m) acked.push(Number(m[1]));
        if (acked.length === acks) child.kill('SIGKILL'); // the acks already in the pipe are still read
      }
    });
    // 'close', not 'exit': every ack the child wrote has been read by then
    child.on('close', (_code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`the child ended by itself (${_code}): ${err.slice(-2000)}`));
    });
  });
}

/** Makes a file read-only even for root (immutable); false when this machine cannot. */
function makeReadOnly(file: string, on: boolean): boolean {
  if (process.getuid?.() !== 0) {
    fs.chmodSync(file, on ? 0o444 : 0o644);
    return true;
  }
  return spawnSync('chattr', [on ? '+i' : '-i', file]).status === 0;
}

describe('journal faults', () => {
  it('a SIGKILL during a burst of appends loses no acknowledged event and stores none twice', async (t) => {
    const file = path.join(tempDir(t), 'j.sqlite');
    const acked = [...(await burstAndKill(file, 0, 300)), ...(await burstAndKill(file, 10_000, 300))];
    assert.ok(acked.length >= 600, `${acked.length} acks`);
    const j = openJournal(file);
    t.after(() => j.close());
    assert.equal(j.recovered, null);
    const rows = [];
    for (let before: number | undefined, page; (page = j.query({ limit: 10_000, beforeId: before })); before = page.next) {
      rows.push(...page.records);
      if (page.next === null) break;
    }
    assert.equal(rows.length, j.count());
    const raws = new Map<string, number>();
    for (const r of rows) raws.set(r.raw.toString('hex'), (raws.get(r.raw.toString('hex')) ?? 0) + 1);
    // none twice
    assert.equal(raws.size, rows.length);
    // every acknowledged one is there
    for (const n of acked) for (const e of reply(n).events) assert.equal(raws.get(Buffer.from(e.raw).toString('hex')), 1, `event of reply ${n}`);
    // at most the one reply in flight at each kill is there without its ack, and whole (its state too)
    assert.ok(rows.length <= acked.length * 10 + 20, `${rows.length} rows for ${acked.length} acks`);
    assert.equal(rows.length % 10, 0);
    const last = Math.max(...rows.map((r) => r.id));
    const newest = rows.find((r) => r.id === last);
    const n = Math.floor(newest!.raw.readUInt32BE(0) / 10);
    assert.equal(j.loadState('L1')['1'].seq, 0x20 + ((n + 1) % 96));
  });

  it('a corrupt file is kept aside (renamed) and a fresh journal opened, with EJOURNAL_CORRUPT', (t) => {
    const dir = tempDir(t);
    const file = path.join(dir, 'j.sqlite');
    fs.writeFileSync(file, Buffer.alloc(8192, 0x42));
    const j = openJournal(file, { now: () => Date.UTC(2026, 11, 3, 12, 0, 0) });
    t.after(() => j.close());
    assert.equal(j.recovered?.error.code, 'EJOURNAL_CORRUPT');
    assert.match(j.recovered!.error.message, /j\.sqlite is not usable.*kept as j\.sqlite\.corrupt-2026-12-03T12-00-00-000Z/);
    assert.equal(j.recovered!.keptAs, `${file}.corrupt-2026-12-03T12-00-00-000Z`);
    assert.deepEqual(fs.readFileSync(j.recovered!.keptAs), Buffer.alloc(8192, 0x42));
    assert.equal(j.append(reply(0)).ids.length, 10);
    assert.equal(j.count(), 10);
  });

  it('a truncated file is found at open and kept aside', (t) => {
    const file = path.join(tempDir(t), 'j.sqlite');
    const j0 = openJournal(file);
    for (let r = 0; r < 200; r++) j0.append(reply(r));
    j0.close();
    const size = fs.statSync(file).size;
    assert.ok(size > 100_000, `${size} bytes`);
    fs.truncateSync(file, Math.floor(size / 2));
    const j = openJournal(file);
    t.after(() => j.close());
    assert.equal(j.recovered?.error.code, 'EJOURNAL_CORRUPT');
    assert.match(j.recovered!.error.message, /truncated/);
    assert.equal(fs.statSync(j.recovered!.keptAs).size, Math.floor(size / 2));
    assert.equal(j.count(), 0);
  });

  it('check: quick finds a damaged page that the header check cannot see', (t) => {
    const file = path.join(tempDir(t), 'j.sqlite');
    const j0 = openJournal(file);
    for (let r = 0; r < 200; r++) j0.append(reply(r));
    j0.close();
    const size = fs.statSync(file).size;
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(4096, 0xff), 0, 4096, Math.floor(size / 2 / 4096) * 4096);
    fs.closeSync(fd);
    const j = openJournal(file, { check: 'quick' });
    t.after(() => j.close());
    assert.equal(j.recovered?.error.code, 'EJOURNAL_CORRUPT');
    assert.equal(j.count(), 0);
  });

  it('another SQLite database is not taken for a journal', (t) => {
    const file = path.join(tempDir(t), 'j.sqlite');
    const db = openDatabase(file);
    db.exec('CREATE TABLE mine (x); INSERT INTO mine VALUES (1);');
    db.close();
    const j = openJournal(file);
    t.after(() => j.close());
    assert.equal(j.recovered?.error.code, 'EJOURNAL_CORRUPT');
    assert.match(j.recovered!.error.message, /not a journal/);
    const kept = openDatabase(j.recovered!.keptAs);
    assert.equal(kept.prepare('SELECT x FROM mine').get()?.x, 1);
    kept.close();
  });

  it('a file made read-only: the append fails with EJOURNAL_READONLY, stores nothing, and works again once writable', (t) => {
    const file = path.join(tempDir(t), 'j.sqlite');
    const j = openJournal(file);
    t.after(() => j.close());
    j.append(reply(0));
    if (!makeReadOnly(file, true)) return t.skip('cannot make a file read-only here (chattr +i refused)');
    try {
      assert.throws(() => j.append(reply(1)), code('EJOURNAL_READONLY'));
      assert.equal(j.count(), 10);
      assert.equal(j.loadState('L1')['1'].seq, 0x21);
    } finally {
      makeReadOnly(file, false);
    }
    assert.equal(j.append(reply(1)).ids.length, 10);
    assert.equal(j.loadState('L1')['1'].seq, 0x22);
  });

  it('a journal opened read-only refuses appends with EJOURNAL_READONLY', (t) => {
    const file = path.join(tempDir(t), 'j.sqlite');
    const j0 = openJournal(file);
    j0.append(reply(0));
    j0.close();
    if (!makeReadOnly(file, true)) return t.skip('cannot make a file read-only here (chattr +i refused)');
    // undone here, not in t.after: the temporary directory's removal (an earlier after hook) needs it undone
    let j: ReturnType<typeof openJournal> | null = null;
    try {
      // it opens (SQLite falls back to reading), reads, and refuses to write
      const opened = (j = openJournal(file));
      assert.equal(opened.count(), 10);
      assert.throws(() => opened.append(reply(1)), code('EJOURNAL_READONLY'));
      assert.equal(opened.count(), 10);
    } finally {
      j?.close();
      makeReadOnly(file, false);
    }
  });
});
