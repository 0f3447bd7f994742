/**
 * A Mara line simulator: several SimDevice on one line, reachable over TCP (as a COMaster listening
 * on 9761, docs/protocol.md §1.1) and/or a serial port (as IEDs on RS-485, docs/protocol.md §1.2), with fault injection for tests.
 * Every link has its own FrameReader; all links share the devices (like several masters on one bus).
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { FrameReader, MaraError, MaraFrame } from '../mara';
import { SimDevice, SimDeviceOptions, SimDeviceStats } from './device';
import { realTimers, sleep, Timers } from '../link/timers';

export interface SimulatorStats {
  /** Sum over the devices. */
  devices: SimDeviceStats;
  /** Valid frames received on all links (including those ignored while silent). */
  framesIn: number;
  /** Corrupted frames received (bad BCC or payload). */
  rejectedIn: number;
  /** Bytes received that were not part of a frame. */
  noiseBytesIn: number;
  /** Frames received while `silence` was active (the devices never saw them). */
  silenced: number;
  repliesSent: number;
  repliesDropped: number;
  repliesCorrupted: number;
  /** Open links (TCP clients + serial port) and TCP connections ever accepted. */
  links: number;
  connections: number;
}

export interface SimulatorEvents {
  /** A frame the devices are about to see. */
  request: [frame: MaraFrame];
  /** Reply bytes as written to the link (a corrupted one as corrupted). */
  reply: [bytes: Buffer];
  /** A TCP client connected / disconnected (`remote` = address:port). */
  connection: [remote: string];
  disconnect: [remote: string];
  /** A link failed (serial error, socket error): informative, never the 'error' event. */
  linkError: [err: Error];
}

interface Link {
  name: string;
  reader: FrameReader;
  write(b: Buffer): void;
  /** Replies of one link are written in order, even when delayed or split. */
  chain: Promise<void>;
  socket?: net.Socket;
  closed: boolean;
}

/** The slice of serialport's SerialPort API we use (the package is loaded lazily). */
interface SerialPortLike extends EventEmitter {
  open(cb: (err: Error | null) => void): void;
  close(cb?: (err: Error | null) => void): void;
  write(b: Buffer): boolean;
  readonly isOpen: boolean;
}

export interface SerialSimOptions {
  path: string;
  baudRate?: number;
  /** Use serialport's SerialPortMock (a MockBinding port must exist at `path`): for tests. */
  mock?: boolean;
}

export class MaraSimulator extends EventEmitter<SimulatorEvents> {
  readonly devices: SimDevice[] = [];
  /** Delay before each reply is written (ms). */
  replyDelayMs = 0;
  /** Write each reply in 2-3 chunks a few ms apart, to exercise the master's reassembly. */
  splitReplies = false;

  private server: net.Server | null = null;
  private serial: SerialPortLike | null = null;
  private readonly links = new Set<Link>();
  private abort = new AbortController();
  private dropCount = 0;
  private corruptCount = 0;
  private silentUntil = 0;
  private readonly timers: Timers;
  private readonly counters = {
    framesIn: 0,
    rejectedIn: 0,
    noiseBytesIn: 0,
    silenced: 0,
    repliesSent: 0,
    repliesDropped: 0,
    repliesCorrupted: 0,
    connections: 0,
  };

  /** `opts.timers`: the clock and timers of reply delays and silence (default Node's), for tests. */
  constructor(devices: Array<SimDevice | SimDeviceOptions> = [{}], opts: { timers?: Timers } = {}) {
    super();
    this.timers = opts.timers ?? realTimers;
    for (const d of devices) this.addDevice(d);
  }

  addDevice(d: SimDevice | SimDeviceOptions = {}): SimDevice {
    const dev = d instanceof SimDevice ? d : new SimDevice(d);
    this.devices.push(dev);
    return dev;
  }

  device(address: number): SimDevice | undefined {
    return this.devices.find((d) => d.address === address);
  }

  /** Listens for masters; resolves with the bound port (port 0 = any free port). */
  listenTcp(opts: { port?: number; host?: string } = {}): Promise<number> {
    if (this.server) return Promise.reject(new MaraError('EINVAL', 'the simulator already listens on TCP'));
    this.revive();
    const server = net.createServer((s) => this.onSocket(s));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', (err) => {
        this.server = null;
        reject(err);
      });
      server.listen({ port: opts.port ?? 9761, host: opts.host ?? '127.0.0.1' }, () => {
        server.removeAllListeners('error');
        server.on('error', (err) => this.emit('linkError', err));
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  }

  /** Opens a serial port (RS-485 adapter) and answers on it; needs the optional `serialport` package. */
  async openSerial(opts: SerialSimOptions): Promise<void> {
    if (this.serial) throw new MaraError('EINVAL', 'the simulator already has a serial port');
    this.revive();
    let mod: Record<string, new (o: object) => SerialPortLike>;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional native package, loaded on first use only
      mod = require('serialport');
    } catch (e) {
      throw new MaraError('ENOSERIAL', `the serialport package could not be loaded: ${(e as Error).message}`);
    }
    const baudRate = opts.baudRate ?? 9600;
    const Ctor = opts.mock ? mod.SerialPortMock : mod.SerialPort;
    const port = new Ctor({ path: opts.path, baudRate, dataBits: 8, parity: 'none', stopBits: 1, autoOpen: false });
    port.on('error', (err: Error) => this.emit('linkError', err)); // before open: an unhandled 'error' would crash
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    this.serial = port;
    const link = this.addLink(`serial ${opts.path}`, (b) => port.write(b));
    // Drop a partial frame after an inter-byte silence [docs/protocol.md §1.3 step 5]: 30 character times, at least 20 ms,
    // generous because USB adapters deliver bytes in bursts.
    const gapMs = Math.max(20, Math.ceil((30 * 10 * 1000) / baudRate));
    let timer: NodeJS.Timeout | undefined;
    port.on('data', (chunk: Buffer) => {
      link.reader.push(chunk);
      clearTimeout(timer);
      if (link.reader.pending) timer = setTimeout(() => link.reader.flush(), gapMs).unref();
    });
    port.on('close', () => {
      clearTimeout(timer);
      this.dropLink(link);
      if (this.serial === port) this.serial = null;
    });
  }

  /** Closes the server, every socket and the serial port; cancels pending replies. Idempotent. */
  async close(): Promise<void> {
    this.abort.abort();
    const waits: Promise<void>[] = [];
    const server = this.server;
    this.server = null;
    if (server) waits.push(new Promise((r) => server.close(() => r())));
    for (const l of this.links) if (l.socket) l.socket.destroy();
    const port = this.serial;
    this.serial = null;
    if (port && port.isOpen) waits.push(new Promise((r) => port.close(() => r())));
    for (const l of [...this.links]) this.dropLink(l);
    await Promise.all(waits);
  }

  // ---- fault injection ----

  /** The next n replies are not sent (the devices still built them: a retry gets a replay). */
  dropReplies(n = 1): void {
    this.dropCount += n;
  }

  /** The next n replies have one byte flipped, so their BCC fails. */
  corruptReplies(n = 1): void {
    this.corruptCount += n;
  }

  /** Writes raw bytes to every link now. */
  injectNoise(bytes: Buffer): void {
    for (const l of this.links) l.write(Buffer.from(bytes));
  }

  /** A dead line for `ms`: incoming frames are discarded before any device sees them, no reply leaves. */
  silence(ms: number): void {
    this.silentUntil = Math.max(this.silentUntil, this.timers.now() + ms);
  }

  /** Destroys every TCP connection with a RST (the COMaster's TCP stack restarting). */
  resetConnections(): void {
    for (const l of this.links) if (l.socket) l.socket.resetAndDestroy();
  }

  get stats(): SimulatorStats {
    const devices: SimDeviceStats = { requests: 0, replies: 0, replays: 0, queued: 0, delivered: 0, dropped: 0, pehs: 0, broadcasts: 0 };
    for (const d of this.devices) for (const k of Object.keys(devices) as (keyof SimDeviceStats)[]) devices[k] += d.stats[k];
    return { devices, ...this.counters, links: this.links.size };
  }

  /** Port the TCP server listens on, or null. */
  get tcpPort(): number | null {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : null;
  }

  /** The open serial port object (serialport's SerialPort or SerialPortMock), or null: for tests. */
  get serialPort(): unknown {
    return this.serial;
  }

  // ---- internals ----

  private revive(): void {
    if (this.abort.signal.aborted) this.abort = new AbortController();
  }

  private get silent(): boolean {
    return this.timers.now() < this.silentUntil;
  }

  private onSocket(s: net.Socket): void {
    const name = `${s.remoteAddress}:${s.remotePort}`;
    s.setNoDelay(true);
    const link = this.addLink(name, (b) => {
      if (!s.destroyed) s.write(b);
    });
    link.socket = s;
    this.counters.connections++;
    s.on('data', (chunk) => link.reader.push(chunk));
    s.on('error', (err) => this.emit('linkError', err)); // ECONNRESET etc.: the 'close' below follows
    s.on('close', () => {
      this.dropLink(link);
      this.emit('disconnect', name);
    });
    this.emit('connection', name);
  }

  private addLink(name: string, write: (b: Buffer) => void): Link {
    const link: Link = { name, reader: new FrameReader(), write, chain: Promise.resolve(), closed: false };
    link.reader.on('frame', (frame) => this.onFrame(link, frame));
    link.reader.on('reject', () => this.counters.rejectedIn++);
    link.reader.on('discard', (run) => (this.counters.noiseBytesIn += run.count));
    this.links.add(link);
    return link;
  }

  private dropLink(link: Link): void {
    link.closed = true;
    link.reader.reset();
    this.links.delete(link);
  }

  private onFrame(link: Link, frame: MaraFrame): void {
    this.counters.framesIn++;
    if (this.silent) {
      this.counters.silenced++;
      return;
    }
    this.emit('request', frame);
    for (const d of this.devices) {
      const reply = d.handle(frame);
      if (reply) this.send(link, reply);
    }
  }

  private send(link: Link, reply: Buffer): void {
    if (this.dropCount > 0) {
      this.dropCount--;
      this.counters.repliesDropped++;
      return;
    }
    let bytes = reply;
    if (this.corruptCount > 0) {
      this.corruptCount--;
      this.counters.repliesCorrupted++;
      bytes = Buffer.from(reply);
      // any single-byte change alters the additive sum, so the BCC check fails [docs/protocol.md §3.1];
      // the last payload byte (or BCCL when there is no payload) keeps SOF/QTY intact for the reader
      bytes[bytes.length > 8 ? bytes.length - 3 : bytes.length - 1] ^= 0x01;
    }
    if (this.replyDelayMs <= 0 && !this.splitReplies) {
      this.write(link, bytes, [bytes]); // the common case stays synchronous
      return;
    }
    const signal = this.abort.signal;
    link.chain = link.chain
      .then(async () => {
        if (this.replyDelayMs > 0) await sleep(this.timers, this.replyDelayMs, signal);
        const parts = this.splitReplies ? split(bytes) : [bytes];
        for (let i = 0; i < parts.length; i++) {
          if (i > 0) await sleep(this.timers, 3, signal);
          if (!this.write(link, bytes, [parts[i]], i === 0)) return;
        }
      })
      .catch(() => undefined); // aborted by close()
  }

  /** Writes parts of a reply; false when the link is gone or silent. Emits 'reply' once per reply. */
  private write(link: Link, whole: Buffer, parts: Buffer[], first = true): boolean {
    if (link.closed) return false;
    if (first && this.silent) return false; // a reply queued before the line went dead
    for (const p of parts) link.write(p);
    if (first) {
      this.counters.repliesSent++;
      this.emit('reply', whole);
    }
    return true;
  }
}

/** 2 or 3 chunks: SOF+QTY alone, then the header, then the rest (when there is a payload). */
function split(b: Buffer): Buffer[] {
  if (b.length <= 8) return [b.subarray(0, 2), b.subarray(2)];
  return [b.subarray(0, 2), b.subarray(2, 6), b.subarray(6)];
}
