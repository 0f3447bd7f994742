import type { MaraFrame } from '../mara';
import type { MaraError } from '../mara/errors';
import type { StateStore } from './state-store';
import type { Timers } from './timers';
import type { Transport } from './transport';

/** One device (a COMaster or an IED) polled on the line [docs/protocol.md §7.2]. */
export interface DeviceConfig {
  address: number;
  name?: string;
  /** Poll interval in ms (default 5000, docs/protocol.md §7.1). */
  pollIntervalMs?: number;
  /** Response timeout in ms (default 1000). */
  timeoutMs?: number;
  /** Retransmissions with the same SEQ before the device is offline (default 3, docs/protocol.md §7.2). */
  retries?: number;
}

export interface MasterOptions {
  /** Makes a new transport for each connection attempt. */
  transport: () => Transport;
  devices: DeviceConfig[];
  /** Our own address (default 0x40). */
  masterAddress?: number;
  /** Bound of the request queue (default 100). */
  maxQueue?: number;
  /** PEH period in ms (default 1 h); 0 = never. */
  pehIntervalMs?: number;
  /** Send a PEH as soon as the line connects (default true). */
  pehOnConnect?: boolean;
  /** PEH carries UTC fields instead of this process's local time (default false: Mara time is local civil time). */
  utc?: boolean;
  /** SEQ persistence (default: memory only); a write-ahead store (the journal) records each reply before it is acknowledged. */
  store?: StateStore;
  /** Write-ahead: how long a device whose reply could not be recorded waits before it is asked again (default 1 s, at least its poll interval). */
  storeRetryMs?: number;
  /** Reconnect back-off (default 1 s to 30 s, ±20 %). */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Slowest poll rate of an offline device (default 60 s). */
  offlineMaxIntervalMs?: number;
  /** Serial: drop a partial frame after this silence (default: 5 character times, at least 20 ms). */
  interByteTimeoutMs?: number;
  /** Poll again at once when a reply carries this many events (default 10, docs/protocol.md §5.2); 0 = off. */
  drainEvents?: number;
  /** Close a TCP link when every device on it is offline, and reconnect (docs/protocol.md §7.1; default true). */
  reconnectWhenAllOffline?: boolean;
  /**
   * The recovery rule's bound in ms (default 2000): after a link or device comes back, its first good reply
   * comes within one poll interval + this, whatever the back-off state (the reconnect back-off and the
   * offline probing are capped accordingly).
   */
  recoveryMs?: number;
  /** Clock, for tests. */
  now?: () => number;
  /** Timers and clock the master runs on (default Node's); `now`, when given, still wins for the clock. */
  timers?: Timers;
}

/** Longest delay Node's timers honour (2^31 − 1 ms, 24.8 days); longer times are refused with EINVAL. */
export const TIMER_MAX_MS = 2 ** 31 - 1;

/** Whether the line's SEQ state reaches its store (a failed save, or a state file that could not be read). */
export interface PersistenceState {
  ok: boolean;
  error?: Error;
  at?: number;
  /** The store is write-ahead (the journal) and failed: replies are not acknowledged until it works again. */
  holding?: boolean;
}

export type LinkStateName = 'stopped' | 'connecting' | 'connected' | 'waiting';

export interface LinkState {
  state: LinkStateName;
  /** While waiting: ms until the next connection attempt. */
  retryInMs?: number;
  /** Why the link is not connected. */
  error?: Error;
}

/** An accepted 0x10 reply, handed on exactly once. */
export interface PollResult {
  address: number;
  name: string;
  frame: MaraFrame;
  raw: Buffer;
  seq: number;
  /** From the request's first byte written to the reply's last byte received. */
  rttMs: number;
  /** A replay with another SEQ that had not been handed on before (docs/protocol.md §7.3 step 5, see README). */
  stale: boolean;
  at: number;
}

export interface DeviceStats {
  address: number;
  name: string;
  /** null until the first exchange ends. */
  online: boolean | null;
  seq: number;
  requests: number;
  replies: number;
  timeouts: number;
  /** Corrupted answers (EBCC / EPAYLOAD) while waiting for this device. */
  badFrames: number;
  staleReplays: number;
  /** Replays of replies already handed on, acknowledged without being emitted again. */
  duplicates: number;
  events: number;
  /** Replies not acknowledged because the write-ahead store could not record them (the device sends them again). */
  heldBack: number;
  lastRttMs: number | null;
  lastOkAt: number | null;
  consecutiveFailures: number;
  /** Current poll interval (grows while offline). */
  intervalMs: number;
}

export interface LineStats {
  state: LinkStateName;
  description: string;
  connects: number;
  requests: number;
  replies: number;
  timeouts: number;
  bccErrors: number;
  payloadErrors: number;
  staleReplays: number;
  /** Bytes discarded as noise by the reassembler. */
  noiseBytes: number;
  /** Valid frames not answering the request in flight. */
  unexpected: number;
  bytesIn: number;
  bytesOut: number;
  pehs: number;
  queue: number;
  maxQueue: number;
  queueDropped: number;
  lastRttMs: number | null;
  lastOkAt: number | null;
  devices: DeviceStats[];
}

export interface DeviceChange {
  address: number;
  name: string;
  online: boolean;
  at: number;
  /** Why it went offline. */
  reason?: string;
}

export interface RequestOptions {
  /** Response timeout (default: the device's, else 1000 ms). */
  timeoutMs?: number;
  /** Retransmissions on timeout (default 0 for commands). */
  retries?: number;
  /** Whether an answer is due (default: not for broadcasts, 0x12 PEH, 0x05 restart, 0x0C/0x0D). */
  expectReply?: boolean;
  signal?: AbortSignal;
}

export interface CommandRequest {
  address: number;
  cmd: number;
  data?: ArrayLike<number> | Buffer;
}

export interface MasterEvents {
  state: [LinkState];
  reply: [PollResult];
  device: [DeviceChange];
  peh: [{ raw: Buffer; seq: number; at: number }];
  /** A frame that arrived while nothing waited for it. */
  unsolicited: [MaraFrame];
  /** The state store started or stopped working (emitted once per change). */
  persistence: [PersistenceState];
  /** Something a log should show once: a corrupted frame, a stale replay… */
  warning: [MaraError | Error];
}
