/**
 * The master against the simulator over real transports: TCP on 127.0.0.1 and a serial pty pair made
 * by socat. Every fault test counts what the simulator queued against what came out: no event may be
 * lost or handed on twice.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MaraMaster } from '../../lib/link/master';
import type { MasterOptions, PollResult } from '../../lib/link/master-types';
import { createTransport } from '../../lib/link/open-transport';
import type { SimDevice } from '../../lib/sim/device';
import { MaraSimulator } from '../../lib/sim/simulator';
import { until } from '../helpers/pipe';
import { SOCAT_MISSING, socatAvailable, socatPair, PtyPair } from '../helpers/socat';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

const eventsOut = (replies: PollResult[], address?: number) =>
  replies.filter((r) => address === undefined || r.address === address).flatMap((r) => r.frame.reply!.events.map((e) => e.raw.toString('hex')));

/** Queues n digital events on the device (stamped with its clock) and returns their bytes in order. */
function queue(d: SimDevice, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++)
    out.push(
      d
        .queueEvent({ type: 'digital', raw: Buffer.alloc(0), addr: d.address & 15, calif: 0, state: i & 1, port: (i >> 4) & 7, bit: i & 15, time: d.time() })
        .toString('hex'),
    );
  return out;
}

/** Devices whose replies hold FE 40 six bytes before their end (a false SOF, QTY 64), 2 events per reply. */
const falseSof = (address: number) => ({ address, ai: [0, 0, 0, 0, 0, 0, 0xfe00, 0x0040], maxEventsPerReply: 2 });

/** Before every fourth request the simulator writes noise ending in a false SOF: the reply behind it stays hidden until a flush. */
function falseSofNoise(sim: MaraSimulator): void {
  let n = 0;
  sim.on('request', () => {
    if (++n % 4 === 0) sim.injectNoise(Buffer.from([0x00, 0xfe, 0x40, 0x13]));
  });
}

async function tcpSetup(addresses: number[], opts: Partial<MasterOptions> = {}, dev: Partial<MasterOptions['devices'][0]> = {}, sims?: object[]) {
  const sim = new MaraSimulator(sims ?? addresses.map((address) => ({ address })));
  const port = await sim.listenTcp({ port: 0 });
  cleanup.push(() => sim.close());
  const m = new MaraMaster({
    transport: () => createTransport({ type: 'tcp', host: '127.0.0.1', port }),
    devices: addresses.map((address) => ({ address, pollIntervalMs: 40, timeoutMs: 150, retries: 3, ...dev })),
    backoffMinMs: 30,
    backoffMaxMs: 200,
    ...opts,
  });
  cleanup.push(() => m.stop());
  const replies: PollResult[] = [];
  m.on('reply', (r) => replies.push(r));
  return { sim, m, replies, port };
}

describe('master ⇄ simulator over TCP 127.0.0.1', () => {
  it('polls, syncs the clock and drains 1 000 events exactly once', async () => {
    const { sim, m, replies } = await tcpSetup([1], {}, { pollIntervalMs: 2000 });
    const sent = queue(sim.device(1)!, 1000);
    m.start();
    await until(() => eventsOut(replies).length >= 1000, 10000, '1000 events');
    assert.deepEqual(eventsOut(replies), sent);
    assert.equal(sim.device(1)!.stats.pehs, 1);
    assert.ok(replies.length >= 100);
  });

  it('loses and doubles nothing through dropped, corrupted and split replies, noise and silence', async () => {
    const { sim, m, replies } = await tcpSetup([1], {}, { pollIntervalMs: 20, timeoutMs: 120, retries: 10 });
    const dev = sim.device(1)!;
    const sent = queue(dev, 300);
    sim.splitReplies = true;
    m.start();
    await until(() => eventsOut(replies).length >= 30);
    sim.dropReplies(2);
    await until(() => eventsOut(replies).length >= 80);
    sim.corruptReplies(2);
    await until(() => eventsOut(replies).length >= 120);
    sim.injectNoise(Buffer.from([0xfe, 0x20, 0x01, 0x02, 0xfe, 0xfe, 0x09, 0x33, 0x00]));
    await until(() => eventsOut(replies).length >= 160);
    sim.silence(400);
    await until(() => eventsOut(replies).length >= 300, 10000, 'all 300');
    const k = replies.length; // a reply handed on twice would come within the next exchanges
    await until(() => replies.length >= k + 5, 5000, 'five more exchanges');
    assert.deepEqual(eventsOut(replies), sent);
    const s = m.stats();
    assert.ok(s.timeouts >= 2, `timeouts ${s.timeouts}`);
    assert.ok(s.bccErrors >= 2, `bcc ${s.bccErrors}`);
    assert.ok(s.noiseBytes > 0, 'noise counted');
    assert.ok(dev.stats.replays >= 2);
  });

  it('reconnects after a TCP reset and still delivers every event once', async () => {
    const { sim, m, replies } = await tcpSetup([1], {}, { pollIntervalMs: 20 });
    const sent = queue(sim.device(1)!, 200);
    m.start();
    await until(() => eventsOut(replies).length >= 50);
    sim.resetConnections();
    await until(() => m.stats().connects >= 2, 5000, 'reconnect');
    sim.resetConnections();
    await until(() => eventsOut(replies).length >= 200 && m.stats().connects >= 3, 10000);
    assert.deepEqual(eventsOut(replies), sent);
  });

  it('the simulator silent for a while then back: offline, then online, nothing lost', async () => {
    const { sim, m, replies } = await tcpSetup([1], { reconnectWhenAllOffline: true }, { pollIntervalMs: 20, timeoutMs: 60, retries: 1 });
    const changes: boolean[] = [];
    m.on('device', (c) => changes.push(c.online));
    const dev = sim.device(1)!;
    const first = queue(dev, 30);
    m.start();
    await until(() => eventsOut(replies).length >= 30);
    sim.silence(700);
    const later = queue(dev, 30); // happen while the line is dead
    await until(() => changes.includes(false), 3000, 'offline');
    await until(() => eventsOut(replies).length >= 60 && changes.length >= 3, 10000, 'all events and online again after the silence');
    assert.deepEqual(eventsOut(replies), [...first, ...later]);
    assert.deepEqual(changes.slice(0, 3), [true, false, true]);
  });

  it('one dead device among several costs the others at most one timeout per cycle', async () => {
    const { sim, m, replies } = await tcpSetup([1, 2, 3, 4], { reconnectWhenAllOffline: false }, { pollIntervalMs: 100, timeoutMs: 80, retries: 5 });
    sim.devices.splice(sim.devices.indexOf(sim.device(3)!), 1); // address 3 is dead
    const order: number[] = [];
    sim.on('request', (f) => f.cmd === 0x10 && order.push(f.dst));
    m.start();
    await until(() => [1, 2, 4].every((a) => replies.filter((r) => r.address === a).length >= 10), 15000, '10 replies from each live device');
    for (const a of [1, 2, 4]) {
      const at = order.flatMap((d, i) => (d === a ? [i] : []));
      for (let k = 1; k < at.length; k++) {
        const deadBetween = order.slice(at[k - 1] + 1, at[k]).filter((d) => d === 3).length;
        // a poll interval (100 ms) holds at most two timeouts; six retries in a row would mean the dead
        // device held the line for all its retries
        assert.ok(deadBetween <= 2, `device ${a}: ${deadBetween} requests to the dead device between two of its polls`);
      }
    }
    assert.ok(order.filter((d) => d === 3).length >= 4, 'the dead device was retried');
  });
});

describe('a multi-drop bus with false SOFs in the noise (issue 9 item 1)', () => {
  it('TCP 127.0.0.1: three devices, corrupted replies and false SOFs: every event once, every device polled', async () => {
    const { sim, m, replies } = await tcpSetup(
      [1, 2, 3],
      { reconnectWhenAllOffline: false },
      { pollIntervalMs: 10, timeoutMs: 120, retries: 10 },
      [1, 2, 3].map(falseSof),
    );
    const sent = new Map([1, 2, 3].map((a) => [a, queue(sim.device(a)!, 30)]));
    falseSofNoise(sim);
    let k = 0;
    m.on('reply', () => ++k % 7 === 0 && sim.corruptReplies(1));
    m.start();
    await until(() => [1, 2, 3].every((a) => eventsOut(replies, a).length >= 30), 20000, 'all events on the bus');
    for (const a of [1, 2, 3]) assert.deepEqual(eventsOut(replies, a), sent.get(a), `device ${a}`);
    assert.ok(m.stats().noiseBytes > 0 && m.stats().bccErrors > 0);
  });

  it('socat pty: the same bus over a real serial port', { skip: socatAvailable() ? false : SOCAT_MISSING }, async () => {
    const pair: PtyPair = await socatPair();
    cleanup.push(() => pair.close());
    const sim = new MaraSimulator([1, 2, 3].map(falseSof));
    await sim.openSerial({ path: pair.b, baudRate: 9600 });
    cleanup.push(() => sim.close());
    const m = new MaraMaster({
      transport: () => createTransport({ type: 'serial', path: pair.a, baudRate: 9600 }),
      devices: [1, 2, 3].map((address) => ({ address, pollIntervalMs: 10, timeoutMs: 300, retries: 10 })),
      backoffMinMs: 50,
      backoffMaxMs: 300,
    });
    cleanup.push(() => m.stop());
    const replies: PollResult[] = [];
    m.on('reply', (r) => replies.push(r));
    const sent = new Map([1, 2, 3].map((a) => [a, queue(sim.device(a)!, 20)]));
    falseSofNoise(sim);
    let k = 0;
    m.on('reply', () => ++k % 7 === 0 && sim.corruptReplies(1));
    m.start();
    await until(() => [1, 2, 3].every((a) => eventsOut(replies, a).length >= 20), 30000, 'all events on the bus');
    for (const a of [1, 2, 3]) assert.deepEqual(eventsOut(replies, a), sent.get(a), `device ${a}`);
  });
});

describe('BugPeH devices on a bus, PEHs and lost replies (issue 9 item 3)', () => {
  it('TCP 127.0.0.1: three BugPeH devices, a PEH every 60 ms, every third reply of device 2 dropped: every event once', async () => {
    const { sim, m, replies } = await tcpSetup(
      [1, 2, 3],
      { reconnectWhenAllOffline: false, pehIntervalMs: 60 },
      { pollIntervalMs: 10, timeoutMs: 80, retries: 10 },
      [1, 2, 3].map((address) => ({ address, seqFromBroadcast: true, maxEventsPerReply: 3 })),
    );
    const sent = new Map([1, 2, 3].map((a) => [a, queue(sim.device(a)!, 90)]));
    let n = 0;
    sim.on('request', (f) => {
      if (f.dst === 2 && f.cmd === 0x10 && f.seq !== sim.device(2)!.lastSeq && ++n % 3 === 0) sim.dropReplies(1);
    });
    m.start();
    await until(() => [1, 2, 3].every((a) => eventsOut(replies, a).length >= 90), 30000, 'all events on the bus');
    const k = replies.length; // a reply handed on twice would come within the next exchanges
    await until(() => replies.length >= k + 9, 5000, 'three more polls of each device');
    for (const a of [1, 2, 3]) assert.deepEqual(eventsOut(replies, a), sent.get(a), `device ${a}`);
    assert.ok(m.stats().pehs >= 3, `${m.stats().pehs} PEHs`);
    assert.ok(n >= 9);
  });
});

describe('master ⇄ simulator over a serial pty pair (socat)', () => {
  const skip = socatAvailable() ? false : SOCAT_MISSING;

  async function serialSetup(addresses: number[], dev: Partial<MasterOptions['devices'][0]> = {}) {
    const pair: PtyPair = await socatPair();
    cleanup.push(() => pair.close());
    const sim = new MaraSimulator(addresses.map((address) => ({ address })));
    await sim.openSerial({ path: pair.b, baudRate: 9600 });
    cleanup.push(() => sim.close());
    const m = new MaraMaster({
      transport: () => createTransport({ type: 'serial', path: pair.a, baudRate: 9600 }),
      devices: addresses.map((address) => ({ address, pollIntervalMs: 30, timeoutMs: 300, retries: 5, ...dev })),
      backoffMinMs: 50,
      backoffMaxMs: 300,
    });
    cleanup.push(() => m.stop());
    const replies: PollResult[] = [];
    m.on('reply', (r) => replies.push(r));
    return { pair, sim, m, replies };
  }

  it('polls 3 IEDs on one bus and delivers every event once, with faults', { skip }, async () => {
    const { sim, m, replies } = await serialSetup([2, 3, 4]);
    const sent = new Map([2, 3, 4].map((a) => [a, queue(sim.device(a)!, 120)]));
    m.start();
    await until(() => replies.length >= 6, 5000);
    sim.dropReplies(1);
    sim.corruptReplies(1);
    sim.injectNoise(Buffer.from([0x00, 0xfe, 0x0c, 0x55]));
    await until(() => [2, 3, 4].every((a) => eventsOut(replies, a).length >= 120), 20000, 'all events on the bus');
    for (const a of [2, 3, 4]) assert.deepEqual(eventsOut(replies, a), sent.get(a), `device ${a}`);
  });

  it('the pty closed and reopened: the master reconnects and loses nothing', { skip }, async () => {
    const pair1 = await socatPair();
    let pair = pair1;
    cleanup.push(() => pair.close());
    let sim = new MaraSimulator([{ address: 2 }]);
    await sim.openSerial({ path: pair.b });
    const dev = sim.device(2)!;
    const m = new MaraMaster({
      transport: () => createTransport({ type: 'serial', path: pair.a }),
      devices: [{ address: 2, pollIntervalMs: 20, timeoutMs: 200, retries: 5 }],
      backoffMinMs: 50,
      backoffMaxMs: 200,
    });
    cleanup.push(() => m.stop());
    const replies: PollResult[] = [];
    m.on('reply', (r) => replies.push(r));
    const sent = queue(dev, 100);
    m.start();
    await until(() => eventsOut(replies).length >= 30, 5000);
    await sim.close();
    await pair.close(); // the adapter is unplugged
    await until(() => m.state === 'waiting', 3000, 'line lost');
    // a new pty pair at the same paths, the same device (its queue and retry buffer) behind it
    pair = await socatPair(5000, { a: pair1.a, b: pair1.b });
    sim = new MaraSimulator([dev]);
    await sim.openSerial({ path: pair.b });
    cleanup.push(() => sim.close());
    await until(() => eventsOut(replies).length >= 100, 10000, 'all events after the reconnect');
    assert.deepEqual(eventsOut(replies), sent);
    assert.ok(m.stats().connects >= 2);
  });
});
