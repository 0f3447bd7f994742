/**
 * The journal as the master's write-ahead StateStore: each new reply is recorded (with the SEQ that
 * acknowledges it) before the master hands it on or acknowledges it; a journal that fails holds the line
 * back without losing or doubling anything, and it resumes by itself.
 */
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { SimDevice } from '../../lib/sim/device';
import { FileStateStore } from '../../lib/link/state-store';
import { JournalHub, JournalStateStore, openJournal, replyKey, type JournalChange } from '../../lib/journal';
import { openDatabase } from '../../lib/journal/sqlite';
import { advance, eventsOut, queue, setup, until, useMockTimers } from '../helpers/master-rig';
import { tempDir } from './fixtures';

beforeEach(() => useMockTimers());

const hexes = (rows: { raw: Buffer }[]) => rows.map((r) => r.raw.toString('hex'));

describe('journal as the master write-ahead StateStore', () => {
  it("records every event once, before it is handed on, with the SEQ state, under the master's replay keys", async (t) => {
    const j = openJournal(path.join(tempDir(t), 'j.sqlite'));
    t.after(() => j.close());
    const store = new JournalStateStore(j, 'L1');
    const d = new SimDevice({ address: 1 });
    const sent = queue(d, 25);
    const { m, replies } = setup([d], { store });
    // every reply handed on is already in the journal when the listener runs
    const missing: string[] = [];
    m.on('reply', (r) => {
      for (const e of r.frame.reply?.events ?? []) if (!j.has('L1', r.address, replyKey(r.seq, r.raw))) missing.push(e.raw.toString('hex'));
    });
    m.start();
    await until(() => eventsOut(replies, 1).length >= 25, 5000, '25 events');
    assert.deepEqual(missing, []);
    const rows = j.query({ limit: 1000 }).records.reverse();
    assert.deepEqual(hexes(rows), sent);
    const state = j.loadState('L1')['1'];
    const last = replies[replies.length - 1];
    assert.equal(state.seq, m.devices[0].seq);
    assert.equal(state.seq, last.seq === 0x7f ? 0x20 : last.seq + 1);
    assert.deepEqual(
      state.recent,
      replies.slice(-8).map((r) => replyKey(r.seq, r.raw)),
    );
  });

  it('holds the line back while the journal fails (nothing acknowledged, nothing handed on) and resumes by itself', async (t) => {
    const file = path.join(tempDir(t), 'j.sqlite');
    const j = openJournal(file);
    t.after(() => j.close());
    const store = new JournalStateStore(j, 'L1');
    const d = new SimDevice({ address: 1 });
    const { m, replies } = setup([d], { store, storeRetryMs: 200 });
    const persistence: { ok: boolean; holding?: boolean; code?: string }[] = [];
    m.on('persistence', (p) => persistence.push({ ok: p.ok, holding: p.holding, code: (p.error as { code?: string } | undefined)?.code }));
    m.start();
    await until(() => replies.length >= 2, 2000, 'first replies');
    // the disk "goes": every insert and state write fails
    const other = openDatabase(file);
    t.after(() => other.close());
    other.exec(`CREATE TRIGGER fail BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'disk gone'); END;
                CREATE TRIGGER fail2 BEFORE UPDATE ON state BEGIN SELECT RAISE(ABORT, 'disk gone'); END;`);
    const sent = queue(d, 30);
    const seqBefore = m.devices[0].seq;
    const handedBefore = eventsOut(replies, 1).length;
    await advance(2000, 5);
    assert.equal(eventsOut(replies, 1).length, handedBefore, 'nothing handed on while it cannot be recorded');
    assert.equal(m.devices[0].seq, seqBefore, 'the SEQ did not advance');
    assert.ok(m.devices[0].heldBack >= 2, `held back ${m.devices[0].heldBack}`);
    assert.equal(m.devices[0].online, true, 'the device answers: it is online');
    assert.deepEqual(persistence[0], { ok: false, holding: true, code: 'EJOURNAL_IO' });
    assert.equal(persistence.length, 1, 'reported once, not once per reply');
    assert.equal(j.count(), 0);
    other.exec('DROP TRIGGER fail; DROP TRIGGER fail2;');
    await until(() => eventsOut(replies, 1).length >= 30, 10_000, 'the held events after the journal works again');
    assert.deepEqual(persistence[1], { ok: true, holding: undefined, code: undefined });
    const rows = j.query({ limit: 1000 }).records.reverse();
    assert.deepEqual(hexes(rows), sent, 'every event recorded once, in order');
    assert.deepEqual(eventsOut(replies, 1), sent, 'every event handed on once, in order');
  });

  it('a reply committed but not confirmed (a crash after the commit) is recognised when it comes again: stored once, handed on once', async (t) => {
    const j = openJournal(path.join(tempDir(t), 'j.sqlite'));
    t.after(() => j.close());
    const d = new SimDevice({ address: 1 });
    const sent = queue(d, 12);
    let lose = 3; // the first three commits "crash" after committing: the master never hears they succeeded
    const duplicates: boolean[] = [];
    const target = {
      append: (r: Parameters<typeof j.append>[0]) => {
        const res = j.append(r);
        if (r.events.length) duplicates.push(res.duplicate);
        if (r.events.length && lose-- > 0) throw new Error('lost confirmation');
        return res;
      },
    };
    const { m, replies } = setup([d], { store: new JournalStateStore(j, 'L1', undefined, target), storeRetryMs: 50 });
    m.start();
    await until(() => eventsOut(replies, 1).length >= 12, 5000, '12 events');
    await advance(300, 5);
    assert.ok(duplicates.slice(0, 4).includes(true), `the retransmission was recognised: ${duplicates.join(',')}`);
    assert.deepEqual(hexes(j.query({ limit: 100 }).records.reverse()), sent, 'stored once');
    assert.deepEqual(eventsOut(replies, 1), sent, 'handed on once');
  });

  it("writes only the devices whose state changed, and tells the hub's listeners after the commit", async (t) => {
    const j = openJournal(path.join(tempDir(t), 'j.sqlite'));
    t.after(() => j.close());
    const hub = new JournalHub(j);
    const heard: JournalChange[] = [];
    hub.subscribe('x', (c) => heard.push(c));
    const devs = [1, 2, 3].map((address) => new SimDevice({ address }));
    const appended: number[] = [];
    const target = { append: (r: Parameters<typeof hub.append>[0]) => (appended.push(Object.keys(r.state ?? {}).length), hub.append(r)) };
    const store = new JournalStateStore(j, 'L1', undefined, target);
    const sent = queue(devs[1], 3);
    const { m, replies } = setup(devs, { store });
    m.start();
    await until(() => eventsOut(replies, 2).length >= 3 && replies.length >= 9, 3000, 'replies of all three');
    assert.ok(appended.length >= 9);
    assert.ok(
      appended.slice(3).every((n) => n === 1),
      `one state row per reply after the first of each device: ${appended.join(',')}`,
    );
    const records = heard.flatMap((c) => (c.kind === 'records' ? c.records : []));
    assert.deepEqual(hexes(records), sent);
  });

  it('takes the state of the old state file on first start and removes the file once the journal holds it', async (t) => {
    const dir = tempDir(t);
    const legacy = new FileStateStore(path.join(dir, 'old.json'));
    legacy.save({ '1': { seq: 0x44, recent: ['0x44:abc'] } });
    const j = openJournal(path.join(dir, 'j.sqlite'));
    t.after(() => j.close());
    const store = new JournalStateStore(j, 'L1', undefined, j, legacy);
    assert.deepEqual({ ...store.load() }, { '1': { seq: 0x44, recent: ['0x44:abc'] } });
    store.save({ '1': { seq: 0x45, recent: ['0x44:abc'] } });
    assert.deepEqual({ ...legacy.load() }, {}, 'the old file is gone');
    assert.deepEqual({ ...new JournalStateStore(j, 'L1', undefined, j, legacy).load() }, { '1': { seq: 0x45, recent: ['0x44:abc'] } });
  });
});
