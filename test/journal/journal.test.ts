import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { JournalError, defaultBinding, openJournal, replyKey } from '../../lib/journal';
import { openDatabase } from '../../lib/journal/sqlite';
import { event, reply, tempDir } from './fixtures';

const code = (c: string) => (e: unknown) => e instanceof JournalError && e.code === c;

describe('journal storage', () => {
  it('uses node:sqlite where this Node has it, else better-sqlite3 (each CI run exercises its own)', (t) => {
    const [major, minor] = process.versions.node.split('.').map(Number);
    const builtIn = major > 22 || (major === 22 && minor >= 13);
    assert.equal(defaultBinding(), builtIn ? 'node:sqlite' : 'better-sqlite3');
    const j = openJournal(path.join(tempDir(t), 'j.sqlite'));
    t.after(() => j.close());
    assert.equal(j.binding, defaultBinding());
  });

  it('stores a reply in WAL mode and reads every field back', (t) => {
    const file = path.join(tempDir(t), 'sub', 'j.sqlite');
    const j = openJournal(file);
    const r = reply(7, 2);
    r.events = [event(1, { severity: 3, tag: 'A.B' }), { ...event(2), type: 'energy', value: 123456, tag: null, stateText: null, description: null }];
    const { ids, duplicate } = j.append(r);
    assert.equal(duplicate, false);
    assert.equal(ids.length, 2);
    const [e2, e1] = j.query().records;
    assert.deepEqual(
      { ...e1, raw: e1.raw.toString('hex') },
      {
        id: ids[0],
        line: 'L1',
        device: 1,
        replyKey: r.replyKey,
        index: 0,
        type: 'digital',
        deviceTime: r.events[0].deviceTime,
        deviceIso: '2026-12-03T10:20:30.500',
        receivedAt: r.receivedAt,
        receivedIso: new Date(r.receivedAt).toISOString(),
        tag: 'A.B',
        description: 'breaker',
        stateText: 'closed',
        value: 1,
        raw: Buffer.from(r.events[0].raw).toString('hex'),
        quality: 'good',
        severity: 3,
        attendedBy: null,
        attendedAt: null,
      },
    );
    assert.equal(e2.type, 'energy');
    assert.equal(e2.value, 123456);
    assert.equal(e2.tag, null);
    assert.equal(e2.index, 1);
    assert.ok(Buffer.isBuffer(e2.raw));
    assert.deepEqual({ ...j.loadState('L1') }, { '1': { seq: 0x28, recent: ['k7'] } });
    assert.deepEqual({ ...j.loadState('other') }, {});
    j.close();
    assert.ok(fs.existsSync(`${file}-wal`) || fs.statSync(file).size > 0);
    const db = openDatabase(file);
    assert.equal(db.prepare('PRAGMA journal_mode').get()?.journal_mode, 'wal');
    db.close();
    assert.throws(() => j.count(), code('EJOURNAL_CLOSED'));
  });

  it('stores a reply exactly once: the same replay key twice gives one row per event', (t) => {
    const j = openJournal(path.join(tempDir(t), 'j.sqlite'));
    t.after(() => j.close());
    const r = reply(1);
    assert.equal(j.has('L1', 1, r.replyKey), false);
    assert.equal(j.append(r).ids.length, 10);
    assert.equal(j.has('L1', 1, r.replyKey), true);
    const again = j.append({ ...r, state: { '1': { seq: 0x30, recent: ['x'] } } });
    assert.deepEqual(again, { ids: [], duplicate: true });
    assert.equal(j.count(), 10);
    // the state of a replay is still saved (the master advances past it)
    assert.equal(j.loadState('L1')['1'].seq, 0x30);
    // the same key on another device or line is another reply
    assert.equal(j.append({ ...r, device: 2 }).ids.length, 10);
    assert.equal(j.append({ ...r, line: 'L2' }).ids.length, 10);
    assert.equal(j.count(), 30);
  });

  it("replyKey is the master's `${seq}:${digest}` rule", () => {
    const raw = Buffer.from('fe0a0b0c', 'hex');
    assert.equal(replyKey(0x21, raw), replyKey(0x21, Buffer.from(raw)));
    assert.notEqual(replyKey(0x21, raw), replyKey(0x22, raw));
    assert.match(replyKey(0x21, raw), /^33:[A-Za-z0-9+/]{16}$/);
  });

  it('commits the events and the state of a reply together: a failure between them stores neither', (t) => {
    const file = path.join(tempDir(t), 'j.sqlite');
    const j = openJournal(file);
    t.after(() => j.close());
    j.append(reply(0));
    // a real failure of the state write, after the events were inserted in the same transaction
    const other = openDatabase(file);
    other.exec(`CREATE TRIGGER fail_insert BEFORE INSERT ON state BEGIN SELECT RAISE(ABORT, 'state write failed'); END;
                CREATE TRIGGER fail_update BEFORE UPDATE ON state BEGIN SELECT RAISE(ABORT, 'state write failed'); END;`);
    assert.throws(
      () => j.append(reply(1)),
      (e: unknown) => e instanceof JournalError && e.code === 'EJOURNAL_IO' && /state write failed/.test(e.message),
    );
    assert.equal(j.count(), 10);
    assert.equal(j.has('L1', 1, reply(1).replyKey), false);
    assert.deepEqual({ ...j.loadState('L1') }, { '1': { seq: 0x21, recent: ['k0'] } });
    other.exec('DROP TRIGGER fail_insert; DROP TRIGGER fail_update;');
    other.close();
    // the same reply, retried, is stored in full
    assert.equal(j.append(reply(1)).ids.length, 10);
    assert.equal(j.count(), 20);
    assert.equal(j.loadState('L1')['1'].seq, 0x22);
  });

  it('refuses bad records before the transaction', (t) => {
    const j = openJournal(path.join(tempDir(t), 'j.sqlite'));
    t.after(() => j.close());
    assert.throws(() => j.append({ ...reply(0), device: 300 }), code('EJOURNAL_INVALID'));
    assert.throws(() => j.append({ ...reply(0), line: '' }), code('EJOURNAL_INVALID'));
    assert.throws(() => j.append({ ...reply(0), events: [{ ...event(0), raw: Buffer.alloc(65) }] }), code('EJOURNAL_INVALID'));
    assert.throws(() => j.append({ ...reply(0), events: [{ ...event(0), severity: 12 }] }), code('EJOURNAL_INVALID'));
    assert.throws(() => j.append({ ...reply(0), events: [{ ...event(0), tag: 'x'.repeat(1001) }] }), code('EJOURNAL_INVALID'));
    assert.throws(() => j.append({ ...reply(0), state: { abc: { seq: 1, recent: [] } } }), code('EJOURNAL_INVALID'));
    assert.throws(() => j.query({ limit: 0 }), code('EJOURNAL_INVALID'));
    assert.throws(() => j.query({ type: 'bogus' as never }), code('EJOURNAL_INVALID'));
    assert.equal(j.count(), 0);
  });

  it('pages newest first and filters by time, line, device, tag prefix, type and unattended alarms', (t) => {
    const j = openJournal(path.join(tempDir(t), 'j.sqlite'));
    t.after(() => j.close());
    for (let r = 0; r < 30; r++) {
      const rep = reply(r, 10, { device: 1 + (r % 3), line: r < 20 ? 'L1' : 'L2' });
      rep.events = rep.events.map((e, i) => ({ ...e, severity: i === 0 ? 2 : 0, type: i === 9 ? 'comsys' : 'digital' }));
      j.append(rep);
    }
    // paging: 300 events in pages of 70, newest first, each once
    const seen: number[] = [];
    let before: number | undefined;
    let pages = 0;
    for (;;) {
      const page = j.query({ limit: 70, beforeId: before });
      pages++;
      seen.push(...page.records.map((r) => r.id));
      if (page.next === null) break;
      before = page.next;
    }
    assert.equal(pages, 5);
    assert.equal(seen.length, 300);
    assert.deepEqual(
      seen,
      [...seen].sort((a, b) => b - a),
    );
    assert.equal(new Set(seen).size, 300);

    // catching up, oldest first, from the last id seen
    const caught: number[] = [];
    for (let after = 0, page; (page = j.query({ limit: 128, afterId: after }));) {
      caught.push(...page.records.map((r) => r.id));
      if (page.next === null) break;
      after = page.next;
    }
    assert.deepEqual(caught, [...seen].reverse());
    assert.deepEqual(
      j.query({ afterId: seen[5], limit: 3 }).records.map((r) => r.id),
      [seen[4], seen[3], seen[2]],
    );

    const base = 1_800_000_000_000;
    const inRange = j.query({ from: base + 5000, to: base + 8000, limit: 1000 }).records;
    assert.equal(inRange.length, 30);
    assert.ok(inRange.every((r) => r.receivedAt >= base + 5000 && r.receivedAt < base + 8000));
    assert.equal(j.query({ line: 'L2', limit: 1000 }).records.length, 100);
    const dev2 = j.query({ line: 'L1', device: 2, limit: 1000 }).records;
    assert.equal(dev2.length, 70); // replies 1, 4, …, 19 of L1
    assert.ok(dev2.every((r) => r.device === 2 && r.line === 'L1'));
    const bay1 = j.query({ tagPrefix: 'BAY1', limit: 1000 }).records;
    assert.equal(bay1.length, 75);
    assert.ok(bay1.every((r) => r.tag?.startsWith('BAY1')));
    assert.equal(j.query({ tagPrefix: 'BAY', limit: 1000 }).records.length, 300);
    assert.equal(j.query({ type: 'comsys', limit: 1000 }).records.length, 30);
    assert.equal(j.query({ alarmsOnly: true, limit: 1000 }).records.length, 30);
    const unattended = j.query({ unattendedOnly: true, limit: 5 });
    assert.equal(unattended.records.length, 5);
    assert.ok(unattended.records.every((r) => r.severity === 2 && r.attendedAt === null));
    assert.equal(unattended.records[0].id, Math.max(...seen.filter((id) => (id - 1) % 10 === 0)));
  });

  it('attends by ids or by filter, records user and time once, and keeps the horn separate', (t) => {
    const j = openJournal(path.join(tempDir(t), 'j.sqlite'));
    t.after(() => j.close());
    for (let r = 0; r < 4; r++) {
      const rep = reply(r, 3, { device: r < 2 ? 1 : 2 });
      rep.events = rep.events.map((e, i) => ({ ...e, severity: i < 2 ? 1 : 0 }));
      j.append(rep);
    }
    assert.deepEqual(j.horn(), { sounding: true, unattended: 8, silencedBy: null, silencedAt: null });
    const silenced = j.silence('op', 5000);
    assert.deepEqual(silenced, { sounding: false, unattended: 8, silencedBy: 'op', silencedAt: 5000 });
    const alarms = j.query({ unattendedOnly: true }).records;
    // a non-alarm id and an unknown id are ignored
    const done = j.attend({ ids: [alarms[0].id, alarms[1].id, 3, 999] }, 'ana', 6000);
    assert.deepEqual(done, [alarms[1].id, alarms[0].id]);
    assert.deepEqual(j.attend({ ids: [alarms[0].id] }, 'bob', 7000), []);
    const rec = j.query({ limit: 100 }).records.find((r) => r.id === alarms[0].id);
    assert.equal(rec?.attendedBy, 'ana');
    assert.equal(rec?.attendedAt, 6000);
    assert.equal(j.attend({ filter: { device: 1 } }, 'bob', 8000).length, 4);
    assert.equal(j.horn().unattended, 2);
    assert.equal(j.horn().sounding, false);
    // a new alarm after the silence sounds the horn again
    const rep = reply(10, 1);
    rep.events = [event(100, { severity: 5 })];
    j.append(rep);
    assert.equal(j.horn().sounding, true);
    assert.equal(j.attend({ filter: {} }, 'bob', 9000).length, 3);
    assert.deepEqual(j.horn(), { sounding: false, unattended: 0, silencedBy: 'op', silencedAt: 5000 });
    assert.throws(() => j.attend({ ids: [1] }, '', 1), code('EJOURNAL_INVALID'));
  });

  it('applies retention by days and by rows, in batches, keeping unattended alarms', (t) => {
    const j = openJournal(path.join(tempDir(t), 'j.sqlite'));
    t.after(() => j.close());
    const day = 86_400_000;
    const t0 = 1_800_000_000_000;
    for (let r = 0; r < 10; r++) {
      const rep = reply(r, 10, { receivedAt: t0 + r * day });
      if (r === 0) rep.events = [{ ...rep.events[0], severity: 4 }, ...rep.events.slice(1)];
      j.append(rep);
    }
    // older than 5 days at t0 + 9 days: replies 0-3 go, except the unattended alarm
    assert.equal(j.prune({ maxAgeDays: 5 }, t0 + 9 * day, 25), 25);
    assert.equal(j.prune({ maxAgeDays: 5 }, t0 + 9 * day, 25), 14);
    assert.equal(j.prune({ maxAgeDays: 5 }, t0 + 9 * day), 0);
    assert.equal(j.count(), 61);
    assert.equal(j.query({ unattendedOnly: true }).records.length, 1);
    // keep the newest 20 (the unattended alarm stays too)
    assert.equal(j.prune({ maxRows: 20 }, t0 + 9 * day), 40);
    assert.equal(j.count(), 21);
    const left = j.query({ limit: 100 }).records;
    assert.equal(left[0].receivedAt, t0 + 9 * day);
    assert.equal(left[19].receivedAt, t0 + 8 * day);
    assert.equal(left[20].severity, 4);
    assert.equal(j.prune({ maxRows: 0, keepUnattended: false }, t0), 21);
    assert.equal(j.count(), 0);
  });
});
