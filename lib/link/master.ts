import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  ADDR_BROADCAST, ADDR_MASTER, CMD, EVENTS_PER_REPLY_MAX, FrameReader, MaraFrame, SEQ_PEH_DEFAULT,
  dateToTime, encodeFrame, encodePoll, encodeTimeSet, nextSeq, validSeq,
} from '../mara';
import { expectsReply } from '../mara/commands';
import { MaraError } from '../mara/errors';
import { Backoff } from './backoff';
import type {
  CommandRequest, DeviceChange, DeviceConfig, DeviceStats, LineStats, LinkState, LinkStateName,
  MasterEvents, MasterOptions, PollResult, RequestOptions,
} from './master-types';
import { LineState, MemoryStateStore, StateStore } from './state-store';
import type { Transport } from './transport';

const RECENT = 8; // digests kept per device; far fewer than the 96 SEQ values, so a wrap never matches

interface Dev {
  cfg: Required<DeviceConfig>;
  stats: DeviceStats;
  seq: number;
  /** `${seq}:${digest}` of the last replies handed on. */
  recent: string[];
  /** SEQ of the last 0x10 sent to it (commands reuse it, spec §6.2). */
  lastSentSeq: number | null;
  /** Failed transmissions of the current exchange. */
  attempts: number;
  /** Attempts that got only a replay with another SEQ (BugPeH, spec §6.2). */
  staleAttempts: number;
  queued: boolean;
  timer: NodeJS.Timeout | null;
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
  timer: NodeJS.Timeout | null;
  /** A valid reply with another SEQ came during this attempt. */
  staleSeen: boolean;
}

/**
 * The Mara line master (spec §7): owns one transport, polls every device with exactly one request in
 * flight, applies the SEQ rules so no reply is lost or handed on twice, retries, marks silent
 * devices offline and polls them slower, sends PEH time sets, and runs commands before polls.
 */
export class MaraMaster extends EventEmitter<MasterEvents> {
  private readonly opts: Required<Omit<MasterOptions, 'store' | 'interByteTimeoutMs'>> & { interByteTimeoutMs?: number };
  private readonly store: StateStore;
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
  private reconnectTimer: NodeJS.Timeout | null = null;
  private pehTimer: NodeJS.Timeout | null = null;
  private silenceTimer: NodeJS.Timeout | null = null;
  private description = '';
  private readonly line = {
    connects: 0, requests: 0, replies: 0, timeouts: 0, bccErrors: 0, payloadErrors: 0, staleReplays: 0,
    unexpected: 0, bytesIn: 0, bytesOut: 0, pehs: 0, queueDropped: 0,
    lastRttMs: null as number | null, lastOkAt: null as number | null,
  };

  constructor(options: MasterOptions) {
    super();
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
      now: Date.now,
      ...options,
    };
    checkByte('masterAddress', this.opts.masterAddress);
    if (!Number.isInteger(this.opts.maxQueue) || this.opts.maxQueue < 1) throw new MaraError('EINVAL', 'maxQueue must be a positive integer');
    this.store = options.store ?? new MemoryStateStore();
    this.backoff = new Backoff(this.opts.backoffMinMs, this.opts.backoffMaxMs);
    const saved = this.store.load();
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
      pollIntervalMs: positive('pollIntervalMs', d.pollIntervalMs, 5000),
      timeoutMs: positive('timeoutMs', d.timeoutMs, 1000),
      retries: count('retries', d.retries, 3),
    };
    const s = saved[String(d.address)];
    const dev: Dev = {
      cfg,
      seq: validSeq(s?.seq),
      recent: s?.recent?.slice(-RECENT) ?? [],
      lastSentSeq: null,
      attempts: 0,
      staleAttempts: 0,
      queued: false,
      timer: null,
      stats: {
        address: cfg.address, name: cfg.name, online: null, seq: 0, requests: 0, replies: 0, timeouts: 0,
        badFrames: 0, staleReplays: 0, duplicates: 0, events: 0, lastRttMs: null, lastOkAt: null,
        consecutiveFailures: 0, intervalMs: cfg.pollIntervalMs,
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
    this.connect();
  }

  /** Stops polling, fails pending commands with ENOTCONN and closes the link. */
  async stop(): Promise<void> {
    this.started = false;
    this.clearTimer('reconnectTimer');
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
    this.setState({ state: 'connected' });
    this.pehDue = this.opts.pehOnConnect;
    if (this.opts.pehIntervalMs > 0) {
      this.pehTimer = setInterval(() => {
        this.pehDue = true;
        this.pump();
      }, this.opts.pehIntervalMs);
    }
    for (const d of this.devs) this.enqueuePoll(d);
    this.pump();
  }

  private retryLater(err: Error): void {
    if (!this.started || this.reconnectTimer) return;
    const delay = this.backoff.next();
    this.setState({ state: 'waiting', retryInMs: delay, error: err });
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  /** Forgets the link: fails the command in flight and the queued ones, stops device timers. */
  private dropLink(err: MaraError): void {
    const link = this.link;
    this.link = null;
    this.clearTimer('pehTimer', true);
    this.clearTimer('silenceTimer');
    const f = this.inFlight;
    this.inFlight = null;
    this.writing = false;
    if (f?.timer) clearTimeout(f.timer);
    if (f?.item.kind === 'command') this.settle(f.item.cmd, err);
    for (const it of this.commands) if (it.kind === 'command') this.settle(it.cmd, err);
    this.commands = [];
    this.polls = [];
    for (const d of this.devs) {
      d.queued = false;
      if (d.timer) clearTimeout(d.timer);
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
    if (d.timer) clearTimeout(d.timer);
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
    if (d.timer) clearTimeout(d.timer);
    d.timer = setTimeout(() => {
      d.timer = null;
      this.enqueuePoll(d);
    }, delayMs);
  }

  /** Sends the next request when the line is free: PEH when due, then commands, then polls in turn. */
  private pump(): void {
    if (!this.link || this.inFlight || this.writing) return;
    if (this.pehDue) {
      this.pehDue = false;
      this.sendPeh();
      return;
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
    const f: InFlight = { item, address, cmd, seq, sentAt, timer: null, staleSeen: false };
    this.inFlight = f;
    this.line.requests++;
    f.timer = setTimeout(() => this.onTimeout(f), timeoutMs + wire);
    this.write(bytes);
  }

  // ---------------------------------------------------------------- polls

  private sendPoll(d: Dev): void {
    const seq = d.seq;
    d.lastSentSeq = seq;
    this.lastPollSeq = seq;
    d.stats.requests++;
    d.stats.seq = seq;
    this.transmit({ kind: 'poll', dev: d }, encodePoll({ dst: d.cfg.address, src: this.opts.masterAddress, seq }), d.cfg.address, CMD.POLL, seq, d.cfg.timeoutMs);
  }

  private onData(chunk: Buffer): void {
    this.line.bytesIn += chunk.length;
    this.reader.push(chunk);
    const ct = this.link?.charTimeMs ?? 0;
    if (ct > 0) {
      this.clearTimer('silenceTimer');
      if (this.reader.pending > 0) {
        const ms = this.opts.interByteTimeoutMs ?? Math.max(20, Math.ceil(ct * 5));
        this.silenceTimer = setTimeout(() => {
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
      // our own request echoed by a 2-wire adapter, another master's traffic, a late answer
      this.line.unexpected++;
      this.emit('unsolicited', frame);
      return;
    }
    if (f.item.kind === 'command') {
      if (frame.seq !== f.seq) {
        this.line.unexpected++;
        return;
      }
      this.finishInFlight(f, raw);
      this.settle(f.item.cmd, null, frame);
      this.next();
      return;
    }
    const d = f.item.dev;
    if (frame.kind !== 'poll-reply') {
      // a 0x10 without payload from the slave is not a reply [§9 row 13]
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
    this.line.timeouts++;
    if (this.reader.pending > 0) this.reader.flush();
    this.failAttempt(f, 'timeout');
  }

  private finishInFlight(f: InFlight, raw: Buffer | null): number {
    if (f.timer) clearTimeout(f.timer);
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

  /** An accepted reply [§7.3 step 2]: hand it on (unless it is the replay of one handed on), then advance and persist. */
  private accept(d: Dev, f: InFlight, frame: MaraFrame, raw: Buffer): void {
    const rtt = this.finishInFlight(f, raw);
    const key = `${frame.seq}:${digest(raw)}`;
    const duplicate = d.recent.includes(key);
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
    d.seq = nextSeq(frame.seq);
    d.stats.seq = d.seq;
    this.persist();
    const events = frame.reply?.events.length ?? 0;
    // a full reply: poll again at once, but behind the polls already due, so draining one device's
    // queue never starves the others
    if (this.opts.drainEvents > 0 && events >= this.opts.drainEvents) this.enqueuePoll(d);
    else this.schedulePoll(d, d.cfg.pollIntervalMs);
    this.next();
  }

  private handOn(d: Dev, frame: MaraFrame, raw: Buffer, rttMs: number, stale: boolean, key: string): void {
    d.recent.push(key);
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
   * A valid reply with another SEQ [§7.3 step 5]: the replay of an earlier reply. One already handed on
   * is dropped; one never seen is handed on, flagged `stale` (nothing is lost). Either way we keep
   * waiting: a late duplicate is followed by the real answer, and only a device that answers our
   * request with nothing but replays (the BugPeH state) makes us advance the SEQ, after two attempts.
   */
  private onStale(d: Dev, f: InFlight, frame: MaraFrame, raw: Buffer): void {
    this.line.staleReplays++;
    d.stats.staleReplays++;
    f.staleSeen = true;
    const key = `${frame.seq}:${digest(raw)}`;
    if (!d.recent.includes(key)) {
      this.handOn(d, frame, raw, this.opts.now() - f.sentAt, true, key);
      this.persist();
    }
    this.emit('warning', new MaraError('EPAYLOAD', `${d.cfg.name}: stale replay SEQ 0x${frame.seq.toString(16)} for request 0x${f.seq.toString(16)}`));
  }

  private failAttempt(f: InFlight, why: 'timeout' | 'bad'): void {
    this.finishInFlight(f, null);
    if (f.item.kind === 'command') {
      const c = f.item.cmd;
      if (c.retriesLeft-- > 0) this.commands.unshift(f.item);
      else this.settle(c, new MaraError('ETIMEOUT', `no valid answer from ${f.address} to command 0x${f.cmd.toString(16)}`));
      this.next();
      return;
    }
    const d = f.item.dev;
    if (why === 'timeout') d.stats.timeouts++;
    if (f.staleSeen) {
      // answered only by replays: retransmit once, then advance so the device builds a new reply
      if (++d.staleAttempts >= 2) {
        d.staleAttempts = 0;
        d.attempts = 0;
        d.seq = nextSeq(f.seq);
        d.stats.seq = d.seq;
        this.persist();
      }
      this.enqueuePoll(d, true);
      this.next();
      return;
    }
    d.stats.consecutiveFailures++;
    if (++d.attempts <= d.cfg.retries) {
      // retry with the same SEQ behind the polls already due, so a dead device costs the others at most one timeout per cycle
      this.enqueuePoll(d);
    } else {
      d.attempts = 0;
      const wasOnline = d.stats.online !== false;
      const interval = wasOnline ? d.cfg.pollIntervalMs : d.stats.intervalMs * 2;
      d.stats.intervalMs = Math.min(Math.max(interval, d.cfg.pollIntervalMs), Math.max(this.opts.offlineMaxIntervalMs, d.cfg.pollIntervalMs));
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
    } catch (e) {
      this.emit('warning', e as Error);
    }
  }

  // ---------------------------------------------------------------- PEH and commands

  /** A PEH carries the SEQ of the last poll sent, so no slave mistakes the next poll for a retransmission [§6.2]. */
  private sendPeh(): void {
    const seq = this.lastPollSeq ?? SEQ_PEH_DEFAULT;
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
        timeoutMs: positive('timeoutMs', opts.timeoutMs, dev?.cfg.timeoutMs ?? 1000),
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
        opts.signal.addEventListener('abort', cmd.onAbort, { once: true });
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

  private settle(c: Command, err: Error | null, frame: MaraFrame | null = null): void {
    if (c.signal && c.onAbort) c.signal.removeEventListener('abort', c.onAbort);
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
    if (t) (interval ? clearInterval : clearTimeout)(t);
    this[name] = null;
  }
}

function digest(raw: Buffer): string {
  return createHash('sha1').update(raw).digest('base64').slice(0, 16);
}

function checkByte(name: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255)
    throw new MaraError('EINVAL', `${name} must be an integer 0-255, got ${String(v)}`);
}

function positive(name: string, v: unknown, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new MaraError('EINVAL', `${name} must be a positive number, got ${String(v)}`);
  return v;
}

function count(name: string, v: unknown, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 100) throw new MaraError('EINVAL', `${name} must be an integer 0-100, got ${String(v)}`);
  return v;
}
