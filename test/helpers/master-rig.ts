/** A MaraMaster on the in-memory wire, with what the master tests record of it. */
import { afterEach, mock } from 'node:test';
import { MaraMaster } from '../../lib/link/master';
import type { DeviceChange, MasterOptions, PollResult } from '../../lib/link/master-types';
import type { SimDevice } from '../../lib/sim/device';
import { Wire } from './pipe';

const masters: MaraMaster[] = [];
let mocked = false;
afterEach(async () => {
  await Promise.all(masters.splice(0).map((m) => m.stop()));
  if (mocked) mock.timers.reset();
  mocked = false;
});

/**
 * node:test mock timers for the master's timeouts, intervals, back-off and Date (reset after the test);
 * the wire's deliveries (setImmediate) stay real, so a test advances time instead of waiting for it.
 */
export function useMockTimers(now = Date.UTC(2026, 0, 1)): void {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now });
  mocked = true;
}

/** Lets the wire's setImmediate deliveries and the master's microtasks run. */
export async function settle(rounds = 6): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/** Advances mock time by `ms` in steps, letting I/O run between steps; stops early when `until()` holds. Returns the time advanced. */
export async function advance(ms: number, step = 5, until?: () => boolean): Promise<number> {
  let t = 0;
  await settle();
  while (t < ms) {
    if (until?.()) return t;
    mock.timers.tick(step);
    t += step;
    await settle();
  }
  return t;
}

/** Advances mock time 1 ms at a time until `cond()` holds; rejects once `ms` of mock time passed without it. */
export async function until(cond: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
  await advance(ms, 1, cond);
  if (!cond()) throw new Error(`no ${what} within ${ms} ms of mock time`);
}

/** Advances mock time until `p` settles (at most `ms`), then hands `p` on, so a test can await a timeout. */
export async function during<T>(p: Promise<T>, ms = 3000): Promise<T> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await advance(ms, 1, () => done);
  return p;
}

/** A master polling `devs` over a Wire (fast test timings unless overridden); stopped after each test. */
export function setup(devs: SimDevice[], opts: Partial<MasterOptions> = {}, dev: Partial<MasterOptions['devices'][0]> = {}) {
  const wire = new Wire(devs);
  const m = new MaraMaster({
    transport: wire.transport,
    devices: devs.map((d) => ({ address: d.address, pollIntervalMs: 30, timeoutMs: 40, retries: 3, ...dev })),
    pehOnConnect: false,
    backoffMinMs: 20,
    backoffMaxMs: 100,
    ...opts,
  });
  masters.push(m);
  const replies: PollResult[] = [];
  const changes: DeviceChange[] = [];
  m.on('reply', (r) => replies.push(r));
  m.on('device', (c) => changes.push(c));
  return { wire, m, replies, changes };
}

/** Hex of every event handed on (of one address, or all), in order. */
export const eventsOut = (replies: PollResult[], address?: number) =>
  replies.filter((r) => address === undefined || r.address === address).flatMap((r) => r.frame.reply!.events.map((e) => e.raw.toString('hex')));

/** Queues n energy events on the device and returns their hex in order; `value(i)` tells them apart. */
export function queue(d: SimDevice, n: number, value: (i: number) => number = (i) => i): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++)
    out.push(
      d
        .queueEvent({
          type: 'energy',
          raw: Buffer.alloc(0),
          addr: d.address & 15,
          calif: 0,
          channel: i & 7,
          code: 0,
          value: value(i),
          time: { year: 2026, month: 11, day: 24, hour: 8, minute: 15, second: 0, fraction: 0 },
        })
        .toString('hex'),
    );
  return out;
}
