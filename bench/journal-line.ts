/**
 * The master as the journal bench drives it (bench/journal.bench.ts): a MaraMaster polling 8 simulated IEDs
 * over the in-memory wire of the tests (test/helpers/pipe.ts: zero wire time, each frame one setImmediate hop),
 * every reply 252 bytes with 10 events (the real SMVE layout of bench/line.bench.ts: 66 SV bytes, 26 DI bytes,
 * 24 AI words), so the master's drain rule (poll again at once) is the path measured and the devices take turns.
 * What a round costs is the host's work per exchange: both ends, the wire's hops and the store's save.
 */
import { MaraMaster } from '../lib/link/master';
import type { PollResult } from '../lib/link/master-types';
import type { AcceptedReply, LineState, StateStore } from '../lib/link/state-store';
import { mulberry32 } from '../lib/sim/activity';
import { SimDevice } from '../lib/sim/device';
import { Wire } from '../test/helpers/pipe';
import { nowMs } from './common';

export const ADDRESSES = [1, 2, 3, 4, 5, 6, 7, 8];
export const REQUEST_BYTES = 8;
export const REPLY_BYTES = 252;
const SEED = 0x4d415241;

export interface LineRound {
  /** ms from the first measured reply handed on to the last. */
  ms: number;
  exchanges: number;
  events: number;
  /** Replies that were not 252 bytes with 10 events (must be 0). */
  short: number;
}

function devices(eventsEach: number): SimDevice[] {
  const rnd = mulberry32(SEED);
  return ADDRESSES.map((address) => {
    const d = new SimDevice({
      address,
      sv: Array.from({ length: 66 }, () => Math.floor(rnd() * 256)),
      di: Array.from({ length: 26 }, () => Math.floor(rnd() * 256)),
      ai: Array.from({ length: 24 }, () => Math.floor(rnd() * 4096)),
      maxEventsPerReply: 10,
      deliveredLogLimit: 0,
    });
    d.queueEvents(eventsEach);
    return d;
  });
}

/**
 * One round: `warmup` exchanges, then `exchanges` timed ones (from the reply that ends the warm-up to the last),
 * with `store` as the master's StateStore. Every reply handed on has been recorded first when the store is
 * write-ahead.
 */
export async function lineRound(store: StateStore, warmup: number, exchanges: number): Promise<LineRound> {
  const total = warmup + exchanges;
  const wire = new Wire(devices(Math.ceil((total * 10) / ADDRESSES.length) + 100));
  const master = new MaraMaster({
    transport: wire.transport,
    devices: ADDRESSES.map((address) => ({ address, name: `ied${address}`, pollIntervalMs: 1, timeoutMs: 1000, retries: 3 })),
    store,
    pehOnConnect: false,
  });
  let n = 0;
  let events = 0;
  let short = 0;
  let t0 = 0;
  let t1 = 0;
  const done = new Promise<void>((resolve, reject) => {
    master.on('reply', (r: PollResult) => {
      n++;
      if (n === warmup) t0 = nowMs();
      if (n <= warmup) return;
      const evs = r.frame.reply?.events.length ?? 0;
      if (r.raw.length !== REPLY_BYTES || evs !== 10) short++;
      events += evs;
      if (n === total) {
        t1 = nowMs();
        resolve();
      }
    });
    master.on('persistence', (p) => {
      if (!p.ok) reject(new Error(`the store failed: ${p.error?.message}`));
    });
  });
  master.start();
  await done;
  await master.stop();
  return { ms: t1 - t0, exchanges, events, short };
}

/** A write-ahead store that also keeps a copy of what it was given (the realistic saves, replayed by the per-reply figure). */
export function recording(inner: StateStore, into: { state: LineState; reply: AcceptedReply }[], max: number): StateStore {
  return {
    writeAhead: inner.writeAhead,
    load: () => inner.load(),
    save(state, reply) {
      if (reply && into.length < max) {
        const copy: LineState = {};
        for (const [k, d] of Object.entries(state)) copy[k] = { seq: d.seq, recent: d.recent.slice() };
        into.push({ state: copy, reply });
      }
      inner.save(state, reply);
    },
  };
}
