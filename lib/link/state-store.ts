import fs from 'node:fs';
import path from 'node:path';

/**
 * What survives a restart for one device [§7.3 step 2]: the SEQ of the next poll and the digests of
 * the last replies handed on, so the replay of one that was already handed on is acknowledged
 * without being emitted twice.
 */
export interface DeviceState {
  seq: number;
  recent: string[];
}

export type LineState = Record<string, DeviceState>;

export interface StateStore {
  load(): LineState;
  /** Called synchronously right after a reply is handed on: the new state must be in place when it returns. */
  save(state: LineState): void;
}

/** Keeps state in memory only (tests, or when persistence is off). */
export class MemoryStateStore implements StateStore {
  private state: LineState = {};
  load(): LineState {
    return JSON.parse(JSON.stringify(this.state));
  }
  save(state: LineState): void {
    this.state = JSON.parse(JSON.stringify(state));
  }
}

/**
 * A small JSON file written atomically (write a temporary file, then rename over the old one), so a
 * crash of the process leaves either the old or the new state, never half of one. There is no fsync
 * (it would cost milliseconds per reply on an SD card): a power cut may lose the last writes, which
 * costs at most replies handed on twice, never a lost one. An unreadable file is ignored
 * (the master then starts at SEQ 0x20, which costs at most one already-delivered reply).
 */
export class FileStateStore implements StateStore {
  private dirMade = false;

  constructor(readonly file: string) {}

  load(): LineState {
    try {
      const v = JSON.parse(fs.readFileSync(this.file, 'utf8'));
      return v && typeof v === 'object' && !Array.isArray(v) ? sanitize(v) : {};
    } catch {
      return {};
    }
  }

  save(state: LineState): void {
    if (!this.dirMade) {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      this.dirMade = true;
    }
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(state));
    fs.renameSync(tmp, this.file);
  }
}

function sanitize(v: Record<string, unknown>): LineState {
  const out: LineState = Object.create(null);
  for (const [k, d] of Object.entries(v)) {
    if (!/^\d{1,3}$/.test(k) || !d || typeof d !== 'object') continue;
    const { seq, recent } = d as { seq?: unknown; recent?: unknown };
    out[k] = {
      seq: typeof seq === 'number' ? seq : -1,
      recent: Array.isArray(recent) ? recent.filter((x): x is string => typeof x === 'string').slice(-8) : [],
    };
  }
  return out;
}
