/**
 * One simulated Mara slave (a COMaster or an IED), without any I/O: `handle(frame)` returns the
 * reply bytes or null. Behaviour per docs/protocol.md §7.3 (SEQ / retry buffer) and docs/protocol.md §7.5 (minimum faithful slave).
 */
import {
  ADDR_BROADCAST,
  CMD,
  EVENT_LEN,
  EventInput,
  MaraError,
  MaraFrame,
  MaraTime,
  PAYLOAD_MAX,
  dateToTime,
  encodeEvent,
  encodeFrame,
  encodePollReply,
  encodeTimeSet,
  timeProblem,
  timeToDate,
} from '../mara';

export interface SimDeviceOptions {
  /** RS-485 address the device answers to (default 1, the COMaster). */
  address?: number;
  /** System-variable bytes (default 6 zero bytes, one SMVE block, docs/protocol.md §8.5). */
  sv?: ArrayLike<number>;
  /** DI bytes (default 4 = two 16-bit ports). */
  di?: ArrayLike<number>;
  /** AI raw LE16 words (default 8 zero words). */
  ai?: ArrayLike<number>;
  /** Address put in the events' TCD byte (default = address); at most 15 so both readings of spec Q1 agree. */
  eventAddr?: number;
  /** Events per 0x10 reply (default 10, docs/protocol.md §5.2). */
  maxEventsPerReply?: number;
  /** Also take the SEQ of broadcast frames, as the BugPeH firmware did (docs/protocol.md §6.2, Q5). Default false. */
  seqFromBroadcast?: boolean;
  /** Undelivered events kept; on overflow the oldest is dropped and counted (default 100000). */
  eventQueueLimit?: number;
  /** Entries kept in `deliveredLog` (default 10000; 0 = no log). */
  deliveredLogLimit?: number;
  /** Device time uses UTC fields instead of local civil time (default false, like the master's PEH). */
  utc?: boolean;
  /** Host clock in ms (default Date.now); device time = clock() + the offset set by the last PEH. */
  clock?: () => number;
}

export interface SimDeviceStats {
  /** Frames addressed to this device (broadcasts not included). */
  requests: number;
  /** Reply frames returned (replays included). */
  replies: number;
  /** 0x10 retransmissions answered from the retry buffer. */
  replays: number;
  /** Events ever queued. */
  queued: number;
  /** Events acknowledged by a 0x10 with a new SEQ. */
  delivered: number;
  /** Events dropped by queue overflow. */
  dropped: number;
  /** PEH frames applied (broadcast or addressed). */
  pehs: number;
  /** Broadcast frames seen. */
  broadcasts: number;
}

/** Byte lengths of the RAM reads: 0x06 (IED628) returns at most 242 bytes, 0x16 (COMaster) 240 [docs/protocol.md §4.3]. */
const RAM_READ_MAX: Record<number, number> = { [CMD.READ_REGISTERS]: 242, [CMD.READ_RAM]: 240 };
/** Commands that are simply confirmed by echoing their arguments [docs/protocol.md §4.3]. */
const ECHO_CMDS = new Set<number>([CMD.PEH_PERIOD, CMD.SIMULATED_VALUES, CMD.SCAN_CONTROL, CMD.LOCAL_CONTROL, CMD.CONTROL_PORT]);
/** Event ports are 3 bits wide [docs/protocol.md §5.6.1]: DI beyond 8 × 16 inputs cannot produce events. */
const EVENT_DI_MAX = 128;

function bytesOption(name: string, a: ArrayLike<number> | undefined, dflt: number[], max: number): number[] {
  const out = a === undefined ? dflt.slice() : Array.from(a);
  out.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v > max) throw new MaraError('EINVAL', `${name}[${i}] must be an integer 0-${max}, got ${String(v).slice(0, 40)}`);
  });
  return out;
}

export class SimDevice {
  readonly address: number;
  readonly eventAddr: number;
  readonly maxEventsPerReply: number;
  readonly seqFromBroadcast: boolean;
  readonly eventQueueLimit: number;
  readonly deliveredLogLimit: number;
  readonly sv: number[];
  readonly di: number[];
  readonly ai: number[];
  readonly stats: SimDeviceStats = { requests: 0, replies: 0, replays: 0, queued: 0, delivered: 0, dropped: 0, pehs: 0, broadcasts: 0 };
  /** SEQ of the last frame accepted, null after a restart or before the first frame. */
  lastSeq: number | null = null;
  /** Time carried by the last PEH applied. */
  lastPeh: MaraTime | null = null;

  private readonly clock: () => number;
  private readonly utc: boolean;
  private offsetMs = 0;
  /** Undelivered events (encoded); `head` is the index of the oldest, so dequeuing is O(1). */
  private queue: Buffer[] = [];
  private log: string[] = [];
  private head = 0;
  /** The last 0x10 reply and the events it carries (not delivered until a new SEQ arrives). */
  private retry: { bytes: Buffer; events: Buffer[] } | null = null;

  constructor(opts: SimDeviceOptions = {}) {
    this.address = opts.address ?? 1;
    if (!Number.isInteger(this.address) || this.address < 0 || this.address >= ADDR_BROADCAST)
      throw new MaraError('EINVAL', `address must be 0-254, got ${this.address}`);
    this.eventAddr = opts.eventAddr ?? this.address;
    if (!Number.isInteger(this.eventAddr) || this.eventAddr < 0 || this.eventAddr > 15)
      throw new MaraError('EINVAL', `eventAddr must be 0-15 (spec Q1), got ${this.eventAddr}: give eventAddr explicitly for addresses above 15`);
    this.maxEventsPerReply = opts.maxEventsPerReply ?? 10;
    this.seqFromBroadcast = !!opts.seqFromBroadcast;
    this.eventQueueLimit = opts.eventQueueLimit ?? 100000;
    this.deliveredLogLimit = opts.deliveredLogLimit ?? 10000;
    this.utc = !!opts.utc;
    this.clock = opts.clock ?? Date.now;
    this.sv = bytesOption('sv', opts.sv, [0, 0, 0, 0, 0, 0], 255);
    this.di = bytesOption('di', opts.di, [0, 0, 0, 0], 255);
    this.ai = bytesOption('ai', opts.ai, new Array(8).fill(0), 0xffff);
    if (!Number.isInteger(this.maxEventsPerReply) || this.maxEventsPerReply < 0)
      throw new MaraError('EINVAL', `maxEventsPerReply must be a non-negative integer, got ${this.maxEventsPerReply}`);
    if (!(this.eventQueueLimit >= 1)) throw new MaraError('EINVAL', 'eventQueueLimit must be at least 1');
    // the fullest reply must fit in one frame (QTY ≤ 253): four count bytes + the blocks
    const full = 4 + this.sv.length + this.di.length + 2 * this.ai.length + EVENT_LEN * this.maxEventsPerReply;
    if (full > PAYLOAD_MAX)
      throw new MaraError('EINVAL', `a full reply needs a ${full}-byte payload, above the maximum ${PAYLOAD_MAX}: fewer points or events per reply`);
  }

  /** Undelivered events still queued (those in the retry buffer not included). */
  get queueLength(): number {
    return this.queue.length - this.head;
  }

  /** Device clock in ms: the host clock shifted by the last PEH. */
  nowMs(): number {
    return this.clock() + this.offsetMs;
  }

  /** Device time. A clock before 2000 (never set) gives 2000-00-00 00:00:00 like an unsynchronised unit [docs/protocol.md §7.3 rule 7]. */
  time(): MaraTime {
    try {
      return dateToTime(new Date(this.nowMs()), { utc: this.utc });
    } catch {
      return { year: 2000, month: 0, day: 0, hour: 0, minute: 0, second: 0, fraction: 0, dayOfWeek: 0 };
    }
  }

  /** The reply bytes for `frame`, or null when the device stays silent. */
  handle(frame: MaraFrame): Buffer | null {
    if (frame.dst === ADDR_BROADCAST) {
      this.stats.broadcasts++;
      if (this.seqFromBroadcast) this.lastSeq = frame.seq;
      if (frame.cmd === CMD.TIME_SET && frame.time) this.applyPeh(frame.time);
      return null; // never answer a broadcast [docs/protocol.md §4.1]
    }
    if (frame.dst !== this.address) return null;
    if (frame.kind === 'poll-reply') return null; // a reply, not a request (e.g. our own echo on RS-485)
    this.stats.requests++;
    const seq = frame.seq;
    if (frame.cmd === CMD.POLL) return this.poll(frame); // sets lastSeq itself
    // Every accepted frame sets the remembered SEQ, so a master must not reuse a poll SEQ for another
    // command: a poll with that SEQ would then be answered from the retry buffer (as BugPeH did).
    this.lastSeq = seq;
    const d = frame.data;
    switch (frame.cmd) {
      case CMD.TIME_SET:
        if (frame.time) this.applyPeh(frame.time);
        return null;
      case CMD.READ_TIME:
        return this.count(encodeTimeSet(this.time(), { cmd: CMD.READ_TIME, dst: frame.src, src: this.address, seq }));
      case CMD.CONTROL_LOGICAL_PORT:
        return d.length === 3 ? this.reply(frame, this.control(d[0], d[1], d[2])) : null;
      case CMD.RESTART:
        if (d.length === 2 && d[0] === 0xaa && d[1] === 0x55) {
          this.restart();
          return null;
        }
        return this.reply(frame, [0, 0]); // `05 00 00`: restart refused (wrong guard) [docs/protocol.md §4.1]
      case CMD.READ_REGISTERS:
      case CMD.READ_RAM:
        return d.length === 3 ? this.reply(frame, this.readRam(frame.cmd, d[0], d[1], d[2])) : null;
      default:
        return ECHO_CMDS.has(frame.cmd) ? this.reply(frame, d) : null; // unknown commands are ignored [docs/protocol.md §7.5]
    }
  }

  /** Sets DI `index` (port = index >> 4, bit = index & 15) and queues a digital event with the device time. */
  setDi(index: number, on: boolean | number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.di.length * 8)
      throw new MaraError('EINVAL', `DI index must be 0-${this.di.length * 8 - 1}, got ${index}`);
    const state = on ? 1 : 0;
    const mask = 1 << (index & 7);
    this.di[index >> 3] = state ? this.di[index >> 3] | mask : this.di[index >> 3] & ~mask;
    if (index < EVENT_DI_MAX)
      this.queueEvent({ type: 'digital', raw: Buffer.alloc(0), addr: this.eventAddr, calif: 0, state, port: index >> 4, bit: index & 15, time: this.time() });
  }

  /** Current state of DI `index`. */
  getDi(index: number): boolean {
    return ((this.di[index >> 3] >> (index & 7)) & 1) === 1;
  }

  /** Sets AI `index` to a 12-bit value with quality q (0 normal, 1 stalled, 2 calculated, 3 other) [docs/protocol.md §5.4]. */
  setAi(index: number, value: number, q = 0): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.ai.length)
      throw new MaraError('EINVAL', `AI index must be 0-${this.ai.length - 1}, got ${index}`);
    if (!Number.isInteger(value) || value < 0 || value > 0x0fff) throw new MaraError('EINVAL', `AI value must be 0-4095, got ${value}`);
    if (!Number.isInteger(q) || q < 0 || q > 3) throw new MaraError('EINVAL', `AI q must be 0-3, got ${q}`);
    this.ai[index] = (q << 14) | value;
  }

  setSv(index: number, byte: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.sv.length)
      throw new MaraError('EINVAL', `SV index must be 0-${this.sv.length - 1}, got ${index}`);
    if (!Number.isInteger(byte) || byte < 0 || byte > 255) throw new MaraError('EINVAL', `SV byte must be 0-255, got ${byte}`);
    this.sv[index] = byte;
  }

  /** Queues an event (a MaraEvent, its `raw` ignored, or 10 raw bytes); returns the 10 bytes queued. */
  queueEvent(ev: EventInput): Buffer {
    const b = Buffer.from(encodeEvent(ev)); // validates, and gives us a private copy
    this.queue.push(b);
    this.stats.queued++;
    if (this.queueLength > this.eventQueueLimit) {
      this.head++; // drop the oldest (the real queue size and overflow rule are undocumented, Q11)
      this.stats.dropped++;
    }
    this.compact();
    return b;
  }

  /** Convenience for tests and benchmarks: n digital events, by toggling the DIs in turn. */
  queueEvents(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > this.eventQueueLimit)
      throw new MaraError('EINVAL', `the number of events must be an integer 0-${this.eventQueueLimit}, got ${String(n).slice(0, 40)}`);
    const bits = Math.min(this.di.length * 8, EVENT_DI_MAX);
    if (bits === 0) throw new MaraError('EINVAL', 'the device has no DI to produce digital events');
    for (let i = 0; i < n; i++) {
      const idx = i % bits;
      this.setDi(idx, !this.getDi(idx));
    }
  }

  /** Hex (lower case, no spaces) of the delivered event records, oldest first: the last `deliveredLogLimit`. */
  get deliveredLog(): string[] {
    if (this.log.length > this.deliveredLogLimit) this.log.splice(0, this.log.length - this.deliveredLogLimit);
    return this.log;
  }

  /** Copy of the retry buffer (the last 0x10 reply), for tests. */
  get lastReply(): Buffer | null {
    return this.retry ? Buffer.from(this.retry.bytes) : null;
  }

  // ---- internals ----

  private poll(frame: MaraFrame): Buffer {
    if (this.retry && frame.seq === this.lastSeq) {
      this.stats.replays++;
      return this.count(Buffer.from(this.retry.bytes)); // retransmission: byte for byte [docs/protocol.md §7.3]
    }
    // a new SEQ acknowledges the previous reply: its events are delivered
    if (this.retry) for (const ev of this.retry.events) this.delivered(ev);
    const n = Math.min(this.maxEventsPerReply, this.queueLength);
    const events = this.queue.slice(this.head, this.head + n);
    this.head += n;
    this.compact();
    const bytes = encodePollReply({ dst: frame.src, src: this.address, seq: frame.seq, sv: this.sv, di: this.di, ai: this.ai, events });
    this.retry = { bytes, events };
    this.lastSeq = frame.seq;
    return this.count(Buffer.from(bytes));
  }

  private delivered(ev: Buffer): void {
    this.stats.delivered++;
    if (this.deliveredLogLimit <= 0) return;
    this.log.push(ev.toString('hex'));
    // trimmed in batches (and exactly when read) so a long run does not shift the array on every event
    if (this.log.length >= 2 * this.deliveredLogLimit + 1024) this.log.splice(0, this.log.length - this.deliveredLogLimit);
  }

  private applyPeh(t: MaraTime): void {
    this.stats.pehs++;
    this.lastPeh = { ...t };
    if (timeProblem(t)) return; // an impossible time is recorded but does not move the clock
    this.offsetMs = timeToDate(t, { utc: this.utc }).getTime() - this.clock();
  }

  /** `13 Port Bit State` [docs/protocol.md §4.3]: returns the echo, with Bit = 0xFF when nothing was written. */
  private control(port: number, bit: number, state: number): number[] {
    const index = port * 16 + bit;
    if (bit > 15 || index >= Math.min(this.di.length * 8, EVENT_DI_MAX)) return [port, 0xff, state];
    this.setDi(index, state !== 0);
    return [port, bit, state];
  }

  /** Deterministic fake memory: byte at address a is (a * 7 + 3) & 0xFF. */
  private readRam(cmd: number, a0: number, a1: number, cant: number): number[] {
    // 0x06 sends PagAddr IniAddr (high first), 0x16 AddrL AddrH [docs/protocol.md §4.3]
    const addr = cmd === CMD.READ_REGISTERS ? (a0 << 8) | a1 : (a1 << 8) | a0;
    const n = Math.min(cant, RAM_READ_MAX[cmd]);
    const out = [a0, a1, n];
    for (let i = 0; i < n; i++) out.push(((addr + i) * 7 + 3) & 0xff);
    return out;
  }

  /** `05 AA 55`: the unit restarts, forgetting SEQ and retry buffer; the unacknowledged events go back to the queue front. */
  private restart(): void {
    if (this.retry) {
      this.queue = this.retry.events.concat(this.queue.slice(this.head));
      this.head = 0;
    }
    this.retry = null;
    this.lastSeq = null;
  }

  private reply(req: MaraFrame, data: ArrayLike<number>): Buffer {
    return this.count(encodeFrame({ dst: req.src, src: this.address, seq: req.seq, cmd: req.cmd, data: Buffer.from(data as number[]) }));
  }

  private count(b: Buffer): Buffer {
    this.stats.replies++;
    return b;
  }

  private compact(): void {
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
