/** MaraSimulator end to end over TCP (127.0.0.1, port 0) and a mock serial port, with fault injection. */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CMD, FrameReader, MaraError, MaraFrame, decodeFrame, encodeFrame, encodePoll, encodeTimeSet } from '../../lib/mara';
import { MaraSimulator } from '../../lib/sim/simulator';
import { FakeTimers } from '../helpers/fake-timers';

/** A test master: every byte received, every frame the codec's reader found, and how it was chunked. */
class Client {
  raw = Buffer.alloc(0);
  chunks = 0;
  frames: MaraFrame[] = [];
  rejects: MaraError[] = [];
  closed = false;
  closeError: Error | undefined;
  readonly reader = new FrameReader();

  constructor(readonly sock: net.Socket) {
    this.reader.on('frame', (f) => this.frames.push(f));
    this.reader.on('reject', (e) => this.rejects.push(e));
    sock.on('data', (c) => {
      this.chunks++;
      this.raw = Buffer.concat([this.raw, c]);
      this.reader.push(c);
    });
    sock.on('error', (e) => (this.closeError = e));
    sock.on('close', () => (this.closed = true));
  }

  static connect(port: number): Promise<Client> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(new Client(s)));
      s.once('error', reject);
    });
  }

  send(b: Buffer | string): void {
    this.sock.write(typeof b === 'string' ? Buffer.from(b.replace(/\s+/g, ''), 'hex') : b);
  }

  /** Waits for the n-th frame (1-based) or throws. */
  async frame(n: number, timeoutMs = 1000): Promise<MaraFrame> {
    await waitFor(() => this.frames.length >= n, timeoutMs, `frame #${n}`);
    return this.frames[n - 1];
  }
}

async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const poll = (seq: number, dst = 1) => encodePoll({ dst, seq });

/** Bytes the simulator's first link holds of a frame not yet complete (so a test knows a chunk was read alone). */
const pendingIn = (sim: MaraSimulator): number | undefined => [...(sim as unknown as { links: Set<{ reader: FrameReader }> }).links][0]?.reader.pending;

/** Moves the simulator's clock `ms` forward 1 ms at a time, letting its promise chains and the sockets run. */
async function pass(clock: FakeTimers, ms: number): Promise<void> {
  for (let i = 0; i < ms; i++) {
    clock.tick(1);
    await new Promise((r) => setImmediate(r));
  }
}

describe('MaraSimulator over TCP', () => {
  let sim: MaraSimulator;
  let port: number;
  let clock: FakeTimers; // the simulator's reply delays and silence run on it
  const clients: Client[] = [];
  const connect = async () => {
    const c = await Client.connect(port);
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    clock = new FakeTimers();
    sim = new MaraSimulator([{ address: 1 }, { address: 2 }], { timers: clock });
    port = await sim.listenTcp({ port: 0 });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.sock.destroy();
    await sim.close();
  });

  it('listens on a free port and answers a poll, also when the request arrives in chunks', async () => {
    assert.ok(port > 0);
    assert.equal(sim.tcpPort, port);
    const c = await connect();
    const req = poll(0x21);
    c.send(req.subarray(0, 1));
    await waitFor(() => pendingIn(sim) === 1, 1000, 'the first byte read alone');
    c.send(req.subarray(1, 5));
    await waitFor(() => pendingIn(sim) === 5, 1000, 'bytes 2-5 read');
    c.send(req.subarray(5));
    const f = await c.frame(1);
    assert.deepEqual([f.dst, f.src, f.seq, f.kind], [0x40, 1, 0x21, 'poll-reply']);
    // two requests in one segment, for two devices: both answered by the right unit
    c.send(Buffer.concat([poll(0x22, 2), encodeFrame({ dst: 1, src: 0x40, seq: 0x23, cmd: CMD.SIMULATED_VALUES, data: [1] })]));
    const a = await c.frame(2);
    const b = await c.frame(3);
    assert.deepEqual([a.src, a.seq, a.cmd, b.src, b.seq, b.cmd], [2, 0x22, 0x10, 1, 0x23, 0x3c]);
    assert.equal(sim.stats.framesIn, 3);
    assert.equal(sim.stats.repliesSent, 3);
    assert.equal(sim.stats.links, 1);
  });

  it("emits 'request' and 'reply'; a broadcast PEH reaches every device and is never answered", async () => {
    const requests: MaraFrame[] = [];
    const replies: Buffer[] = [];
    sim.on('request', (f) => requests.push(f));
    sim.on('reply', (b) => replies.push(b));
    const c = await connect();
    c.send(encodeTimeSet({ year: 2021, month: 6, day: 1, hour: 12, minute: 0, second: 0, fraction: 0 }, { seq: 0xbb }));
    c.send(poll(0x24, 2));
    const f = await c.frame(1);
    assert.equal(f.src, 2);
    // replies leave in request order, synchronously here: an answer to the broadcast would be frame 1
    assert.equal(c.frames.length, 1, 'no reply to the broadcast');
    assert.deepEqual(
      requests.map((r) => r.cmd),
      [0x12, 0x10],
    );
    assert.equal(replies.length, 1);
    assert.deepEqual(replies[0], c.raw);
    for (const d of sim.devices) {
      assert.equal(d.stats.pehs, 1);
      assert.equal(d.time().year, 2021);
    }
  });

  it('several clients share the devices (a second master retransmitting gets the replay)', async () => {
    const a = await connect();
    const b = await connect();
    a.send(poll(0x30));
    const fa = await a.frame(1);
    b.send(poll(0x30));
    await b.frame(1);
    assert.deepEqual(b.raw, a.raw);
    assert.equal(fa.seq, 0x30);
    assert.equal(sim.stats.devices.replays, 1);
    assert.equal(sim.stats.connections, 2);
  });

  it('dropReplies: the reply is lost, the retry with the same SEQ is answered by the replay', async () => {
    sim.device(1)?.queueEvents(4);
    const c = await connect();
    sim.dropReplies(1);
    c.send(poll(0x40));
    await waitFor(() => sim.stats.repliesDropped === 1, 1000, 'the reply dropped');
    assert.equal(c.raw.length, 0);
    assert.equal(sim.stats.repliesDropped, 1);
    c.send(poll(0x40));
    const f = await c.frame(1);
    assert.equal(f.reply?.events.length, 4);
    assert.equal(sim.stats.devices.replays, 1);
    assert.equal(sim.device(1)?.stats.delivered, 0);
  });

  it('corruptReplies: the reply fails its BCC (decodeFrame throws EBCC), the retry is clean', async () => {
    const c = await connect();
    sim.corruptReplies(1);
    c.send(poll(0x41));
    await waitFor(() => c.raw.length >= 2 && c.raw.length >= c.raw[1], 1000, 'the corrupted reply');
    const bad = c.raw.subarray(0, c.raw[1]);
    assert.throws(() => decodeFrame(bad), { code: 'EBCC' });
    assert.equal(c.frames.length, 0);
    assert.equal(sim.stats.repliesCorrupted, 1);
    c.send(poll(0x41));
    const f = await c.frame(1);
    assert.equal(f.seq, 0x41);
    assert.equal(bad.length, f.length);
    assert.equal(c.rejects.filter((e) => e.code === 'EBCC').length, 1);
  });

  it('injectNoise reaches the master, which still finds the next reply; noise before a request is skipped', async () => {
    const c = await connect();
    await waitFor(() => sim.stats.links === 1, 1000, 'the link');
    const noise = Buffer.from([0x00, 0x11, 0xfe, 0x03, 0x55, 0xaa]);
    sim.injectNoise(noise);
    await waitFor(() => c.raw.length >= noise.length, 1000, 'the noise');
    assert.deepEqual(c.raw, noise);
    // request preceded by garbage (including a false SOF) in the same segment
    c.send(Buffer.concat([Buffer.from([0x13, 0xfe, 0x02, 0x77]), poll(0x42)]));
    const f = await c.frame(1);
    assert.equal(f.seq, 0x42);
    assert.ok(c.reader.stats.discardedBytes >= noise.length);
    assert.ok(sim.stats.noiseBytesIn >= 4);
  });

  it('silence: the devices do not even see the frames, then answer again', async () => {
    const c = await connect();
    sim.silence(150);
    c.send(poll(0x43));
    await waitFor(() => sim.stats.silenced === 1, 1000, 'the frame silenced');
    assert.equal(c.raw.length, 0);
    assert.equal(sim.stats.devices.requests, 0);
    assert.equal(sim.stats.silenced, 1);
    clock.tick(150); // the silence is over
    c.send(poll(0x43));
    const f = await c.frame(1);
    assert.equal(f.seq, 0x43);
    assert.equal(sim.stats.devices.replays, 0, 'a fresh reply: the device never saw the first request');
  });

  it('resetConnections: the client sees a reset; the device state survives the reconnection', async () => {
    const c = await connect();
    c.send(poll(0x44));
    const first = await c.frame(1);
    sim.resetConnections();
    await waitFor(() => c.closed, 1000, 'the close');
    assert.equal((c.closeError as NodeJS.ErrnoException | undefined)?.code, 'ECONNRESET');
    await waitFor(() => sim.stats.links === 0, 1000, 'the link to go');
    const c2 = await connect();
    c2.send(poll(0x44));
    const again = await c2.frame(1);
    assert.deepEqual(again, first);
    assert.equal(sim.stats.devices.replays, 1);
  });

  it('replyDelayMs and splitReplies: a late reply in several segments, reassembled by the reader', async () => {
    sim.device(1)?.queueEvents(10);
    sim.replyDelayMs = 60;
    sim.splitReplies = true;
    const c = await connect();
    let replied = 0;
    sim.on('reply', () => replied++);
    c.send(poll(0x45));
    await waitFor(() => sim.stats.devices.requests === 1, 1000, 'the request');
    await pass(clock, 59);
    assert.equal(replied, 0, 'not before 60 ms');
    await pass(clock, 1 + 3 * 3); // the delay, then the parts 3 ms apart
    const f = await c.frame(1);
    assert.equal(replied, 1, 'delayed by 60 ms');
    assert.ok(c.chunks >= 2, `arrived in ${c.chunks} segment(s)`);
    assert.equal(f.reply?.events.length, 10);
    // a short reply (control echo) is split too
    c.send(encodeFrame({ dst: 1, src: 0x40, seq: 0x46, cmd: CMD.SCAN_CONTROL, data: [1] }));
    await waitFor(() => sim.stats.devices.requests === 2, 1000, 'the control request');
    await pass(clock, 60 + 3 * 3);
    const e = await c.frame(2);
    assert.deepEqual([e.cmd, ...e.data], [0x3f, 1]);
  });

  it('close() cancels a pending delayed reply, drops the clients and is idempotent; a taken port is refused', async () => {
    const other = new MaraSimulator();
    await assert.rejects(other.listenTcp({ port }), { code: 'EADDRINUSE' });
    await other.close();
    sim.replyDelayMs = 200;
    const c = await connect();
    let replies = 0;
    sim.on('reply', () => replies++);
    c.send(poll(0x47));
    await waitFor(() => sim.stats.devices.requests === 1, 1000, 'the request');
    await sim.close();
    await sim.close();
    await waitFor(() => c.closed, 1000, 'the close');
    assert.equal(clock.pending, 0, 'the delayed reply was cancelled, not left waiting');
    await pass(clock, 250);
    assert.equal(replies, 0);
    assert.equal(c.raw.length, 0);
    assert.equal(sim.tcpPort, null);
  });
});

describe('MaraSimulator on a serial port (serialport mock binding)', () => {
  it('answers a poll written to the port, in bytes split over reads', async () => {
    const { SerialPortMock } = require('serialport');
    SerialPortMock.binding.createPort('/dev/MARASIM', { record: true });
    const sim = new MaraSimulator([{ address: 3 }]);
    try {
      await sim.openSerial({ path: '/dev/MARASIM', mock: true });
      const binding = (sim.serialPort as { port: { emitData(b: Buffer): void; recording: Buffer } }).port;
      const req = poll(0x50, 3);
      binding.emitData(req.subarray(0, 3));
      await waitFor(() => pendingIn(sim) === 3, 1000, 'the first 3 bytes read alone');
      binding.emitData(req.subarray(3));
      await waitFor(() => binding.recording.length >= 8, 1000, 'the reply');
      await waitFor(() => binding.recording.length >= binding.recording[1], 1000, 'the whole reply');
      const f = decodeFrame(binding.recording);
      assert.deepEqual([f.dst, f.src, f.seq, f.kind], [0x40, 3, 0x50, 'poll-reply']);
      // a partial frame followed by silence is dropped, the next request is answered
      binding.emitData(req.subarray(0, 4));
      await waitFor(() => sim.stats.noiseBytesIn === 4, 1000, 'the partial frame to be dropped after the inter-byte silence');
      const before = binding.recording.length;
      binding.emitData(poll(0x51, 3));
      await waitFor(() => binding.recording.length > before, 1000, 'the second reply');
      assert.equal(sim.stats.noiseBytesIn, 4);
    } finally {
      await sim.close();
      SerialPortMock.binding.reset();
    }
    assert.equal(sim.serialPort, null);
  });
});
