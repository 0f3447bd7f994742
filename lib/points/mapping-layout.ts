/**
 * The precomputed layout behind PointMapper: where each configured point reads its value in a 0x10
 * reply, and how events find their point. Built once (from a ProjectModel or from a plain table), then
 * only read, so `apply()` is a few loops over typed arrays.
 *
 * Order (docs/protocol.md §8.1-docs/protocol.md §8.2, the repository's `COMaster.dis/ais/svs`):
 *  - DIs of the COMaster by (IED offset, DI offset, port, bit); the n-th one reads DI bit n (docs/protocol.md §5.3);
 *  - AIs by (IED offset, AI offset); the n-th one reads AI word n;
 *  - SVs by (IED offset, SV offset, bit); the n-th distinct (IED, offset) reads SV byte n. A byte that
 *    the workbook splits into bit rows (two or more rows at the same offset with a bit number) gives
 *    each row its bit; otherwise a row takes the whole byte. (The repository consumed one bit per bit
 *    row, so a byte described by fewer than 8 bit rows shifted every later SV; one byte per offset
 *    gives the same result for complete workbooks and does not shift on incomplete ones.)
 *  - Ties keep workbook row order. Extra bits or extra points are ignored (a zip).
 *
 * `layout: 'blocks'` (not the spec's rule, opt-in): each IED's points are zipped with its own block of
 * the reply, located by the declared per-IED counts (can_varsys / can_dis bytes / can_ais words), so an
 * IED with fewer configured points than bits does not shift the IEDs after it.
 */
import { tagProblem } from '../project/tag';
import { MaraError } from '../mara/errors';
import type { Device, Point, PointTable, ProjectModel } from '../project/model';

export const TABLE_DI = 0;
export const TABLE_AI = 1;
export const TABLE_SV = 2;
const TABLE_CODE: Record<PointTable, number> = { di: TABLE_DI, ai: TABLE_AI, sv: TABLE_SV };

/** Event ADDR is 5 bits (docs/protocol.md §5.5), port 3 bits, bit 4 bits, energy channel 3 bits. */
export const MAX_EVENT_ADDR = 31;
export const diEventKey = (addr: number, port: number, bit: number) => (addr << 7) | (port << 4) | bit;
export const energyKey = (addr: number, channel: number) => (addr << 3) | channel;

/** Static facts of one mapped point (a "slot" of the mapper's state arrays). */
export interface SlotInfo {
  tag: string;
  table: PointTable;
  tableCode: number;
  /** Device id ('' when unknown, e.g. a table row without one). */
  device: string;
  /** RS-485 address of its IED, -1 when unknown. */
  address: number;
  /** AI: engineering value = raw × escala. */
  escala: number;
  /** AI: energy = pulses × escalaE; null = report pulses. */
  escalaE: number | null;
}

export interface DeviceInfo {
  id: string;
  address: number;
  /** Index of its first SV byte in the reply, -1 when unknown (no flags are read). */
  svStart: number;
  svCount: number;
  /** The COMaster's own block (address 1, docs/protocol.md §5.5): its CalifNoResp bit is not interpreted. */
  own: boolean;
}

export interface Layout {
  comaster: string;
  slots: SlotInfo[];
  devices: DeviceInfo[];
  /** DI zip: reply bit position (-1 = none), slot, maskinv, device index (devices.length = none). */
  diPos: Int32Array;
  diSlot: Int32Array;
  diMask: Uint8Array;
  diDev: Int32Array;
  aiPos: Int32Array;
  aiSlot: Int32Array;
  aiDev: Int32Array;
  svPos: Int32Array;
  svSlot: Int32Array;
  /** Bit of the SV byte, -1 = the whole byte. */
  svBit: Int8Array;
  svDev: Int32Array;
  /** diEventKey(addr, port, bit) → index into the di arrays, -1 = none. */
  diByEvent: Int32Array;
  /** energyKey(addr, channel) → slot, -1 = none. */
  aiByEnergy: Int32Array;
  /** Event address → device index, -1 = none. */
  devByAddr: Int32Array;
  /** Configuration oddities worth a warning (never fatal): each one is something the integrator can fix. */
  problems: string[];
  /** Facts worth knowing that need no action (e.g. spare inputs at the end of the last block). */
  notes?: string[];
}

export type LayoutMode = 'zip' | 'blocks';

interface Entry {
  point: Point;
  dev: number;
  order: number;
  pos: number;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function emptyIndexes(): Pick<Layout, 'diByEvent' | 'aiByEnergy' | 'devByAddr'> {
  return {
    diByEvent: new Int32Array((MAX_EVENT_ADDR + 1) << 7).fill(-1),
    aiByEnergy: new Int32Array((MAX_EVENT_ADDR + 1) << 3).fill(-1),
    devByAddr: new Int32Array(MAX_EVENT_ADDR + 1).fill(-1),
  };
}

/** The layout of one COMaster of a project model. */
export function layoutFromModel(model: Pick<ProjectModel, 'comasters' | 'devices' | 'points'>, opts: { comaster?: string; layout?: LayoutMode } = {}): Layout {
  if (model === null || typeof model !== 'object' || !Array.isArray(model.devices) || !Array.isArray(model.points))
    throw new MaraError('EINVAL', 'model must have comasters, devices and points arrays');
  const comasters = Array.isArray(model.comasters) ? model.comasters : [];
  const mode: LayoutMode = opts.layout ?? 'zip';
  if (mode !== 'zip' && mode !== 'blocks') throw new MaraError('EINVAL', `layout must be 'zip' or 'blocks', got ${String(mode)}`);
  const problems: string[] = [];
  const notes: string[] = [];

  let cm = opts.comaster;
  if (cm === undefined || cm === null || cm === '') {
    // never a disabled COMaster by default (a workbook may disable its first one); pickComaster() (line-mapper.ts)
    // chooses by the line's host and devices
    const enabled = comasters.filter((c) => c && c.enabled !== false);
    cm = enabled[0]?.id ?? comasters[0]?.id ?? model.devices[0]?.comaster;
    if (cm === undefined) throw new MaraError('EINVAL', 'the model has no COMaster and no device');
    if (comasters.length && !enabled.length) problems.push(`every COMaster of the model is disabled; mapping ${cm}: pass opts.comaster to choose`);
    else if (comasters.length > 1)
      problems.push(
        `the model has ${comasters.length} COMasters; mapping the first ${cm === comasters[0].id ? '' : 'enabled '}one (${cm}): pass opts.comaster to choose`,
      );
  } else if (!comasters.some((c) => c.id === cm) && !model.devices.some((d) => d.comaster === cm)) {
    throw new MaraError('EINVAL', `COMaster ${cm} is not in the model (known: ${comasters.map((c) => c.id).join(', ') || 'none'})`);
  }
  const comaster = String(cm);

  // devices of this COMaster, in block order (IED offset, then workbook order)
  const devs = model.devices
    .map((d, i) => ({ d, i }))
    .filter((x) => x.d.comaster === comaster)
    .sort((a, b) => a.d.offset - b.d.offset || a.i - b.i)
    .map((x) => x.d);
  const devIndex = new Map<string, number>();
  const idx = emptyIndexes();
  const devices: DeviceInfo[] = [];
  let svAt = 0;
  const diStart: number[] = [];
  const aiStart: number[] = [];
  let diAt = 0;
  let aiAt = 0;
  devs.forEach((d: Device, k) => {
    if (devIndex.has(d.id)) problems.push(`device ${d.id} appears twice in COMaster ${comaster}; the second one (row ${d.row}) is ignored for points`);
    else devIndex.set(d.id, k);
    const svCount = isInt(d.svCount) && d.svCount > 0 ? d.svCount : 0;
    devices.push({ id: d.id, address: d.address, svStart: svCount ? svAt : -1, svCount, own: d.address === 1 });
    svAt += svCount;
    diStart.push(diAt);
    aiStart.push(aiAt);
    diAt += (isInt(d.diCount) && d.diCount > 0 ? d.diCount : 0) * 8;
    aiAt += isInt(d.aiCount) && d.aiCount > 0 ? d.aiCount : 0;
    if (isInt(d.address) && d.address >= 0 && d.address <= MAX_EVENT_ADDR) {
      if (idx.devByAddr[d.address] >= 0)
        problems.push(`devices ${devices[idx.devByAddr[d.address]].id} and ${d.id} share RS-485 address ${d.address}: events go to the first`);
      else idx.devByAddr[d.address] = k;
    } else {
      problems.push(`device ${d.id} has RS-485 address ${String(d.address)}, outside 0-${MAX_EVENT_ADDR}: no event can reach it`);
    }
  });

  const by: Record<PointTable, Entry[]> = { di: [], ai: [], sv: [] };
  model.points.forEach((p, order) => {
    if (!p || typeof p !== 'object' || !(p.table in TABLE_CODE)) {
      problems.push(`point #${order} has no valid table`);
      return;
    }
    // device ids may repeat across COMasters (a workbook per station): the point's own COMaster decides
    if (typeof p.comaster === 'string' && p.comaster !== '' && p.comaster !== comaster) return;
    const dev = devIndex.get(p.device);
    if (dev === undefined) {
      if (p.comaster === comaster) problems.push(`${p.table} ${p.tag} (row ${p.row}): device ${p.device} is not a device of COMaster ${comaster}`);
      return;
    }
    by[p.table].push({ point: p, dev, order, pos: -1 });
  });

  const devOffset = (e: Entry) => devs[e.dev].offset;
  const num = (v: unknown) => (typeof v === 'number' && !Number.isNaN(v) ? v : -1);
  by.di.sort((a, b) => {
    const pa = a.point as Extract<Point, { table: 'di' }>;
    const pb = b.point as Extract<Point, { table: 'di' }>;
    return devOffset(a) - devOffset(b) || a.point.offset - b.point.offset || pa.port - pb.port || pa.bit - pb.bit || a.order - b.order;
  });
  by.ai.sort((a, b) => devOffset(a) - devOffset(b) || a.point.offset - b.point.offset || a.order - b.order);
  by.sv.sort((a, b) => {
    const ba = num((a.point as Extract<Point, { table: 'sv' }>).bit);
    const bb = num((b.point as Extract<Point, { table: 'sv' }>).bit);
    return devOffset(a) - devOffset(b) || a.point.offset - b.point.offset || ba - bb || a.order - b.order;
  });

  // positions: global rank (zip) or rank inside the device's own block (blocks)
  const place = (entries: Entry[], unitOf: (i: number) => number, start: number[], size: (d: Device) => number, what: string) => {
    const rank = new Array<number>(devs.length).fill(0);
    let global = 0;
    let last = -1;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      const u = unitOf(i);
      if (u !== last) {
        // a new reply unit (bit, word or byte)
        last = u;
        rank[e.dev]++;
        global++;
      }
      if (mode === 'zip') e.pos = global - 1;
      else e.pos = rank[e.dev] - 1 < size(devs[e.dev]) ? start[e.dev] + rank[e.dev] - 1 : -1;
    }
    devs.forEach((d, k) => {
      const declared = size(d);
      if (!(d.svCount || d.diCount || d.aiCount) || rank[k] === declared) return;
      let msg = `device ${d.id} (address ${d.address}): ${rank[k]} ${what} configured, ${declared} in its reply block`;
      // fewer points than the block holds, where nothing comes after them: spare inputs, nothing shifts
      const spare = rank[k] < declared && (mode === 'blocks' || k === devs.length - 1);
      if (mode === 'blocks') msg += rank[k] > declared ? ' — the extra ones read nothing' : '';
      else if (k < devs.length - 1) msg += ' — in zip order (docs/protocol.md §8.1) the points of the devices after it read shifted positions';
      (spare ? notes : problems).push(spare ? `${msg} (spare, nothing shifts)` : msg);
    });
  };
  place(
    by.di,
    (i) => i,
    diStart,
    (d) => (isInt(d.diCount) && d.diCount > 0 ? d.diCount * 8 : 0),
    'DI bits',
  );
  place(
    by.ai,
    (i) => i,
    aiStart,
    (d) => (isInt(d.aiCount) && d.aiCount > 0 ? d.aiCount : 0),
    'AI words',
  );
  // SV: one unit per distinct (device, offset)
  const svUnit: number[] = [];
  {
    let u = -1;
    let prev: Entry | null = null;
    for (const e of by.sv) {
      if (!prev || prev.dev !== e.dev || prev.point.offset !== e.point.offset) u++;
      svUnit.push(u);
      prev = e;
    }
  }
  const svStartArr = devices.map((d) => (d.svStart < 0 ? 0 : d.svStart));
  place(
    by.sv,
    (i) => svUnit[i],
    svStartArr,
    (d) => (isInt(d.svCount) && d.svCount > 0 ? d.svCount : 0),
    'SV bytes',
  );
  // bit-split SV bytes: two or more rows of the same (device, offset) with a bit number
  const svBitOf = new Array<number>(by.sv.length).fill(-1);
  for (let i = 0; i < by.sv.length;) {
    let j = i;
    let withBit = 0;
    while (j < by.sv.length && svUnit[j] === svUnit[i]) {
      if (isInt((by.sv[j].point as Extract<Point, { table: 'sv' }>).bit)) withBit++;
      j++;
    }
    if (withBit >= 2)
      for (let k = i; k < j; k++) {
        const b = (by.sv[k].point as Extract<Point, { table: 'sv' }>).bit;
        if (isInt(b) && b >= 0 && b <= 7) svBitOf[k] = b;
        else if (isInt(b)) problems.push(`sv ${by.sv[k].point.tag} (row ${by.sv[k].point.row}): bit ${b} outside 0-7, reads the whole byte`);
      }
    i = j;
  }

  // slots: DIs, AIs, SVs in configuration order; untagged rows keep their position but are not mapped
  const slots: SlotInfo[] = [];
  const seen = new Map<string, SlotInfo>();
  const slotOf = (e: Entry): number => {
    const p = e.point;
    if (typeof p.tag !== 'string' || p.tag === '') return -1;
    const d = devs[e.dev];
    const s: SlotInfo = {
      tag: p.tag,
      table: p.table,
      tableCode: TABLE_CODE[p.table],
      device: d.id,
      address: isInt(d.address) ? d.address : -1,
      escala: p.table === 'ai' && typeof p.escala === 'number' && Number.isFinite(p.escala) ? p.escala : 1,
      escalaE: p.table === 'ai' && typeof p.escalaE === 'number' && Number.isFinite(p.escalaE) ? p.escalaE : null,
    };
    if (p.table === 'ai' && !(typeof p.escala === 'number' && Number.isFinite(p.escala)))
      problems.push(`ai ${p.tag} (row ${p.row}): escala ${String(p.escala)} is not a number; using 1`);
    // SV names are generic (BOR, ComErrorH…) and repeat in every IED: scoped per IED; DI/AI tags are global
    const key = p.table === 'sv' ? `sv.${d.id}\u0000${p.tag}` : `${p.table}.${p.tag}`;
    if (seen.has(key))
      problems.push(
        `${p.table} tag ${p.tag} is configured twice${p.table === 'sv' ? ` in device ${d.id}` : ''} (row ${p.row}); both are mapped, get() returns the first`,
      );
    else seen.set(key, s);
    slots.push(s);
    return slots.length - 1;
  };

  const di = by.di.map((e) => ({ e, slot: slotOf(e) })).filter((x) => x.slot >= 0);
  const ai = by.ai.map((e) => ({ e, slot: slotOf(e) })).filter((x) => x.slot >= 0);
  const sv = by.sv.map((e, i) => ({ e, slot: slotOf(e), bit: svBitOf[i] })).filter((x) => x.slot >= 0);

  const layout: Layout = {
    comaster,
    slots,
    devices,
    diPos: Int32Array.from(di, (x) => x.e.pos),
    diSlot: Int32Array.from(di, (x) => x.slot),
    diMask: Uint8Array.from(di, (x) => ((x.e.point as Extract<Point, { table: 'di' }>).maskinv ? 1 : 0)),
    diDev: Int32Array.from(di, (x) => x.e.dev),
    aiPos: Int32Array.from(ai, (x) => x.e.pos),
    aiSlot: Int32Array.from(ai, (x) => x.slot),
    aiDev: Int32Array.from(ai, (x) => x.e.dev),
    svPos: Int32Array.from(sv, (x) => x.e.pos),
    svSlot: Int32Array.from(sv, (x) => x.slot),
    svBit: Int8Array.from(sv, (x) => x.bit),
    svDev: Int32Array.from(sv, (x) => x.e.dev),
    ...idx,
    problems,
    notes,
  };

  // digital events: (IED address, port, bit) → DI
  di.forEach((x, i) => {
    const p = x.e.point as Extract<Point, { table: 'di' }>;
    const addr = devices[x.e.dev].address;
    if (!(isInt(addr) && addr >= 0 && addr <= MAX_EVENT_ADDR)) return;
    if (!(isInt(p.port) && p.port >= 0 && p.port <= 7 && isInt(p.bit) && p.bit >= 0 && p.bit <= 15)) {
      problems.push(`di ${p.tag} (row ${p.row}): port ${p.port} / bit ${p.bit} outside 0-7 / 0-15, no digital event can reach it`);
      return;
    }
    const k = diEventKey(addr, p.port, p.bit);
    if (layout.diByEvent[k] >= 0)
      problems.push(
        `di ${p.tag} (row ${p.row}) and di ${slots[layout.diSlot[layout.diByEvent[k]]].tag} share address ${addr} port ${p.port} bit ${p.bit}: events go to the first`,
      );
    else layout.diByEvent[k] = i;
  });
  indexEnergy(
    layout,
    ai.map((x) => ({ slot: x.slot, addr: devices[x.e.dev].address, channel: (x.e.point as Extract<Point, { table: 'ai' }>).channel })),
  );
  return layout;
}

/**
 * Energy events: (IED address, channel) → AI. Every AI has a channel (default 0), so an IED with a
 * voltage and a power AI on channel 0 is ambiguous (the repository's `AI.objects.get` raised
 * MultipleObjectsReturned and dropped the event): prefer the AI that has an energy scale (escalaE), then
 * the first in configuration order, and say so.
 */
function indexEnergy(layout: Layout, ais: { slot: number; addr: number; channel: unknown }[]): void {
  const cands = new Map<number, number[]>();
  for (const a of ais) {
    if (!(isInt(a.addr) && a.addr >= 0 && a.addr <= MAX_EVENT_ADDR && isInt(a.channel) && a.channel >= 0 && a.channel <= 7)) continue;
    const k = energyKey(a.addr, a.channel);
    const list = cands.get(k);
    if (list) list.push(a.slot);
    else cands.set(k, [a.slot]);
  }
  for (const [k, list] of cands) {
    const withE = list.filter((s) => layout.slots[s].escalaE !== null);
    const pick = withE.length ? withE[0] : list[0];
    layout.aiByEnergy[k] = pick;
    if (list.length > 1 && withE.length !== 1)
      layout.problems.push(
        `AIs ${list.map((s) => layout.slots[s].tag).join(', ')} share address ${k >> 3} channel ${k & 7}: energy events go to ${layout.slots[pick].tag}` +
          (withE.length ? '' : ' (set escalaE on the energy AI to choose)'),
      );
  }
}

/** A row of `PointMapper.fromTable`: a point at a fixed position of the reply, no workbook. */
export interface TableRow {
  tag: string;
  table: PointTable;
  /** Position in the reply: DI bit n (LSB first, docs/protocol.md §5.3), AI word n, SV byte n. */
  index: number;
  /** DI: 1 inverts the bit. */
  maskinv?: number | boolean;
  /** AI: engineering value = raw × escala (default 1). */
  escala?: number;
  /** AI: energy = pulses × escalaE (default: pulses). */
  escalaE?: number | null;
  /** SV: take only this bit (0-7) of the byte. DI: the bit number digital events carry (with port). */
  bit?: number | null;
  /** RS-485 address of the IED, for events (DI: with port and bit; AI: with channel). */
  address?: number;
  port?: number;
  channel?: number;
  /** Device name reported in the change records (default `address N`, or ''). */
  device?: string;
}

/** The layout of a plain table: explicit positions, optional event keys, no IED blocks (no SV flags). */
export function layoutFromTable(rows: readonly TableRow[]): Layout {
  if (!Array.isArray(rows)) throw new MaraError('EINVAL', 'fromTable expects an array of rows');
  const problems: string[] = [];
  const idx = emptyIndexes();
  const devices: DeviceInfo[] = [];
  const devOf = new Map<string, number>();
  const slots: SlotInfo[] = [];
  const seen = new Set<string>();
  const di: { pos: number; slot: number; mask: number; dev: number; row: TableRow }[] = [];
  const ai: { pos: number; slot: number; dev: number; row: TableRow }[] = [];
  const sv: { pos: number; slot: number; bit: number; dev: number }[] = [];
  rows.forEach((r, n) => {
    const where = `row ${n}`;
    if (r === null || typeof r !== 'object') throw new MaraError('EINVAL', `${where} must be an object`);
    if (typeof r.tag !== 'string' || r.tag === '') throw new MaraError('EINVAL', `${where}: tag must be a non-empty string`);
    if (tagProblem(r.tag)) throw new MaraError('EINVAL', `${where}: ${tagProblem(r.tag)}`);
    if (!(r.table in TABLE_CODE)) throw new MaraError('EINVAL', `${where} (${r.tag}): table must be di, ai or sv, got ${String(r.table)}`);
    if (!isInt(r.index) || r.index < 0) throw new MaraError('EINVAL', `${where} (${r.tag}): index must be an integer >= 0, got ${String(r.index)}`);
    if (r.table === 'sv' && r.bit !== undefined && r.bit !== null && !(isInt(r.bit) && r.bit >= 0 && r.bit <= 7))
      throw new MaraError('EINVAL', `${where} (${r.tag}): an SV bit must be 0-7, got ${String(r.bit)}`);
    if (r.table === 'ai' && r.escala !== undefined && !(typeof r.escala === 'number' && Number.isFinite(r.escala)))
      throw new MaraError('EINVAL', `${where} (${r.tag}): escala must be a finite number, got ${String(r.escala)}`);
    const hasAddr = isInt(r.address) && r.address >= 0;
    const devName = typeof r.device === 'string' ? r.device : hasAddr ? `address ${r.address}` : '';
    let dev = -1;
    if (devName !== '' || hasAddr) {
      const key = `${devName}\u0000${hasAddr ? r.address : ''}`;
      dev = devOf.get(key) ?? -1;
      if (dev < 0) {
        dev = devices.length;
        devices.push({ id: devName, address: hasAddr ? (r.address as number) : -1, svStart: -1, svCount: 0, own: false });
        devOf.set(key, dev);
        if (hasAddr && (r.address as number) <= MAX_EVENT_ADDR && idx.devByAddr[r.address as number] < 0) idx.devByAddr[r.address as number] = dev;
      }
    }
    const key = `${r.table}.${r.tag}`;
    if (seen.has(key)) problems.push(`${r.table} tag ${r.tag} is configured twice (${where}); both are mapped, get() returns the first`);
    seen.add(key);
    const escalaE = typeof r.escalaE === 'number' && Number.isFinite(r.escalaE) ? r.escalaE : null;
    slots.push({
      tag: r.tag,
      table: r.table,
      tableCode: TABLE_CODE[r.table as PointTable],
      device: devName,
      address: hasAddr ? (r.address as number) : -1,
      escala: r.table === 'ai' && typeof r.escala === 'number' ? r.escala : 1,
      escalaE: r.table === 'ai' ? escalaE : null,
    });
    const slot = slots.length - 1;
    if (r.table === 'di') di.push({ pos: r.index, slot, mask: r.maskinv ? 1 : 0, dev, row: r });
    else if (r.table === 'ai') ai.push({ pos: r.index, slot, dev, row: r });
    else sv.push({ pos: r.index, slot, bit: isInt(r.bit) ? r.bit : -1, dev });
  });
  const none = devices.length; // the "no device" index: flags always clear
  const d = (x: number) => (x < 0 ? none : x);
  const layout: Layout = {
    comaster: '',
    slots,
    devices,
    diPos: Int32Array.from(di, (x) => x.pos),
    diSlot: Int32Array.from(di, (x) => x.slot),
    diMask: Uint8Array.from(di, (x) => x.mask),
    diDev: Int32Array.from(di, (x) => d(x.dev)),
    aiPos: Int32Array.from(ai, (x) => x.pos),
    aiSlot: Int32Array.from(ai, (x) => x.slot),
    aiDev: Int32Array.from(ai, (x) => d(x.dev)),
    svPos: Int32Array.from(sv, (x) => x.pos),
    svSlot: Int32Array.from(sv, (x) => x.slot),
    svBit: Int8Array.from(sv, (x) => x.bit),
    svDev: Int32Array.from(sv, (x) => d(x.dev)),
    ...idx,
    problems,
  };
  di.forEach((x, i) => {
    const { address: a, port: p, bit: b } = x.row;
    if (a === undefined && p === undefined) return;
    if (!(isInt(a) && a >= 0 && a <= MAX_EVENT_ADDR && isInt(p) && p >= 0 && p <= 7 && isInt(b) && b >= 0 && b <= 15)) {
      problems.push(`di ${x.row.tag}: digital events need address 0-${MAX_EVENT_ADDR}, port 0-7 and bit 0-15`);
      return;
    }
    const k = diEventKey(a, p, b);
    if (layout.diByEvent[k] >= 0) problems.push(`di ${x.row.tag} shares address ${a} port ${p} bit ${b} with another DI: events go to the first`);
    else layout.diByEvent[k] = i;
  });
  indexEnergy(
    layout,
    ai.filter((x) => x.row.address !== undefined).map((x) => ({ slot: x.slot, addr: x.row.address as number, channel: x.row.channel ?? 0 })),
  );
  return layout;
}
