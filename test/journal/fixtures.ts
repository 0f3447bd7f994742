import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EventInput, ReplyInput } from '../../lib/journal';

export function tempDir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mara-journal-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A digital event whose raw bytes carry `n` (so every event of a test is distinct and countable). */
export function event(n: number, over: Partial<EventInput> = {}): EventInput {
  const raw = Buffer.alloc(10);
  raw.writeUInt32BE(n, 0);
  raw.writeUInt32BE(n ^ 0x5a5a5a5a, 4);
  return {
    type: 'digital',
    deviceTime: { year: 2026, month: 12, day: 3, hour: 10, minute: 20, second: 30, fraction: 16384 },
    raw,
    value: n & 1,
    quality: 'good',
    tag: `BAY${n % 4}.CB`,
    description: 'breaker',
    stateText: n & 1 ? 'closed' : 'open',
    severity: 0,
    ...over,
  };
}

/** Reply `r` of `device` with `count` events numbered from r * count. */
export function reply(r: number, count = 10, over: Partial<ReplyInput> = {}): ReplyInput {
  return {
    line: 'L1',
    device: 1,
    replyKey: `${0x20 + (r % 96)}:${r.toString(36).padStart(16, 'k')}`,
    receivedAt: 1_800_000_000_000 + r * 1000,
    events: Array.from({ length: count }, (_, i) => event(r * count + i)),
    state: { '1': { seq: 0x20 + ((r + 1) % 96), recent: [`k${r}`] } },
    ...over,
  };
}
