import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { JournalError, JournalHub, openJournal } from '../../lib/journal';
import { EventFeed, type FeedItem } from '../../lib/journal/event-feed';
import { eventJson, parseCommand } from '../../lib/journal/events-commands';
import { event, reply, tempDir } from './fixtures';

const code = (c: string) => (e: unknown) => e instanceof JournalError && e.code === c;

/** A hub on a fresh journal, and a scheduler the test runs by hand. */
function rig(t: { after(fn: () => void): void }) {
  const hub = new JournalHub(openJournal(path.join(tempDir(t), 'j.sqlite')));
  t.after(() => hub.store.close());
  const tasks: Array<() => void> = [];
  return {
    hub,
    tasks,
    schedule: (f: () => void) => void tasks.push(f),
    runOne: () => tasks.shift()?.(),
    runAll: () => {
      while (tasks.length) tasks.shift()!();
    },
  };
}

const ids = (items: FeedItem[]) => items.flatMap((i) => (i.kind === 'event' ? [i.record.id] : []));

describe('event feed (the events node catch-up)', () => {
  it('a consumer new to the journal starts at its end; one that was there catches up from its cursor, in batches, then goes live', (t) => {
    const { hub, schedule, runOne, runAll, tasks } = rig(t);
    for (let r = 0; r < 5; r++) hub.append(reply(r, 10)); // ids 1-50: history a new node does not replay
    const got: FeedItem[] = [];
    const f1 = new EventFeed(hub, { name: 'n1', schedule, batch: 20 }, (i) => got.push(i));
    f1.start();
    runAll();
    assert.equal(f1.catchUp, false);
    assert.deepEqual(ids(got), []);
    hub.append(reply(5, 10));
    assert.deepEqual(
      ids(got),
      Array.from({ length: 10 }, (_, k) => 51 + k),
      'live',
    );
    runAll(); // the cursor is saved once the turn is over
    assert.equal(hub.store.cursor('n1'), 60);
    f1.stop();
    for (let r = 6; r < 12; r++) hub.append(reply(r, 10)); // 61-120 while it is away
    got.length = 0;
    const f2 = new EventFeed(hub, { name: 'n1', schedule, batch: 25 }, (i) => got.push(i));
    f2.start();
    assert.equal(f2.catchUp, true);
    runOne();
    assert.deepEqual(
      ids(got),
      Array.from({ length: 25 }, (_, k) => 61 + k),
      'one batch per turn',
    );
    // committed during the catch-up: not handed on live (the catch-up reads them), none twice, none lost
    hub.append(reply(12, 10));
    hub.attend({ ids: [3] }, 'x', 1); // not an alarm: no change
    hub.append(reply(13, 1, { events: [event(999, { severity: 2 })] }));
    hub.attend({ ids: [131] }, 'ana', 5);
    assert.equal(ids(got).length, 25);
    while (tasks.length) runOne();
    assert.equal(f2.catchUp, false);
    assert.deepEqual(
      ids(got),
      Array.from({ length: 71 }, (_, k) => 61 + k),
    );
    assert.deepEqual(got[got.length - 1], { kind: 'attend', ids: [131], user: 'ana', at: 5 }, 'an attend heard during the catch-up follows its event');
    assert.equal(hub.store.cursor('n1'), 131);
    f2.stop();
    f2.stop();
  });

  it("startAt 'all' takes everything kept; alarmsOnly filters; horn changes on request", (t) => {
    const { hub, schedule, runAll } = rig(t);
    hub.append(reply(0, 3, { events: [event(1), event(2, { severity: 1 }), event(3)] }));
    const got: FeedItem[] = [];
    const f = new EventFeed(hub, { name: 'a', schedule, startAt: 'all', alarmsOnly: true, horn: true, attends: false }, (i) => got.push(i));
    f.start();
    runAll();
    assert.deepEqual(ids(got), [2]);
    hub.append(reply(1, 2, { events: [event(4, { severity: 3 }), event(5)] }));
    hub.attend({ ids: [2, 4] }, 'op', 9);
    assert.deepEqual(
      got.map((i) => i.kind),
      ['event', 'event', 'horn', 'horn'],
    );
    assert.deepEqual(ids(got), [2, 4]);
    assert.equal(f.position, 5, 'the cursor moves past filtered events too');
    f.stop();
  });

  it('a journal that fails stops the catch-up and says so; a cursor that cannot be saved is reported, the events still go', (t) => {
    const { hub, schedule, runAll } = rig(t);
    const errors: unknown[] = [];
    const f = new EventFeed(hub, { name: 'b', schedule, startAt: 'all', onError: (e) => errors.push(e) }, () => undefined);
    hub.append(reply(0, 2));
    f.start();
    const real = hub.store.setCursor.bind(hub.store);
    hub.store.setCursor = () => {
      throw new JournalError('EJOURNAL_READONLY', 'read-only');
    };
    runAll();
    assert.ok(errors.some(code('EJOURNAL_READONLY')));
    hub.store.setCursor = real;
    f.stop();
    // a catch-up that fails resumes at the next commit heard, from where it was
    const got: number[] = [];
    const h = new EventFeed(
      hub,
      { name: 'd', schedule, startAt: 'all', batch: 1, onError: (e) => errors.push(e) },
      (i) => i.kind === 'event' && got.push(i.record.id),
    );
    const query = hub.store.query.bind(hub.store);
    let fail = 0;
    hub.store.query = (q) => {
      if (fail-- > 0) throw new JournalError('EJOURNAL_IO', 'busy');
      return query(q);
    };
    h.start();
    fail = 1;
    runAll();
    assert.deepEqual(got, []);
    assert.equal(h.catchUp, true);
    assert.ok(errors.some(code('EJOURNAL_IO')));
    hub.append(reply(1, 1));
    runAll();
    assert.deepEqual(got, [1, 2, 3]);
    assert.equal(h.catchUp, false);
    hub.store.query = query;
    h.stop();
    hub.store.close();
    const g = new EventFeed(hub, { name: 'c', schedule, onError: (e) => errors.push(e) }, () => undefined);
    assert.throws(() => g.start(), code('EJOURNAL_CLOSED'));
  });

  it('events msgs are JSON: raw as hex, times as ms and ISO', (t) => {
    const { hub } = rig(t);
    const [id] = hub.append(reply(0, 1, { events: [event(1, { severity: 2, description: 'Prot 51', stateText: 'ACTUADA' })] })).ids;
    hub.attend({ ids: [id] }, 'ana', Date.UTC(2026, 11, 3, 10, 0, 0, 5));
    const j = eventJson(hub.records([id])[0]);
    assert.deepEqual(JSON.parse(JSON.stringify(j)), j);
    assert.equal(j.raw, Buffer.from(event(1).raw).toString('hex'));
    assert.equal(j.text, 'Prot 51 ACTUADA');
    assert.equal(j.attendedIso, '2026-12-03T10:00:00.005Z');
    assert.equal(j.deviceIso, '2026-12-03T10:20:30.500');
    assert.equal(j.alarm, true);
  });

  it('commands: every argument checked and bounded', () => {
    const ok = (m: Record<string, unknown>) => parseCommand(m);
    assert.deepEqual(ok({ topic: 'attend', payload: { ids: [1, 2] }, user: ' ana ' }), { action: 'attend', target: { ids: [1, 2] }, user: 'ana' });
    assert.deepEqual(ok({ topic: 'attend', payload: [3] }), { action: 'attend', target: { ids: [3] }, user: 'flow' });
    assert.deepEqual(ok({ payload: { action: 'attend', filter: { tagPrefix: 'E4', unattendedOnly: true } } }), {
      action: 'attend',
      target: { filter: { tagPrefix: 'E4' } },
      user: 'flow',
    });
    assert.deepEqual(ok({ topic: 'attend-all', payload: { device: 3 } }), { action: 'attend-all', filter: { device: 3 }, user: 'flow' });
    assert.deepEqual(ok({ topic: 'silence', user: 'op' }), { action: 'silence', user: 'op' });
    assert.deepEqual(ok({ topic: 'query', payload: { from: '2026-12-03T00:00:00Z', to: 1, type: 'digital', limit: 5, beforeId: 9, alarmsOnly: true } }), {
      action: 'query',
      query: { from: Date.UTC(2026, 11, 3), to: 1, type: 'digital', alarmsOnly: true, limit: 5, beforeId: 9 },
    });
    assert.deepEqual(ok({ topic: 'export', payload: { format: 'xlsx', line: 'L1', order: 'newest' } }), {
      action: 'export',
      format: 'xlsx',
      file: null,
      overwrite: false,
      filter: { line: 'L1' },
      order: 'newest',
      separator: ',',
    });
    for (const m of [
      {},
      { topic: 'drop tables' },
      { topic: 'attend', payload: null },
      { topic: 'attend', payload: { ids: Array.from({ length: 10_001 }, (_, i) => i) } },
      { topic: 'attend', payload: { ids: ['1'] } },
      { topic: 'attend', payload: { ids: [-1] } },
      { topic: 'attend', payload: { ids: 'all' } },
      { topic: 'attend', payload: { ids: [1] }, user: 'x'.repeat(201) },
      { topic: 'attend', payload: { ids: [1] }, user: 42 },
      { topic: 'silence', user: '   ' },
      { topic: 'query', payload: { limit: 1001 } },
      { topic: 'query', payload: { limit: 1.5 } },
      { topic: 'query', payload: { beforeId: 1, afterId: 2 } },
      { topic: 'query', payload: { from: 'yesterday' } },
      { topic: 'query', payload: { from: 'x'.repeat(41) } },
      { topic: 'query', payload: { device: 256 } },
      { topic: 'query', payload: { type: 'toString' } },
      { topic: 'query', payload: { tagPrefix: 'x'.repeat(201) } },
      { topic: 'query', payload: { alarmsOnly: 'yes' } },
      { topic: 'export', payload: { format: 'pdf' } },
      { topic: 'export', payload: { order: 1 } },
      { topic: 'export', payload: { separator: '\t' } },
      { topic: 'export', payload: { file: 'x'.repeat(501) + '.csv' } },
      { topic: 'export', payload: { file: 7 } },
    ])
      assert.throws(() => parseCommand(m as never), code('EJOURNAL_INVALID'), JSON.stringify(m).slice(0, 80));
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'ids'), false);
    assert.throws(
      () => parseCommand({ topic: 'attend', payload: JSON.parse('{"__proto__": {"ids": [1]}}') }),
      code('EJOURNAL_INVALID'),
      'inherited keys are not read',
    );
  });
});
