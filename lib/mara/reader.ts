import { EventEmitter } from 'node:events';
import { bcc } from './bcc';
import { OFF_QTY, QTY_MAX, QTY_MIN, SOF } from './constants';
import { MaraError, hex2 } from './errors';
import { MaraFrame, decodeOwned } from './frame';

/** Why bytes were discarded: not a frame start, a QTY out of range, a failed BCC, or a partial frame dropped by `flush`. */
export type DiscardReason = 'noise' | 'qty' | 'bcc' | 'timeout';

/** A run of consecutive discarded bytes; `reason` is the cause of its first byte. */
export interface DiscardRun {
  count: number;
  reason: DiscardReason;
}

/** Counters since construction, for line statistics (`reset` keeps them). */
export interface ReaderStats {
  bytes: number;
  frames: number;
  /** Frames with a good BCC whose payload failed to decode (EPAYLOAD). */
  invalid: number;
  /** Candidates of a valid length whose BCC failed, not hiding a frame: corrupted frames. */
  bccErrors: number;
  discardedBytes: number;
}

export interface FrameReaderEvents {
  frame: [frame: MaraFrame, raw: Buffer];
  /** A corrupted frame: EBCC (not explained by a frame hidden behind it) or EPAYLOAD. */
  reject: [err: MaraError, raw: Buffer];
  discard: [run: DiscardRun];
}

interface Pending {
  kind: 'frame' | 'reject' | 'discard';
  frame?: MaraFrame;
  err?: MaraError;
  raw?: Buffer;
  run?: DiscardRun;
}

/**
 * Stream reassembly [docs/protocol.md §1.3]: feed chunks of any size with `push`; emits `frame` for every valid frame,
 * `reject` for corrupted ones and `discard` for runs of bytes that were not part of a frame.
 * After a false SOF it resumes at the next byte, so a frame hidden behind a stray 0xFE is found.
 * It holds at most one partial frame (QTY_MAX - 1 bytes) between calls. Listeners run after the
 * reader's own state is consistent, so a throwing listener cannot corrupt it.
 */
export class FrameReader extends EventEmitter<FrameReaderEvents> {
  private held: Buffer = Buffer.alloc(0);
  private runCount = 0;
  private runReason: DiscardReason = 'noise';
  /** First BCC failure not yet explained: reported once the stream passes its end without a frame inside it. */
  private suspect: { err: MaraError; raw: Buffer; end: number } | null = null;
  private out: Pending[] = [];
  readonly stats: ReaderStats = { bytes: 0, frames: 0, invalid: 0, bccErrors: 0, discardedBytes: 0 };

  /** Bytes held as the start of a frame not yet complete. */
  get pending(): number {
    return this.held.length;
  }

  push(chunk: Uint8Array): void {
    if (!(chunk instanceof Uint8Array)) throw new MaraError('EINVAL', 'FrameReader.push expects a Buffer or Uint8Array');
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    const at = this.stats.bytes; // stream position of buf[0]
    this.stats.bytes += buf.length;
    const held = this.held;
    if (held.length === 0) {
      this.keep(buf, this.scan(buf, 0, buf.length, at));
    } else {
      // Resolve the held candidate on a small joined head, then carry on in the chunk itself.
      const head = Buffer.concat([held, buf.subarray(0, QTY_MAX)]);
      const pos = this.scan(head, 0, held.length, at - held.length);
      if (pos < held.length)
        this.keep(head, pos); // unresolved: the whole chunk is inside `head`
      else this.keep(buf, this.scan(buf, pos - held.length, buf.length, at));
    }
    this.deliver();
  }

  /**
   * Drops a partial frame (serial inter-byte silence, docs/protocol.md §1.3 step 5) and reports what is pending.
   * The held candidate can never complete: like a failed BCC, only its SOF is dropped and the bytes
   * after it are hunted again, so a complete frame behind a false SOF is not lost (docs/protocol.md §1.3 step 4).
   */
  flush(): void {
    while (this.held.length) {
      const held = this.held;
      this.discard(1, 'timeout');
      this.keep(held, this.scan(held, 1, held.length, this.stats.bytes - held.length));
    }
    this.settleSuspect(Infinity, false);
    this.endRun();
    this.deliver();
  }

  /** Forgets held bytes without reporting them (a new connection). */
  reset(): void {
    this.held = Buffer.alloc(0);
    this.runCount = 0;
    this.suspect = null;
    this.out = [];
  }

  private keep(buf: Buffer, from: number): void {
    this.held = from < buf.length ? Buffer.from(buf.subarray(from)) : Buffer.alloc(0);
  }

  /**
   * Resolves every candidate that starts in [i, limit) of `buf`. Returns where the first unresolved
   * candidate starts (it needs more bytes), or an index >= limit when all were resolved.
   * `base` is the stream position of buf[0] (for `suspect`).
   */
  private scan(buf: Buffer, i: number, limit: number, base: number): number {
    const len = buf.length;
    while (i < limit) {
      if (buf[i] !== SOF) {
        let next = buf.indexOf(SOF, i);
        if (next < 0 || next > limit) next = limit;
        this.discard(next - i, 'noise');
        i = next;
        continue;
      }
      if (i + 1 >= len) return i;
      const qty = buf[i + OFF_QTY];
      if (qty < QTY_MIN || qty > QTY_MAX) {
        this.discard(1, 'qty'); // resume hunting at the QTY byte itself
        i++;
        continue;
      }
      if (i + qty > len) return i;
      const end = i + qty;
      const got = (buf[end - 2] << 8) | buf[end - 1];
      if (bccRange(buf, i, end - 2) !== got) {
        this.noteBadBcc(buf, i, qty, got, base);
        this.discard(1, 'bcc');
        i++;
        continue;
      }
      this.settleSuspect(base + i, true); // a frame starting inside a failed candidate shows it was a false SOF
      this.endRun();
      const raw = Buffer.from(buf.subarray(i, end));
      try {
        this.out.push({ kind: 'frame', frame: decodeOwned(raw), raw });
        this.stats.frames++;
      } catch (e) {
        this.out.push({ kind: 'reject', err: e as MaraError, raw });
        this.stats.invalid++;
      }
      i = end;
    }
    this.settleSuspect(base + i, false);
    return i;
  }

  private noteBadBcc(buf: Buffer, i: number, qty: number, got: number, base: number): void {
    if (this.suspect) return;
    const want = bccRange(buf, i, i + qty - 2);
    this.suspect = {
      err: new MaraError('EBCC', `BCC mismatch: trailer ${hex2(got >> 8)} ${hex2(got & 0xff)}, computed ${hex2(want >> 8)} ${hex2(want & 0xff)}`, qty - 2),
      raw: Buffer.from(buf.subarray(i, i + qty)),
      end: base + i + qty,
    };
  }

  /**
   * A pending BCC failure is cancelled by a frame that starts inside it (it was a false SOF), and
   * reported as a corrupted frame once every position of its span was resolved without one
   * (`pos` = the stream position everything before which is resolved; Infinity on flush).
   */
  private settleSuspect(pos: number, frameStartsHere: boolean): void {
    const s = this.suspect;
    if (!s) return;
    if (frameStartsHere && pos < s.end) {
      this.suspect = null;
    } else if (pos >= s.end) {
      this.out.push({ kind: 'reject', err: s.err, raw: s.raw });
      this.stats.bccErrors++;
      this.suspect = null;
    }
  }

  private discard(n: number, reason: DiscardReason): void {
    if (n <= 0) return;
    if (this.runCount === 0) this.runReason = reason;
    this.runCount += n;
    this.stats.discardedBytes += n;
    // report long runs without waiting for a frame, so statistics never lag by more than a frame's worth
    if (this.runCount >= QTY_MAX) this.endRun();
  }

  private endRun(): void {
    if (this.runCount === 0) return;
    this.out.push({ kind: 'discard', run: { count: this.runCount, reason: this.runReason } });
    this.runCount = 0;
  }

  private deliver(): void {
    if (this.out.length === 0) return;
    const out = this.out;
    this.out = [];
    for (const p of out) {
      if (p.kind === 'frame') this.emit('frame', p.frame as MaraFrame, p.raw as Buffer);
      else if (p.kind === 'reject') this.emit('reject', p.err as MaraError, p.raw as Buffer);
      else this.emit('discard', p.run as DiscardRun);
    }
  }
}

/** BCC of buf[from, to) as if it started at offset 0 (word alignment is relative to the SOF). */
export function bccRange(buf: Uint8Array, from: number, to: number): number {
  return bcc(buf.subarray(from, to), to - from);
}
