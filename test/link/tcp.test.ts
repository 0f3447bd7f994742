/** TcpTransport against real sockets on 127.0.0.1 (never a non-loopback address), and TCP option checks. */
import { after, afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { TcpTransport } from '../../lib/link/tcp';
import { createTransport, describeTransport } from '../../lib/link/open-transport';
import type { Transport } from '../../lib/link/transport';
import type { Timers } from '../../lib/link/timers';
import { FakeTimers } from '../helpers/fake-timers';

/** Per-test limit, so a hung connect fails the test instead of stalling the run. */
const T = { timeout: 10_000 };
/** Lets pending I/O callbacks run: an event still due from a closed socket would come within these rounds. */
const settle = async () => {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
};
const code = (e: unknown) => (e as { code?: string }).code;

/** Everything a test opened, closed in afterEach even when the test failed halfway. */
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A loopback server that records its sockets; `next()` resolves with the next accepted one. */
async function server(): Promise<{ port: number; sockets: net.Socket[]; next: () => Promise<net.Socket> }> {
  const sockets: net.Socket[] = [];
  const srv = net.createServer((s) => {
    s.on('error', () => undefined); // resets are part of the tests
    sockets.push(s);
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => srv.close(r));
  });
  let seen = 0;
  const next = async () => {
    while (sockets.length <= seen) await once(srv, 'connection');
    return sockets[seen++];
  };
  return { port: (srv.address() as net.AddressInfo).port, sockets, next };
}

/** A transport whose 'close' events are recorded; closed after the test. */
function transport(port: number, connectTimeoutMs?: number, timers?: Timers): { t: TcpTransport; closes: (Error | undefined)[] } {
  const t = new TcpTransport({ host: '127.0.0.1', port, connectTimeoutMs }, timers);
  const closes: (Error | undefined)[] = [];
  t.on('close', (err) => closes.push(err));
  cleanups.push(() => t.close());
  return { t, closes };
}

/** Waits for the first 'close', then lets pending I/O run so a duplicate would show up. */
async function closed(t: Transport, closes: unknown[]): Promise<void> {
  if (!closes.length) await once(t, 'close');
  await settle();
}

/**
 * A loopback listener that never accepts: a child node process with backlog 1 blocks its event loop,
 * filler connections fill the kernel's accept queue, and further SYNs are dropped, so a connect hangs.
 */
async function blackHole(): Promise<number> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '-e',
      `const s = require('net').createServer().listen(0, '127.0.0.1', 1, () => {
         process.stdout.write(s.address().port + '\\n');
         Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // never returns: nothing is accepted
       });`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = once(child, 'exit');
  cleanups.push(async () => {
    child.kill('SIGKILL');
    await exited;
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const port = Number(line.toString().trim());
  const fillers: net.Socket[] = [];
  cleanups.push(() => fillers.forEach((f) => f.destroy()));
  let queued = 0;
  const full = new Promise<void>((resolve, reject) => {
    const bound = setTimeout(() => reject(new Error(`only ${queued} filler connection(s) queued within 5 s`)), 5000);
    for (let i = 0; i < 4; i++) {
      const f = net.connect(port, '127.0.0.1');
      f.on('error', () => undefined);
      // the accept queue of a backlog-1 listener holds two connections: once both are in, SYNs are dropped
      f.on('connect', () => ++queued === 2 && (clearTimeout(bound), resolve()));
      fillers.push(f);
    }
  });
  await full;
  return port;
}

describe('TcpTransport', () => {
  it('opens, writes and receives bytes', T, async () => {
    const srv = await server();
    const { t, closes } = transport(srv.port);
    assert.equal(t.kind, 'tcp');
    assert.equal(t.charTimeMs, 0);
    assert.equal(t.description, `tcp 127.0.0.1:${srv.port}`);
    assert.equal(t.isOpen, false);
    await t.open();
    assert.equal(t.isOpen, true);
    const peer = await srv.next();

    const got: Buffer[] = [];
    peer.on('data', (c: Buffer) => got.push(c));
    await t.write(Buffer.from([0xfe, 0x08, 0x01]));
    await t.write(Buffer.from([0x02, 0x03]));
    while (Buffer.concat(got).length < 5) await once(peer, 'data');
    assert.deepEqual(Buffer.concat(got), Buffer.from([0xfe, 0x08, 0x01, 0x02, 0x03]));

    const recv: Buffer[] = [];
    t.on('data', (c) => recv.push(c));
    peer.write(Buffer.from('reply'));
    while (Buffer.concat(recv).length < 5) await once(t, 'data');
    assert.equal(Buffer.concat(recv).toString(), 'reply');
    assert.equal(closes.length, 0);
  });

  it('write resolves only once a large buffer is handed to the OS, and all of it arrives', T, async () => {
    const srv = await server();
    const { t } = transport(srv.port);
    await t.open();
    const peer = await srv.next();
    let n = 0;
    peer.on('data', (c: Buffer) => (n += c.length));
    const big = Buffer.alloc(4 << 20, 0x55);
    await t.write(big);
    while (n < big.length) await once(peer, 'data');
    assert.equal(n, big.length);
  });

  it('server closing the connection gives exactly one close, with an err', T, async () => {
    const srv = await server();
    const { t, closes } = transport(srv.port);
    await t.open();
    (await srv.next()).end();
    await closed(t, closes);
    assert.equal(closes.length, 1);
    assert.ok(closes[0] instanceof Error, 'closed by the peer, not by us: err says why');
    assert.equal(code(closes[0]), 'ECONNRESET');
    assert.equal(t.isOpen, false);
  });

  it('peer reset gives one close with an ECONNRESET err', T, async () => {
    const srv = await server();
    const { t, closes } = transport(srv.port);
    await t.open();
    (await srv.next()).resetAndDestroy();
    await closed(t, closes);
    assert.equal(closes.length, 1);
    assert.equal(code(closes[0]), 'ECONNRESET');
    await assert.rejects(t.write(Buffer.from([1])), { code: 'ENOTCONN' });
  });

  it('connect refused: open rejects with ECONNREFUSED and no close event', T, async () => {
    // a port that was free a moment ago
    const probe = net.createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const { t, closes } = transport(port);
    await assert.rejects(t.open(), { code: 'ECONNREFUSED' });
    assert.equal(t.isOpen, false);
    await t.close();
    assert.equal(closes.length, 0);
  });

  it('connect timeout: open rejects with ETIMEDOUT after connectTimeoutMs', T, async () => {
    const port = await blackHole();
    const clock = new FakeTimers(); // the connect timeout runs on it
    const { t, closes } = transport(port, 300, clock);
    let settled = false;
    const opening = t.open();
    opening.then(
      () => (settled = true),
      () => (settled = true),
    );
    clock.tick(299);
    await settle();
    assert.equal(settled, false, 'still connecting at 299 ms');
    clock.tick(1);
    await assert.rejects(opening, { code: 'ETIMEDOUT' });
    assert.equal(closes.length, 0);
  });

  it('close while connecting: open rejects with ECONNABORTED, no close event', T, async () => {
    const port = await blackHole();
    const { t, closes } = transport(port, 5000);
    const opening = t.open();
    await settle(); // the SYN is out; the connect hangs
    await t.close();
    await assert.rejects(opening, { code: 'ECONNABORTED' });
    assert.equal(closes.length, 0);
  });

  it('write when not open rejects with ENOTCONN (before open and after close)', T, async () => {
    const srv = await server();
    const { t } = transport(srv.port);
    await assert.rejects(t.write(Buffer.from([1])), { code: 'ENOTCONN' });
    await t.open();
    await t.close();
    await assert.rejects(t.write(Buffer.from([1])), { code: 'ENOTCONN' });
  });

  it('close is idempotent: one close event without err, the peer sees the end', T, async () => {
    const srv = await server();
    const { t, closes } = transport(srv.port);
    await t.open();
    const peer = await srv.next();
    const ended = once(peer, 'end');
    await Promise.all([t.close(), t.close()]);
    await t.close();
    await ended;
    await settle();
    assert.deepEqual(closes, [undefined]);
    assert.equal(t.isOpen, false);
    await assert.rejects(t.open(), { code: 'EINVAL' }, 'a transport is opened once');
  });

  it('close before open resolves and emits nothing', T, async () => {
    const { t, closes } = transport(1);
    await t.close();
    assert.equal(closes.length, 0);
  });
});

describe('createTransport (tcp)', () => {
  it('makes a TcpTransport with the default port 9761', T, () => {
    const t = createTransport({ type: 'tcp', host: '192.0.2.1' });
    assert.ok(t instanceof TcpTransport);
    assert.equal(t.description, 'tcp 192.0.2.1:9761');
    assert.equal(t.isOpen, false);
    assert.equal(describeTransport({ type: 'tcp', host: '::1', port: 502 }), 'tcp [::1]:502');
  });

  it('rejects bad options with EINVAL', T, () => {
    const bad: unknown[] = [
      { type: 'tcp', host: '' },
      { type: 'tcp', host: '   ' },
      { type: 'tcp' },
      { type: 'tcp', host: 'h', port: 0 },
      { type: 'tcp', host: 'h', port: 65536 },
      { type: 'tcp', host: 'h', port: 1.5 },
      { type: 'tcp', host: 'h', port: NaN },
      { type: 'tcp', host: 'h', connectTimeoutMs: 0 },
      { type: 'udp', host: 'h' },
      null,
    ];
    for (const o of bad) {
      assert.throws(() => createTransport(o as never), { name: 'MaraError', code: 'EINVAL' }, JSON.stringify(o));
    }
    for (const port of [1, 9761, 65535]) createTransport({ type: 'tcp', host: 'h', port });
  });
});

after(() => assert.equal(cleanups.length, 0));
