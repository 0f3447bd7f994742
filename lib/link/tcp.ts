import { EventEmitter } from 'node:events';
import net from 'node:net';
import { MaraError } from '../mara/errors';
import { realTimers, Timers } from './timers';
import { DEFAULT_TCP_PORT, TcpOptions, Transport, TransportEvents } from './transport';

const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
/** How long close() waits for our FIN to be flushed before destroying the socket anyway. */
const END_GRACE_MS = 1000;

/** An Error carrying a Node-style `code` (ETIMEDOUT, ECONNRESET…): codes the MaraError union does not hold. */
function codeError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** `host:port`, with IPv6 literals bracketed. */
export function describeTcp(host: string, port = DEFAULT_TCP_PORT): string {
  return `tcp ${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
}

type State = 'idle' | 'opening' | 'open' | 'closing' | 'closed';

/**
 * TCP client to a COMaster or a serial-to-Ethernet converter (docs/protocol.md §1.1). Socket errors never surface
 * as an 'error' event: they end the connection and become the `close` event's `err`.
 */
export class TcpTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly kind = 'tcp' as const;
  readonly charTimeMs = 0;
  readonly description: string;
  private readonly host: string;
  private readonly port: number;
  private readonly connectTimeoutMs: number;
  private socket: net.Socket | null = null;
  private state: State = 'idle';
  /** Resolved when the socket has emitted 'close' (for close()). */
  private closed: Promise<void> = Promise.resolve();

  /** `timers`: the connect timeout's and the close grace's (default Node's), for tests. */
  constructor(
    opts: TcpOptions,
    private readonly timers: Timers = realTimers,
  ) {
    super();
    this.host = opts.host;
    this.port = opts.port ?? DEFAULT_TCP_PORT;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.description = describeTcp(this.host, this.port);
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  open(): Promise<void> {
    if (this.state !== 'idle') return Promise.reject(new MaraError('EINVAL', `${this.description}: a transport is opened only once`));
    this.state = 'opening';
    return new Promise<void>((resolve, reject) => {
      const socket = new net.Socket();
      this.socket = socket;
      let lastErr: Error | undefined;
      // Listener first (CONTRIBUTING.md §3): an 'error' without one would crash the process.
      socket.on('error', (err) => {
        lastErr ??= err;
      });
      const timer = this.timers.setTimeout(() => {
        socket.destroy(codeError('ETIMEDOUT', `connect ETIMEDOUT ${this.host}:${this.port} (${this.connectTimeoutMs} ms)`));
      }, this.connectTimeoutMs);
      let onClosed!: () => void;
      this.closed = new Promise((r) => (onClosed = r));

      socket.once('connect', () => {
        this.timers.clearTimeout(timer);
        if (this.state !== 'opening') return; // close() was called meanwhile; it destroys the socket
        this.state = 'open';
        socket.setNoDelay(true);
        socket.setKeepAlive(true, 10_000); // a dead COMaster is noticed even while the line is idle
        resolve();
      });
      socket.on('data', (chunk: Buffer) => this.emit('data', chunk));
      // The peer's FIN: with allowHalfOpen false the socket ends and 'close' follows; remember why.
      socket.on('end', () => {
        lastErr ??= codeError('ECONNRESET', `${this.description}: connection closed by the peer`);
      });
      socket.once('close', () => {
        this.timers.clearTimeout(timer);
        const was = this.state;
        this.state = 'closed';
        this.socket = null;
        onClosed();
        if (was === 'opening') {
          reject(lastErr ?? codeError('ECONNRESET', `${this.description}: closed while connecting`));
        } else if (was === 'closing') {
          this.emit('close'); // closed by us: no err
        } else if (was === 'open') {
          this.emit('close', lastErr ?? codeError('ECONNRESET', `${this.description}: connection lost`));
        }
      });
      socket.connect({ host: this.host, port: this.port });
    });
  }

  write(bytes: Buffer): Promise<void> {
    const socket = this.socket;
    if (this.state !== 'open' || !socket) return Promise.reject(new MaraError('ENOTCONN', `${this.description}: not connected`));
    return new Promise((resolve, reject) => {
      socket.write(bytes, (err) => {
        if (!err) resolve();
        else if (this.state !== 'open') reject(new MaraError('ENOTCONN', `${this.description}: connection lost while writing (${err.message})`));
        else reject(err);
      });
    });
  }

  close(): Promise<void> {
    const socket = this.socket;
    switch (this.state) {
      case 'idle':
        this.state = 'closed';
        return Promise.resolve();
      case 'opening':
        // Abort the connect: open() rejects, no 'close' event (it never was open).
        socket?.destroy(codeError('ECONNABORTED', `${this.description}: closed while connecting`));
        return this.closed;
      case 'open': {
        this.state = 'closing';
        // A graceful FIN so the COMaster frees its single connection slot at once; destroy if it hangs.
        const t = this.timers.setTimeout(() => socket?.destroy(), END_GRACE_MS);
        socket?.end(() => socket.destroy());
        return this.closed.finally(() => this.timers.clearTimeout(t));
      }
      default:
        return this.closed;
    }
  }
}
