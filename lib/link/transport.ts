import type { EventEmitter } from 'node:events';

/** Events every transport emits. */
export interface TransportEvents {
  /** Bytes received, in whatever chunks the OS delivers. */
  data: [chunk: Buffer];
  /** The link is gone (closed by us, by the peer, or lost); `err` says why when it was not us. */
  close: [err?: Error];
}

/**
 * A byte link to a Mara line: a serial port (RS-485 adapter) or a TCP client to a COMaster or a
 * serial-to-Ethernet converter. The master drives it without knowing which. A transport is opened
 * once; after `close` the owner makes a new one (reconnect), so no state leaks across connections.
 */
export interface Transport extends EventEmitter<TransportEvents> {
  readonly kind: 'serial' | 'tcp';
  /** Human description for logs and status: `tcp 127.0.0.1:9761`, `serial /dev/ttyUSB0 9600 8N1`. */
  readonly description: string;
  /**
   * Time to send one character in ms (10 bits at the baud rate for 8N1), 0 when not meaningful (TCP).
   * The master uses it for the inter-byte silence rule of docs/protocol.md §1.3 step 5.
   */
  readonly charTimeMs: number;
  readonly isOpen: boolean;
  /** Resolves when the link is usable; rejects with an Error with a `code` (ECONNREFUSED, ENOENT, ETIMEDOUT, …). */
  open(): Promise<void>;
  /** Resolves when the bytes are handed to the OS; rejects with `ENOTCONN` when closed. */
  write(bytes: Buffer): Promise<void>;
  /** Idempotent; resolves when closed. Emits `close` once if it was open. */
  close(): Promise<void>;
}

/** Serial settings (docs/protocol.md §1.2: 9600 8N1 by default). */
export interface SerialOptions {
  path: string;
  baudRate?: number;
  dataBits?: 5 | 6 | 7 | 8;
  parity?: 'none' | 'even' | 'odd' | 'mark' | 'space';
  stopBits?: 1 | 1.5 | 2;
}

/** TCP client settings (docs/protocol.md §1.1: port 9761). */
export interface TcpOptions {
  host: string;
  port?: number;
  /** Connect timeout in ms (default 5000, the repository's poll interval). */
  connectTimeoutMs?: number;
}

export type TransportOptions = ({ type: 'serial' } & SerialOptions) | ({ type: 'tcp' } & TcpOptions);

export const DEFAULT_TCP_PORT = 9761;
export const DEFAULT_BAUD = 9600;
