/**
 * The line master's guarantees (issue 9 items 1-6, issue 10 items 9-10) on the in-memory wire. Time is
 * controlled: node:test mock timers drive the master's timeouts, intervals and back-off, while the
 * wire's deliveries (setImmediate) stay real, so nothing here waits for a wall clock.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PollResult } from '../../lib/link/master-types';
import { SimDevice } from '../../lib/sim/device';
import { MemoryStateStore } from '../../lib/link/state-store';
import { decodeFrame, encodePollReply } from '../../lib/mara';
import { advance, eventsOut, queue as queueBy, settle, setup, until, useMockTimers } from '../helpers/master-rig';

/** Events told apart across devices: the address in the value's high bits. */
const queue = (d: SimDevice, n: number): string[] => queueBy(d, n, (i) => (d.address << 10) + i);

/** AI 6 = 0xFE00 and AI 7 = 0x0040 put the bytes FE 40 six bytes before the reply's end: a false SOF (QTY 64) inside it. */
function falseSofDevice(address: number): SimDevice {
  // raw words (AI bits 13-12 set: flagged, accepted); 2 events per reply so the events span many polls
  return new SimDevice({ address, ai: [0, 0, 0, 0, 0, 0, 0xfe00, 0x0040], maxEventsPerReply: 2 });
}

describe('item 1: one request in flight, whatever ends an attempt', () => {
  it('a corrupted reply hiding a false SOF (FE 40) six bytes before its end: both devices keep being polled', async () => {
    useMockTimers();
    const devs = [falseSofDevice(1), falseSofDevice(2)];
    const probe = devs[0].lastReply ?? encodePollReply({ dst: 0x40, src: 1, seq: 0x20, sv: devs[0].sv, di: devs[0].di, ai: devs[0].ai, events: [] });
    assert.deepEqual([probe[probe.length - 6], probe[probe.length - 5]], [0xfe, 0x40], 'precondition: FE 40 six bytes before the end');
    const sent = devs.map((d) => queue(d, 40));
    const { m, wire, replies } = setup(devs, { reconnectWhenAllOffline: false }, { pollIntervalMs: 20, timeoutMs: 40, retries: 5 });
    // the 4th reply's last byte (BCC) flipped: the reader holds its tail behind FE 40 until the timeout's flush
    m.on('reply', () => replies.length === 4 && (wire.corruptNext = 1));
    m.start();
    await until(() => eventsOut(replies, 1).length >= 40 && eventsOut(replies, 2).length >= 40, 5000, 'every event of both devices');
    for (let i = 0; i < 2; i++) assert.deepEqual(eventsOut(replies, i + 1), sent[i], `device ${i + 1}: every event once`);
    assert.equal(m.stats().unexpected, 0, 'no answer stranded by a second request in flight');
    assert.ok(m.stats().bccErrors >= 1);
  });

  it('one device: the retry after such a reply leaves once, not twice', async () => {
    useMockTimers();
    const d = falseSofDevice(1);
    const sent = queue(d, 30);
    const { m, wire, replies } = setup([d], {}, { pollIntervalMs: 20, timeoutMs: 40 });
    m.on('reply', () => replies.length === 2 && (wire.corruptNext = 1));
    m.start();
    await until(() => eventsOut(replies).length >= 30, 5000, 'all events');
    await settle();
    const perSeq = new Map<number, number>();
    for (const f of wire.requests) perSeq.set(f.seq, (perSeq.get(f.seq) ?? 0) + 1);
    assert.ok(
      [...perSeq.values()].every((n) => n <= 2),
      `a SEQ sent more than twice: ${JSON.stringify([...perSeq])}`,
    );
    assert.equal(m.stats().unexpected, 0);
    assert.deepEqual(eventsOut(replies), sent);
  });
});

describe('item 1: listeners that act at once', () => {
  it('a reply listener that polls at once does not repeat the SEQ just answered', async () => {
    useMockTimers();
    const d = new SimDevice({ address: 1 });
    const sent = queue(d, 10);
    const { m, wire, replies } = setup([d], {}, { pollIntervalMs: 5000 });
    m.on('reply', () => replies.length < 5 && m.pollNow(1));
    m.on('device', () => m.pollNow(1));
    m.start();
    await until(() => replies.length >= 5, 3000, '5 replies');
    await settle();
    const seqs = wire.requests.map((f) => f.seq);
    assert.equal(new Set(seqs).size, seqs.length, `a SEQ sent twice: ${seqs.map((x) => x.toString(16))}`);
    assert.deepEqual(eventsOut(replies), sent);
  });
});

describe('item 1 on a multi-drop bus: noise with false SOFs', () => {
  it('three devices, a false SOF (FE 40) before every fourth reply: every event once, all polled', async () => {
    useMockTimers();
    const devs = [1, 2, 3].map((address) => falseSofDevice(address));
    const sent = devs.map((d) => queue(d, 30));
    const { m, wire, replies } = setup(devs, { reconnectWhenAllOffline: false }, { pollIntervalMs: 10, timeoutMs: 30, retries: 8 });
    const onRequest = wire.onRequest.bind(wire);
    let n = 0;
    wire.onRequest = (bytes, t) => {
      if (++n % 4 === 0) t.emit('data', Buffer.from([0x00, 0xfe, 0x40, 0x13])); // hides the reply until a flush
      onRequest(bytes, t);
    };
    m.start();
    await until(() => devs.every((d, i) => eventsOut(replies, d.address).length >= sent[i].length), 10000, 'every event of the bus');
    for (let i = 0; i < 3; i++) assert.deepEqual(eventsOut(replies, i + 1), sent[i], `device ${i + 1}`);
    assert.equal(m.stats().unexpected, 0);
    assert.ok(m.stats().noiseBytes > 0);
  });
});

describe('item 3: no broadcast PEH over a pending retry on a multi-drop bus', () => {
  it('BugPeH devices, a dropped reply and a PEH right after another device answered: nothing lost', async () => {
    useMockTimers();
    const devs = [1, 2, 3].map((address) => new SimDevice({ address, seqFromBroadcast: true }));
    const sent = devs.map((d) => queue(d, 200));
    const { m, wire, replies } = setup(devs, { reconnectWhenAllOffline: false }, { pollIntervalMs: 10, timeoutMs: 30, retries: 5 });
    const onRequest = wire.onRequest.bind(wire);
    let drops = 0;
    let armed = false;
    wire.onRequest = (bytes, t) => {
      // every fifth poll of device 2 loses its reply
      if (bytes[2] === 2 && bytes[5] === 0x10 && ++drops % 3 === 0) {
        wire.dropNext = 1;
        armed = true;
      }
      onRequest(bytes, t);
    };
    m.on('reply', (r) => {
      if (armed && r.address !== 2) {
        armed = false;
        m.syncTime(); // due while device 2 waits for its retry
      }
    });
    m.start();
    await until(() => devs.every((d, i) => eventsOut(replies, d.address).length >= sent[i].length), 10000, 'every event of the bus');
    for (let i = 0; i < 3; i++) assert.deepEqual(eventsOut(replies, i + 1), sent[i], `device ${i + 1}`);
    assert.ok(m.stats().pehs >= 3, `PEHs sent: ${m.stats().pehs}`);
    assert.ok(drops >= 15, `${drops} polls of device 2`);
  });
});

describe('item 2 + 3: a restart on a multi-drop BugPeH bus with two replies outstanding', () => {
  it('the connect-time PEH waits until both devices answered their retries: every event once', async () => {
    useMockTimers();
    const devs = [1, 2, 3].map((address) => new SimDevice({ address, seqFromBroadcast: true, maxEventsPerReply: 4 }));
    const sent = devs.map((d) => queue(d, 20));
    const store = new MemoryStateStore();
    const all: PollResult[] = [];
    // run 1: device 1 loses a reply, then device 2 loses one while device 1 still waits for its retry:
    // the master stops (a restart) right then, with two different SEQs outstanding
    const one = setup(devs, { store, pehOnConnect: true }, { pollIntervalMs: 5, timeoutMs: 30 });
    one.m.on('reply', (r) => all.push(r));
    const onRequest = one.wire.onRequest.bind(one.wire);
    const lost: number[] = [];
    let stopped: Promise<void> | null = null;
    one.wire.onRequest = (bytes, t) => {
      const [dst, seq, cmd] = [bytes[2], bytes[4], bytes[5]];
      const d = devs.find((x) => x.address === dst)!;
      const isNew = cmd === 0x10 && seq !== d.lastSeq && all.filter((r) => r.address === dst).length >= 2;
      if (isNew && dst === 1 && lost.length === 0) lost.push(1);
      else if (isNew && dst === 2 && lost.length === 1) lost.push(2);
      else if (lost.length === 2 && !stopped) stopped = one.m.stop(); // before anything else reaches a device
      if (lost.length && lost.length <= 2 && lost[lost.length - 1] === dst && isNew) one.wire.dropNext = 1;
      if (stopped && lost.length === 2 && dst !== 2) return;
      onRequest(bytes, t);
    };
    one.m.start();
    await until(() => lost.length === 2 && stopped !== null, 5000, 'two replies lost');
    await stopped;
    await settle();
    // both devices hold an unacknowledged reply with events that were never handed on
    const out = new Set(eventsOut(all));
    for (const d of devs.slice(0, 2)) {
      const held = decodeFrame(d.lastReply!).reply!.events.map((e) => e.raw.toString('hex'));
      assert.ok(held.length > 0 && held.every((h) => !out.has(h)), `device ${d.address} holds a lost reply`);
    }
    // run 2: a new master (a restart) with the saved state
    const two = setup(devs, { store, pehOnConnect: true }, { pollIntervalMs: 5, timeoutMs: 100 });
    two.m.on('reply', (r) => all.push(r));
    two.m.start();
    await until(() => devs.every((d, i) => eventsOut(all, d.address).length >= sent[i].length), 10000, 'every event after the restart');
    await settle();
    for (let i = 0; i < 3; i++) assert.deepEqual(eventsOut(all, i + 1), sent[i], `device ${i + 1}`);
    assert.ok(two.m.stats().pehs >= 1, 'the PEH went out once it was safe');
  });
});

describe('item 4: stale replay', () => {
  it('is discarded, the SEQ advances and the device is polled again at once, without a timeout wait', async () => {
    useMockTimers();
    const d = new SimDevice({ address: 1 });
    const sent = queue(d, 5);
    const store = new MemoryStateStore();
    const { m, replies, wire } = setup([d], { store }, { pollIntervalMs: 5000, timeoutMs: 1000 });
    m.start();
    await advance(10, 5, () => replies.length >= 1);
    assert.equal(replies.length, 1);
    // the device takes the next poll for a retransmission (a PEH carrying the next SEQ did that, §6.2)
    d.lastSeq = 0x21;
    queue(d, 0);
    m.pollNow(1);
    await settle(20); // no time passes: no timeout can fire
    assert.deepEqual(
      wire.requests.map((f) => f.seq),
      [0x20, 0x21, 0x22],
      'stale answer to 0x21, then 0x22 at once',
    );
    await settle(20);
    assert.deepEqual(
      replies.map((r) => [r.seq, r.stale]),
      [
        [0x20, false],
        [0x22, false],
      ],
      'the replay of the reply already handed on is not handed on again',
    );
    assert.equal(m.devices[0].staleReplays, 1);
    assert.equal(m.devices[0].timeouts, 0);
    assert.equal(store.load()['1'].seq, 0x23, 'advanced past 0x22, persisted');
    assert.deepEqual(eventsOut(replies), sent);
  });

  it('late answers after a timeout (the retry and the late reply cross): nothing lost, nothing twice', async () => {
    useMockTimers();
    const d = new SimDevice({ address: 1, maxEventsPerReply: 2 });
    const sent = queue(d, 40);
    const { m, wire, replies } = setup([d], {}, { pollIntervalMs: 5, timeoutMs: 30, retries: 5 });
    const onRequest = wire.onRequest.bind(wire);
    let n = 0;
    wire.onRequest = (bytes, t) => {
      wire.delayMs = ++n % 5 === 0 ? 45 : 0; // every fifth answer comes after the timeout, while the retry is out
      onRequest(bytes, t);
    };
    m.start();
    await until(() => eventsOut(replies).length >= 40, 10000, 'every event');
    await advance(200);
    assert.deepEqual(eventsOut(replies), sent);
    assert.ok(m.devices[0].timeouts >= 3);
  });

  it('a device answering each poll with 200 stale replays yields at most two msgs per poll interval', async () => {
    useMockTimers();
    const d = new SimDevice({ address: 1 });
    let n = 0;
    const flood = {
      address: 1,
      handle(f: { dst: number; cmd: number; seq: number; src: number }) {
        if (f.dst !== 1 || f.cmd !== 0x10) return null;
        const parts: Buffer[] = [];
        for (let i = 0; i < 200; i++) {
          const seq = 0x20 + ((f.seq - 0x20 + 1 + (i % 90)) % 96); // never the request's SEQ
          parts.push(encodePollReply({ dst: 0x40, src: 1, seq, sv: d.sv, di: d.di, ai: [n++ & 0xfff], events: [] }));
        }
        return Buffer.concat(parts);
      },
    } as unknown as SimDevice;
    const { m, replies } = setup([flood], {}, { pollIntervalMs: 1000, timeoutMs: 500 });
    m.start();
    await advance(10_000, 50);
    assert.ok(replies.length <= 2 * 11, `${replies.length} msgs in 10 s of 1 s polls`);
    assert.ok(replies.length >= 5, 'the first replay of each exchange is still handed on (it may hold events never seen)');
    assert.ok(replies.every((r) => r.stale));
  });
});

describe('item 5: recovery within one poll interval + 2 s, whatever the back-off', () => {
  it('a refused TCP link that comes back after minutes of back-off', async () => {
    useMockTimers();
    const d = new SimDevice({ address: 1 });
    const { m, wire, replies } = setup([d], { backoffMinMs: 1000, backoffMaxMs: 30_000 }, { pollIntervalMs: 5000, timeoutMs: 1000, retries: 3 });
    wire.refuse = true;
    m.start();
    await advance(180_000, 250); // the back-off has reached its 30 s cap
    assert.equal(replies.length, 0);
    wire.refuse = false;
    const t = await advance(60_000, 50, () => replies.length > 0);
    assert.ok(replies.length > 0);
    assert.ok(t <= 5000 + 2000, `first good reply ${t} ms after the link came back`);
  });

  it('an offline device among live ones, silent for ten minutes, answers within the bound once back', async () => {
    useMockTimers();
    const live = new SimDevice({ address: 1 });
    const dead = new SimDevice({ address: 2 });
    const { m, wire, replies } = setup([live, dead], {}, { pollIntervalMs: 5000, timeoutMs: 1000, retries: 3 });
    wire.devices = [live];
    m.start();
    await advance(600_000, 250);
    assert.equal(m.devices[1].online, false);
    assert.ok(m.devices[1].intervalMs <= 5000 + 2000, `offline probe interval ${m.devices[1].intervalMs} ms`);
    // it comes back just after a probe went unanswered: the worst moment
    const probes = () => wire.requests.filter((f) => f.dst === 2).length;
    const n = probes();
    await advance(120_000, 50, () => probes() > n);
    await advance(1100, 50);
    wire.devices = [live, dead];
    const t = await advance(120_000, 50, () => replies.some((r) => r.address === 2));
    assert.ok(replies.some((r) => r.address === 2));
    assert.ok(t <= 5000 + 2000, `device 2 answered ${t} ms after it came back`);
  });
});

describe('item 6: a lost link marks every device offline within timeout × (retries + 1)', () => {
  it('connection refused from the start: no request goes out, every device offline in time', async () => {
    useMockTimers();
    const devs = [new SimDevice({ address: 1 }), new SimDevice({ address: 2 })];
    const { m, wire, changes } = setup(devs, { backoffMinMs: 1000, backoffMaxMs: 30_000 }, { pollIntervalMs: 5000, timeoutMs: 1000, retries: 3 });
    wire.refuse = true;
    m.start();
    await advance(4000, 50);
    assert.equal(wire.requests.length, 0);
    assert.deepEqual(changes.map((c) => [c.address, c.online]).sort(), [
      [1, false],
      [2, false],
    ]);
    assert.match(changes[0].reason ?? '', /line down/);
    await advance(20_000, 250);
    assert.equal(changes.length, 2, 'reported once per device');
  });

  it('the link lost while connected, reconnects refused: offline in time, online again after', async () => {
    useMockTimers();
    const devs = [new SimDevice({ address: 1 }), new SimDevice({ address: 2 })];
    const { m, wire, changes, replies } = setup(devs, { backoffMinMs: 1000, backoffMaxMs: 30_000 }, { pollIntervalMs: 1000, timeoutMs: 500, retries: 1 });
    m.start();
    await advance(2000, 50);
    assert.deepEqual(
      changes.map((c) => c.online),
      [true, true],
    );
    wire.refuse = true;
    wire.breakLink();
    await advance(1000, 50);
    assert.deepEqual(
      changes
        .slice(2)
        .map((c) => [c.address, c.online])
        .sort(),
      [
        [1, false],
        [2, false],
      ],
    );
    wire.refuse = false;
    const n = replies.length;
    await advance(10_000, 50, () => changes.length >= 6);
    assert.ok(replies.length > n);
    assert.deepEqual(
      changes.slice(4).map((c) => c.online),
      [true, true],
    );
  });
});
