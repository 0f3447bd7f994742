/** The line master against simulated devices on an in-memory wire: SEQ rules, retries, faults, queue. */
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MaraMaster } from '../../lib/link/master';
import type { PollResult } from '../../lib/link/master-types';
import { SimDevice } from '../../lib/sim/device';
import { FileStateStore, MemoryStateStore } from '../../lib/link/state-store';
import { MaraError } from '../../lib/mara/errors';
import { Wire } from '../helpers/pipe';
import { advance, during, eventsOut, queue, settle, setup, until, useMockTimers } from '../helpers/master-rig';
import { FakeTimers } from '../helpers/fake-timers';

beforeEach(() => useMockTimers()); // the master's timers run on mock time: nothing here waits for a wall clock

describe('MaraMaster', () => {
  it('polls with SEQ 0x20, 0x21… and hands on each reply once', async () => {
    const d = new SimDevice({ address: 1 });
    const { wire, m, replies } = setup([d]);
    m.start();
    await until(() => replies.length >= 4, 3000, '4 replies');
    assert.deepEqual(
      replies.slice(0, 4).map((r) => r.seq),
      [0x20, 0x21, 0x22, 0x23],
    );
    const polls = wire.requests.filter((f) => f.cmd === 0x10);
    assert.deepEqual(
      polls.slice(0, 4).map((f) => [f.dst, f.src, f.seq, f.length]),
      [
        [1, 0x40, 0x20, 8],
        [1, 0x40, 0x21, 8],
        [1, 0x40, 0x22, 8],
        [1, 0x40, 0x23, 8],
      ],
    );
    assert.equal(m.devices[0].online, true);
    assert.equal(m.stats().state, 'connected');
  });

  it('wraps the SEQ from 0x7F to 0x20 and starts from a persisted SEQ', async () => {
    const store = new MemoryStateStore();
    store.save({ '1': { seq: 0x7e, recent: [] } });
    const d = new SimDevice({ address: 1 });
    const { replies, m } = setup([d], { store });
    m.start();
    await until(() => replies.length >= 3);
    assert.deepEqual(
      replies.slice(0, 3).map((r) => r.seq),
      [0x7e, 0x7f, 0x20],
    );
    assert.equal(store.load()['1'].seq, 0x21, 'the SEQ after the last reply handed on is saved');
  });

  it('sends a PEH on connect with SEQ 0xBB, later with the SEQ of the last poll', async () => {
    const d = new SimDevice({ address: 1 });
    const { wire, m, replies } = setup([d], { pehOnConnect: true });
    m.start();
    await until(() => replies.length >= 2);
    m.syncTime();
    await until(() => wire.requests.filter((f) => f.cmd === 0x12).length >= 2);
    const seqs = wire.requests.map((f) => [f.cmd, f.seq, f.dst]);
    assert.deepEqual(seqs[0], [0x12, 0xbb, 0xff], 'first frame is the PEH');
    const i = wire.requests.findIndex((f, k) => k > 0 && f.cmd === 0x12);
    const lastPoll = wire.requests
      .slice(0, i)
      .reverse()
      .find((f) => f.cmd === 0x10)!;
    assert.equal(wire.requests[i].seq, lastPoll.seq, 'PEH carries the last poll SEQ (spec §6.2)');
    assert.equal(d.stats.pehs, 2);
  });

  it('drains a device queue at once when a reply carries 10 events', async () => {
    const d = new SimDevice({ address: 1 });
    const sent = queue(d, 35);
    const { m, replies, wire } = setup([d], {}, { pollIntervalMs: 5000 });
    m.start();
    await until(() => eventsOut(replies).length === 35, 2000, '35 events within far less than one poll interval');
    assert.deepEqual(eventsOut(replies), sent);
    assert.deepEqual(
      replies.slice(0, 4).map((r) => r.frame.reply!.events.length),
      [10, 10, 10, 5],
    );
    assert.equal(wire.requests.length, 4);
  });

  it('a dropped reply is fetched again with the same SEQ: nothing lost, nothing twice', async () => {
    const d = new SimDevice({ address: 1 });
    const sent = queue(d, 25);
    const { m, replies, wire } = setup([d]);
    wire.dropNext = 1;
    m.start();
    await until(() => eventsOut(replies).length >= 25);
    await advance(100);
    assert.deepEqual(eventsOut(replies), sent);
    assert.equal(wire.requests[0].seq, wire.requests[1].seq, 'the retry repeats the SEQ');
    assert.equal(d.stats.replays, 1);
    assert.equal(m.devices[0].timeouts, 1);
  });

  it('a corrupted reply is retried at once (no timeout wait) and counted', async () => {
    const d = new SimDevice({ address: 1 });
    const sent = queue(d, 12);
    const { m, replies, wire } = setup([d], {}, { timeoutMs: 5000 });
    wire.corruptNext = 2;
    m.start();
    const t0 = Date.now();
    await until(() => eventsOut(replies).length >= 12, 2000);
    assert.ok(Date.now() - t0 < 1000, 'did not wait for the 5 s timeout');
    assert.deepEqual(eventsOut(replies), sent);
    assert.equal(m.stats().bccErrors, 2);
    assert.equal(m.devices[0].badFrames, 2);
  });

  it('replies torn into 7-byte pieces are reassembled', async () => {
    const d = new SimDevice({ address: 1 });
    const sent = queue(d, 20);
    const { m, replies, wire } = setup([d]);
    wire.chunk = 7;
    m.start();
    await until(() => eventsOut(replies).length >= 20);
    assert.deepEqual(eventsOut(replies), sent);
  });

  it('marks a silent device offline after retries + 1 requests, polls it slower, and back online', async () => {
    const d = new SimDevice({ address: 1 });
    const { m, wire, changes, replies } = setup([d], { reconnectWhenAllOffline: false }, { retries: 2, timeoutMs: 20, pollIntervalMs: 20 });
    wire.silent = true;
    m.start();
    await until(() => changes.length >= 1, 2000, 'offline');
    assert.deepEqual([changes[0].online, changes[0].address], [false, 1]);
    assert.equal(wire.requests.filter((f) => f.cmd === 0x10).length, 3, 'retries + 1 transmissions');
    assert.ok(new Set(wire.requests.map((f) => f.seq)).size === 1, 'all with the same SEQ');
    await advance(300);
    assert.ok(m.devices[0].intervalMs > 20, 'slower polling while offline');
    wire.silent = false;
    await until(() => replies.length >= 1, 3000, 'back online');
    assert.equal(changes[changes.length - 1].online, true);
  });

  it('one dead device costs the others at most one timeout per cycle', async () => {
    const live = [new SimDevice({ address: 2 }), new SimDevice({ address: 3 })];
    const dead = new SimDevice({ address: 4 });
    const { m, replies, wire } = setup([...live, dead], { reconnectWhenAllOffline: false }, { pollIntervalMs: 100, timeoutMs: 60, retries: 5 });
    wire.devices = live; // address 4 never answers
    m.start();
    await until(() => [2, 3].every((a) => replies.filter((r) => r.address === a).length >= 8), 10000, '8 replies from each live device');
    // The dead device's retries go behind the polls that are due (counted on the wire, not timed): between
    // two polls of a live device it gets at most the requests that fit in one poll interval.
    const order = wire.requests.filter((f) => f.cmd === 0x10).map((f) => f.dst);
    for (const a of [2, 3]) {
      const at = order.flatMap((d, i) => (d === a ? [i] : []));
      for (let k = 1; k < at.length; k++) {
        const deadBetween = order.slice(at[k - 1] + 1, at[k]).filter((d) => d === 4).length;
        // a poll interval (100 ms) holds at most two timeouts; six retries in a row would mean the dead
        // device held the line for all its retries
        assert.ok(deadBetween <= 2, `device ${a}: ${deadBetween} requests to the dead device between two of its polls`);
      }
    }
    assert.ok(order.filter((d) => d === 4).length >= 4, 'the dead device was retried');
    assert.equal(m.devices.find((x) => x.address === 4)!.online, false);
  });

  it('a stale replay (the device answers with an old reply) is dropped, SEQ advanced, nothing lost or doubled', async () => {
    const d = new SimDevice({ address: 1 });
    const sent = queue(d, 30);
    const { m, replies, wire } = setup([d], {}, { pollIntervalMs: 5000, timeoutMs: 40 });
    // Let the first reply through, then make the device believe the next poll is a retransmission
    // (what a PEH carrying the next SEQ did to the real COMaster, spec §6.2).
    m.once('reply', () => {
      (d as unknown as { lastSeq: number }).lastSeq = 0x21;
    });
    m.start();
    await until(() => eventsOut(replies).length >= 30, 3000);
    assert.deepEqual(eventsOut(replies), sent);
    assert.ok(m.devices[0].staleReplays >= 1, 'stale replay counted');
    assert.ok(
      wire.requests.some((f) => f.seq === 0x22),
      'SEQ advanced past the poisoned one',
    );
  });

  it('survives a restart between a reply and its acknowledgement without losing or repeating events', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mara-state-')), 'line.json');
    const d = new SimDevice({ address: 1, maxEventsPerReply: 5 }); // 5 < 10: no drain poll after a reply
    const sent = queue(d, 40);
    const all: PollResult[] = [];
    for (let run = 0; run < 4; run++) {
      const { m, replies } = setup([d], { store: new FileStateStore(file) }, { pollIntervalMs: 5000 });
      m.start();
      await until(() => replies.length >= 1);
      await m.stop(); // the reply was handed on; its acknowledgement (the next poll) is never sent
      all.push(...replies);
    }
    assert.equal(all.length, 4);
    assert.deepEqual(
      all.map((r) => r.seq),
      [0x20, 0x21, 0x22, 0x23],
      'each restart resumes with the saved SEQ',
    );
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(saved['1'].seq, 0x24);
    // A state file that lags behind (the SEQ advance not written): the device replays the reply that
    // was already handed on; the digest recognises it, and it is acknowledged without a second emit.
    fs.writeFileSync(file, JSON.stringify({ '1': { seq: 0x23, recent: saved['1'].recent } }));
    const { m, replies } = setup([d], { store: new FileStateStore(file) }, { pollIntervalMs: 10 });
    m.start();
    await until(() => eventsOut([...all, ...replies]).length >= 40, 3000);
    assert.equal(m.devices[0].duplicates, 1);
    assert.equal(d.stats.replays, 1);
    assert.deepEqual(eventsOut([...all, ...replies]), sent);
  });

  it('a burst of 1 000 events is drained through 10-per-reply polls, exactly once', async () => {
    const d = new SimDevice({ address: 1 });
    const sent = queue(d, 1000);
    const { m, replies, wire } = setup([d], {}, { pollIntervalMs: 5000 });
    wire.dropNext = 3;
    m.start();
    await until(() => eventsOut(replies).length >= 1000, 10000);
    assert.deepEqual(eventsOut(replies), sent);
    assert.equal(d.queueLength, 0);
  });

  it('reconnects after the connection is reset and fails the queued command with ENOTCONN', async () => {
    const d = new SimDevice({ address: 1 });
    const sent = queue(d, 15);
    const { m, replies, wire } = setup([d], {}, { pollIntervalMs: 50 });
    const states: string[] = [];
    m.on('state', (s) => states.push(s.state));
    m.start();
    await until(() => replies.length >= 1);
    wire.silent = true;
    const pending = m.request({ address: 1, cmd: 0x3c, data: [1] }, { timeoutMs: 2000 });
    await advance(20);
    wire.breakLink();
    await assert.rejects(pending, (e: MaraError) => e.code === 'ENOTCONN');
    wire.silent = false;
    await until(() => eventsOut(replies).length >= 15 && wire.connects >= 2, 3000);
    assert.deepEqual(eventsOut(replies), sent);
    assert.deepEqual(states.slice(0, 4), ['connecting', 'connected', 'waiting', 'connecting']);
  });

  it('keeps retrying a refused connection with growing back-off', async () => {
    const d = new SimDevice({ address: 1 });
    const { m, wire } = setup([d], { backoffMinMs: 10, backoffMaxMs: 80 });
    wire.refuse = true;
    const waits: number[] = [];
    m.on('state', (s) => s.state === 'waiting' && waits.push(s.retryInMs!));
    m.start();
    await until(() => waits.length >= 5, 3000);
    assert.ok(waits[3] > waits[0], `back-off grows: ${waits}`);
    assert.ok(Math.max(...waits) <= 80);
    wire.refuse = false;
    await until(() => m.state === 'connected', 2000);
  });

  it('runs commands before polls and confirms them with the answer', async () => {
    const d = new SimDevice({ address: 1 });
    const { m, wire, replies } = setup([d], {}, { pollIntervalMs: 20 });
    m.start();
    await until(() => replies.length >= 2);
    const answer = await during(m.request({ address: 1, cmd: 0x13, data: [0, 3, 1] }));
    assert.ok(answer);
    assert.deepEqual([...answer!.data], [0, 3, 1]);
    assert.equal(d.getDi(3), true);
    const none = await during(m.request({ address: 0xff, cmd: 0x3b, data: [30] }));
    assert.equal(none, null, 'broadcasts get no answer');
    await assert.rejects(during(m.request({ address: 9, cmd: 0x13, data: [0, 1, 1] }, { timeoutMs: 30 })), (e: MaraError) => e.code === 'ETIMEOUT');
    await assert.rejects(m.request({ address: 1, cmd: 300, data: [] }), (e: MaraError) => e.code === 'EINVAL');
    const i = wire.requests.findIndex((f) => f.cmd === 0x13);
    assert.equal(
      wire.requests[i].seq,
      wire.requests
        .slice(0, i)
        .reverse()
        .find((f) => f.cmd === 0x10)!.seq,
      'commands reuse the last poll SEQ',
    );
  });

  it('bounds the queue: the oldest poll gives way, a command that cannot fit fails with EQUEUEFULL', async () => {
    const devs = [1, 2, 3].map((a) => new SimDevice({ address: a }));
    const { m, wire } = setup(devs, { maxQueue: 2 }, { pollIntervalMs: 5000, timeoutMs: 200 });
    wire.silent = true;
    m.start();
    await until(() => wire.requests.length >= 1);
    const c1 = m.request({ address: 1, cmd: 0x3c, data: [1] }, { timeoutMs: 30 });
    const c2 = m.request({ address: 1, cmd: 0x3c, data: [1] }, { timeoutMs: 30 });
    await assert.rejects(m.request({ address: 1, cmd: 0x3c, data: [0] }), (e: MaraError) => e.code === 'EQUEUEFULL');
    assert.ok(m.stats().queueDropped >= 1, 'polls were dropped to make room');
    await assert.rejects(during(c1), (e: MaraError) => e.code === 'ETIMEOUT');
    await assert.rejects(during(c2), (e: MaraError) => e.code === 'ETIMEOUT');
  });

  it('fails commands with ENOTCONN when not connected and EABORT when aborted', async () => {
    const d = new SimDevice({ address: 1 });
    const { m, wire, replies } = setup([d]);
    await assert.rejects(m.request({ address: 1, cmd: 0x3c, data: [1] }), (e: MaraError) => e.code === 'ENOTCONN');
    m.start();
    await until(() => replies.length >= 1);
    wire.silent = true;
    const ac = new AbortController();
    const p = m.request({ address: 1, cmd: 0x3c, data: [1] }, { timeoutMs: 5000, signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await assert.rejects(during(p), (e: MaraError) => e.code === 'EABORT');
  });

  it('rejects a bad configuration with EINVAL', () => {
    const t = new Wire([]).transport;
    assert.throws(
      () => new MaraMaster({ transport: t, devices: [{ address: 1 }, { address: 1 }] }),
      (e: MaraError) => e.code === 'EINVAL',
    );
    assert.throws(
      () => new MaraMaster({ transport: t, devices: [{ address: 0xff }] }),
      (e: MaraError) => e.code === 'EINVAL',
    );
    assert.throws(
      () => new MaraMaster({ transport: t, devices: [{ address: 1, timeoutMs: -1 }] }),
      (e: MaraError) => e.code === 'EINVAL',
    );
  });
});

describe('MaraMaster fairness', () => {
  it('draining one device with a deep event queue does not starve the others', async () => {
    const devs = [1, 2, 3].map((a) => new SimDevice({ address: a }));
    for (const d of devs) queue(d, 200);
    const { m, replies } = setup(devs, {}, { pollIntervalMs: 5000 });
    m.start();
    await until(() => replies.length >= 30, 3000);
    const first30 = replies.slice(0, 30).map((r) => r.address);
    for (const a of [1, 2, 3])
      assert.ok(first30.filter((x) => x === a).length >= 9, `device ${a} got ${first30.filter((x) => x === a).length} of the first 30 replies`);
  });
});

describe('MaraMaster on injected timers', () => {
  it('runs its timeouts and polls on options.timers: nothing fires until that clock moves', async () => {
    const clock = new FakeTimers();
    const d = new SimDevice({ address: 1 });
    const { m, wire, replies } = setup([d], { timers: clock, reconnectWhenAllOffline: false }, { pollIntervalMs: 500, timeoutMs: 1000, retries: 1 });
    wire.silent = true;
    m.start();
    await settle();
    assert.equal(wire.requests.length, 1);
    clock.tick(999);
    await settle();
    assert.deepEqual([wire.requests.length, m.stats().timeouts], [1, 0], 'no timeout at 999 ms');
    clock.tick(1);
    await settle();
    assert.deepEqual([wire.requests.length, m.stats().timeouts], [2, 1], 'timed out at 1 s, retried at once');
    wire.silent = false;
    clock.tick(1000);
    await settle();
    assert.equal(m.stats().timeouts, 2);
    wire.requests.length = 0;
    await settle();
    clock.tick(499);
    await settle();
    assert.equal(wire.requests.length, 0, 'the next probe not before 500 ms');
    clock.tick(1);
    await settle();
    assert.equal(replies.length, 1, 'answered at 500 ms');
    assert.equal(m.stats().lastOkAt, clock.now(), 'its clock is the injected one');
  });
});
