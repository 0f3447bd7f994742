import type { SimDevice } from '../../lib/sim/device';
import { MaraError } from '../../lib/mara/errors';
import { preview } from '../../lib/preview';
import { msgBytes } from './bytes';
import { num } from './line-config';

/** Most events one msg may queue on a simulated device (`{events: n}` or an array of events). */
export const SIM_EVENTS_PER_MSG_MAX = 10_000;

/** Parses `1,2,3` into distinct addresses 0-15 (events carry at most 4-5 address bits, spec Q1). */
export function parseAddresses(s: string): number[] {
  const out = String(s || '1')
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map((x) => num(x, NaN));
  if (!out.length || out.some((a) => !Number.isInteger(a) || a < 0 || a > 15) || new Set(out).size !== out.length)
    throw new MaraError('EINVAL', `devices must be distinct addresses 0-15, got ${preview(String(s))}`);
  return out;
}

/**
 * Applies `{di: {index: on}, ai: {index: value | {value, q}}, sv: {index: byte}, events: n}` to a device.
 * Bounded before anything is done: at most as many di/ai/sv entries as the device has points, at most
 * SIM_EVENTS_PER_MSG_MAX events; past a bound the msg fails with EINVAL and changes nothing.
 */
export function applyValues(dev: SimDevice, p: Record<string, unknown>): void {
  const limits: [string, unknown, number][] = [
    ['di', p.di, dev.di.length * 8],
    ['ai', p.ai, dev.ai.length],
    ['sv', p.sv, dev.sv.length],
    ['events', Array.isArray(p.events) ? p.events : undefined, SIM_EVENTS_PER_MSG_MAX],
  ];
  for (const [name, v, max] of limits) {
    const n = Array.isArray(v) ? v.length : v && typeof v === 'object' ? Object.keys(v).length : 0;
    if (n > max) throw new MaraError('EINVAL', `${name}: ${n} entries, more than the ${max} this device takes in one msg`);
  }
  if (p.events !== undefined && !Array.isArray(p.events)) {
    const n = num(p.events, NaN);
    if (!Number.isInteger(n) || n < 0 || n > SIM_EVENTS_PER_MSG_MAX)
      throw new MaraError('EINVAL', `events must be an integer 0-${SIM_EVENTS_PER_MSG_MAX} or an array of events, got ${preview(p.events)}`);
  }
  const entries = (v: unknown): [number, unknown][] => {
    if (v === undefined) return [];
    if (Array.isArray(v))
      return v.map((x, i) =>
        x && typeof x === 'object' && 'index' in x ? [num((x as { index: unknown }).index, NaN), (x as { value: unknown }).value] : [i, x],
      );
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

/** `17:16, 21:20` → [[17, 16], [21, 20]] (relay, breaker); throws EINVAL on anything else. */
export function parseTrips(text: unknown): [number, number][] {
  const s = String(text ?? '').trim();
  if (!s) return [];
  if (s.length > 2000) throw new MaraError('EINVAL', 'trips: at most 2000 characters');
  return s
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map((pair) => {
      const m = /^(\d{1,3}):(\d{1,3})$/.exec(pair);
      if (!m || m[1] === m[2]) throw new MaraError('EINVAL', `trips: "${pair.slice(0, 20)}" is not relay:breaker (two different DI indexes, e.g. 17:16)`);
      return [Number(m[1]), Number(m[2])];
    });
}
