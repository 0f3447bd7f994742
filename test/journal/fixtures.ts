import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EventInput, ReplyInput } from '../../lib/journal';
import type { DiPoint, Element } from '../../lib/project/model';

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

/** A digital input of the workbook (device 1, bit 0) of protection type `tipo` (§6.3: 0 protection, 1 alarm, 2 breaker). */
export const diPoint = (tag: string, tipo: number): DiPoint => ({
  tag,
  table: 'di',
  device: '1',
  comaster: '1',
  offset: 0,
  description: tag,
  port: 0,
  bit: 0,
  maskinv: 0,
  tipo,
  textId: null,
  row: 2,
});

/** A screen element of screen S1 showing `text`. */
export const element = (tag: string, text = '0'): Element => ({
  tag,
  description: '',
  text,
  fill: null,
  stroke: null,
  mark: null,
  screen: 'S1',
  disabled: false,
  row: 2,
});
