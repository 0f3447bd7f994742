/**
 * One line, every device on it: which workbook COMaster a line serves (`pickComaster`), and a mapper that places
 * each reply by the address that sent it (`LineMapper`), built on PointMapper.
 *
 * Two ways a line reaches its IEDs, both in the workbook as a COMaster with its IED rows:
 *  - concentrator: the line polls the COMaster, whose reply carries the blocks of all its IEDs in IED order
 *    (docs/protocol.md §5.2, docs/protocol.md §8.1): mapped by one PointMapper over the whole COMaster;
 *  - direct (multi-drop RS-485, or a serial-to-Ethernet converter): the line polls each IED at its RS-485
 *    address, and the reply carries that IED's blocks alone: mapped by a PointMapper over that IED only.
 * `poll: 'auto'` (default) tells them apart per reply by its block sizes against the workbook's can_varsys /
 * can_dis / can_ais; a reply it cannot place is reported with its address, never mapped onto other points.
 */
import { MaraError } from '../mara/errors';
import { ApplyResult, ComsysRecord, MapperOptions, PointChange, PointMapper, PointState, ReplyInput, StateChange, UnmappedEvent } from './mapping';
import type { Comaster, Device, PointTable, ProjectModel } from '../project/model';

type ModelInput = Pick<ProjectModel, 'comasters' | 'devices' | 'points'>;

/** Mara addresses are one byte (docs/protocol.md §2). */
const MAX_ADDRESS = 255;

/** What the line knows about itself: its TCP host/port (none for a serial line) and the addresses it polls. */
export interface LineInfo {
  host?: string | null;
  port?: number | null;
  addresses?: readonly number[];
}

export interface ComasterCandidate {
  id: string;
  host: string;
  port: number | null;
  enabled: boolean;
  /** RS-485 addresses of its IED rows, in IED order. */
  addresses: number[];
  row: number | null;
}

export type ComasterPickCode = 'ENOCOMASTER' | 'EUNKNOWN' | 'EDISABLED' | 'EAMBIGUOUS' | 'ENOMATCH';

export type ComasterPick =
  | { ok: true; comaster: string; reason: string; choices: ComasterCandidate[] }
  | { ok: false; code: ComasterPickCode; message: string; choices: ComasterCandidate[] };

/** The workbook's COMasters as choices (from the devices when the model has no comaster rows). */
export function comasterChoices(model: Pick<ModelInput, 'comasters' | 'devices'>): ComasterCandidate[] {
  const devices = Array.isArray(model.devices) ? model.devices : [];
  // one pass over the devices (a workbook may have many COMasters and IEDs)
  const per = new Map<string, Device[]>();
  for (const d of devices) {
    if (!d || typeof d.comaster !== 'string') continue;
    const l = per.get(d.comaster);
    if (l) l.push(d);
    else per.set(d.comaster, [d]);
  }
  const addrs = (id: string) =>
    (per.get(id) ?? [])
      .slice()
      .sort((a, b) => a.offset - b.offset)
      .map((d) => d.address);
  const rows: Comaster[] = Array.isArray(model.comasters) ? model.comasters.filter((c) => c && typeof c.id === 'string') : [];
  if (rows.length)
    return rows.map((c) => ({ id: c.id, host: c.host ?? '', port: c.port ?? null, enabled: c.enabled !== false, addresses: addrs(c.id), row: c.row ?? null }));
  return [...per.keys()].map((id) => ({ id, host: '', port: null, enabled: true, addresses: addrs(id), row: null }));
}

function describe(c: ComasterCandidate): string {
  const where = c.host ? `${c.host}${c.port ? `:${c.port}` : ''}` : 'no host';
  return `${c.id} (${where}${c.enabled ? '' : ', disabled'}, IED addresses ${c.addresses.join(',') || 'none'})`;
}

function fail(code: ComasterPickCode, why: string, choices: ComasterCandidate[]): ComasterPick {
  return { ok: false, code, choices, message: `${why}; the workbook's COMasters: ${choices.map(describe).join('; ') || 'none'}` };
}

/**
 * The workbook COMaster a line serves. An explicit `comaster` wins (it must exist). Otherwise, among the
 * enabled COMasters: the one at the line's host (and port), then the one whose IED rows hold every address the
 * line polls (an exact set first), then the only one. A disabled COMaster is never chosen unless named. When
 * that leaves none or several, a coded failure whose message names every choice.
 */
export function pickComaster(model: Pick<ModelInput, 'comasters' | 'devices'>, opts: LineInfo & { comaster?: string | null } = {}): ComasterPick {
  const all = comasterChoices(model);
  if (!all.length) return fail('ENOCOMASTER', 'the workbook has no COMaster', all);
  if (opts.comaster !== undefined && opts.comaster !== null && opts.comaster !== '') {
    const c = all.find((x) => x.id === String(opts.comaster));
    if (!c) return fail('EUNKNOWN', `COMaster ${String(opts.comaster)} is not in the workbook`, all);
    return { ok: true, comaster: c.id, reason: `COMaster ${c.id} as configured${c.enabled ? '' : ' (disabled in the workbook)'}`, choices: all };
  }
  let cands = all.filter((c) => c.enabled);
  const disabled = all.filter((c) => !c.enabled);
  if (!cands.length) return fail('EDISABLED', 'every COMaster of the workbook is disabled: name one to use it', all);
  const reasons: string[] = [];

  const host = typeof opts.host === 'string' ? opts.host.trim().toLowerCase() : '';
  if (host) {
    const at = (list: ComasterCandidate[]) => list.filter((c) => c.host.trim().toLowerCase() === host && (!opts.port || !c.port || c.port === opts.port));
    const hit = at(cands);
    if (hit.length) {
      cands = hit;
      reasons.push(`at ${opts.host}${opts.port ? `:${opts.port}` : ''}`);
    } else if (at(disabled).length) {
      return fail(
        'EDISABLED',
        `the COMaster at ${opts.host} (${at(disabled)
          .map((c) => c.id)
          .join(', ')}) is disabled in the workbook: name it to use it`,
        all,
      );
    } else reasons.push(`no COMaster row has host ${opts.host}`);
  }
  const polled = Array.isArray(opts.addresses) ? [...new Set(opts.addresses.filter((a) => Number.isInteger(a) && a >= 0 && a <= MAX_ADDRESS))] : [];
  if (polled.length && cands.length > 1) {
    const covers = cands.filter((c) => {
      const have = new Set(c.addresses);
      return polled.every((a) => have.has(a));
    });
    const exact = covers.filter((c) => c.addresses.length === polled.length);
    const pick = exact.length ? exact : covers;
    if (pick.length) {
      cands = pick;
      reasons.push(`its IED rows hold the polled addresses ${polled.join(',')}`);
    } else return fail('ENOMATCH', `no enabled COMaster has IED rows for every polled address (${polled.join(',')})`, all);
  }
  if (cands.length === 1) {
    const c = cands[0];
    return { ok: true, comaster: c.id, reason: `COMaster ${c.id}: ${reasons.length ? reasons.join(', ') : 'the only enabled one'}`, choices: all };
  }
  return fail('EAMBIGUOUS', `${cands.length} COMasters fit this line (${cands.map((c) => c.id).join(', ')}): name one`, all);
}

export type PollMode = 'auto' | 'concentrator' | 'direct';

export interface LineMapperOptions extends Omit<MapperOptions, 'comaster'>, LineInfo {
  /** COMaster id; default pickComaster(model, line info). */
  comaster?: string | null;
  /** How the line reaches its IEDs (see the file comment); default 'auto'. */
  poll?: PollMode;
}

export type UnplacedReason = 'unknown-address' | 'invalid-address' | 'size-mismatch';

/** A reply the mapper could not place: its address, why, and how many times. */
export interface Unplaced {
  address: number;
  reason: UnplacedReason;
  detail: string;
  count: number;
}

export interface LineResult extends ApplyResult {
  address: number;
  /** What mapped it: the whole COMaster (concentrator), one IED (direct), or null (unplaced). */
  unit: { kind: 'comaster'; comaster: string } | { kind: 'device'; device: string } | null;
  unplaced?: Unplaced;
}

interface Sizes {
  sv: number;
  di: number;
  ai: number;
}

const EMPTY_RESULT = (): ApplyResult => ({ changes: [], comsys: [], unmapped: [] });

function sizesOf(r: ReplyInput): Sizes {
  const x: ReplyInput = r && typeof r === 'object' && r.reply && typeof r.reply === 'object' ? r.reply : r;
  const len = (a: unknown) => (a && typeof (a as ArrayLike<unknown>).length === 'number' ? (a as ArrayLike<unknown>).length : 0);
  const di = len(x?.di) || Math.ceil(len(x?.diBits) / 8);
  return { sv: len(x?.sv), di, ai: len(x?.ai) };
}

const declared = (d: Device): Sizes => ({ sv: d.svCount || 0, di: d.diCount || 0, ai: d.aiCount || 0 });
const same = (a: Sizes, b: Sizes) => a.sv === b.sv && a.di === b.di && a.ai === b.ai;
const fmt = (s: Sizes) => `${s.sv} SV bytes, ${s.di} DI bytes, ${s.ai} AI words`;

/**
 * Maps every device of one line by the address of each reply. `apply(address, reply)` returns the reply's
 * changes (as PointMapper.applyFull) and which unit mapped it; a reply from an address that is no IED row of the
 * line's COMaster (or, in 'auto', whose size fits neither that IED nor the whole COMaster) is placed nowhere and
 * listed in `unplaced()`.
 */
export class LineMapper {
  readonly comaster: string;
  /** Why this COMaster (pickComaster's reason). */
  readonly reason: string;
  readonly poll: PollMode;
  /** Configuration problems of the mappers (each prefixed by its unit), deduplicated. */
  readonly problems: string[];
  private readonly whole: PointMapper;
  private readonly devices: Device[];
  private readonly byAddress = new Map<number, { device: Device; mapper: PointMapper }>();
  private readonly total: Sizes;
  /** Per device id: 'c' = its current state is the concentrator mapper's, 'd' = its own mapper's. */
  private readonly source = new Map<string, 'c' | 'd'>();
  private readonly lost = new Map<string, Unplaced>();

  constructor(model: ModelInput, opts: LineMapperOptions = {}) {
    if (model === null || typeof model !== 'object' || !Array.isArray(model.devices) || !Array.isArray(model.points))
      throw new MaraError('EINVAL', 'model must have comasters, devices and points arrays');
    const poll = opts.poll ?? 'auto';
    if (poll !== 'auto' && poll !== 'concentrator' && poll !== 'direct')
      throw new MaraError('EINVAL', `poll must be 'auto', 'concentrator' or 'direct', got ${String(poll)}`);
    this.poll = poll;
    const pick = pickComaster(model, opts);
    if (!pick.ok) throw Object.assign(new MaraError('EINVAL', pick.message), { reason: pick.code, choices: pick.choices });
    this.comaster = pick.comaster;
    this.reason = pick.reason;
    const { comaster: _c, poll: _p, host: _h, port: _pt, addresses: _a, ...mapperOpts } = opts;
    const mo: MapperOptions = { ...mapperOpts, comaster: this.comaster };
    this.whole = new PointMapper(model, mo);
    this.devices = model.devices
      .map((d, i) => ({ d, i }))
      .filter((x) => x.d && x.d.comaster === this.comaster)
      .sort((a, b) => a.d.offset - b.d.offset || a.i - b.i)
      .map((x) => x.d);
    const problems = new Set<string>();
    if (poll !== 'direct') for (const p of this.whole.problems) problems.add(p);
    // this COMaster's points by device, in one pass
    const pointsOf = new Map<string, ModelInput['points']>();
    for (const p of model.points) {
      if (!p || (p.comaster !== undefined && p.comaster !== '' && p.comaster !== this.comaster)) continue;
      const l = pointsOf.get(p.device);
      if (l) l.push(p);
      else pointsOf.set(p.device, [p]);
    }
    for (const d of this.devices) {
      if (!Number.isInteger(d.address) || d.address < 0 || d.address > MAX_ADDRESS) {
        problems.add(`IED ${d.id}: RS-485 address ${String(d.address)} is not 0-${MAX_ADDRESS}: no reply can be placed on it`);
        continue;
      }
      if (this.byAddress.has(d.address)) {
        problems.add(`IEDs ${this.byAddress.get(d.address)!.device.id} and ${d.id} share RS-485 address ${d.address}: replies of that address go to the first`);
        continue;
      }
      const sub: ModelInput = {
        comasters: model.comasters,
        devices: [d],
        points: pointsOf.get(d.id) ?? [],
      };
      const mapper = new PointMapper(sub, mo);
      this.byAddress.set(d.address, { device: d, mapper });
      if (poll !== 'concentrator') for (const p of mapper.problems) problems.add(`IED ${d.id} (address ${d.address}): ${p}`);
    }
    this.problems = [...problems];
    this.total = this.devices.reduce((s, d) => ({ sv: s.sv + (d.svCount || 0), di: s.di + (d.diCount || 0), ai: s.ai + (d.aiCount || 0) }), {
      sv: 0,
      di: 0,
      ai: 0,
    });
  }

  /** Number of mapped points (the COMaster's). */
  get size(): number {
    return this.whole.size;
  }

  /** RS-485 addresses of the COMaster's IED rows, in IED order. */
  get addresses(): number[] {
    return this.devices.map((d) => d.address);
  }

  /** Maps one reply of `address` (the SRC of the reply frame, mara-poll's `payload.address`). */
  apply(address: number, reply: ReplyInput, at?: number): LineResult {
    if (reply === null || typeof reply !== 'object') throw new MaraError('EINVAL', 'apply() expects a decoded 0x10 reply {sv, di/diBits, ai, events}');
    if (!Number.isInteger(address) || address < 0 || address > MAX_ADDRESS)
      return this.unplace(Number.isFinite(address) ? address : -1, 'invalid-address', `address ${String(address)} is not 0-${MAX_ADDRESS}`, reply);
    const unit = this.unitFor(address, sizesOf(reply));
    if ('reason' in unit) return this.unplace(address, unit.reason, unit.detail, reply);
    if (unit.kind === 'comaster') {
      for (const d of this.devices) this.source.set(d.id, 'c');
      return { ...this.whole.applyFull(reply, at), address, unit: { kind: 'comaster', comaster: this.comaster } };
    }
    const e = this.byAddress.get(address)!;
    this.source.set(e.device.id, 'd');
    return { ...e.mapper.applyFull(reply, at), address, unit: { kind: 'device', device: e.device.id } };
  }

  /**
   * A device stopped answering: with the address of an IED polled directly, its points once invalid; otherwise
   * (the concentrator's address, or none) every point of the line.
   */
  offline(address?: number, at?: number): StateChange[] {
    const e = address === undefined ? undefined : this.byAddress.get(address);
    // sourceOf, not the raw record: an IED of a multi-drop line that never answered is still its own unit
    if (e && this.poll !== 'concentrator' && this.sourceOf(e.device) === 'd') return e.mapper.offline(at);
    const out: StateChange[] = [];
    const fromWhole = this.whole.offline(at);
    for (const d of this.devices) {
      if (this.sourceOf(d) === 'c') out.push(...fromWhole.filter((c) => c.device === d.id));
      else out.push(...(this.byAddress.get(d.address)?.device === d ? this.byAddress.get(d.address)!.mapper.offline(at) : []));
    }
    return out;
  }

  /** The current state of every point, device by device in IED order. */
  snapshot(): PointState[] {
    const whole = this.whole.snapshot();
    const out: PointState[] = [];
    for (const d of this.devices) {
      const own = this.byAddress.get(d.address);
      if (this.sourceOf(d) === 'd' && own && own.device === d) out.push(...own.mapper.snapshot());
      else out.push(...whole.filter((s) => s.device === d.id));
    }
    return out;
  }

  /** One point's state; SV names repeat per IED, so `device` chooses among them. */
  get(table: PointTable, tag: string, device?: string): PointState | undefined {
    for (const d of this.devices) {
      if (device !== undefined && d.id !== device) continue;
      const own = this.byAddress.get(d.address);
      if (this.sourceOf(d) === 'd' && own && own.device === d) {
        const s = own.mapper.get(table, tag);
        if (s) return s;
      } else {
        // DI/AI tags are unique in a COMaster; SV names repeat per IED, so those are looked up by device
        const s = table === 'sv' ? this.whole.snapshot().find((x) => x.device === d.id && x.table === table && x.tag === tag) : this.whole.get(table, tag);
        if (s && s.device === d.id) return s;
      }
    }
    return undefined;
  }

  /**
   * Takes over the last known state of points (another LineMapper's `snapshot()`, e.g. before a workbook
   * reload): each IED's mapper its own device's states (SV names repeat per IED), the COMaster's mapper all.
   */
  restore(states: readonly PointState[]): number {
    const per = new Map<string, PointState[]>();
    for (const st of Array.isArray(states) ? states : []) {
      if (!st || typeof st.device !== 'string') continue;
      const l = per.get(st.device);
      if (l) l.push(st);
      else per.set(st.device, [st]);
    }
    let n = 0;
    for (const d of this.devices) {
      const own = this.byAddress.get(d.address);
      const mine = per.get(d.id) ?? [];
      if (own && own.device === d) n += own.mapper.restore(mine);
    }
    const whole = this.whole.restore(this.devices.flatMap((d) => per.get(d.id) ?? []));
    return Math.max(n, whole);
  }

  /** The addresses whose replies could not be placed, with why and how often. */
  unplaced(): Unplaced[] {
    return [...this.lost.values()].map((u) => ({ ...u }));
  }

  // ------------------------------------------------------------------------------------------------------

  private sourceOf(d: Device): 'c' | 'd' {
    return this.source.get(d.id) ?? (this.poll === 'concentrator' ? 'c' : this.poll === 'direct' || this.devices.length > 1 ? 'd' : 'c');
  }

  private unitFor(address: number, got: Sizes): { kind: 'comaster' | 'device' } | { reason: UnplacedReason; detail: string } {
    const e = this.byAddress.get(address);
    if (this.poll === 'concentrator') return { kind: 'comaster' };
    if (this.poll === 'direct') {
      if (e) return { kind: 'device' };
      return {
        reason: 'unknown-address',
        detail: `no IED row of COMaster ${this.comaster} has RS-485 address ${address} (known: ${this.addresses.join(',') || 'none'})`,
      };
    }
    const fitsAll = same(got, this.total);
    const fitsOwn = e ? same(got, declared(e.device)) : false;
    if (fitsOwn) return { kind: 'device' };
    if (fitsAll) return { kind: 'comaster' };
    const detail = `reply of address ${address} has ${fmt(got)}; ${e ? `IED ${e.device.id} declares ${fmt(declared(e.device))}, ` : ''}COMaster ${this.comaster} in all ${fmt(this.total)}`;
    if (!e)
      return {
        reason: 'unknown-address',
        detail: `no IED row of COMaster ${this.comaster} has RS-485 address ${address} and the reply is not the COMaster's (${detail})`,
      };
    return { reason: 'size-mismatch', detail: `${detail}: not mapped (set poll 'direct' or 'concentrator' to force)` };
  }

  private unplace(address: number, reason: UnplacedReason, detail: string, reply: ReplyInput): LineResult {
    const k = `${address}\u0000${reason}`;
    const u = this.lost.get(k);
    if (u) {
      u.count++;
      u.detail = detail;
    } else if (this.lost.size < 1024) this.lost.set(k, { address, reason, detail, count: 1 });
    // its events are handed on flagged (the line already advanced their SEQ), never dropped here
    const x: ReplyInput = reply.reply && typeof reply.reply === 'object' ? reply.reply : reply;
    const events = Array.isArray(x.events) ? (x.events as UnmappedEvent['event'][]) : [];
    const unmapped: UnmappedEvent[] = events.map((event, index) => ({
      index,
      type: String(event?.type ?? ''),
      address,
      reason: 'unknown-address',
      detail: `reply not placed: ${detail}`,
      event,
    }));
    return { ...EMPTY_RESULT(), unmapped, address, unit: null, unplaced: { address, reason, detail, count: this.lost.get(k)?.count ?? 1 } };
  }
}

export type { PointChange, ComsysRecord, UnmappedEvent };
