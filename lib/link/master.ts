import { EventEmitter } from 'node:events';
import {
  ADDR_BROADCAST,
  ADDR_MASTER,
  CMD,
  EVENTS_PER_REPLY_MAX,
  FrameReader,
  MaraFrame,
  SEQ_PEH_DEFAULT,
  dateToTime,
  encodeFrame,
  encodePoll,
  encodeTimeSet,
  nextSeq,
  validSeq,
} from '../mara';
import { expectsReply } from '../mara/commands';
import { MaraError } from '../mara/errors';
import { Backoff } from './backoff';
import type {
  CommandRequest,
  DeviceChange,
  DeviceConfig,
  DeviceStats,
  LineStats,
  LinkState,
  LinkStateName,
  MasterEvents,
  MasterOptions,
  PersistenceState,
  PollResult,
  RequestOptions,
} from './master-types';
import { TIMER_MAX_MS } from './master-types';
import { preview } from '../preview';
import { realTimers, TimerHandle, Timers } from './timers';
import { AcceptedReply, LineState, MemoryStateStore, StateStore } from './state-store';
import { replyKey } from '../journal/keys';
import type { Transport } from './transport';

const RECENT = 8; // digests kept per device; far fewer than the 96 SEQ values, so a wrap never matches

interface Dev {
  cfg: Required<DeviceConfig>;
  stats: DeviceStats;
  seq: number;
  /** `${seq}:${digest}` of the last replies handed on. */
  recent: string[];
  /** SEQ of the last 0x10 sent to it (commands reuse it, docs/protocol.md §6.2). */
  lastSentSeq: number | null;
  /** Failed transmissions of the current exchange. */
  attempts: number;
  /**
   * Polls sent to it that no reply has answered yet (at most retries + 2): a device answers each request
   * once, so it never gets more replies handed on than this, however many replays it sends.
   */
  credit: number;
  /** Consecutive exchanges answered only by a replay with another SEQ (BugPeH, docs/protocol.md §6.2). */
  staleAttempts: number;
  /**
   * SEQ of a poll that was (or, after a restart, may have been) sent and whose reply was not accepted:
   * the device may hold it as its "last SEQ" with an undelivered reply behind it. A broadcast PEH must
   * then carry exactly this SEQ, or wait [docs/protocol.md §6.2].
   */
  pendingSeq: number | null;
  queued: boolean;
  timer: TimerHandle | null;
  /** Marks the device offline when no reply came within timeout × (retries + 1) of a link loss. */
  offlineTimer: TimerHandle | null;
}

interface Command {
  req: { address: number; cmd: number; data: Buffer };
  expectReply: boolean;
  timeoutMs: number;
  retriesLeft: number;
  signal?: AbortSignal;
  onAbort?: () => void;
  resolve: (f: MaraFrame | null) => void;
  reject: (e: Error) => void;
}

type Item = { kind: 'poll'; dev: Dev } | { kind: 'command'; cmd: Command };

interface InFlight {
  item: Item;
  address: number;
  cmd: number;
  seq: number;
  sentAt: number;
  timer: TimerHandle | null;
}

/**
 * The Mara line master (docs/protocol.md §7): owns one transport, polls every device with exactly one request in
 * flight, applies the SEQ rules so no reply is lost or handed on twice, retries, marks silent
 * devices offline and polls them slower, sends PEH time sets, and runs commands before polls.
 */
export class MaraMaster extends EventEmitter<MasterEvents> {
  private readonly opts: Required<Omit<MasterOptions, 'store' | 'interByteTimeoutMs' | 'timers'>> & { interByteTimeoutMs?: number };
  private persistState: PersistenceState = { ok: true };
  /** One abort listener per signal, however many commands share it (no listener-leak warning). */
  private readonly aborts = new Map<AbortSignal, { commands: Set<Command>; onAbort: () => void }>();
  private readonly store: StateStore;
  private readonly timers: Timers;
  private readonly devs: Dev[] = [];
  private readonly byAddr = new Map<number, Dev>();
  private readonly reader = new FrameReader();
  private readonly backoff: Backoff;
  private link: Transport | null = null;
  private linkState: LinkState = { state: 'stopped' };
  private started = false;
  private commands: Item[] = [];
  private polls: Item[] = [];
  private inFlight: InFlight | null = null;
  private writing = false;
  private pehDue = false;
  private lastPollSeq: number | null = null;
  private reconnectTimer: TimerHandle | null = null;
  private pehTimer: TimerHandle | null = null;
  private silenceTimer: TimerHandle | null = null;
  private description = '';
  private readonly line = {
    connects: 0,
    requests: 0,
    replies: 0,
    timeouts: 0,
    bccErrors: 0,
    payloadErrors: 0,
    staleReplays: 0,
    unexpected: 0,
    bytesIn: 0,
    bytesOut: 0,
    pehs: 0,
    queueDropped: 0,
    lastRttMs: null as number | null,
    lastOkAt: null as number | null,
  };

  constructor(options: MasterOptions) {
    super();
    this.timers = options?.timers ?? realTimers;
    if (!options || typeof options.transport !== 'function') throw new MaraError('EINVAL', 'MaraMaster needs a transport factory');
    this.opts = {
      masterAddress: ADDR_MASTER,
      maxQueue: 100,
      pehIntervalMs: 3_600_000,
      pehOnConnect: true,
      utc: false,
      backoffMinMs: 1000,
      backoffMaxMs: 30_000,
      offlineMaxIntervalMs: 60_000,
      drainEvents: EVENTS_PER_REPLY_MAX,
      reconnectWhenAllOffline: true,
      recoveryMs: 2000,
      storeRetryMs: 1000,
      now: options.timers ? () => this.timers.now() : Date.now,
      ...stripUndefined(options),
    };
    checkByte('masterAddress', this.opts.masterAddress);
    for (const k of ['pehIntervalMs', 'backoffMinMs', 'backoffMaxMs', 'offlineMaxIntervalMs', 'recoveryMs', 'storeRetryMs'] as const)
      delay(k, this.opts[k], true);
    if (this.opts.interByteTimeoutMs !== undefined) delay('interByteTimeoutMs', this.opts.interByteTimeoutMs);
    if (!Number.isInteger(this.opts.maxQueue) || this.opts.maxQueue < 1) throw new MaraError('EINVAL', 'maxQueue must be a positive integer');
    this.store = options.store ?? new MemoryStateStore();
    this.backoff = new Backoff(this.opts.backoffMinMs, this.opts.backoffMaxMs);
    let saved: LineState = {};
    try {
      saved = this.store.load();
    } catch (e) {
      // a corrupt or oversized state file: the store kept it aside; we start afresh and say so
      this.persistState = { ok: false, error: e as Error, at: this.opts.now() };
    }
    if (!Array.isArray(options.devices ?? [])) throw new MaraError('EINVAL', 'devices must be an array');
    if ((options.devices ?? []).length > 255) throw new MaraError('EINVAL', 'at most 255 devices on a line');
    for (const d of options.devices ?? []) this.addDevice(d, saved);

    this.reader.on('frame', (f, raw) => this.onFrame(f, raw));
    this.reader.on('reject', (err, raw) => this.onReject(err, raw));
  }

  private addDevice(d: DeviceConfig, saved: LineState): void {
    if (!d || typeof d !== 'object') throw new MaraError('EINVAL', 'a device must be an object');
    checkByte('device address', d.address);
    if (d.address === ADDR_BROADCAST || d.address === this.opts.masterAddress)
      throw new MaraError('EINVAL', `device address ${d.address} is the broadcast or the master address`);
    if (this.byAddr.has(d.address)) throw new MaraError('EINVAL', `device address ${d.address} is configured twice`);
    const cfg: Required<DeviceConfig> = {
      address: d.address,
      name: d.name || `dev${d.address}`,
      pollIntervalMs: delay('pollIntervalMs', d.pollIntervalMs ?? 5000),
      timeoutMs: delay('timeoutMs', d.timeoutMs ?? 1000),
      retries: count('retries', d.retries, 3),
    };
    const s = saved[String(d.address)];
    const dev: Dev = {
      cfg,
      seq: validSeq(s?.seq),
      recent: s?.recent?.slice(-RECENT) ?? [],
      // after a restart the device may hold the persisted SEQ (its poll sent, the reply not accepted)
      lastSentSeq: s ? validSeq(s.seq) : null,
      attempts: 0,
      staleAttempts: 0,
      credit: 0,
      pendingSeq: s ? validSeq(s.seq) : null,
      queued: false,
      timer: null,
      offlineTimer: null,
      stats: {
        address: cfg.address,
        name: cfg.name,
        online: null,
        seq: 0,
        requests: 0,
        replies: 0,
        timeouts: 0,
        badFrames: 0,
        staleReplays: 0,
        duplicates: 0,
        heldBack: 0,
        events: 0,
        lastRttMs: null,
        lastOkAt: null,
        consecutiveFailures: 0,
        intervalMs: cfg.pollIntervalMs,
      },
    };
    this.devs.push(dev);
    this.byAddr.set(cfg.address, dev);
  }

  // ---------------------------------------------------------------- lifecycle

  /** Connects (and keeps reconnecting) and starts polling. */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const d of this.devs) this.armOffline(d);
    this.connect();
  }

  /** Stops polling, fails pending commands with ENOTCONN and closes the link. */
  async stop(): Promise<void> {
    this.started = false;
    this.clearTimer('reconnectTimer');
    for (const d of this.devs) this.disarmOffline(d);
    const link = this.link;
    this.dropLink(new MaraError('ENOTCONN', 'line stopped'));
    this.setState({ state: 'stopped' });
    if (link) await link.close().catch(() => undefined);
  }

  get state(): LinkStateName {
    return this.linkState.state;
  }

  private connect(): void {
    this.reconnectTimer = null;
    if (!this.started) return;
    let t: Transport;
    try {
      t = this.opts.transport();
    } catch (e) {
      this.retryLater(e as Error);
      return;
    }
    this.description = t.description;
    this.setState({ state: 'connecting' });
    t.on('data', (chunk) => {
      if (this.link === t) this.onData(chunk);
    });
    t.on('close', (err) => {
      if (this.link !== t) return;
      this.dropLink(new MaraError('ENOTCONN', `line lost: ${err?.message ?? 'closed'}`));
      this.retryLater(err ?? new MaraError('ENOTCONN', 'connection closed'));
    });
    t.open().then(
      () => {
        if (!this.started) {
          t.close().catch(() => undefined);
          return;
        }
        this.onConnected(t);
      },
      (err: Error) => {
        t.close().catch(() => undefined);
        if (this.started && !this.link) this.retryLater(err);
      },
    );
  }

  private onConnected(t: Transport): void {
    this.link = t;
    this.reader.reset();
    this.line.connects++;
    for (const d of this.devs) d.credit = 0; // no late answer crosses a new connection
    this.setState({ state: 'connected' });
    this.pehDue = this.opts.pehOnConnect;
    if (this.opts.pehIntervalMs > 0) {
      this.pehTimer = this.timers.setInterval(() => {
        this.pehDue = true;
        this.pump();
      }, this.opts.pehIntervalMs);
    }
    for (const d of this.devs) this.enqueuePoll(d);
    this.pump();
  }

  private retryLater(err: Error): void {
    if (!this.started || this.reconnectTimer) return;
    const ms = Math.min(this.backoff.next(), this.recoveryPeriod());
    this.setState({ state: 'waiting', retryInMs: ms, error: err });
    this.reconnectTimer = this.timers.setTimeout(() => this.connect(), ms);
  }

  /**
   * The recovery rule: a device or link that comes back gives its first good reply within one poll
   * interval + `recoveryMs`. So a lost link is retried, and an offline device probed, at least every
   * (shortest poll interval + recoveryMs − longest timeout), whatever the back-off has grown to.
   */
  private recoveryPeriod(d?: Dev): number {
    const devs = d ? [d] : this.devs;
    if (!devs.length) return this.opts.backoffMaxMs;
    const poll = Math.min(...devs.map((x) => x.cfg.pollIntervalMs));
    const timeout = Math.max(...devs.map((x) => x.cfg.timeoutMs));
    return Math.max(poll, poll + this.opts.recoveryMs - timeout);
  }

  /** While a device has no answer, it goes offline at the latest timeout × (retries + 1) from now (link loss, start). */
  private armOffline(d: Dev): void {
    if (d.offlineTimer || d.stats.online === false) return;
    d.offlineTimer = this.timers.setTimeout(
      () => {
        d.offlineTimer = null;
        // with the link up again the ordinary retry count decides (no false offline for a device still queued)
        if (!this.started || this.link) return;
        this.setOnline(d, false, `line down: ${this.linkState.error?.message ?? this.linkState.state}`);
      },
      d.cfg.timeoutMs * (d.cfg.retries + 1),
    );
  }

  private disarmOffline(d: Dev): void {
    if (d.offlineTimer) this.timers.clearTimeout(d.offlineTimer);
    d.offlineTimer = null;
  }

  /** Forgets the link: fails the command in flight and the queued ones, stops device timers. */
  private dropLink(err: MaraError): void {
    const link = this.link;
    this.link = null;
    if (this.started) for (const d of this.devs) this.armOffline(d);
    this.clearTimer('pehTimer', true);
    this.clearTimer('silenceTimer');
    const f = this.inFlight;
    this.inFlight = null;
    this.writing = false;
    if (f?.timer) this.timers.clearTimeout(f.timer);
    if (f?.item.kind === 'command') this.settle(f.item.cmd, err);
    for (const it of this.commands) if (it.kind === 'command') this.settle(it.cmd, err);
    this.commands = [];
    this.polls = [];
    for (const d of this.devs) {
      d.queued = false;
      if (d.timer) this.timers.clearTimeout(d.timer);
      d.timer = null;
    }
    this.reader.reset();
    if (link) link.close().catch(() => undefined);
  }

  private setState(s: LinkState): void {
    const prev = this.linkState;
    this.linkState = s;
    if (prev.state !== s.state || s.state === 'waiting') this.emit('state', s);
  }

  // ---------------------------------------------------------------- queue

  private queueLength(): number {
    return this.commands.length + this.polls.length;
  }

  /** Queues a poll of `d` (once); when the queue is full the oldest queued poll gives way. */
  private enqueuePoll(d: Dev, front = false): void {
    if (!this.link || d.queued) return;
    if (d.timer) this.timers.clearTimeout(d.timer);
    d.timer = null;
    if (this.queueLength() >= this.opts.maxQueue && !this.dropOldestPoll()) return;
    d.queued = true;
    const it: Item = { kind: 'poll', dev: d };
    if (front) this.polls.unshift(it);
    else this.polls.push(it);
    this.pump();
  }

  private dropOldestPoll(): boolean {
    const it = this.polls.shift();
    if (!it || it.kind !== 'poll') return false;
    it.dev.queued = false;
    this.line.queueDropped++;
    this.schedulePoll(it.dev, it.dev.stats.intervalMs);
    return true;
  }

  private schedulePoll(d: Dev, delayMs: number): void {
    if (!this.link) return;
    if (d.timer) this.timers.clearTimeout(d.timer);
    d.timer = this.timers.setTimeout(() => {
      d.timer = null;
      this.enqueuePoll(d);
    }, delayMs);
  }

  /** Sends the next request when the line is free: PEH when due, then commands, then polls in turn. */
  private pump(): void {
    if (!this.link || this.inFlight || this.writing) return;
    if (this.pehDue) {
      const seq = this.pehSeq();
      if (seq !== null) {
        this.pehDue = false;
        this.sendPeh(seq);
        return;
      }
      // deferred: a device has an unanswered poll whose SEQ the PEH would overwrite [docs/protocol.md §6.2]
    }
    const it = this.commands.shift() ?? this.polls.shift();
    if (!it) return;
    if (it.kind === 'poll') {
      it.dev.queued = false;
      this.sendPoll(it.dev);
    } else this.sendCommand(it);
  }

  private write(bytes: Buffer, onWritten?: () => void): void {
    const link = this.link;
    if (!link) return;
    this.line.bytesOut += bytes.length;
    link.write(bytes).then(onWritten, (err: Error) => {
      // a failed write means the link is gone; the transport's close handler reconnects
      if (this.link === link) {
        this.dropLink(new MaraError('ENOTCONN', `write failed: ${err.message}`));
        this.retryLater(err);
      }
    });
  }

  private transmit(item: Item, bytes: Buffer, address: number, cmd: number, seq: number, timeoutMs: number): void {
    const sentAt = this.opts.now();
    const wire = (this.link?.charTimeMs ?? 0) * bytes.length;
    const f: InFlight = { item, address, cmd, seq, sentAt, timer: null };
    this.inFlight = f;
    this.line.requests++;
    f.timer = this.timers.setTimeout(() => this.onTimeout(f), timeoutMs + wire);
    this.write(bytes);
  }

  // ---------------------------------------------------------------- polls

  private sendPoll(d: Dev): void {
    const seq = d.seq;
    d.lastSentSeq = seq;
    d.pendingSeq = seq;
    d.credit = Math.min(d.credit + 1, d.cfg.retries + 2);
    this.lastPollSeq = seq;
    d.stats.requests++;
    d.stats.seq = seq;
    this.transmit(
      { kind: 'poll', dev: d },
      encodePoll({ dst: d.cfg.address, src: this.opts.masterAddress, seq }),
      d.cfg.address,
      CMD.POLL,
      seq,
      d.cfg.timeoutMs,
    );
  }

  private onData(chunk: Buffer): void {
    this.line.bytesIn += chunk.length;
    this.reader.push(chunk);
    const ct = this.link?.charTimeMs ?? 0;
    if (ct > 0) {
      this.clearTimer('silenceTimer');
      if (this.reader.pending > 0) {
        const ms = this.opts.interByteTimeoutMs ?? Math.max(20, Math.ceil(ct * 5));
        this.silenceTimer = this.timers.setTimeout(() => {
          this.silenceTimer = null;
          this.reader.flush();
        }, ms);
      }
    }
  }

  private onFrame(frame: MaraFrame, raw: Buffer): void {
    const f = this.inFlight;
    const master = this.opts.masterAddress;
    if (!f || frame.dst !== master || frame.src !== f.address || frame.cmd !== f.cmd) {
      // a late answer of one of our devices, never handed on: hand it on (a reply the device now takes as
      // delivered must not be lost), as long as it has fewer such replies than requests without an answer
      const d = frame.dst === master && frame.kind === 'poll-reply' ? this.byAddr.get(frame.src) : undefined;
      if (d && d.credit > 0 && this.handOnLate(d, frame, raw)) return;
      // our own request echoed by a 2-wire adapter, another master's traffic, a replay already handed on
      this.line.unexpected++;
      this.emit('unsolicited', frame);
      return;
    }
    if (f.item.kind === 'command') {
      if (frame.seq !== f.seq) {
        this.line.unexpected++;
        return;
      }
      if (this.finishInFlight(f, raw) === null) return;
      this.settle(f.item.cmd, null, frame);
      this.next();
      return;
    }
    const d = f.item.dev;
    if (frame.kind !== 'poll-reply') {
      // a 0x10 without payload from the slave is not a reply [docs/protocol.md §9 row 13]
      this.failAttempt(f, 'bad');
      return;
    }
    if (frame.seq !== f.seq) {
      this.onStale(d, f, frame, raw);
      return;
    }
    this.accept(d, f, frame, raw);
  }

  private onReject(err: MaraError, raw: Buffer): void {
    if (err.code === 'EBCC') this.line.bccErrors++;
    else this.line.payloadErrors++;
    this.emit('warning', err);
    const f = this.inFlight;
    // A corrupted answer from the device we wait for: retransmit now rather than wait for the timeout.
    if (f && raw.length > 3 && raw[2] === this.opts.masterAddress && raw[3] === f.address) {
      if (f.item.kind === 'poll') f.item.dev.stats.badFrames++;
      this.failAttempt(f, 'bad');
    }
  }

  private onTimeout(f: InFlight): void {
    if (this.inFlight !== f) return;
    f.timer = null;
    // the flush may deliver a frame or a reject that ends this attempt (and starts the next request)
    if (this.reader.pending > 0) this.reader.flush();
    if (this.inFlight !== f) return;
    this.line.timeouts++;
    this.failAttempt(f, 'timeout');
  }

  /**
   * Ends the attempt `f`, once: every path that can end one (reply, reject, timeout, stale replay,
   * command settled) goes through here and stops when `f` is no longer the request in flight, because
   * another path, run synchronously from inside it (a flush, a consumer), already ended it.
   * Returns the round-trip time, or null when `f` was already finished.
   */
  private finishInFlight(f: InFlight, raw: Buffer | null): number | null {
    if (this.inFlight !== f) return null;
    if (f.timer) this.timers.clearTimeout(f.timer);
    f.timer = null;
    this.inFlight = null;
    const rtt = this.opts.now() - f.sentAt;
    if (raw) {
      this.line.replies++;
      this.line.lastRttMs = rtt;
      this.line.lastOkAt = this.opts.now();
      this.backoff.reset();
    }
    return rtt;
  }

  private next(): void {
    queueMicrotask(() => this.pump());
  }

  /** An accepted reply [docs/protocol.md §7.3 step 2]: hand it on (unless it is the replay of one handed on), then advance and persist. */
  private accept(d: Dev, f: InFlight, frame: MaraFrame, raw: Buffer): void {
    const rtt = this.finishInFlight(f, raw);
    if (rtt === null) return;
    this.disarmOffline(d);
    d.pendingSeq = null;
    d.credit = Math.max(0, d.credit - 1);
    const key = replyKey(frame.seq, raw);
    const duplicate = d.recent.includes(key);
    // write-ahead: the reply and the SEQ that acknowledges it are recorded before anything else happens;
    // when that fails the SEQ stays, so the device keeps the reply and sends it again
    const recorded = !duplicate && this.store.writeAhead === true;
    if (recorded && !this.recordFirst(d, frame, raw, key, nextSeq(frame.seq))) return this.holdBack(d, frame.seq);
    // the next SEQ is set before any listener runs (a listener may poll at once); a plain store saves it
    // only after the reply was handed on
    d.seq = nextSeq(frame.seq);
    d.stats.seq = d.seq;
    d.attempts = 0;
    d.staleAttempts = 0;
    d.stats.replies++;
    d.stats.lastRttMs = rtt;
    d.stats.lastOkAt = this.opts.now();
    d.stats.consecutiveFailures = 0;
    d.stats.intervalMs = d.cfg.pollIntervalMs;
    this.setOnline(d, true);
    if (duplicate) d.stats.duplicates++;
    else this.handOn(d, frame, raw, rtt, false, key);
    if (!recorded) this.persist();
    const events = frame.reply?.events.length ?? 0;
    // a full reply: poll again at once, but behind the polls already due, so draining one device's
    // queue never starves the others
    if (this.opts.drainEvents > 0 && events >= this.opts.drainEvents) this.enqueuePoll(d);
    else this.schedulePoll(d, d.cfg.pollIntervalMs);
    this.next();
  }

  /** A reply that came while nothing waited for it and was never handed on: handed on, flagged `stale`. */
  private handOnLate(d: Dev, frame: MaraFrame, raw: Buffer): boolean {
    const key = replyKey(frame.seq, raw);
    if (d.recent.includes(key)) return false;
    // write-ahead: a late reply that cannot be recorded is dropped unacknowledged (its SEQ is asked again)
    const recorded = this.store.writeAhead === true;
    if (recorded && !this.recordFirst(d, frame, raw, key, d.seq)) {
      d.stats.heldBack++;
      return true;
    }
    d.credit--;
    this.line.staleReplays++;
    d.stats.staleReplays++;
    this.handOn(d, frame, raw, 0, true, key);
    if (!recorded) this.persist();
    return true;
  }

  private handOn(d: Dev, frame: MaraFrame, raw: Buffer, rttMs: number, stale: boolean, key: string): void {
    if (d.recent[d.recent.length - 1] !== key) d.recent.push(key); // recordFirst has pushed it already
    if (d.recent.length > RECENT) d.recent.splice(0, d.recent.length - RECENT);
    d.stats.events += frame.reply?.events.length ?? 0;
    const r: PollResult = { address: d.cfg.address, name: d.cfg.name, frame, raw, seq: frame.seq, rttMs, stale, at: this.opts.now() };
    try {
      this.emit('reply', r);
    } catch (e) {
      // a consumer's bug must not stop the line nor make us receive the reply again
      this.emit('warning', e as Error);
    }
  }

  /**
   * A valid reply with another SEQ [docs/protocol.md §7.3 step 5]: the device took our SEQ for a retransmission (it holds
   * that SEQ from a PEH or a command, BugPeH) and replayed an earlier reply. The attempt ends at once:
   * the replay is handed on (flagged `stale`) only when it was never handed on, so nothing is lost or
   * doubled; the SEQ advances and the device is polled again at once, so it acknowledges the replayed
   * buffer and builds a new reply. Bounded: only the first consecutive stale exchange repolls at once,
   * later ones wait the poll interval, and a device never gets more replies handed on than requests
   * it has not answered (`credit`), however many replays it sends.
   */
  private onStale(d: Dev, f: InFlight, frame: MaraFrame, raw: Buffer): void {
    const rtt = this.finishInFlight(f, null);
    if (rtt === null) return;
    this.line.staleReplays++;
    d.stats.staleReplays++;
    const key = replyKey(frame.seq, raw);
    const handOn = !d.recent.includes(key) && d.credit > 0;
    d.credit = Math.max(0, d.credit - 1);
    const recorded = handOn && this.store.writeAhead === true;
    if (recorded && !this.recordFirst(d, frame, raw, key, nextSeq(f.seq))) return this.holdBack(d, f.seq);
    d.attempts = 0;
    d.pendingSeq = null;
    d.seq = nextSeq(f.seq);
    d.stats.seq = d.seq;
    if (handOn) this.handOn(d, frame, raw, rtt, true, key);
    else d.stats.duplicates++;
    if (!recorded) this.persist();
    this.warn(new MaraError('EPAYLOAD', `${d.cfg.name}: stale replay SEQ 0x${frame.seq.toString(16)} for request 0x${f.seq.toString(16)}`));
    if (++d.staleAttempts <= 1) this.enqueuePoll(d, true);
    else this.schedulePoll(d, d.cfg.pollIntervalMs);
    this.next();
  }

  private warn(e: Error): void {
    if (this.listenerCount('warning') > 0) this.emit('warning', e);
  }

  private failAttempt(f: InFlight, why: 'timeout' | 'bad'): void {
    if (this.finishInFlight(f, null) === null) return;
    if (f.item.kind === 'command') {
      const c = f.item.cmd;
      if (c.retriesLeft-- > 0) this.commands.unshift(f.item);
      else this.settle(c, new MaraError('ETIMEOUT', `no valid answer from ${f.address} to command 0x${f.cmd.toString(16)}`));
      this.next();
      return;
    }
    const d = f.item.dev;
    if (why === 'timeout') d.stats.timeouts++;
    d.staleAttempts = 0;
    d.stats.consecutiveFailures++;
    if (d.stats.online !== false && ++d.attempts <= d.cfg.retries) {
      // retry with the same SEQ behind the polls already due, so a dead device costs the others at most one timeout per cycle
      this.enqueuePoll(d);
    } else {
      // offline (or going offline): probe with one request at a slowly growing interval, capped by the recovery rule
      d.attempts = 0;
      const wasOnline = d.stats.online !== false;
      const interval = wasOnline ? d.cfg.pollIntervalMs : d.stats.intervalMs * 2;
      const cap = Math.min(Math.max(this.opts.offlineMaxIntervalMs, d.cfg.pollIntervalMs), this.recoveryPeriod(d));
      d.stats.intervalMs = Math.min(Math.max(interval, d.cfg.pollIntervalMs), cap);
      this.disarmOffline(d);
      this.setOnline(d, false, why === 'timeout' ? `no answer to ${d.cfg.retries + 1} requests` : 'corrupted answers');
      if (this.allOffline() && this.link?.kind === 'tcp' && this.opts.reconnectWhenAllOffline) {
        const err = new MaraError('ETIMEOUT', 'every device on the link is offline: reconnecting');
        this.dropLink(new MaraError('ENOTCONN', err.message));
        this.retryLater(err);
        return;
      }
      this.schedulePoll(d, d.stats.intervalMs);
    }
    this.next();
  }

  private allOffline(): boolean {
    return this.devs.length > 0 && this.devs.every((d) => d.stats.online === false);
  }

  private setOnline(d: Dev, online: boolean, reason?: string): void {
    if (d.stats.online === online) return;
    d.stats.online = online;
    const ch: DeviceChange = { address: d.cfg.address, name: d.cfg.name, online, at: this.opts.now() };
    if (reason) ch.reason = reason;
    this.emit('device', ch);
  }

  private persist(): void {
    const s: LineState = {};
    for (const d of this.devs) s[String(d.cfg.address)] = { seq: d.seq, recent: d.recent };
    try {
      this.store.save(s);
      this.storeWorks();
    } catch (e) {
      this.storeFailed(e as Error);
    }
  }

  /**
   * Write-ahead [docs/journal.md]: records the reply with the state that acknowledges it (`seqAfter`, the key
   * among the recent ones) before the SEQ advances or anything is handed on. False when the store refused:
   * nothing changed, the caller holds the reply back.
   */
  private recordFirst(d: Dev, frame: MaraFrame, raw: Buffer, key: string, seqAfter: number): boolean {
    const s: LineState = {};
    for (const o of this.devs)
      s[String(o.cfg.address)] = o === d ? { seq: seqAfter, recent: [...d.recent, key].slice(-RECENT) } : { seq: o.seq, recent: o.recent };
    const reply: AcceptedReply = { address: d.cfg.address, name: d.cfg.name, key, frame, raw, at: this.opts.now() };
    try {
      this.store.save(s, reply);
    } catch (e) {
      this.storeFailed(e as Error);
      return false;
    }
    d.recent.push(key);
    if (d.recent.length > RECENT) d.recent.splice(0, d.recent.length - RECENT);
    this.storeWorks();
    return true;
  }

  /**
   * A reply the store could not record: not acknowledged. The SEQ stays (the device holds the reply and the
   * SEQ, which a PEH must then carry), and the device is asked again after `storeRetryMs`, so the line
   * resumes by itself as soon as storage works; nothing is lost and nothing is handed on unrecorded.
   */
  private holdBack(d: Dev, seq: number): void {
    d.seq = seq;
    d.stats.seq = seq;
    d.pendingSeq = seq;
    d.attempts = 0;
    d.staleAttempts = 0;
    d.stats.heldBack++;
    d.stats.consecutiveFailures = 0;
    this.setOnline(d, true);
    this.schedulePoll(d, Math.max(this.opts.storeRetryMs, d.cfg.pollIntervalMs));
    this.next();
  }

  private storeWorks(): void {
    if (!this.persistState.ok) this.setPersistence({ ok: true, at: this.opts.now() });
  }

  /** Reported once per change of the problem, not once per reply. */
  private storeFailed(err: Error & { code?: string }): void {
    const prev = this.persistState.error as (Error & { code?: string }) | undefined;
    if (this.persistState.ok || prev?.code !== err.code || prev?.message !== err.message)
      this.setPersistence({ ok: false, error: err, at: this.opts.now(), ...(this.store.writeAhead ? { holding: true } : {}) });
  }

  private setPersistence(p: PersistenceState): void {
    this.persistState = p;
    this.emit('persistence', p);
  }

  /** Whether the SEQ state is being saved (false after a failed save, or a state file that could not be read). */
  get persistence(): PersistenceState {
    return { ...this.persistState };
  }

  // ---------------------------------------------------------------- PEH and commands

  /**
   * The SEQ a broadcast PEH may carry now, or null to defer it [docs/protocol.md §6.2]. A slave that stores the SEQ of a
   * broadcast (BugPeH) must keep the SEQ of a poll whose reply we still need, so the PEH carries that
   * SEQ; when devices wait with different SEQs (a multi-drop bus) no value is safe and the PEH waits
   * until their retries are answered. An offline device does not hold it back (see README).
   * Otherwise: the SEQ of the last poll sent (0xBB before any).
   */
  private pehSeq(): number | null {
    let seq: number | null = null;
    for (const d of this.devs) {
      if (d.pendingSeq === null || d.stats.online === false) continue;
      if (seq !== null && seq !== d.pendingSeq) return null;
      seq = d.pendingSeq;
    }
    return seq ?? this.lastPollSeq ?? SEQ_PEH_DEFAULT;
  }

  /** A PEH carries the SEQ from pehSeq(), so no slave mistakes the next poll for a retransmission nor forgets a pending one [docs/protocol.md §6.2]. */
  private sendPeh(seq: number): void {
    const raw = encodeTimeSet(dateToTime(new Date(this.opts.now()), { utc: this.opts.utc }), { src: this.opts.masterAddress, seq });
    this.writing = true;
    this.line.pehs++;
    this.write(raw, () => {
      this.writing = false;
      this.emit('peh', { raw, seq, at: this.opts.now() });
      this.pump();
    });
  }

  /** Sends a PEH now (before any queued poll). */
  syncTime(): void {
    this.pehDue = true;
    this.pump();
  }

  /**
   * Sends a command and resolves with the answer (null when none is due). Commands go before polls.
   * Fails with EINVAL, ENOTCONN, EQUEUEFULL, ETIMEOUT or EABORT.
   */
  request(req: CommandRequest, opts: RequestOptions = {}): Promise<MaraFrame | null> {
    return new Promise((resolve, reject) => {
      let data: Buffer;
      try {
        if (!req || typeof req !== 'object') throw new MaraError('EINVAL', 'request must be an object {address, cmd, data}');
        checkByte('address', req.address);
        checkByte('cmd', req.cmd);
        data = Buffer.from(encodeFrame({ dst: req.address, src: this.opts.masterAddress, seq: 0, cmd: req.cmd, data: req.data ?? [] }).subarray(6, -2));
      } catch (e) {
        reject(e);
        return;
      }
      if (!this.link) {
        reject(new MaraError('ENOTCONN', `line not connected (${this.linkState.state})`));
        return;
      }
      if (opts.signal?.aborted) {
        reject(new MaraError('EABORT', 'request aborted'));
        return;
      }
      const dev = this.byAddr.get(req.address);
      const cmd: Command = {
        req: { address: req.address, cmd: req.cmd, data },
        expectReply: opts.expectReply ?? expectsReply(req.cmd, req.address),
        timeoutMs: delay('timeoutMs', opts.timeoutMs ?? dev?.cfg.timeoutMs ?? 1000),
        retriesLeft: count('retries', opts.retries, 0),
        signal: opts.signal,
        resolve,
        reject,
      };
      if (this.queueLength() >= this.opts.maxQueue && !this.dropOldestPoll()) {
        reject(new MaraError('EQUEUEFULL', `line queue full (${this.opts.maxQueue})`));
        return;
      }
      const item: Item = { kind: 'command', cmd };
      if (opts.signal) {
        cmd.onAbort = () => {
          const i = this.commands.indexOf(item);
          if (i >= 0) this.commands.splice(i, 1);
          if (i >= 0 || this.inFlight?.item === item) this.settle(cmd, new MaraError('EABORT', 'request aborted'));
        };
        this.watchAbort(opts.signal, cmd);
      }
      this.commands.push(item);
      this.pump();
    });
  }

  private sendCommand(item: Item & { kind: 'command' }): void {
    const c = item.cmd;
    const dev = this.byAddr.get(c.req.address);
    // reuse the SEQ the slave already holds, so the command does not turn the next poll into a replay
    const seq = dev?.lastSentSeq ?? this.lastPollSeq ?? SEQ_PEH_DEFAULT;
    const bytes = encodeFrame({ dst: c.req.address, src: this.opts.masterAddress, seq, cmd: c.req.cmd, data: c.req.data });
    if (!c.expectReply) {
      this.writing = true;
      this.write(bytes, () => {
        this.writing = false;
        this.settle(c, null, null);
        this.pump();
      });
      return;
    }
    this.transmit(item, bytes, c.req.address, c.req.cmd, seq, c.timeoutMs);
  }

  /** Many commands may share one signal (a node's): one listener per signal, removed with its last command. */
  private watchAbort(signal: AbortSignal, c: Command): void {
    let w = this.aborts.get(signal);
    if (!w) {
      const entry = {
        commands: new Set<Command>(),
        onAbort: () => {
          this.aborts.delete(signal);
          for (const x of [...entry.commands]) x.onAbort?.();
        },
      };
      w = entry;
      this.aborts.set(signal, w);
      signal.addEventListener('abort', w.onAbort, { once: true });
    }
    w.commands.add(c);
  }

  private unwatchAbort(c: Command): void {
    const w = c.signal && this.aborts.get(c.signal);
    if (!w) return;
    w.commands.delete(c);
    if (w.commands.size === 0) {
      c.signal!.removeEventListener('abort', w.onAbort);
      this.aborts.delete(c.signal!);
    }
  }

  private settle(c: Command, err: Error | null, frame: MaraFrame | null = null): void {
    this.unwatchAbort(c);
    const { resolve, reject } = c;
    c.resolve = () => undefined;
    c.reject = () => undefined;
    if (err) reject(err);
    else resolve(frame);
    if (this.inFlight?.item.kind === 'command' && this.inFlight.item.cmd === c) {
      const f = this.inFlight;
      this.finishInFlight(f, null);
      this.next();
    }
  }

  // ---------------------------------------------------------------- introspection

  /** Polls `address` (or every device) now, ahead of its interval. */
  pollNow(address?: number): void {
    for (const d of this.devs) if (address === undefined || d.cfg.address === address) this.enqueuePoll(d, true);
  }

  get devices(): DeviceStats[] {
    return this.devs.map((d) => ({ ...d.stats }));
  }

  stats(): LineStats {
    return {
      state: this.linkState.state,
      description: this.description,
      ...this.line,
      noiseBytes: this.reader.stats.discardedBytes,
      queue: this.queueLength(),
      maxQueue: this.opts.maxQueue,
      devices: this.devices,
    };
  }

  private clearTimer(name: 'reconnectTimer' | 'pehTimer' | 'silenceTimer', interval = false): void {
    const t = this[name];
    if (t) {
      if (interval) this.timers.clearInterval(t);
      else this.timers.clearTimeout(t);
    }
    this[name] = null;
  }
}

function checkByte(name: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) throw new MaraError('EINVAL', `${name} must be an integer 0-255, got ${preview(v)}`);
}

/**
 * A time in ms, positive (or ≥ 0 with `zero`) and at most TIMER_MAX_MS: beyond 2^31 − 1 ms Node's timers
 * fire after 1 ms, which would turn a 30-day poll interval into a flood.
 */
function delay(name: string, v: unknown, zero = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (zero ? v < 0 : v <= 0) || v > TIMER_MAX_MS)
    throw new MaraError('EINVAL', `${name} must be a number of ms ${zero ? '0' : '> 0'} to ${TIMER_MAX_MS} (24.8 days), got ${preview(v)}`);
  return v;
}

function count(name: string, v: unknown, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 100) throw new MaraError('EINVAL', `${name} must be an integer 0-100, got ${preview(v)}`);
  return v;
}

/** Options given as undefined take their defaults. */
function stripUndefined<T extends object>(o: T): T {
  const out = { ...o };
  for (const k of Object.keys(out) as (keyof T)[]) if (out[k] === undefined) delete out[k];
  return out;
}
