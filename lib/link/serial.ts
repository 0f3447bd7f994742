import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { MaraError } from '../mara/errors';
import type { PortListEntry } from './serial-ports';
import { DEFAULT_BAUD, SerialOptions, Transport, TransportEvents } from './transport';
import { realTimers, TimerHandle, Timers } from './timers';

/** The options we pass to the SerialPort constructor (always `autoOpen: false`: we open it ourselves). */
export interface SerialPortCtorOptions {
  path: string;
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: 'none' | 'even' | 'odd' | 'mark' | 'space';
  stopBits: 1 | 1.5 | 2;
  autoOpen: false;
}

/** The part of serialport's `SerialPort` (or `SerialPortMock`) we use. */
export interface SerialPortLike {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'close', listener: (err?: Error | null) => void): unknown;
  open(callback: (err: Error | null) => void): void;
  write(data: Buffer, callback: (err: Error | null | undefined) => void): unknown;
  close(callback?: (err: Error | null) => void): void;
}

export type SerialPortClass = new (options: SerialPortCtorOptions) => SerialPortLike;

/** Loads serialport's class on first use, so a failed native build leaves the TCP transport usable (CONTRIBUTING.md §1). */
export function loadSerialPort(): SerialPortClass & { list?: () => Promise<PortListEntry[]> } {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, so a failed native build breaks only serial lines
    return (require('serialport') as { SerialPort: SerialPortClass }).SerialPort;
  } catch (e) {
    throw new MaraError(
      'ENOSERIAL',
      `the serialport package could not be loaded (${(e as Error).message}); serial lines are unavailable, TCP still works. ` +
        'Reinstall it (npm rebuild serialport) with build tools for your platform.',
    );
  }
}

/** Node-style errno code for serialport's open errors, which carry only a message. */
function openErrorCode(message: string): string {
  if (/no such file/i.test(message)) return 'ENOENT';
  if (/permission denied/i.test(message)) return 'EACCES';
  if (/busy|lock|temporarily unavailable/i.test(message)) return 'EBUSY';
  if (/inappropriate ioctl/i.test(message)) return 'ENOTTY'; // not a tty (a regular file, a directory…)
  return 'EIO';
}

const PARITY_LETTER = { none: 'N', even: 'E', odd: 'O', mark: 'M', space: 'S' } as const;

/** Fills in docs/protocol.md §1.2's defaults: 9600 8N1. */
export function serialSettings(o: SerialOptions): Omit<SerialPortCtorOptions, 'autoOpen'> {
  return { path: o.path, baudRate: o.baudRate ?? DEFAULT_BAUD, dataBits: o.dataBits ?? 8, parity: o.parity ?? 'none', stopBits: o.stopBits ?? 1 };
}

/** `serial /dev/ttyUSB0 9600 8N1`. */
export function describeSerial(o: SerialOptions): string {
  const s = serialSettings(o);
  return `serial ${s.path} ${s.baudRate} ${s.dataBits}${PARITY_LETTER[s.parity] ?? '?'}${s.stopBits}`;
}

/** How often an open port's device node is checked (see watchDevice). */
const DEVICE_WATCH_MS = 1000;

/** `aborting`: close() was called while opening; the port is closed as soon as its open completes. */
type State = 'idle' | 'opening' | 'aborting' | 'open' | 'closing' | 'closed';

/**
 * A serial port (RS-485 adapter, docs/protocol.md §1.2). Port loss (adapter unplugged, pty closed on the other side)
 * ends the transport with one `close` carrying the error; errors are never re-emitted as 'error'.
 */
export class SerialTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly kind = 'serial' as const;
  readonly description: string;
  readonly charTimeMs: number;
  private readonly settings: Omit<SerialPortCtorOptions, 'autoOpen'>;
  private port: SerialPortLike | null = null;
  private state: State = 'idle';
  private closed: Promise<void> = Promise.resolve();
  private settleClosed: () => void = () => undefined;
  /** Why the port went away, when its own 'close' does not say (an 'error' event, the device watch). */
  private lossErr?: Error;
  private watch: TimerHandle | null = null;

  /**
   * @param SerialPortImpl serialport's `SerialPort` by default; tests can pass `SerialPortMock`.
   * @param timers the device watch's (default Node's), for tests.
   */
  constructor(
    opts: SerialOptions,
    private readonly SerialPortImpl?: SerialPortClass,
    private readonly timers: Timers = realTimers,
  ) {
    super();
    this.settings = serialSettings(opts);
    const s = this.settings;
    // start bit + data bits + parity bit + stop bits, per character
    this.charTimeMs = ((1 + s.dataBits + (s.parity !== 'none' ? 1 : 0) + s.stopBits) * 1000) / s.baudRate;
    this.description = describeSerial(opts);
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  open(): Promise<void> {
    if (this.state !== 'idle') return Promise.reject(new MaraError('EINVAL', `${this.description}: a transport is opened only once`));
    this.state = 'opening';
    let port: SerialPortLike;
    try {
      const Impl = this.SerialPortImpl ?? loadSerialPort();
      port = new Impl({ ...this.settings, autoOpen: false });
    } catch (e) {
      this.state = 'closed';
      // ENOSERIAL, or the binding's TypeError for an option createTransport did not check
      const err = e as Error & { code?: string };
      return Promise.reject(err instanceof MaraError ? err : Object.assign(err, { code: err.code ?? 'EINVAL' }));
    }
    this.port = port;
    this.closed = new Promise((r) => (this.settleClosed = r));
    // Listener before open (CONTRIBUTING.md §3). Write and close errors land here; port loss comes as 'close'.
    port.on('error', (err) => {
      this.lossErr ??= err;
    });
    port.on('data', (chunk) => this.emit('data', chunk));
    port.on('close', (err) => this.ended(err ?? this.lossErr));
    return new Promise<void>((resolve, reject) => {
      port.open((err) => {
        if (err) {
          this.ended();
          reject(Object.assign(new Error(`${this.description}: ${err.message}`), { code: openErrorCode(err.message) }));
        } else if (this.state === 'aborting') {
          // close() was called while opening: close now; open() fails and there is no 'close' event.
          port.close(() => this.ended());
          reject(Object.assign(new Error(`${this.description}: closed while opening`), { code: 'ECONNABORTED' }));
        } else {
          this.state = 'open';
          this.watchDevice(port);
          resolve();
        }
      });
    });
  }

  /**
   * The port is gone (first call wins): settles close() and emits the one 'close', with an err only
   * when we did not ask for it.
   */
  private ended(why?: Error | null): void {
    const was = this.state;
    if (was === 'closed') return;
    this.state = 'closed';
    this.port = null;
    if (this.watch) this.timers.clearInterval(this.watch);
    this.watch = null;
    this.settleClosed();
    if (was === 'closing') this.emit('close');
    else if (was === 'open') {
      // serialport's DisconnectedError has no code: wrap it so the owner can log and switch on one.
      const lost = new Error(`${this.description}: port lost (${why?.message ?? 'closed'})`, { cause: why });
      this.emit('close', Object.assign(lost, { code: (why as { code?: string } | null | undefined)?.code ?? 'EIO' }));
    }
  }

  /**
   * serialport's Linux reader retries 0-byte reads forever, and a hung-up tty (adapter unplugged, pty
   * master closed) reads 0 bytes: when the hangup lands while a read is in flight (about 1 time in 20
   * in our pty tests) no 'close' comes and a CPU spins until a write fails. So while open, check every
   * second that the device node is still the one we opened, and close the port when it is gone.
   * Paths that are not files (Windows COM ports, mocks) are not watched.
   */
  private watchDevice(port: SerialPortLike): void {
    const devPath = this.settings.path;
    let first: fs.Stats;
    try {
      first = fs.statSync(devPath);
    } catch {
      return;
    }
    this.watch = this.timers.setInterval(() => {
      fs.stat(devPath, (err, st) => {
        if (this.port !== port || this.state !== 'open') return;
        if (!err && st.ino === first.ino && st.rdev === first.rdev) return;
        this.lossErr = Object.assign(new Error(`device ${err ? 'vanished' : 'replaced'}`), { code: 'ENODEV' });
        port.close((e) => e && this.ended(this.lossErr));
      });
    }, DEVICE_WATCH_MS);
    (this.watch as { unref?: () => void }).unref?.(); // never what keeps the process alive
  }

  write(bytes: Buffer): Promise<void> {
    const port = this.port;
    if (this.state !== 'open' || !port) return Promise.reject(new MaraError('ENOTCONN', `${this.description}: port not open`));
    return new Promise((resolve, reject) => {
      // The callback runs once the binding has written the bytes to the OS (not when they left the wire).
      port.write(bytes, (err) => {
        if (!err) resolve();
        else if (this.state !== 'open') reject(new MaraError('ENOTCONN', `${this.description}: port lost while writing (${err.message})`));
        else reject(err);
      });
    });
  }

  close(): Promise<void> {
    switch (this.state) {
      case 'idle':
        this.state = 'closed';
        return Promise.resolve();
      case 'opening':
        this.state = 'aborting'; // open()'s callback closes the port
        return this.closed;
      case 'open':
        this.state = 'closing';
        // A failed close (the port vanished meanwhile) emits no 'close' on the port: finish here.
        this.port?.close((err) => err && this.ended());
        return this.closed;
      default:
        return this.closed;
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Port listing for the editor's picker (CONTRIBUTING.md §4).
