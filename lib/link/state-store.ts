import fs from 'node:fs';
import path from 'node:path';
import { MaraError } from '../mara/errors';
import type { MaraFrame } from '../mara/frame';

/**
 * What survives a restart for one device [docs/protocol.md §7.3 step 2]: the SEQ of the next poll and the digests of
 * the last replies handed on, so the replay of one that was already handed on is acknowledged
 * without being emitted twice.
 */
export interface DeviceState {
  seq: number;
  recent: string[];
}

export type LineState = Record<string, DeviceState>;

/** A reply the master is about to acknowledge, as a write-ahead store receives it. */
export interface AcceptedReply {
  address: number;
  name: string;
  /** The master's replay key, `${seq}:${digest}` (lib/journal/keys.ts replyKey). */
  key: string;
  frame: MaraFrame;
  raw: Buffer;
  /** Receive time, ms since the epoch. */
  at: number;
}

export interface StateStore {
  /** The saved state ({} when there is none); throws an ESTATE MaraError when a saved state exists but cannot be used. */
  load(): LineState;
  /**
   * Plain store: called synchronously right after a reply is handed on; the new state must be in place when it
   * returns. Write-ahead store (`writeAhead`): called with the reply BEFORE it is handed on or acknowledged; it
   * must have recorded the reply and the state together when it returns. Throws on failure: a write-ahead
   * master then neither acknowledges nor hands the reply on (the device keeps it and sends it again).
   */
  save(state: LineState, reply?: AcceptedReply): void;
  /** True: replies are recorded by `save` before the SEQ that acknowledges them is sent (the journal). */
  readonly writeAhead?: boolean;
  /** Forgets the saved state for good (the line was deleted); optional. */
  remove?(): void;
}

/** Keeps state in memory only (tests, or when persistence is off). */
export class MemoryStateStore implements StateStore {
  private state: LineState = {};
  load(): LineState {
    return copyState(this.state);
  }
  save(state: LineState): void {
    this.state = copyState(state);
  }
}

/** A copy that shares nothing with `s` (saved once per reply: a field copy, not a JSON round trip). */
function copyState(s: LineState): LineState {
  const out: LineState = {};
  for (const k of Object.keys(s)) out[k] = { seq: s[k].seq, recent: s[k].recent.slice() };
  return out;
}

/** A state file larger than this is not read (a real one holds a few hundred bytes per device). */
export const STATE_FILE_MAX_BYTES = 1024 * 1024;

/**
 * A small JSON file written atomically (write a temporary file, then rename over the old one), so a
 * crash of the process leaves either the old or the new state, never half of one. There is no fsync
 * (it would cost milliseconds per reply on an SD card): a power cut may lose the last writes, which
 * costs at most replies handed on twice, never a lost one.
 *
 * A missing file is a fresh start. A file that cannot be used (corrupt, truncated, not an object, larger
 * than STATE_FILE_MAX_BYTES, unreadable) is renamed to `<file>.bad-<time>` for inspection and `load`
 * throws ESTATE (the master then starts at SEQ 0x20 and reports it); a big file is never read. A failed
 * save throws ESTATE with the cause.
 */
export class FileStateStore implements StateStore {
  private dirMade = false;
  private readonly tmp: string;

  constructor(readonly file: string) {
    this.tmp = `${file}.${process.pid}.tmp`;
  }

  /** Deletes the state file (a file kept aside as .bad-* stays for inspection). */
  remove(): void {
    for (const f of [this.file, this.tmp]) {
      try {
        fs.unlinkSync(f);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
          throw new MaraError('ESTATE', `state file ${path.basename(f)} cannot be removed (${(e as NodeJS.ErrnoException).code})`);
      }
    }
  }

  load(): LineState {
    let text: string;
    try {
      text = readBounded(this.file, STATE_FILE_MAX_BYTES);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOENT') return {};
      if (err.code === 'EFBIG') throw this.keepAside(`is larger than ${STATE_FILE_MAX_BYTES} bytes`);
      throw new MaraError('ESTATE', `state file ${path.basename(this.file)} cannot be read (${err.code ?? err.message}); starting at SEQ 0x20`);
    }
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      throw this.keepAside(text.length ? 'is not valid JSON (corrupt or truncated)' : 'is empty');
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw this.keepAside('does not hold an object');
    return sanitize(v as Record<string, unknown>);
  }

  save(state: LineState): void {
    try {
      if (!this.dirMade) {
        fs.mkdirSync(path.dirname(this.file), { recursive: true });
        this.dirMade = true;
      }
      fs.writeFileSync(this.tmp, JSON.stringify(state));
      fs.renameSync(this.tmp, this.file);
    } catch (e) {
      this.dirMade = false; // the directory may have been removed: try to make it again next time
      const err = e as NodeJS.ErrnoException;
      throw new MaraError('ESTATE', `cannot save the line state to ${path.basename(this.file)}: ${err.code ?? err.message}`);
    }
  }

  /** Renames the bad file to `<file>.bad-<time>` and returns the error saying so. */
  private keepAside(why: string): MaraError {
    const bad = `${this.file}.bad-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    let kept = `kept as ${path.basename(bad)}`;
    try {
      fs.renameSync(this.file, bad);
    } catch (e) {
      kept = `could not be renamed (${(e as NodeJS.ErrnoException).code})`;
    }
    return new MaraError('ESTATE', `state file ${path.basename(this.file)} ${why}; ${kept}; starting at SEQ 0x20`);
  }
}

/** Reads a file of at most `max` bytes; a larger one fails with EFBIG before anything is read. */
function readBounded(file: string, max: number): string {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size > max) throw Object.assign(new Error('file too large'), { code: 'EFBIG' });
    const buf = Buffer.alloc(size);
    let n = 0;
    while (n < size) {
      const r = fs.readSync(fd, buf, n, size - n, n);
      if (r === 0) break;
      n += r;
    }
    return buf.toString('utf8', 0, n);
  } finally {
    fs.closeSync(fd);
  }
}

function sanitize(v: Record<string, unknown>): LineState {
  const out: LineState = Object.create(null);
  for (const [k, d] of Object.entries(v)) {
    if (!/^\d{1,3}$/.test(k) || !d || typeof d !== 'object') continue;
    const { seq, recent } = d as { seq?: unknown; recent?: unknown };
    out[k] = {
      seq: typeof seq === 'number' ? seq : -1,
      recent: Array.isArray(recent) ? recent.filter((x): x is string => typeof x === 'string' && x.length <= 64).slice(-8) : [],
    };
  }
  return out;
}
