/**
 * An in-memory line for master tests: a Transport whose writes reach simulated devices (SimDevice)
 * through a "wire" that can drop, corrupt, delay or silence replies, or break the connection.
 */
import { EventEmitter } from 'node:events';
import { decodeFrame } from '../../lib/mara';
import { MaraError } from '../../lib/mara/errors';
import { SimDevice } from '../../lib/sim/device';
import type { Transport, TransportEvents } from '../../lib/link/transport';

export class Wire {
  devices: SimDevice[];
  dropNext = 0;
  corruptNext = 0;
  silent = false;
  refuse = false;
  delayMs = 0;
  /** Every request frame written by the master, decoded. */
  requests: ReturnType<typeof decodeFrame>[] = [];
  current: PipeTransport | null = null;
  connects = 0;
  /** Replies are written in pieces of this size (0 = whole). */
  chunk = 0;

  constructor(devices: SimDevice[]) {
    this.devices = devices;
  }

  transport = (): Transport => new PipeTransport(this);

  onRequest(bytes: Buffer, t: PipeTransport): void {
    const f = decodeFrame(bytes);
    this.requests.push(f);
    if (this.silent) return;
    for (const d of this.devices) {
      const reply = d.handle(f);
      if (!reply) continue;
      if (this.dropNext > 0) {
        this.dropNext--;
        continue;
      }
      const out = Buffer.from(reply);
      if (this.corruptNext > 0) {
        this.corruptNext--;
        out[out.length - 1] ^= 0x5a;
      }
      const send = () => {
        if (!t.isOpen) return;
        if (!this.chunk) t.emit('data', out);
        else for (let i = 0; i < out.length; i += this.chunk) t.emit('data', out.subarray(i, i + this.chunk));
      };
      if (this.delayMs) setTimeout(send, this.delayMs);
      else setImmediate(send);
    }
  }

  /** The peer resets the connection. */
  breakLink(): void {
    this.current?.lose(Object.assign(new Error('connection reset by peer'), { code: 'ECONNRESET' }));
  }
}

export class PipeTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly kind = 'tcp' as const;
  readonly description = 'pipe';
  readonly charTimeMs = 0;
  isOpen = false;

  constructor(private readonly wire: Wire) {
    super();
  }

  async open(): Promise<void> {
    if (this.wire.refuse) throw Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
    this.isOpen = true;
    this.wire.current = this;
    this.wire.connects++;
  }

  async write(bytes: Buffer): Promise<void> {
    if (!this.isOpen) throw new MaraError('ENOTCONN', 'pipe closed');
    const copy = Buffer.from(bytes);
    setImmediate(() => this.isOpen && this.wire.onRequest(copy, this));
  }

  async close(): Promise<void> {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.emit('close');
  }

  lose(err: Error): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.emit('close', err);
  }
}

/** Waits until `cond()` holds, polling every few ms; rejects after `ms` with `what`. */
export async function until(cond: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
