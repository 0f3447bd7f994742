/**
 * The journal as the master's StateStore, with the master unchanged: the line's 'reply' listener stages the
 * events, the master's save commits them with the SEQ state. The replay keys the master keeps are the ones
 * the journal stores (replyKey), so "already recorded" is the master's own rule.
 */
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { SimDevice } from '../../lib/sim/device';
import { JournalStateStore, openJournal, replyKey } from '../../lib/journal';
import { eventsOut, queue, setup, until, useMockTimers } from '../helpers/master-rig';
import { tempDir } from './fixtures';

beforeEach(() => useMockTimers());

describe('journal as the master StateStore', () => {
  it("records every event handed on once, with the SEQ state, under the master's replay keys", async (t) => {
    const j = openJournal(path.join(tempDir(t), 'j.sqlite'));
    t.after(() => j.close());
    const store = new JournalStateStore(j, 'L1');
    const d = new SimDevice({ address: 1 });
    const sent = queue(d, 25);
    const { m, replies } = setup([d], { store });
    m.on('reply', (r) => {
      const events = r.frame.reply?.events ?? [];
      store.stage({
        device: r.address,
        replyKey: replyKey(r.seq, r.raw),
        receivedAt: r.at,
        events: events.map((e) => ({ type: e.type, deviceTime: e.time, raw: e.raw, quality: 'good', value: e.type === 'energy' ? e.value : null })),
      });
    });
    m.start();
    await until(() => eventsOut(replies, 1).length >= 25, 5000, '25 events');
    await until(() => store.pending === 0, 1000, 'the last save');
    const rows = j.query({ limit: 1000 }).records.reverse();
    assert.deepEqual(
      rows.map((r) => r.raw.toString('hex')),
      sent,
    );
    const state = j.loadState('L1')['1'];
    assert.equal(state.seq, replies[replies.length - 1].seq + 1 > 0x7f ? 0x20 : replies[replies.length - 1].seq + 1);
    // the master's own replay keys are the journal's
    const stored = new Set(rows.map((r) => r.replyKey));
    const withEvents = replies.filter((r) => (r.frame.reply?.events.length ?? 0) > 0).map((r) => replyKey(r.seq, r.raw));
    assert.deepEqual([...stored].sort(), [...new Set(withEvents)].sort());
    // the master's own replay keys (its last 8, saved through the journal) are replyKey of the same replies
    assert.deepEqual(
      state.recent,
      replies.slice(-8).map((r) => replyKey(r.seq, r.raw)),
    );
  });
});
