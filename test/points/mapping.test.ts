/**
 * PointMapper (lib/points/mapping.ts): real replies of test/fixtures/mara-vectors.json decoded with
 * the codec and mapped onto small project models built here (spec §5, §8, §8.5; hmi §1.2, §2.8).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { MaraError, PollReply, decodeFrame, encodePollReply, parseHex } from '../../lib';
import type { AiPoint, Device, DiPoint, Point, ProjectModel, SvPoint } from '../../lib/project/model';
import { EnergyChange, DigitalEventChange, PointChange, PointMapper, StateChange } from '../../lib/points/mapping';
import { SV_FLAG, aiQuality, comsysMeaning, svFlags } from '../../lib/points/quality';

interface Vector {
  name: string;
  hex: string;
}
const vectors = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../fixtures/mara-vectors.json'), 'utf8')) as Vector[];

function reply(name: string): PollReply {
  const v = vectors.find((x) => x.name === name);
  assert.ok(v, `vector ${name}`);
  const f = decodeFrame(parseHex(v.hex));
  assert.ok(f.reply, `${name} has a reply`);
  return f.reply;
}

/** A copy of a decoded reply with some fields replaced (arrays copied, events shared). */
function edit(r: PollReply, patch: Partial<PollReply>): PollReply {
  return { sv: [...r.sv], di: [...r.di], diBits: [...r.diBits], ai: r.ai.map((a) => ({ ...a })), events: [...r.events], ...patch };
}

// ---------------------------------------------------------------------------------------------
// Model builder
// ---------------------------------------------------------------------------------------------

type Model = Pick<ProjectModel, 'comasters' | 'devices' | 'points'>;
let row = 2;

function device(id: string, address: number, offset: number, svCount: number, diCount: number, aiCount: number, comaster = 'CM1'): Device {
  return { id, comaster, offset, address, svCount, diCount, aiCount, row: row++ };
}
function di(tag: string, dev: string, port: number, bit: number, maskinv = 0, comaster = 'CM1'): DiPoint {
  return { tag, table: 'di', device: dev, comaster, offset: 0, port, bit, maskinv, tipo: 0, textId: null, description: tag, row: row++ };
}
function ai(tag: string, dev: string, offset: number, escala: number, channel = 0, escalaE: number | null = null): AiPoint {
  return { tag, table: 'ai', device: dev, comaster: 'CM1', offset, channel, unit: '', escala, escalaE, description: tag, row: row++ };
}
function sv(tag: string, dev: string, offset: number, bit: number | null = null): SvPoint {
  return { tag, table: 'sv', device: dev, comaster: 'CM1', offset, bit, param: tag, description: tag, row: row++ };
}
/** `n` DIs of one device: port = k div 16, bit = k mod 16 (the SMVE rule, spec §5.3). */
function dis(prefix: string, dev: string, n: number, masks: Record<number, number> = {}): DiPoint[] {
  return Array.from({ length: n }, (_, k) => di(`${prefix}${String(k).padStart(2, '0')}`, dev, k >> 4, k & 15, masks[k] ?? 0));
}

const ESC_V = 0.018374164810690423; // a real escala (hmi §7.6, E42VV_00)
const ESC_P = 2.075098814229249; // E42PA_02

/**
 * COMaster CM1: its own block (address 1) and two IEDs (addresses 2 and 3), 6 SV bytes each.
 *  - co: 16 DIs (port 0), DI 1 inverted; SV byte 0 (flags) and byte 3 split in bits 0-7.
 *  - ied2: 32 DIs (ports 0-1), DI 8 inverted; one voltage AI; SV byte 0.
 *  - ied3: no DI; two AIs (ch 0 active with escalaE, ch 1 reactive without); SV byte 0.
 * The mixed-events reply (1 SV block, 4 DI bytes, 3 AI words) covers co's DIs, ied2's port 0 and the
 * three AIs.
 */
function model(): Model {
  const points: Point[] = [
    // deliberately out of order: the mapper sorts by (IED offset, offset, port, bit)
    ...dis('I2_', 'ied2', 32, { 8: 1 }).reverse(),
    ...dis('CO_', 'co', 16, { 1: 1 }),
    ai('I3_PR', 'ied3', 2, ESC_P, 1),
    ai('I3_PA', 'ied3', 1, ESC_P, 0, 0.5),
    ai('I2_VV', 'ied2', 1, ESC_V, 0),
    sv('CO_FLAGS', 'co', 0),
    ...Array.from({ length: 8 }, (_, b) => sv(`CO_B3_${b}`, 'co', 3, b)),
    sv('I2_FLAGS', 'ied2', 0),
    sv('I3_FLAGS', 'ied3', 0),
  ];
  return {
    comasters: [{ id: 'CM1', host: '127.0.0.1', port: 9761, enabled: true, row: 2 }],
    devices: [device('ied3', 3, 2, 6, 0, 2), device('co', 1, 0, 6, 2, 0), device('ied2', 2, 1, 6, 4, 1)],
    points,
  };
}

const states = (cs: PointChange[]) => cs.filter((c): c is StateChange => c.kind === 'state');
const byTag = (cs: PointChange[]) => new Map(states(cs).map((c) => [c.tag, c]));
const local = (y: number, mo: number, d: number, h: number, mi: number, s: number, ms = 0) => new Date(y, mo - 1, d, h, mi, s, ms).getTime();

// ---------------------------------------------------------------------------------------------

describe('PointMapper: the mixed-events reply (78 bytes)', () => {
  const r = reply('poll-response-mixed-events');

  it('maps DIs in (IED offset, offset, port, bit) order, XOR maskinv', () => {
    const m = new PointMapper(model());
    const cs = m.apply(r, 1000);
    const s = byTag(cs);
    // DI bits on: 0, 15, 24 (words 0x8001 0x0100)
    assert.equal(s.get('CO_00')?.value, 1);
    assert.equal(s.get('CO_01')?.value, 1, 'bit 1 is 0, inverted');
    assert.equal(s.get('CO_02')?.value, 0);
    assert.equal(s.get('CO_15')?.value, 1);
    assert.equal(s.get('I2_07')?.value, 0);
    assert.equal(s.get('I2_08')?.value, 0, 'bit 24 is 1, inverted');
    assert.equal(s.get('I2_09')?.value, 0);
    assert.equal(s.get('I2_15')?.value, 0);
    // 32 DI bits in the reply: co's 16 + ied2's port 0; ied2's port 1 has no bit (extra points ignored)
    const diStates = states(cs).filter((c) => c.table === 'di');
    assert.equal(diStates.length, 32);
    assert.equal(s.has('I2_16'), false);
    assert.equal(m.get('di', 'I2_16')?.value, null);
    for (const c of diStates) {
      assert.equal(c.q, 0);
      assert.equal(c.quality, 'good');
      assert.equal(c.ts, 1000);
    }
    assert.deepEqual(
      diStates.map((c) => c.tag),
      [...dis('CO_', 'co', 16).map((p) => p.tag), ...dis('I2_', 'ied2', 16).map((p) => p.tag)],
      'configuration order',
    );
  });

  it('AI value is the raw count (what formulas read), eng = raw × escala, q from bits 15-14', () => {
    const s = byTag(new PointMapper(model()).apply(r, 1000));
    assert.deepEqual(s.get('I2_VV'), {
      kind: 'state',
      tag: 'I2_VV',
      table: 'ai',
      device: 'ied2',
      value: 1352,
      q: 0,
      quality: 'good',
      ts: 1000,
      raw: 0x0548,
      eng: 1352 * ESC_V,
      escala: ESC_V,
    });
    const pa = s.get('I3_PA');
    assert.equal(pa?.value, 0);
    assert.equal(pa?.raw, 0x4000);
    assert.equal(pa?.q, 1);
    assert.equal(pa?.quality, 'invalid', 'q 1: stalled / forced to zero');
    const pr = s.get('I3_PR');
    assert.equal(pr?.value, 4095);
    assert.equal(pr?.raw, 0x8fff);
    assert.equal(pr?.q, 2);
    assert.equal(pr?.quality, 'questionable', 'q 2: calculated');
    assert.equal(pr?.eng, 4095 * ESC_P);
  });

  it('SV bytes zip by (IED offset, offset); a byte split in bit rows gives each row its bit', () => {
    const s = byTag(new PointMapper(model()).apply(r, 1000));
    // SV block [0x44, 14, 2, 0, 148, 2]: co's block only
    assert.equal(s.get('CO_FLAGS')?.value, 0x44);
    // byte 3 of co is 0 in this reply... but in zip order the 2nd configured SV byte is reply byte 1 (14)
    const bits = Array.from({ length: 8 }, (_, b) => s.get(`CO_B3_${b}`)?.value);
    assert.deepEqual(bits, [0, 1, 1, 1, 0, 0, 0, 0], '14 = 0b00001110');
    assert.equal(s.get('I2_FLAGS')?.value, 2, 'zip: 3rd configured SV byte = reply byte 2');
    assert.equal(s.get('I3_FLAGS')?.value, 0);
  });

  it('events come first, in reply order, mapped by (address, port, bit) and (address, channel)', () => {
    const m = new PointMapper(model());
    const full = m.applyFull(r, 1000);
    const ev = full.changes.filter((c) => c.kind !== 'state');
    assert.deepEqual(
      full.changes.slice(0, 4).map((c) => c.kind),
      ['event', 'event', 'energy', 'energy'],
      'events before the state snapshot',
    );
    assert.equal(ev.length, 4);
    const [e1, e2, n1, n0] = ev as [DigitalEventChange, DigitalEventChange, EnergyChange, EnergyChange];
    // addr 1, state 1, port 0, bit 7, 2014-01-13 16:15:30.5 (local civil time)
    assert.equal(e1.tag, 'CO_07');
    assert.equal(e1.value, 1);
    assert.equal(e1.event, true);
    assert.equal(e1.ts, local(2014, 1, 13, 16, 15, 30, 500));
    assert.equal(e1.quality, 'good');
    assert.equal(e1.q, 0);
    assert.equal(e1.address, 1);
    assert.equal(e1.mara.type, 'digital');
    assert.equal(e1.timeInvalid, false);
    // addr 2, state 0, port 1, bit 5 → I2_21 (port 1 bit 5), not in this reply's DI bits but events still map
    assert.equal(e2.tag, 'I2_21');
    assert.equal(e2.value, 0);
    assert.equal(e2.ts, local(2014, 1, 13, 16, 15, 30, 156));
    // energy addr 3 ch 1: code 0, 178707 pulses; I3_PR has no escalaE → energy = pulses
    assert.equal(n1.tag, 'I3_PR');
    assert.equal(n1.energy, 178707);
    assert.equal(n1.pulses, 178707);
    assert.equal(n1.escalaE, null);
    assert.equal(n1.code, 0);
    assert.equal(n1.channel, 1);
    assert.equal(n1.ts, local(2014, 1, 13, 16, 15, 0));
    assert.equal('value' in n1, false, 'an energy event does not carry an AI value');
    // energy addr 3 ch 0: code 3 (daily register) 1928310 × escalaE 0.5
    assert.equal(n0.tag, 'I3_PA');
    assert.equal(n0.energy, 1928310 * 0.5);
    assert.equal(n0.code, 3);
    assert.equal(n0.ts, local(2014, 1, 13, 23, 59, 0));
    // energy events do not change the AI's value
    assert.equal(m.get('ai', 'I3_PA')?.value, 0);
    // COMSYS addr 4: no such device → delivered with device null, and flagged
    assert.equal(full.comsys.length, 1);
    const c = full.comsys[0];
    assert.deepEqual(
      { ...c, mara: undefined },
      {
        kind: 'comsys',
        address: 4,
        device: null,
        code: 3,
        motiv: 4,
        meaning: 'IED start-up (WDT)',
        ts: local(2014, 1, 13, 16, 15, 31),
        timeInvalid: false,
        clockNotSynchronized: false,
        mara: undefined,
      },
    );
    assert.deepEqual(
      full.unmapped.map((u) => [u.index, u.type, u.address, u.reason]),
      [[4, 'comsys', 4, 'unknown-address']],
    );
  });

  it('a digital event is reported even when it equals the current value; events do not touch the state', () => {
    const m = new PointMapper(model());
    m.apply(r, 1000);
    const again = m.apply(r, 2000);
    assert.equal(states(again).length, 0, 'same reply twice: no state change');
    assert.deepEqual(
      again.map((c) => [c.kind, c.tag]),
      [
        ['event', 'CO_07'],
        ['event', 'I2_21'],
        ['energy', 'I3_PR'],
        ['energy', 'I3_PA'],
      ],
    );
    // CO_07's bit is 0 in the snapshot although its event said 1: the snapshot is the latest state
    assert.equal(m.get('di', 'CO_07')?.value, 0);
  });

  it('only changes are emitted; a changed bit gives exactly that DI', () => {
    const m = new PointMapper(model());
    m.apply(r, 1000);
    const di2 = [...r.di];
    di2[0] ^= 0x04; // bit 2 → CO_02
    const ai2 = r.ai.map((a) => ({ ...a }));
    ai2[0] = { raw: 1353, value: 1353, q: 0 };
    const cs = states(m.apply(edit(r, { di: di2, ai: ai2, events: [] }), 3000));
    assert.deepEqual(
      cs.map((c) => [c.tag, c.value, c.ts]),
      [
        ['CO_02', 1, 3000],
        ['I2_VV', 1353, 3000],
      ],
    );
    assert.equal(m.get('di', 'CO_00')?.ts, 1000, 'unchanged points keep the time of their last change');
  });

  it('the local-zone reading can be replaced by UTC', () => {
    const m = new PointMapper(model(), { utc: true });
    const e1 = m.apply(r, 0)[0] as DigitalEventChange;
    assert.equal(e1.ts, Date.UTC(2014, 0, 13, 16, 15, 30, 500));
  });

  it('uses opts.clock when apply() gets no time', () => {
    let now = 5000;
    const m = new PointMapper(model(), { clock: () => now });
    assert.equal(states(m.apply(r))[0].ts, 5000);
    now = 6000;
    assert.equal(m.offline()[0].ts, 6000);
  });
});

describe('PointMapper: CalifNoResp and the clock flags (spec §8.5)', () => {
  // TEST_FRAME_1: COMaster block 0x83 …, then 9 IED blocks starting with 0x10 (CalifNoResp)
  const r = reply('poll-response-califnoresp');

  /** co (address 1) and two IEDs, fully configured for the first 3 blocks of the reply. */
  function nrModel(): Model {
    return {
      comasters: [{ id: 'CM1', host: 'h', port: 9761, enabled: true, row: 2 }],
      devices: [device('co', 1, 0, 6, 2, 2), device('ied2', 2, 1, 6, 2, 2), device('ied3', 3, 2, 6, 2, 2)],
      points: [
        ...dis('CO_', 'co', 16),
        ...dis('I2_', 'ied2', 16),
        ...dis('I3_', 'ied3', 16, { 0: 1 }),
        ai('CO_A0', 'co', 0, 1),
        ai('CO_A1', 'co', 1, 1, 1),
        ai('I2_A0', 'ied2', 0, 2),
        ai('I2_A1', 'ied2', 1, 2, 1),
        ai('I3_A0', 'ied3', 0, 3),
        ai('I3_A1', 'ied3', 1, 3, 1),
        ...[0, 1, 2, 3, 4, 5].flatMap((o) => [sv(`CO_SV${o}`, 'co', o), sv(`I2_SV${o}`, 'ied2', o), sv(`I3_SV${o}`, 'ied3', o)]),
      ],
    };
  }

  it('the vector has the flags the test relies on', () => {
    assert.equal(r.sv.length, 60);
    assert.equal(svFlags(r.sv[6]).califNoResp, true);
    assert.equal(svFlags(r.sv[12]).califNoResp, true);
    assert.equal(svFlags(r.sv[0]).califNoResp, false);
  });

  it("a silent IED's DIs and AIs are invalid with q = 1; the COMaster's own block and the SVs stay good", () => {
    const m = new PointMapper(nrModel());
    assert.deepEqual(m.problems, []);
    const s = byTag(m.apply(r, 1000));
    for (let k = 0; k < 16; k++) {
      const t = String(k).padStart(2, '0');
      assert.equal(s.get(`CO_${t}`)?.quality, 'good');
      assert.equal(s.get(`CO_${t}`)?.q, 0);
      for (const p of ['I2_', 'I3_']) {
        assert.equal(s.get(`${p}${t}`)?.quality, 'invalid', `${p}${t}`);
        assert.equal(s.get(`${p}${t}`)?.q, 1);
      }
    }
    assert.equal(s.get('I3_00')?.value, 1, 'the value is still mapped (bit 0 XOR maskinv)');
    assert.equal(s.get('CO_A0')?.quality, 'good');
    for (const t of ['I2_A0', 'I2_A1', 'I3_A0', 'I3_A1']) {
      assert.equal(s.get(t)?.quality, 'invalid', t);
      assert.equal(s.get(t)?.q, 1, `${t}: spec §8.2, all AIs of the IED get q = 1`);
      assert.equal(s.get(t)?.raw, 0, `${t}: raw word as received`);
    }
    assert.equal(s.get('I2_SV0')?.value, 0x10);
    assert.equal(s.get('I2_SV0')?.quality, 'good', 'the SV block is the COMaster bookkeeping of the IED');
    assert.equal(s.get('CO_SV0')?.value, 0x83);
  });

  it('when the IED answers again every point whose quality returns to good is reported, even unchanged', () => {
    const m = new PointMapper(nrModel());
    m.apply(r, 1000);
    const sv2 = [...r.sv];
    sv2[6] = 0x44; // ied2 answers, PEH received
    const cs = states(m.apply(edit(r, { sv: sv2 }), 2000));
    const tags = cs.map((c) => c.tag);
    assert.deepEqual(tags, [...dis('I2_', 'ied2', 16).map((p) => p.tag), 'I2_A0', 'I2_A1', 'I2_SV0']);
    for (const c of cs) {
      assert.equal(c.quality, 'good');
      assert.equal(c.q, 0);
      assert.equal(c.ts, 2000);
    }
    assert.equal(m.get('di', 'I3_05')?.quality, 'invalid', 'ied3 still silent');
  });

  it('PrimeraPeH = 0 only flags event times by default; unsyncedClock "questionable" degrades values', () => {
    // no-events reply: 4 SV blocks; the IED blocks start with 0x00 (no PEH received yet), 2012 capture
    const ne = reply('poll-response-no-events');
    const mdl: Model = {
      comasters: [{ id: 'CM1', host: 'h', port: 9761, enabled: true, row: 2 }],
      devices: [device('co', 1, 0, 6, 2, 1), device('ied2', 2, 1, 6, 2, 1)],
      points: [...dis('CO_', 'co', 16), ...dis('I2_', 'ied2', 16), ai('CO_A', 'co', 0, 1), ai('I2_A', 'ied2', 0, 1)],
    };
    const lax = byTag(new PointMapper(mdl).apply(ne, 1));
    assert.equal(lax.get('I2_00')?.quality, 'good');
    assert.equal(lax.get('I2_A')?.quality, 'good');
    const strict = byTag(new PointMapper(mdl, { unsyncedClock: 'questionable' }).apply(ne, 1));
    assert.equal(strict.get('I2_00')?.quality, 'questionable');
    assert.equal(strict.get('I2_00')?.q, 0);
    assert.equal(strict.get('I2_A')?.quality, 'questionable');
    assert.equal(strict.get('I2_A')?.value, 81);
  });
});

describe('PointMapper: offline and back', () => {
  const r = reply('poll-response-mixed-events');

  it('offline → every known point of the COMaster once invalid (q 1, value kept); again → nothing', () => {
    const m = new PointMapper(model());
    const first = m.apply(r, 1000);
    const known = states(first);
    const alreadyInvalid = known.filter((c) => c.quality === 'invalid').map((c) => c.tag);
    assert.deepEqual(alreadyInvalid, ['I3_PA']);
    assert.equal(m.isOnline, true);
    const off = m.offline(2000);
    assert.equal(m.isOnline, false);
    assert.deepEqual(
      off.map((c) => c.tag),
      known.filter((c) => c.quality !== 'invalid').map((c) => c.tag),
    );
    for (const c of off) {
      assert.equal(c.quality, 'invalid');
      assert.equal(c.q, 1);
      assert.equal(c.ts, 2000);
      assert.equal(c.value, m.get(c.table, c.tag)?.value);
    }
    assert.equal(off.find((c) => c.tag === 'I2_VV')?.eng, 1352 * ESC_V, 'AI records keep their shape');
    assert.deepEqual(m.offline(2500), [], 'already invalid');
    // back: the same reply → every point returns to its quality, reported though no value changed
    const back = states(m.apply(r, 3000));
    assert.deepEqual(
      back.map((c) => c.tag),
      off.map((c) => c.tag),
    );
    assert.deepEqual(
      back.map((c) => [c.tag, c.quality, c.q]),
      known.filter((c) => c.quality !== 'invalid').map((c) => [c.tag, c.quality, c.q]),
    );
    assert.equal(m.isOnline, true);
    assert.equal(m.stats.offline, 1);
  });

  it('offline before any reply reports nothing (never-received points read as invalid)', () => {
    const m = new PointMapper(model());
    assert.deepEqual(m.offline(1), []);
    const snap = m.snapshot();
    assert.equal(snap.length, m.size);
    assert.ok(snap.every((p) => p.quality === 'invalid' && p.value === null && p.ts === null));
  });
});

describe('PointMapper: 18 digital events of one reply', () => {
  const r = reply('poll-response-18-digital-events');

  it('keeps reply order, maps configured ports, flags the others without throwing', () => {
    // the COMaster's own inputs (address 1), ports 0 and 1 configured; the events also use ports 6 and 7
    const mdl: Model = {
      comasters: [{ id: 'CM1', host: 'h', port: 9761, enabled: true, row: 2 }],
      devices: [device('co', 1, 0, 6, 4, 0)],
      points: dis('CO_', 'co', 32, { 19: 1 }),
    };
    const m = new PointMapper(mdl);
    const full = m.applyFull(r, 1);
    const evs = full.changes.filter((c): c is DigitalEventChange => c.kind === 'event');
    const expected = r.events.filter((e) => e.type === 'digital' && e.port <= 1);
    assert.equal(r.events.length, 18);
    assert.equal(evs.length, expected.length);
    assert.equal(full.unmapped.length, 18 - expected.length);
    assert.ok(full.unmapped.every((u) => u.reason === 'unknown-point' && u.address === 1));
    evs.forEach((c, k) => {
      const e = expected[k];
      assert.ok(e.type === 'digital');
      assert.equal(c.mara, e, 'reply order');
      assert.equal(c.tag, `CO_${String(e.port * 16 + e.bit).padStart(2, '0')}`);
      assert.equal(c.value, e.state ^ (e.port === 1 && e.bit === 3 ? 1 : 0));
    });
    // all events precede every state change
    const firstState = full.changes.findIndex((c) => c.kind === 'state');
    assert.equal(firstState, evs.length);
    // 2012 capture: the COMaster block starts with 0x00 → its clock had no PEH
    assert.ok(evs.every((c) => c.clockNotSynchronized));
    assert.equal(evs[0].ts, local(2012, 1, 1, 1, 8, 34, Math.round(((r.events[0] as { time: { fraction: number } }).time.fraction * 1000) / 32768)));
    assert.equal(m.stats.unmapped, full.unmapped.length);
  });

  it('an impossible event time keeps the record, with the reply time and timeInvalid', () => {
    const m = new PointMapper({
      comasters: [],
      devices: [device('co', 1, 0, 0, 2, 0)],
      points: dis('CO_', 'co', 16),
    });
    const e = r.events[2];
    assert.ok(e.type === 'digital');
    const bad = { ...e, time: { year: 2000, month: 0, day: 0, hour: 0, minute: 0, second: 0, fraction: 0 } };
    const [c] = m.apply({ events: [bad] }, 777) as DigitalEventChange[];
    assert.equal(c.tag, `CO_${String(e.bit).padStart(2, '0')}`);
    assert.equal(c.ts, 777);
    assert.equal(c.timeInvalid, true);
  });
});

describe('PointMapper: inputs, unmapped events and configuration problems', () => {
  const r = reply('poll-response-mixed-events');

  it('accepts frame.reply, a whole frame, the mara-poll payload, diBits only and plain AI words', () => {
    const v = vectors.find((x) => x.name === 'poll-response-mixed-events')!;
    const frame = decodeFrame(parseHex(v.hex));
    const expected = new PointMapper(model()).apply(r, 1);
    const norm = (cs: PointChange[]) => cs.map((c) => ({ ...c, mara: undefined }));
    assert.deepEqual(norm(new PointMapper(model()).apply(frame, 1)), norm(expected));
    const payload = { address: 1, name: 'CM1', sv: r.sv, di: r.di, diBits: r.diBits, ai: r.ai, events: r.events, warnings: [] };
    assert.deepEqual(norm(new PointMapper(model()).apply(payload, 1)), norm(expected));
    const bitsOnly = { sv: r.sv, diBits: r.diBits, ai: r.ai.map((a) => a.raw), events: r.events };
    assert.deepEqual(norm(new PointMapper(model()).apply(bitsOnly, 1)), norm(expected));
    const valueQ = { sv: r.sv, diBits: r.diBits.map((b) => (b ? 1 : 0)), ai: r.ai.map((a) => ({ value: a.value, q: a.q })), events: r.events };
    assert.deepEqual(norm(new PointMapper(model()).apply(valueQ, 1)), norm(expected));
    // a JSON round trip (MQTT, a file) keeps working
    const json = JSON.parse(JSON.stringify(payload));
    assert.deepEqual(norm(new PointMapper(model()).apply(json, 1)), norm(expected));
  });

  it('rejects what is not a reply; tolerates empty and odd content', () => {
    const m = new PointMapper(model());
    assert.throws(
      () => m.apply(null as never),
      (e: unknown) => e instanceof MaraError && e.code === 'EINVAL',
    );
    assert.throws(() => m.apply('FE 08' as never), MaraError);
    assert.deepEqual(m.apply({}, 1), []);
    const empty = reply('poll-response-all-counts-zero');
    assert.deepEqual(m.apply(empty, 1), []);
    const idle = {
      type: 'idle',
      raw: Buffer.alloc(10),
      addr: 2,
      calif: 0,
      code: 1,
      time: { year: 2014, month: 1, day: 1, hour: 0, minute: 0, second: 0, fraction: 0 },
    };
    const weird = { ...idle, type: 'future' };
    const out = m.applyFull({ events: [idle, weird, null] as never }, 1);
    assert.deepEqual(
      out.unmapped.map((u) => [u.index, u.reason]),
      [
        [0, 'reserved-type'],
        [1, 'unknown-type'],
      ],
    );
    assert.deepEqual(out.changes, []);
  });

  it('unknown addresses, ports and channels are counted, never thrown', () => {
    const m = new PointMapper(model());
    const t = { year: 2014, month: 1, day: 13, hour: 0, minute: 0, second: 0, fraction: 0 };
    const raw = Buffer.alloc(10);
    const events = [
      { type: 'digital', raw, addr: 9, calif: 0, state: 1, port: 0, bit: 0, time: t },
      { type: 'digital', raw, addr: 2, calif: 0, state: 1, port: 3, bit: 0, time: t },
      { type: 'energy', raw, addr: 2, calif: 0, channel: 5, code: 0, value: 1, time: t },
      { type: 'digital', raw, addr: 77, calif: 0, state: 1, port: 0, bit: 0, time: t },
      { type: 'comsys', raw, addr: 3, calif: 0, code: 2, motiv: 0, time: t },
      { type: 'digital', raw, addr: 1, calif: 0, state: 1, time: t }, // no port/bit: not CO_00
    ] as never;
    const out = m.applyFull({ events }, 1);
    assert.deepEqual(
      out.unmapped.map((u) => [u.index, u.reason]),
      [
        [0, 'unknown-address'],
        [1, 'unknown-point'],
        [2, 'unknown-channel'],
        [3, 'unknown-address'],
        [5, 'unknown-point'],
      ],
    );
    assert.deepEqual(
      out.comsys.map((c) => [c.device, c.meaning]),
      [['ied3', 'link to IED lost']],
    );
    assert.equal(m.stats.unmapped, 5);
    assert.equal(m.apply({ events }, 2).length, 0, 'apply() drops them silently but still counts');
    assert.equal(m.stats.unmapped, 10);
  });

  it('a CALIF bit makes the event questionable with q = 1', () => {
    const m = new PointMapper(model());
    const e = r.events[0];
    assert.ok(e.type === 'digital');
    const [c] = m.apply({ events: [{ ...e, calif: 1 }] }, 1);
    assert.equal(c.quality, 'questionable');
    assert.equal(c.q, 1);
  });

  it('reports configuration oddities instead of failing', () => {
    const mdl = model();
    // ied2 with only 20 of its 32 DI bits configured: the zip shifts whatever comes after it
    mdl.points = mdl.points.filter((p) => !(p.table === 'di' && p.device === 'ied2' && p.port === 1 && p.bit >= 4));
    mdl.devices.push(device('twin', 3, 9, 0, 0, 0));
    mdl.points.push(ai('I3_XX', 'ied3', 3, 1, 0, 7)); // a second energy AI on channel 0
    mdl.points.push({ ...di('GHOST', 'nowhere', 0, 0) });
    const m = new PointMapper(mdl);
    const text = m.problems.join('\n');
    assert.match(text, /device ied2 \(address 2\): 20 DI bits configured, 32 in its reply block/);
    assert.match(text, /share RS-485 address 3/);
    assert.match(text, /I3_PA, I3_XX share address 3 channel 0: energy events go to I3_PA/);
    assert.match(text, /di GHOST .*device nowhere is not a device of COMaster CM1/);
  });

  it("layout 'blocks' zips each IED with its own block instead of shifting the next ones", () => {
    // co declares 2 DI bytes but configures only 8 DIs; ied2 follows
    const mdl: Model = {
      comasters: [{ id: 'CM1', host: 'h', port: 9761, enabled: true, row: 2 }],
      devices: [device('co', 1, 0, 0, 2, 0), device('ied2', 2, 1, 0, 2, 0)],
      points: [...dis('CO_', 'co', 8), ...dis('I2_', 'ied2', 16)],
    };
    // bits on: 0, 15, 24 → in blocks mode: CO_00, (co bit 15 unconfigured), I2_08
    const blocks = byTag(new PointMapper(mdl, { layout: 'blocks' }).apply(r, 1));
    assert.equal(blocks.get('CO_00')?.value, 1);
    assert.equal(blocks.get('I2_08')?.value, 1);
    assert.equal(blocks.get('I2_07')?.value, 0);
    // zip (spec): I2_k reads bit 8 + k, so bit 15 lands on I2_07 and bit 24 on... I2_16 (not configured)
    const zip = byTag(new PointMapper(mdl).apply(r, 1));
    assert.equal(zip.get('I2_07')?.value, 1);
    assert.equal(zip.get('I2_08')?.value, 0);
    assert.throws(() => new PointMapper(mdl, { layout: 'rows' as never }), MaraError);
  });

  it('chooses the COMaster: the first by default, opts.comaster otherwise; unknown ones throw', () => {
    const mdl = model();
    mdl.comasters.push({ id: 'CM2', host: 'h2', port: 9761, enabled: true, row: 3 });
    mdl.devices.push(device('far', 1, 0, 6, 2, 0, 'CM2'));
    mdl.points.push(...Array.from({ length: 16 }, (_, k) => di(`FAR_${k}`, 'far', 0, k, 0, 'CM2')));
    // the same IED id in the other COMaster: its points stay there
    mdl.devices.push(device('ied2', 2, 1, 6, 2, 0, 'CM2'));
    mdl.points.push(di('OTHER_IED2', 'ied2', 0, 0, 0, 'CM2'));
    const m1 = new PointMapper(mdl);
    assert.equal(m1.comaster, 'CM1');
    assert.equal(m1.size, model().points.length);
    assert.equal(m1.get('di', 'OTHER_IED2'), undefined);
    assert.match(m1.problems.join('\n'), /2 COMasters; mapping the first one \(CM1\)/);
    const m2 = new PointMapper(mdl, { comaster: 'CM2' });
    assert.equal(m2.size, 17);
    assert.equal(m2.get('di', 'OTHER_IED2')?.device, 'ied2');
    assert.deepEqual(
      states(m2.apply(r, 1))
        .map((c) => c.tag)
        .slice(0, 2),
      ['FAR_0', 'FAR_1'],
    );
    assert.equal(m2.get('di', 'CO_00'), undefined);
    assert.throws(() => new PointMapper(mdl, { comaster: 'CM9' }), /COMaster CM9 is not in the model/);
    assert.throws(() => new PointMapper({ comasters: [], devices: [], points: [] }), MaraError);
  });
});

describe('PointMapper.fromTable', () => {
  const r = reply('poll-response-mixed-events');

  it('maps explicit positions, maskinv, escala, SV bits and events by address', () => {
    const m = PointMapper.fromTable([
      { tag: 'BRK', table: 'di', index: 24, address: 2, port: 1, bit: 5 },
      { tag: 'INV', table: 'di', index: 1, maskinv: 1 },
      { tag: 'HI', table: 'di', index: 15 },
      { tag: 'OUT', table: 'di', index: 99 },
      { tag: 'VV', table: 'ai', index: 0, escala: 0.5 },
      { tag: 'PR', table: 'ai', index: 2, address: 3, channel: 1, escalaE: 10 },
      { tag: 'PEH', table: 'sv', index: 0, bit: 6 },
      { tag: 'BYTE4', table: 'sv', index: 4 },
    ]);
    assert.deepEqual(m.problems, []);
    const full = m.applyFull(r, 50);
    assert.deepEqual(
      full.changes.map((c) => [c.kind, c.tag, c.kind === 'energy' ? c.energy : c.value]),
      [
        ['event', 'BRK', 0],
        ['energy', 'PR', 1787070],
        ['state', 'BRK', 1],
        ['state', 'INV', 1],
        ['state', 'HI', 1],
        ['state', 'VV', 1352],
        ['state', 'PR', 4095],
        ['state', 'PEH', 1],
        ['state', 'BYTE4', 148],
      ],
    );
    const vv = full.changes.find((c) => c.tag === 'VV') as StateChange;
    assert.equal(vv.eng, 676);
    assert.equal(vv.device, '');
    assert.equal(full.changes[0].device, 'address 2');
    assert.deepEqual(
      full.unmapped.map((u) => [u.address, u.reason]),
      [
        [1, 'unknown-address'],
        [3, 'unknown-channel'],
        [4, 'unknown-address'],
      ],
    );
    assert.equal(m.get('di', 'OUT')?.value, null, 'beyond the reply: never received');
    assert.equal(states(m.apply(r, 60)).length, 0);
    assert.equal(m.offline(70).length, 7);
  });

  it('validates its rows', () => {
    assert.throws(() => PointMapper.fromTable([{ tag: '', table: 'di', index: 0 }]), /tag must be a non-empty string/);
    assert.throws(() => PointMapper.fromTable([{ tag: 'A', table: 'eg' as never, index: 0 }]), /table must be di, ai or sv/);
    assert.throws(() => PointMapper.fromTable([{ tag: 'A', table: 'ai', index: -1 }]), /index must be an integer >= 0/);
    assert.throws(() => PointMapper.fromTable([{ tag: 'A', table: 'sv', index: 0, bit: 8 }]), /SV bit must be 0-7/);
    assert.throws(() => PointMapper.fromTable({} as never), MaraError);
    const m = PointMapper.fromTable([
      { tag: 'A', table: 'di', index: 0, address: 2 },
      { tag: 'A', table: 'di', index: 1 },
    ]);
    assert.match(m.problems.join('\n'), /digital events need address/);
    assert.match(m.problems.join('\n'), /di tag A is configured twice/);
  });
});

describe('PointMapper: snapshot', () => {
  it('gives the current value of every point for a new subscriber', () => {
    const r = reply('poll-response-mixed-events');
    const m = new PointMapper(model());
    m.apply(r, 1000);
    const snap = m.snapshot();
    assert.equal(snap.length, m.size);
    assert.equal(m.size, 48 + 3 + 1 + 8 + 2);
    const vv = snap.find((p) => p.tag === 'I2_VV');
    assert.deepEqual(vv, {
      tag: 'I2_VV',
      table: 'ai',
      device: 'ied2',
      value: 1352,
      q: 0,
      quality: 'good',
      ts: 1000,
      raw: 0x548,
      eng: 1352 * ESC_V,
      escala: ESC_V,
    });
    const never = snap.find((p) => p.tag === 'I2_31');
    assert.deepEqual(never, { tag: 'I2_31', table: 'di', device: 'ied2', value: null, q: 0, quality: 'invalid', ts: null });
    // the snapshot is a copy
    snap[0].value = 42;
    assert.notEqual(m.snapshot()[0].value, 42);
  });
});

describe('PointMapper: restore (a workbook reload)', () => {
  it('a new mapper takes over the last known values: snapshot() gives them, the next equal reply reports nothing', () => {
    const rows = [
      { tag: 'D', table: 'di' as const, index: 0 },
      { tag: 'A', table: 'ai' as const, index: 0, escala: 2 },
      { tag: 'N', table: 'di' as const, index: 9 },
    ];
    const a = PointMapper.fromTable(rows);
    const reply = { di: [1], ai: [{ raw: 100 }] };
    a.apply(reply, 1000);
    const b = PointMapper.fromTable(rows);
    assert.equal(b.restore(a.snapshot()), 2, 'the two points read; N was never read and stays so');
    assert.deepEqual(b.snapshot(), a.snapshot());
    assert.deepEqual(b.apply(reply, 2000), [], 'nothing changed');
    const off = a.offline(3000);
    const c = PointMapper.fromTable(rows);
    c.restore(a.snapshot(), a.isOnline);
    assert.equal(c.isOnline, false);
    assert.ok(
      off.length === 2 &&
        c
          .snapshot()
          .filter((p) => p.value !== null)
          .every((p) => p.quality === 'invalid'),
    );
    assert.equal(c.apply(reply, 4000).length, 2, 'quality back to good: both reported');
  });
});

describe('quality helpers', () => {
  it('AI qualifiers, SV flags and COMSYS texts', () => {
    assert.deepEqual([0, 1, 2, 3].map(aiQuality), ['good', 'invalid', 'questionable', 'questionable']);
    assert.equal(SV_FLAG.CALIF_NO_RESP, 0x10);
    assert.deepEqual(svFlags(0x44), {
      bor: false,
      por: false,
      wdt: true,
      iedArr: false,
      califNoResp: false,
      ovfPilaEv: false,
      primeraPeh: true,
      clockOutOfTolerance: false,
    });
    assert.equal(comsysMeaning(2, 1), 'link to IED re-connected');
    assert.equal(comsysMeaning(3, 0xb), 'IED start-up (POR, BOR, UART)');
    assert.equal(comsysMeaning(9, 0), 'unknown COMSYS code 9');
  });

  it('re-encoding a mapped reply is not needed: the mapper never mutates its input', () => {
    const v = vectors.find((x) => x.name === 'poll-response-mixed-events')!;
    const frame = decodeFrame(parseHex(v.hex));
    new PointMapper(model()).applyFull(frame, 1);
    assert.equal(encodePollReply(frame).toString('hex'), parseHex(v.hex).toString('hex'));
  });
});
