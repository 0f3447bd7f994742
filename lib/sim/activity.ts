/**
 * A plausible substation for a SimDevice: breakers toggling now and then (DI flips, each an event),
 * protection trips (a relay DI goes 1 and its bay's breaker opens; the relay resets, later the breaker
 * recloses), currents drifting (AI random walk, with an occasional q = 1 glitch) and, optionally, the energy
 * events of every 15-minute period of device time [docs/protocol.md §5.6.2]. Deterministic with `seed` or `rng`.
 */
import { MaraTime } from '../mara';
import { SimDevice } from './device';

export interface ActivityOptions {
  /** Tick period in ms (default 2000); 0 = no timer, call `tick()` yourself. */
  intervalMs?: number;
  /** Uniform [0, 1) generator; default mulberry32(seed). */
  rng?: () => number;
  /** Seed of the default generator (default: random). */
  seed?: number;
  /** Chance per tick that one breaker (DI) toggles (default 0.1). */
  flipProbability?: number;
  /** The DI indexes that may toggle (default: every DI): e.g. only the feeder breakers of a demo. */
  dis?: number[];
  /** Largest AI step per tick (default 40 counts). */
  aiStep?: number;
  /** Chance per tick and AI of a one-tick q = 1 glitch (default 0.01). */
  glitchProbability?: number;
  /** Queue energy events (channels 0 and 1) when a 15-minute period of device time ends (default true). */
  energy?: boolean;
  /** Protection trips: [relay DI, breaker DI] index pairs (e.g. [[17, 16]]); none by default. */
  trips?: readonly (readonly [number, number])[];
  /** Chance per tick that a trip starts while none is running (default 0.02). */
  tripProbability?: number;
  /** Ticks the relay stays 1 (default 3); the breaker recloses as many ticks after the relay resets. */
  tripTicks?: number;
}

/** A trip in progress: the pair, and the ticks left until the relay resets, then until the breaker recloses. */
interface Trip {
  relay: number;
  breaker: number;
  relayTicks: number;
  breakerTicks: number;
}

/** mulberry32: a tiny seeded PRNG, replayable from its seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SubstationActivity {
  private readonly rng: () => number;
  private readonly o: Required<Omit<ActivityOptions, 'rng' | 'seed' | 'intervalMs' | 'dis' | 'trips'>>;
  private readonly dis: number[];
  private readonly trips: (readonly [number, number])[];
  private trip: Trip | null = null;
  private readonly glitched = new Set<number>();
  private period: string | null = null;
  /** Pulses of the running 15-minute period per channel (0 active, 1 reactive). */
  private readonly pulses = [0, 0];

  constructor(
    readonly device: SimDevice,
    opts: ActivityOptions = {},
  ) {
    this.rng = opts.rng ?? mulberry32(opts.seed ?? (Math.random() * 2 ** 32) >>> 0);
    this.o = {
      flipProbability: opts.flipProbability ?? 0.1,
      aiStep: opts.aiStep ?? 40,
      glitchProbability: opts.glitchProbability ?? 0.01,
      energy: opts.energy ?? true,
      tripProbability: opts.tripProbability ?? 0.02,
      tripTicks: Math.max(1, Math.floor(opts.tripTicks ?? 3)),
    };
    const nDi = Math.min(device.di.length * 8, 128);
    const okDi = (i: number) => Number.isInteger(i) && i >= 0 && i < nDi;
    this.dis = (opts.dis ?? Array.from({ length: nDi }, (_, i) => i)).filter(okDi);
    this.trips = (opts.trips ?? []).filter((p) => Array.isArray(p) && okDi(p[0]) && okDi(p[1]) && p[0] !== p[1]).slice(0, 64);
    // start the currents somewhere in the middle of the range rather than at 0
    for (let i = 0; i < device.ai.length; i++) if ((device.ai[i] & 0x0fff) === 0) device.setAi(i, 1000 + Math.floor(this.rng() * 2000));
  }

  /** One step of the simulation. */
  tick(): void {
    const d = this.device;
    const r = this.rng;
    if (this.dis.length > 0 && r() < this.o.flipProbability) {
      const i = this.dis[Math.floor(r() * this.dis.length)];
      // a tripped breaker stays open until the trip is over
      if (!this.trip || (i !== this.trip.breaker && i !== this.trip.relay)) d.setDi(i, !d.getDi(i));
    }
    this.tripStep();
    for (let i = 0; i < d.ai.length; i++) {
      const v = d.ai[i] & 0x0fff;
      const next = Math.max(0, Math.min(0x0fff, v + Math.round((r() * 2 - 1) * this.o.aiStep)));
      // a glitch lasts one tick: the value is reported as stalled (q 1) then recovers
      const glitch = !this.glitched.has(i) && r() < this.o.glitchProbability;
      if (glitch) this.glitched.add(i);
      else this.glitched.delete(i);
      d.setAi(i, next, glitch ? 1 : 0);
    }
    if (this.o.energy) this.energy();
  }

  /** The running trip's next step, or perhaps a new trip: relay 1 and breaker open (two events), relay reset, breaker reclosed. */
  private tripStep(): void {
    const d = this.device;
    const t = this.trip;
    if (t) {
      if (t.relayTicks > 0 && --t.relayTicks === 0) d.setDi(t.relay, false);
      else if (t.relayTicks === 0 && --t.breakerTicks <= 0) {
        d.setDi(t.breaker, true);
        this.trip = null;
      }
      return;
    }
    if (!this.trips.length || this.rng() >= this.o.tripProbability) return;
    const [relay, breaker] = this.trips[Math.floor(this.rng() * this.trips.length)];
    d.setDi(relay, true);
    d.setDi(breaker, false);
    this.trip = { relay, breaker, relayTicks: this.o.tripTicks, breakerTicks: this.o.tripTicks };
  }

  /** True while a trip is running (relay up or breaker not reclosed yet). */
  get tripping(): boolean {
    return this.trip !== null;
  }

  /** Accumulates pulses; when the device clock enters a new 15-minute period, queues the finished one. */
  private energy(): void {
    const t = this.device.time();
    if (t.month === 0) return; // clock never set: no periods
    this.pulses[0] += Math.floor(this.rng() * 20);
    this.pulses[1] += Math.floor(this.rng() * 7);
    const q = Math.floor(t.minute / 15) * 15;
    const key = `${t.year}-${t.month}-${t.day}-${t.hour}-${q}`;
    if (this.period === null) this.period = key;
    if (key === this.period) return;
    this.period = key;
    // timestamp = end of the finished period; the one ending at 00:00 is CODE 1 stamped 23:59 [docs/protocol.md §5.6.2]
    let stamp: MaraTime = { ...t, minute: q, second: 0, fraction: 0 };
    let code = 0;
    if (t.hour === 0 && q === 0) {
      const prev = new Date(Date.UTC(t.year, t.month - 1, t.day) - 60000);
      stamp = { year: prev.getUTCFullYear(), month: prev.getUTCMonth() + 1, day: prev.getUTCDate(), hour: 23, minute: 59, second: 0, fraction: 0 };
      code = 1;
    }
    for (const channel of [0, 1]) {
      const value = this.pulses[channel] & 0xffffff;
      this.pulses[channel] = 0;
      this.device.queueEvent({ type: 'energy', raw: Buffer.alloc(0), addr: this.device.eventAddr, calif: 0, channel, code, value, time: stamp });
    }
  }
}

/** Starts the activity on a timer (unref'd: it never keeps the process alive); returns stop(). */
export function startActivity(device: SimDevice, opts: ActivityOptions = {}): () => void {
  const act = new SubstationActivity(device, opts);
  const ms = opts.intervalMs ?? 2000;
  if (ms <= 0) return () => undefined;
  const timer = setInterval(() => act.tick(), ms);
  timer.unref();
  return () => clearInterval(timer);
}
