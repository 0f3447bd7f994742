/**
 * PointMapper: decoded 0x10 replies → the points of a project whose value or quality changed (spec
 * docs/protocol.md §8), plus digital/energy events mapped to their points and COMSYS events. Pure: no I/O, no Node-RED,
 * no timers; time comes from `at` or `opts.clock`.
 *
 * Values (docs/protocol.md §8, docs/formulas.md §1.2, docs/formulas.md §2.8):
 *  - DI `value` = bit XOR maskinv (0/1).
 *  - AI `value` = the RAW 12-bit count, because that is what formulas read as `ai.TAG.value` (they
 *    multiply by `ai.TAG.escala` themselves); the record also carries `escala` and `eng` = raw × escala,
 *    the engineering value for dashboards and MQTT, and `raw` = the 16-bit word as received (its bits
 *    15-14 are the field's own qualifier).
 *  - SV `value` = the byte (or the bit, for a byte the workbook splits into bit rows).
 *  - `q` is the Mara qualifier that formulas read as `ai.TAG.q`: the AI word's bits 15-14, forced to 1
 *    when the point is invalid for lack of communication (COMaster offline, IED CalifNoResp) as the
 *    design asks (docs/protocol.md §8.2 "all AIs of that IED get q = 1", docs/formulas.md §1.2); 0 for DIs and SVs otherwise.
 *  - `quality`: IEC 61850 validity, see ./quality.ts for the rules.
 *
 * Output order of one reply: the reply's digital and energy events first, in reply order (they are
 * history), then the state changes (DIs, AIs, SVs in configuration order), which reflect the latest
 * state. Events never change the stored state: a DI whose event says 1 and whose bit says 1 gives an
 * event record and, if it was 0 before, a state change too.
 */
import type { ComsysEvent, DigitalEvent, EnergyEvent, MaraEvent } from '../mara/events';
import { MaraError } from '../mara/errors';
import { MaraTime, timeToDate } from '../mara/time';
import { Layout, LayoutMode, MAX_EVENT_ADDR, TABLE_AI, TableRow, diEventKey, energyKey, layoutFromModel, layoutFromTable } from './mapping-layout';
import type { PointTable, ProjectModel } from '../project/model';
import { Q_GOOD, Q_INVALID, Q_NONE, Q_QUESTIONABLE, QUALITY_NAMES, Quality, SV_FLAG, aiQualityCode, clockNotSynchronized, comsysMeaning } from './quality';

export type { TableRow, LayoutMode } from './mapping-layout';
export type { Quality } from './quality';

export interface MapperOptions {
  /** Id of the COMaster this line serves; default the model's first (or only) one. */
  comaster?: string;
  /** Milliseconds since the epoch, for records without an explicit `at`; default Date.now. */
  clock?: () => number;
  /** 'zip' (default, docs/protocol.md §8.1) or 'blocks' (each IED zipped with its own block; see mapping-layout.ts). */
  layout?: LayoutMode;
  /**
   * What an IED clock without PEH (SV PrimeraPeH = 0) or out of tolerance does: 'flag' (default) marks
   * its events `clockNotSynchronized`; 'questionable' also makes its events and its DI/AI values
   * questionable.
   */
  unsyncedClock?: 'flag' | 'questionable';
  /** Read event times as UTC instead of this process's local zone (Mara sends local civil time). */
  utc?: boolean;
}

interface ChangeBase {
  tag: string;
  table: PointTable;
  /** Device (IED) id; '' when a table row names none. */
  device: string;
  q: number;
  quality: Quality;
  /** Milliseconds since the epoch: the reply's time for states, the field time for events. */
  ts: number;
}

/** A point whose value or quality changed (or every point, on `offline()`). */
export interface StateChange extends ChangeBase {
  kind: 'state';
  value: number;
  /** AI only: the 16-bit word as received. */
  raw?: number;
  /** AI only: engineering value = value × escala. */
  eng?: number;
  escala?: number;
}

interface EventBase extends ChangeBase {
  event: true;
  /** RS-485 address the event names. */
  address: number;
  /** The event's time was impossible (e.g. 2000-00-00 from an unsynchronised clock): `ts` is the reply's time. */
  timeInvalid: boolean;
  /** The IED's last SV flags say its clock never got a PEH or is out of tolerance. */
  clockNotSynchronized: boolean;
}

/** A digital event of a configured DI: `value` = state XOR maskinv, `q` = the event's CALIF bit. */
export interface DigitalEventChange extends EventBase {
  kind: 'event';
  table: 'di';
  value: number;
  mara: DigitalEvent;
}

/** An energy event of a configured AI; it does not change the AI's value. */
export interface EnergyChange extends EventBase {
  kind: 'energy';
  table: 'ai';
  /** pulses × escalaE, or the pulses when the AI has no escalaE. */
  energy: number;
  pulses: number;
  escalaE: number | null;
  /** CODE: 0 a 15-minute period, 1 the last period of the day, 3 the daily register (docs/protocol.md §5.6.2). */
  code: number;
  channel: number;
  mara: EnergyEvent;
}

export type PointChange = StateChange | DigitalEventChange | EnergyChange;

/** A COMSYS event (docs/protocol.md §5.6.4, docs/protocol.md §8.4). */
export interface ComsysRecord {
  kind: 'comsys';
  address: number;
  /** Device id of that address, null when no device of this COMaster has it. */
  device: string | null;
  code: number;
  motiv: number;
  meaning: string;
  ts: number;
  timeInvalid: boolean;
  clockNotSynchronized: boolean;
  mara: ComsysEvent;
}

export type UnmappedReason = 'unknown-address' | 'unknown-point' | 'unknown-channel' | 'reserved-type' | 'unknown-type';

/** An event that names no configured point (docs/protocol.md §7.3 rule 7: accepted and flagged, never thrown). */
export interface UnmappedEvent {
  /** Position in the reply's events. */
  index: number;
  type: string;
  address: number;
  reason: UnmappedReason;
  detail: string;
  event: MaraEvent;
}

export interface ApplyResult {
  changes: PointChange[];
  comsys: ComsysRecord[];
  unmapped: UnmappedEvent[];
}

/** The current state of one point (`snapshot()`, `get()`); value/ts null until the first reply. */
export interface PointState {
  tag: string;
  table: PointTable;
  device: string;
  value: number | null;
  q: number;
  quality: Quality;
  ts: number | null;
  raw?: number | null;
  eng?: number | null;
  escala?: number;
}

/** A decoded 0x10 reply: `frame.reply`, the mara-poll payload, or a whole decoded frame. */
export interface ReplyInput {
  sv?: ArrayLike<number>;
  /** DI bytes (bit n of the block = bit n%8 of byte n/8); preferred when present. */
  di?: ArrayLike<number>;
  diBits?: ArrayLike<boolean | number>;
  /** AI words: `{raw}` (or `{value, q}`) as decoded, or plain 16-bit numbers. */
  ai?: ArrayLike<{ raw?: number; value?: number; q?: number } | number>;
  events?: ArrayLike<MaraEvent>;
  /** A whole MaraFrame: its `reply` is used. */
  reply?: ReplyInput;
}

export interface MapperStats {
  replies: number;
  stateChanges: number;
  events: number;
  comsys: number;
  unmapped: number;
  /** Times the COMaster went offline (online → offline transitions). */
  offline: number;
}

const EMPTY: never[] = [];
const LAYOUT = Symbol('layout');
type ModelInput = Pick<ProjectModel, 'comasters' | 'devices' | 'points'>;

export class PointMapper {
  /** Id of the COMaster served ('' for a table mapper). */
  readonly comaster: string;
  /** Configuration oddities found when building (never fatal): shifted zips, ambiguous events… */
  readonly problems: readonly string[];
  readonly stats: MapperStats = { replies: 0, stateChanges: 0, events: 0, comsys: 0, unmapped: 0, offline: 0 };

  private readonly L: Layout;
  private readonly clock: () => number;
  private readonly strictClock: boolean;
  private readonly utc: boolean;
  private online = true;
  // state per slot
  private readonly val: Int32Array;
  private readonly qq: Uint8Array;
  private readonly qual: Uint8Array;
  private readonly raw: Int32Array;
  private readonly ts: Float64Array;
  // flags per device (+1: the "no device" index, always clear)
  private readonly devNoResp: Uint8Array;
  private readonly devClock: Uint8Array;
  private readonly byTag = new Map<string, number>();

  constructor(model: ModelInput, opts: MapperOptions = {}) {
    const pre = (model as { [LAYOUT]?: Layout } | null)?.[LAYOUT];
    const L = pre ?? layoutFromModel(model, { comaster: opts.comaster, layout: opts.layout });
    if (opts.clock !== undefined && typeof opts.clock !== 'function') throw new MaraError('EINVAL', 'opts.clock must be a function');
    if (opts.unsyncedClock !== undefined && opts.unsyncedClock !== 'flag' && opts.unsyncedClock !== 'questionable')
      throw new MaraError('EINVAL', `opts.unsyncedClock must be 'flag' or 'questionable', got ${String(opts.unsyncedClock)}`);
    this.L = L;
    this.comaster = L.comaster;
    this.problems = L.problems;
    this.clock = opts.clock ?? Date.now;
    this.strictClock = opts.unsyncedClock === 'questionable';
    this.utc = !!opts.utc;
    const n = L.slots.length;
    this.val = new Int32Array(n);
    this.qq = new Uint8Array(n);
    this.qual = new Uint8Array(n); // Q_NONE
    this.raw = new Int32Array(n);
    this.ts = new Float64Array(n);
    this.devNoResp = new Uint8Array(L.devices.length + 1);
    this.devClock = new Uint8Array(L.devices.length + 1);
    L.slots.forEach((s, i) => {
      const k = `${s.table}.${s.tag}`;
      if (!this.byTag.has(k)) this.byTag.set(k, i);
    });
  }

  /**
   * A mapper without a workbook: each row names its position in the reply (DI bit, AI word, SV byte).
   * Events map only for rows that give `address` (+ `port`/`bit` for DIs, `channel` for AIs); there are
   * no IED blocks, so SV flags (CalifNoResp, clock) are not interpreted.
   */
  static fromTable(rows: readonly TableRow[], opts: Omit<MapperOptions, 'comaster' | 'layout'> = {}): PointMapper {
    const model = { comasters: [], devices: [], points: [], [LAYOUT]: layoutFromTable(rows) };
    return new PointMapper(model, opts);
  }

  /** Number of mapped points. */
  get size(): number {
    return this.L.slots.length;
  }

  /** Whether the COMaster is considered online (false after `offline()` until the next `apply()`). */
  get isOnline(): boolean {
    return this.online;
  }

  /** The reply's events (mapped) then the points whose value or quality changed. */
  apply(reply: ReplyInput, at?: number): PointChange[] {
    return this.run(reply, at, null, null);
  }

  /** `apply()` plus the COMSYS events and the events that name no configured point. */
  applyFull(reply: ReplyInput, at?: number): ApplyResult {
    const comsys: ComsysRecord[] = [];
    const unmapped: UnmappedEvent[] = [];
    const changes = this.run(reply, at, comsys, unmapped);
    return { changes, comsys, unmapped };
  }

  /**
   * The COMaster stopped answering: every point that is not already invalid, once, with quality
   * 'invalid' and q = 1 (its last value kept). The next `apply()` reports every point whose quality
   * comes back, even if its value did not change.
   */
  offline(at?: number): StateChange[] {
    const t = at ?? this.clock();
    if (this.online) this.stats.offline++; // transitions, not calls
    this.online = false;
    const out: StateChange[] = [];
    const { qual, qq, ts } = this;
    for (let s = 0; s < qual.length; s++) {
      const g = qual[s];
      if (g === Q_NONE || g === Q_INVALID) continue; // never received reads as invalid already
      qual[s] = Q_INVALID;
      qq[s] = 1;
      ts[s] = t;
      out.push(this.stateRecord(s));
    }
    this.stats.stateChanges += out.length;
    return out;
  }

  /**
   * Takes over the last known state of points (another mapper's `snapshot()`, e.g. before a workbook
   * reload) for the points of this one with the same table and tag; points never read stay so. Returns
   * how many were taken. The next reply then reports only real changes, and `snapshot()` the last values.
   */
  restore(states: readonly PointState[], online = true): number {
    let n = 0;
    for (const st of states) {
      if (!st || typeof st.value !== 'number' || typeof st.tag !== 'string') continue;
      const s = this.byTag.get(`${st.table}.${st.tag}`);
      if (s === undefined) continue;
      this.val[s] = st.value | 0;
      this.qq[s] = (st.q ?? 0) & 3;
      this.qual[s] = st.quality === 'good' ? Q_GOOD : st.quality === 'questionable' ? Q_QUESTIONABLE : Q_INVALID;
      this.ts[s] = typeof st.ts === 'number' ? st.ts : 0;
      if (typeof st.raw === 'number') this.raw[s] = st.raw & 0xffff;
      n++;
    }
    this.online = online;
    return n;
  }

  /** The current state of every point, in configuration order (DIs, AIs, SVs). */
  snapshot(): PointState[] {
    const out = new Array<PointState>(this.L.slots.length);
    for (let s = 0; s < out.length; s++) out[s] = this.stateOf(s);
    return out;
  }

  /** The current state of one point. */
  get(table: PointTable, tag: string): PointState | undefined {
    const s = this.byTag.get(`${table}.${tag}`);
    return s === undefined ? undefined : this.stateOf(s);
  }

  // -------------------------------------------------------------------------------------------

  private stateOf(s: number): PointState {
    const info = this.L.slots[s];
    const known = this.qual[s] !== Q_NONE;
    const st: PointState = {
      tag: info.tag,
      table: info.table,
      device: info.device,
      value: known ? this.val[s] : null,
      q: this.qq[s],
      quality: QUALITY_NAMES[this.qual[s]],
      ts: known ? this.ts[s] : null,
    };
    if (info.tableCode === TABLE_AI) {
      st.raw = known ? this.raw[s] : null;
      st.eng = known ? this.val[s] * info.escala : null;
      st.escala = info.escala;
    }
    return st;
  }

  private stateRecord(s: number): StateChange {
    const info = this.L.slots[s];
    const v = this.val[s];
    if (info.tableCode === TABLE_AI)
      return {
        kind: 'state',
        tag: info.tag,
        table: info.table,
        device: info.device,
        value: v,
        q: this.qq[s],
        quality: QUALITY_NAMES[this.qual[s]],
        ts: this.ts[s],
        raw: this.raw[s],
        eng: v * info.escala,
        escala: info.escala,
      };
    return {
      kind: 'state',
      tag: info.tag,
      table: info.table,
      device: info.device,
      value: v,
      q: this.qq[s],
      quality: QUALITY_NAMES[this.qual[s]],
      ts: this.ts[s],
    };
  }

  /** Instant of an event time; NaN when impossible or missing. */
  private eventTs(t: MaraTime | undefined): number {
    if (t === null || typeof t !== 'object') return NaN;
    return timeToDate(t, { utc: this.utc }).getTime();
  }

  private run(input: ReplyInput, at: number | undefined, comsys: ComsysRecord[] | null, unmapped: UnmappedEvent[] | null): PointChange[] {
    if (input === null || typeof input !== 'object') throw new MaraError('EINVAL', 'apply() expects a decoded 0x10 reply {sv, di/diBits, ai, events}');
    const r: ReplyInput = input.reply && typeof input.reply === 'object' ? input.reply : input;
    const t = at ?? this.clock();
    const L = this.L;
    const { val, qq, qual, raw, ts, devNoResp, devClock } = this;
    const strict = this.strictClock;
    const out: PointChange[] = [];
    this.online = true;
    this.stats.replies++;

    // 1. per-IED flags from the first SV byte of each block (docs/protocol.md §8.5)
    const sv = r.sv ?? EMPTY;
    const svLen = sv.length;
    const devs = L.devices;
    for (let d = 0; d < devs.length; d++) {
      const p = devs[d].svStart;
      if (p >= 0 && p < svLen) {
        const f = sv[p];
        devNoResp[d] = !devs[d].own && (f & SV_FLAG.CALIF_NO_RESP) !== 0 ? 1 : 0;
        devClock[d] = clockNotSynchronized(f) ? 1 : 0;
      } else {
        devNoResp[d] = 0;
        devClock[d] = 0;
      }
    }

    // 2. events, in reply order
    const events = r.events ?? EMPTY;
    for (let k = 0; k < events.length; k++) {
      const ev = events[k];
      if (ev === null || typeof ev !== 'object') continue;
      const addr = ev.addr;
      const addrOk = Number.isInteger(addr) && addr >= 0 && addr <= MAX_EVENT_ADDR;
      const dev = addrOk ? L.devByAddr[addr] : -1;
      const clockBad = dev >= 0 && devClock[dev] === 1;
      switch (ev.type) {
        case 'digital': {
          const i = addrOk && ev.port >= 0 && ev.port <= 7 && ev.bit >= 0 && ev.bit <= 15 ? L.diByEvent[diEventKey(addr, ev.port, ev.bit)] : -1;
          if (i < 0) {
            this.stats.unmapped++;
            if (unmapped)
              unmapped.push({
                index: k,
                type: ev.type,
                address: addr,
                event: ev,
                reason: dev < 0 ? 'unknown-address' : 'unknown-point',
                detail: dev < 0 ? `no device with address ${addr}` : `no DI at address ${addr} port ${ev.port} bit ${ev.bit}`,
              });
            break;
          }
          const s = L.diSlot[i];
          const info = L.slots[s];
          const et = this.eventTs(ev.time);
          const calif = ev.calif ? 1 : 0;
          const change: DigitalEventChange = {
            kind: 'event',
            event: true,
            tag: info.tag,
            table: 'di',
            device: info.device,
            address: addr,
            value: (ev.state & 1) ^ L.diMask[i],
            q: calif,
            quality: calif || (strict && clockBad) ? 'questionable' : 'good',
            ts: et === et ? et : t,
            timeInvalid: et !== et,
            clockNotSynchronized: clockBad,
            mara: ev,
          };
          out.push(change);
          this.stats.events++;
          break;
        }
        case 'energy': {
          const s = addrOk && ev.channel >= 0 && ev.channel <= 7 ? L.aiByEnergy[energyKey(addr, ev.channel)] : -1;
          if (s < 0) {
            this.stats.unmapped++;
            if (unmapped)
              unmapped.push({
                index: k,
                type: ev.type,
                address: addr,
                event: ev,
                reason: dev < 0 ? 'unknown-address' : 'unknown-channel',
                detail: dev < 0 ? `no device with address ${addr}` : `no AI at address ${addr} channel ${ev.channel}`,
              });
            break;
          }
          const info = L.slots[s];
          const et = this.eventTs(ev.time);
          const calif = ev.calif ? 1 : 0;
          const change: EnergyChange = {
            kind: 'energy',
            event: true,
            tag: info.tag,
            table: 'ai',
            device: info.device,
            address: addr,
            energy: info.escalaE === null ? ev.value : ev.value * info.escalaE,
            pulses: ev.value,
            escalaE: info.escalaE,
            code: ev.code,
            channel: ev.channel,
            q: calif,
            quality: calif || (strict && clockBad) ? 'questionable' : 'good',
            ts: et === et ? et : t,
            timeInvalid: et !== et,
            clockNotSynchronized: clockBad,
            mara: ev,
          };
          out.push(change);
          this.stats.events++;
          break;
        }
        case 'comsys': {
          this.stats.comsys++;
          if (dev < 0) {
            this.stats.unmapped++;
            if (unmapped)
              unmapped.push({
                index: k,
                type: ev.type,
                address: addr,
                event: ev,
                reason: 'unknown-address',
                detail: `no device with address ${addr} (still reported in comsys)`,
              });
          }
          if (comsys) {
            const et = this.eventTs(ev.time);
            comsys.push({
              kind: 'comsys',
              address: addr,
              device: dev >= 0 ? devs[dev].id : null,
              code: ev.code,
              motiv: ev.motiv,
              meaning: comsysMeaning(ev.code, ev.motiv),
              ts: et === et ? et : t,
              timeInvalid: et !== et,
              clockNotSynchronized: clockBad,
              mara: ev,
            });
          }
          break;
        }
        default: {
          const type = String((ev as { type?: unknown }).type);
          this.stats.unmapped++;
          if (unmapped)
            unmapped.push({
              index: k,
              type,
              address: addr,
              event: ev,
              reason: type === 'idle' ? 'reserved-type' : 'unknown-type',
              detail: type === 'idle' ? 'type 2 (IDLE) events are reserved (docs/protocol.md §5.6.3)' : `unknown event type ${type}`,
            });
        }
      }
    }
    const nEvents = out.length;

    // 3. DIs: bit n of the DI block, LSB first (docs/protocol.md §5.3), XOR maskinv
    const diBytes = r.di;
    const useBytes = diBytes !== undefined && diBytes !== null && diBytes.length > 0;
    const diBits = useBytes ? EMPTY : (r.diBits ?? EMPTY);
    const nBits = useBytes ? diBytes.length * 8 : diBits.length;
    const { diPos, diSlot, diMask, diDev } = L;
    for (let i = 0; i < diPos.length; i++) {
      const p = diPos[i];
      if (p < 0 || p >= nBits) continue;
      const bit = useBytes ? (diBytes[p >> 3] >> (p & 7)) & 1 : diBits[p] ? 1 : 0;
      const v = bit ^ diMask[i];
      const d = diDev[i];
      let g: number;
      let q = 0;
      if (devNoResp[d]) {
        g = Q_INVALID;
        q = 1;
      } else g = strict && devClock[d] ? Q_QUESTIONABLE : Q_GOOD;
      const s = diSlot[i];
      if (val[s] !== v || qual[s] !== g || qq[s] !== q) {
        val[s] = v;
        qual[s] = g;
        qq[s] = q;
        ts[s] = t;
        out.push(this.stateRecord(s));
      }
    }

    // 4. AIs: 12-bit count and 2-bit qualifier (docs/protocol.md §5.4)
    const ai = r.ai ?? EMPTY;
    const { aiPos, aiSlot, aiDev } = L;
    for (let i = 0; i < aiPos.length; i++) {
      const p = aiPos[i];
      if (p < 0 || p >= ai.length) continue;
      const a = ai[p];
      let w: number;
      if (typeof a === 'number') w = a;
      else if (a !== null && typeof a === 'object') w = typeof a.raw === 'number' ? a.raw : (((a.q ?? 0) & 3) << 14) | ((a.value ?? 0) & 0x0fff);
      else continue;
      w &= 0xffff;
      const v = w & 0x0fff;
      let q = w >>> 14;
      const d = aiDev[i];
      let g: number;
      if (devNoResp[d]) {
        g = Q_INVALID;
        q = 1;
      } else {
        g = aiQualityCode(q);
        if (g === Q_GOOD && strict && devClock[d]) g = Q_QUESTIONABLE;
      }
      const s = aiSlot[i];
      if (val[s] !== v || qual[s] !== g || qq[s] !== q) {
        val[s] = v;
        qual[s] = g;
        qq[s] = q;
        raw[s] = w;
        ts[s] = t;
        out.push(this.stateRecord(s));
      } else raw[s] = w;
    }

    // 5. SVs: the byte, or one bit of it. They are the COMaster's bookkeeping of the IED (it zeroes a
    //    silent IED's block itself), so CalifNoResp does not make them invalid.
    const { svPos, svSlot, svBit } = L;
    for (let i = 0; i < svPos.length; i++) {
      const p = svPos[i];
      if (p < 0 || p >= svLen) continue;
      const b = svBit[i];
      const v = b < 0 ? sv[p] & 0xff : (sv[p] >> b) & 1;
      const s = svSlot[i];
      if (val[s] !== v || qual[s] !== Q_GOOD || qq[s] !== 0) {
        val[s] = v;
        qual[s] = Q_GOOD;
        qq[s] = 0;
        ts[s] = t;
        out.push(this.stateRecord(s));
      }
    }
    this.stats.stateChanges += out.length - nEvents;
    return out;
  }
}
