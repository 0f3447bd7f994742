import type { SimDevice } from '../../lib/link/sim-device';
import { MaraError } from '../../lib/mara/errors';
import { msgBytes } from './bytes';
import { num } from './line-config';

/** Parses `1,2,3` into distinct addresses 0-15 (events carry at most 4-5 address bits, spec Q1). */
export function parseAddresses(s: string): number[] {
  const out = String(s || '1')
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map((x) => num(x, NaN));
  if (!out.length || out.some((a) => !Number.isInteger(a) || a < 0 || a > 15) || new Set(out).size !== out.length)
    throw new MaraError('EINVAL', `devices must be distinct addresses 0-15, got "${s}"`);
  return out;
}

/** Applies `{di: {index: on}, ai: {index: value | {value, q}}, sv: {index: byte}, events: n}` to a device. */
export function applyValues(dev: SimDevice, p: Record<string, unknown>): void {
  const entries = (v: unknown): [number, unknown][] => {
    if (v === undefined) return [];
    if (Array.isArray(v)) return v.map((x, i) => (x && typeof x === 'object' && 'index' in x ? [num((x as { index: unknown }).index, NaN), (x as { value: unknown }).value] : [i, x]));
    if (v && typeof v === 'object') return Object.entries(v).map(([k, x]) => [num(k, NaN), x]);
    throw new MaraError('EINVAL', 'di, ai and sv must be objects {index: value} or arrays');
  };
  for (const [i, v] of entries(p.di)) dev.setDi(i, v === true || v === 1 || v === '1');
  for (const [i, v] of entries(p.ai)) {
    if (v && typeof v === 'object') dev.setAi(i, num((v as { value?: unknown }).value, NaN), num((v as { q?: unknown }).q, 0));
    else dev.setAi(i, num(v, NaN));
  }
  for (const [i, v] of entries(p.sv)) dev.setSv(i, num(v, NaN));
  if (p.events !== undefined) {
    if (Array.isArray(p.events)) for (const ev of p.events) dev.queueEvent(ev && typeof ev === 'object' && !Array.isArray(ev) ? ev : msgBytes(ev, 'an event'));
    else dev.queueEvents(num(p.events, NaN));
  }
}

