/**
 * SerialTransport over a real socat pty pair (skipped without socat), SerialPortMock injection, the lazy
 * serialport load and serial option checks (listing ports: serial-ports.test.ts).
 */
import { after, afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SerialPort, SerialPortMock } from 'serialport';
import { SerialTransport } from '../../lib/link/serial';
import { listSerialPorts } from '../../lib/link/serial-ports';
import { createTransport, describeTransport } from '../../lib/link/open-transport';
import { PtyPair, SOCAT_MISSING, socatAvailable, socatPair } from '../helpers/socat';
import { FakeTimers } from '../helpers/fake-timers';

const T = { timeout: 10_000 };
/** Lets pending I/O callbacks run: an event still due from a closed port would come within these rounds. */
const settle = async () => {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
};
const code = (e: unknown) => (e as { code?: string }).code;
const noSocat = socatAvailable() ? false : SOCAT_MISSING;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function pair(): Promise<PtyPair> {
  const p = await socatPair();
  cleanups.push(() => p.close());
  return p;
}

/** A transport whose 'close' events are recorded; closed after the test. */
function transport(devPath: string): { t: SerialTransport; closes: (Error | undefined)[] } {
  const t = new SerialTransport({ path: devPath, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 });
  const closes: (Error | undefined)[] = [];
  t.on('close', (err) => closes.push(err));
  cleanups.push(() => t.close());
  return { t, closes };
}

/** The far end of the pair, opened with serialport directly. */
async function farEnd(devPath: string): Promise<SerialPort> {
  const port = new SerialPort({ path: devPath, baudRate: 9600, autoOpen: false });
  port.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  cleanups.push(() => (port.isOpen ? new Promise((r) => port.close(r)) : undefined));
  return port;
}

/** Resolves with the bytes once `n` have arrived; rejects after `ms` (a failure bound only). */
function collect(em: { on(ev: 'data', f: (c: Buffer) => void): unknown }, n: number, ms = 3000): Promise<Buffer> {
  const got: Buffer[] = [];
  let size = 0;
  return new Promise((resolve, reject) => {
    const bound = setTimeout(() => reject(new assert.AssertionError({ message: `got ${size}/${n} bytes` })), ms);
    em.on('data', (c: Buffer) => {
      got.push(c);
      size += c.length;
      if (size >= n) {
        clearTimeout(bound);
        resolve(Buffer.concat(got));
      }
    });
  });
}

describe('SerialTransport over a socat pty pair', { skip: noSocat }, () => {
  it('moves bytes both ways at 9600 8N1', T, async () => {
    const p = await pair();
    const { t, closes } = transport(p.a);
    assert.equal(t.kind, 'serial');
    assert.equal(t.description, `serial ${p.a} 9600 8N1`);
    assert.ok(Math.abs(t.charTimeMs - 10000 / 9600) < 1e-9, `charTimeMs ${t.charTimeMs}`);
    await t.open();
    assert.equal(t.isOpen, true);
    const b = await farEnd(p.b);

    const atB = collect(b, 6);
    await t.write(Buffer.from([0xfe, 0x08, 0x00]));
    await t.write(Buffer.from([0xff, 0x01, 0x02]));
    assert.deepEqual(await atB, Buffer.from([0xfe, 0x08, 0x00, 0xff, 0x01, 0x02]));

    const atA = collect(t, 256);
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i)); // every byte value, raw mode
    b.write(all);
    assert.deepEqual(await atA, all);
    assert.equal(closes.length, 0);
  });

  it('killing socat (port loss) gives exactly one close with an err', T, async () => {
    const p = await pair();
    const { t, closes } = transport(p.a);
    await t.open();
    await p.close();
    if (!closes.length) await once(t, 'close');
    await settle();
    assert.equal(closes.length, 1);
    assert.ok(closes[0] instanceof Error, 'lost, not closed by us: err says why');
    assert.equal(typeof code(closes[0]), 'string');
    assert.equal(t.isOpen, false);
    await assert.rejects(t.write(Buffer.from([1])), { code: 'ENOTCONN' });
    await t.close(); // still fine afterwards
    assert.equal(closes.length, 1);
  });

  it('close is idempotent: one close without err, and the port can be reopened by a new transport', T, async () => {
    const p = await pair();
    const { t, closes } = transport(p.a);
    await t.open();
    await Promise.all([t.close(), t.close()]);
    await t.close();
    await settle();
    assert.deepEqual(closes, [undefined]);
    await assert.rejects(t.write(Buffer.from([1])), { code: 'ENOTCONN' });
    await assert.rejects(t.open(), { code: 'EINVAL' }, 'a transport is opened once');

    const again = transport(p.a);
    await again.t.open();
    const b = await farEnd(p.b);
    const atB = collect(b, 2);
    await again.t.write(Buffer.from('ok'));
    assert.equal((await atB).toString(), 'ok');
  });

  it('close while opening: open rejects, no close event', T, async () => {
    const p = await pair();
    const { t, closes } = transport(p.a);
    const rejected = assert.rejects(t.open(), { code: 'ECONNABORTED' });
    await t.close();
    await rejected;
    assert.equal(closes.length, 0);
  });
});

describe('SerialTransport without a device', () => {
  it('open on a missing path rejects with ENOENT and no close event', T, async () => {
    const { t, closes } = transport('/dev/mara-does-not-exist');
    await assert.rejects(t.open(), (e: Error) => {
      assert.equal(code(e), 'ENOENT');
      assert.match(e.message, /mara-does-not-exist/);
      return true;
    });
    assert.equal(t.isOpen, false);
    await t.close();
    assert.equal(closes.length, 0);
  });

  it('write before open rejects with ENOTCONN', T, async () => {
    const { t } = transport('/dev/null');
    await assert.rejects(t.write(Buffer.from([1])), { code: 'ENOTCONN' });
  });

  it('uses an injected SerialPort class (SerialPortMock)', T, async () => {
    const mockPath = '/dev/mara-mock';
    SerialPortMock.binding.createPort(mockPath, { record: true });
    cleanups.push(() => SerialPortMock.binding.reset());
    const t = createTransport({ type: 'serial', path: mockPath, baudRate: 2400, parity: 'even', stopBits: 2 }, { SerialPort: SerialPortMock });
    cleanups.push(() => t.close());
    assert.equal(t.description, `serial ${mockPath} 2400 8E2`);
    assert.ok(Math.abs(t.charTimeMs - (12 * 1000) / 2400) < 1e-9);
    const closes: unknown[] = [];
    t.on('close', (e) => closes.push(e));
    await t.open();
    await t.write(Buffer.from([0xfe, 0x08]));
    const mock = (t as unknown as { port: SerialPortMock }).port;
    assert.deepEqual(mock.port!.recording, Buffer.from([0xfe, 0x08]));
    const got = collect(t, 3);
    mock.port!.emitData(Buffer.from([1, 2, 3]));
    assert.deepEqual(await got, Buffer.from([1, 2, 3]));
    await t.close();
    assert.deepEqual(closes, [undefined]);
  });

  it('a vanished device node ends an open port with one ENODEV close (device watch)', T, async () => {
    // SerialPortMock never reports a loss itself, so only the watch can end it; a temp file is the "device".
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mara-watch-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const dev = path.join(dir, 'ttyUSB0');
    fs.writeFileSync(dev, '');
    SerialPortMock.binding.createPort(dev);
    cleanups.push(() => SerialPortMock.binding.reset());
    const clock = new FakeTimers(); // the watch runs on it
    const t = new SerialTransport({ path: dev }, SerialPortMock, clock);
    cleanups.push(() => t.close());
    const closes: (Error | undefined)[] = [];
    t.on('close', (e) => closes.push(e));
    await t.open();
    clock.tick(1000); // the first check
    await fs.promises.stat(dev); // queued behind the watch's own stat
    await settle();
    assert.equal(closes.length, 0, 'still there: not closed');
    fs.rmSync(dev);
    clock.tick(1000); // the next check finds it gone
    // The watch's timer is unref'd (it must not keep Node-RED alive), so a ref'd timer keeps this test alive.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([once(t, 'close'), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no close within 1.5 s')), 1500)))]).finally(
      () => clearTimeout(timer),
    );
    await settle();
    assert.equal(closes.length, 1);
    assert.equal(code(closes[0]), 'ENODEV');
    assert.equal(t.isOpen, false);
  });

  it('a serialport that cannot be loaded rejects open with ENOSERIAL, lazily', T, async () => {
    // Stand in for a failed native build: the cached module throws when its class is read.
    const id = require.resolve('serialport');
    const real = require.cache[id];
    const broken = Object.defineProperty({}, 'SerialPort', {
      get() {
        throw new Error('Could not locate the bindings file');
      },
    });
    require.cache[id] = { ...real!, exports: broken, loaded: true } as NodeJS.Module;
    try {
      const t = createTransport({ type: 'serial', path: '/dev/ttyS0' }); // creating does not load it
      await assert.rejects(t.open(), (e: Error) => {
        assert.equal(code(e), 'ENOSERIAL');
        assert.match(e.message, /serialport package could not be loaded.*bindings file.*TCP still works/);
        return true;
      });
      const ports = await listSerialPorts(); // falls back to the /dev scan
      assert.ok(Array.isArray(ports));
    } finally {
      require.cache[id] = real;
    }
  });
});

describe('createTransport (serial)', () => {
  it('makes a SerialTransport with 9600 8N1 defaults', T, () => {
    const t = createTransport({ type: 'serial', path: '/dev/ttyUSB0' });
    assert.ok(t instanceof SerialTransport);
    assert.equal(t.description, 'serial /dev/ttyUSB0 9600 8N1');
    assert.ok(Math.abs(t.charTimeMs - 10000 / 9600) < 1e-9);
    assert.equal(describeTransport({ type: 'serial', path: '/dev/ttyS1', baudRate: 19200, dataBits: 7, parity: 'odd' }), 'serial /dev/ttyS1 19200 7O1');
  });

  it('rejects bad options with EINVAL', T, () => {
    const bad: unknown[] = [
      { type: 'serial' },
      { type: 'serial', path: '' },
      { type: 'serial', path: '/dev/x', baudRate: 0 },
      { type: 'serial', path: '/dev/x', baudRate: -9600 },
      { type: 'serial', path: '/dev/x', baudRate: 9600.5 },
      { type: 'serial', path: '/dev/x', baudRate: NaN },
      { type: 'serial', path: '/dev/x', baudRate: '9600' },
      { type: 'serial', path: '/dev/x', dataBits: 9 },
      { type: 'serial', path: '/dev/x', parity: 'N' },
      { type: 'serial', path: '/dev/x', stopBits: 3 },
    ];
    for (const o of bad) {
      assert.throws(() => createTransport(o as never), { name: 'MaraError', code: 'EINVAL' }, JSON.stringify(o));
    }
  });
});

after(() => assert.equal(cleanups.length, 0));
