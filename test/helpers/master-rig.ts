/** A MaraMaster on the in-memory wire, with what the master tests record of it. */
import { afterEach } from 'node:test';
import { MaraMaster } from '../../lib/link/master';
import type { DeviceChange, MasterOptions, PollResult } from '../../lib/link/master-types';
import type { SimDevice } from '../../lib/sim/device';
import { Wire } from './pipe';

const masters: MaraMaster[] = [];
afterEach(async () => {
  await Promise.all(masters.splice(0).map((m) => m.stop()));
});

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
    out.push(d.queueEvent({ type: 'energy', raw: Buffer.alloc(0), addr: d.address & 15, calif: 0, channel: i & 7, code: 0, value: value(i), time: { year: 2026, month: 11, day: 24, hour: 8, minute: 15, second: 0, fraction: 0 } }).toString('hex'));
  return out;
}
