/**
 * One `mara points` per line (issue 12 items 4 and 9), in a real Node-RED runtime with the migration workbook
 * (test/fixtures/migration/): a multi-drop line of three IEDs on a simulator over TCP, polled one by one through
 * ONE points node; the COMaster chosen by the addresses the line polls (never the disabled first one); a coded
 * failure naming the choices when nothing tells; an address the workbook has no row for.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame, encodePollReply } from '../../lib/mara';
import { until } from '../helpers/pipe';
import { catchNode, helper } from '../helpers/red';
import { freePort } from '../helpers/red-child';
import projectNode = require('../../nodes/mara-project');
import pointsNode = require('../../nodes/mara-points');
import lineNode = require('../../nodes/mara-line');
import pollNode = require('../../nodes/mara-poll');
import simNode = require('../../nodes/mara-simulator');

type Msg = { payload: any; topic?: string; error?: any; unplaced?: any; unmapped?: any[] };
const WORKBOOK = 'test/fixtures/migration/migration.xlsx';
const NODES = [projectNode, pointsNode, lineNode, pollNode, simNode, catchNode];

/** Records what a runtime node shows and warns (the editor sees the same). */
function spy(id: string): { statuses: string[]; warns: string[] } {
  const n = helper.getNode(id) as any;
  const out = { statuses: [] as string[], warns: [] as string[] };
  const status = n.status.bind(n);
  const warn = n.warn.bind(n);
  n.status = (s: { text?: string }) => (out.statuses.push(String(s?.text ?? '')), status(s));
  n.warn = (m: unknown) => (out.warns.push(String(m)), warn(m));
  return out;
}

/** A mara-poll reply msg of `line` from `address` (what mara-poll hands on), through the codec. */
function pollMsg(line: string, address: number, di: number[], ai: number[], events = 0) {
  const r = decodeFrame(
    encodePollReply({ dst: 0x40, src: address, seq: 0x21, sv: [0x40, 0, 0, 0, 0, 0], di, ai: ai.map((value) => ({ value, q: 0 })), events: [] }),
  ).reply!;
  const evs = Array.from({ length: events }, (_, i) => ({ type: 'DI', raw: [i, address], address, port: 0, bit: i }));
  return { topic: `${line}/${address}`, payload: { address, sv: r.sv, di: r.di, diBits: r.diBits, ai: r.ai, events: evs }, mara: { line, address, at: 1000 } };
}

const states = (ms: Msg[]) => ms.flatMap((m) => (Array.isArray(m.payload) ? m.payload : []).filter((c: any) => c.kind === 'state'));
const last = (ms: Msg[], tag: string) =>
  states(ms)
    .filter((c: any) => c.tag === tag)
    .pop();

describe('one mara points per line', { timeout: 60_000 }, () => {
  before(() => new Promise<void>((r) => helper.startServer(() => r())));
  after(() => new Promise<void>((r) => helper.stopServer(() => r())));
  afterEach(() => helper.unload());

  it('a multi-drop line of 3 IEDs polled one by one: one points node maps each by its address; one IED offline invalidates only its points', async () => {
    const port = await freePort();
    await helper.load(NODES, [
      { id: 't', type: 'tab' },
      { id: 'proj', type: 'mara-project', path: WORKBOOK, dialect: 'txscada', watch: false },
      { id: 'sim', type: 'mara-simulator', z: 't', transport: 'tcp', host: '127.0.0.1', port, devices: '1,2,3', diBytes: 2, aiCount: 1, activity: false },
      {
        id: 'line3',
        type: 'mara-line',
        name: 'L3',
        transport: 'tcp',
        host: '127.0.0.1',
        port,
        persist: false,
        pehOnConnect: false,
        masterAddress: 0x40,
        devices: [1, 2, 3].map((address) => ({ address, name: `IED ${address}`, pollInterval: 0.05, timeout: 500, retries: 3 })),
      },
      { id: 'poll', type: 'mara-poll', z: 't', line: 'line3', wires: [['pts'], ['pts']] },
      // no COMaster, no line named: the replies name their line, whose addresses 1,2,3 are COMaster 3's IED rows
      { id: 'pts', type: 'mara-points', z: 't', project: 'proj', comaster: '', wires: [['out']] },
      { id: 'out', type: 'helper', z: 't' },
      { id: 'c', type: 'catch', z: 't', scope: ['pts'], uncaught: false, wires: [['err']] },
      { id: 'err', type: 'helper', z: 't' },
    ]);
    const seen = spy('pts');
    const outs: Msg[] = [];
    const errs: Msg[] = [];
    helper.getNode('out').on('input', (m: Msg) => outs.push(m));
    helper.getNode('err').on('input', (m: Msg) => errs.push(m));
    const sim = helper.getNode('sim');
    sim.receive({ payload: { address: 2, di: { 0: 1, 2: 1 }, ai: { 0: 40 } } });
    sim.receive({ payload: { address: 3, di: { 3: 1 }, ai: { 0: 7 } } });
    await until(
      () => last(outs, 'L3252B00')?.value === 1 && last(outs, 'L3352B03')?.value === 1 && last(outs, 'L31II_00')?.quality === 'good',
      20_000,
      'the three IEDs mapped',
    );
    assert.equal(last(outs, 'L32II_00')?.value, 40);
    assert.equal(last(outs, 'L33II_00')?.value, 7);
    assert.equal(last(outs, 'L3252B02')?.value, 1, 'bit 1 is the reserve row: bit 2 lands on B02');
    assert.equal(last(outs, 'L3152B00')?.value, 0);
    // every change is one of COMaster 3's IEDs, each from its own reply
    assert.deepEqual([...new Set(states(outs).map((c: any) => c.device))].sort(), ['31', '32', '33']);
    assert.ok(!states(outs).some((c: any) => c.device === '10' || c.device === '20'));
    assert.equal(errs.length, 0);
    await until(() => seen.statuses.some((s) => /^COMaster 3: /.test(s)), 5000, 'status names the COMaster');

    // IED 32 (address 2) stops answering: its points once invalid, the other IEDs' stay good
    const before = outs.length;
    helper.getNode('pts').receive({ topic: 'L3/2/$status', payload: { address: 2, online: false } });
    await until(() => outs.slice(before).some((m) => Array.isArray(m.payload) && m.payload.some((c: any) => c.quality === 'invalid')), 5000, 'offline changes');
    const off = outs.slice(before).find((m) => Array.isArray(m.payload) && m.payload.some((c: any) => c.quality === 'invalid'))!;
    assert.ok(off.payload.length > 0 && off.payload.every((c: any) => c.device === '32' && c.quality === 'invalid'));
    const snap = new Promise<Msg>((r) => helper.getNode('out').on('input', (m: Msg) => m.topic === 'snap' && r(m)));
    helper.getNode('pts').receive({ topic: 'snap', payload: 'snapshot' });
    const s = (await snap).payload as any[];
    assert.equal(s.find((p) => p.tag === 'L3152B00').quality, 'good');
    assert.equal(s.find((p) => p.tag === 'L3352B03').quality, 'good');
  });

  it('an empty COMaster never picks the disabled first one: a line polling address 1 maps COMaster 2', async () => {
    const port = await freePort(); // nothing listens: the line's own replies never come, the test feeds mara-poll's msgs
    await helper.load(NODES, [
      { id: 't', type: 'tab' },
      { id: 'proj', type: 'mara-project', path: WORKBOOK, dialect: 'txscada', watch: false },
      {
        id: 'line1',
        type: 'mara-line',
        name: 'L1',
        transport: 'tcp',
        host: '127.0.0.1',
        port,
        persist: false,
        pehOnConnect: false,
        devices: [{ address: 1, pollInterval: 60 }],
      },
      { id: 'pts', type: 'mara-points', z: 't', project: 'proj', comaster: '', line: 'line1', wires: [['out']] },
      { id: 'out', type: 'helper', z: 't' },
    ]);
    const seen = spy('pts');
    await until(() => seen.statuses.some((s) => /^COMaster 2: /.test(s)), 10_000, 'COMaster 2 chosen at load');
    const got = new Promise<Msg>((r) => helper.getNode('out').on('input', r));
    helper.getNode('pts').receive(pollMsg('L1', 1, [0x01, 0], [5, 6]));
    const m = await got;
    assert.ok(states([m]).length > 0 && states([m]).every((c: any) => c.device === '20'), JSON.stringify(states([m]).map((c: any) => c.device)));
  });

  it('when nothing tells which COMaster: a coded error naming the choices, red status, every reply failed to Catch', async () => {
    await helper.load(NODES, [
      { id: 't', type: 'tab' },
      { id: 'proj', type: 'mara-project', path: WORKBOOK, dialect: 'txscada', watch: false },
      { id: 'pts', type: 'mara-points', z: 't', project: 'proj', comaster: '', wires: [['out']] },
      { id: 'out', type: 'helper', z: 't' },
      { id: 'c', type: 'catch', z: 't', scope: ['pts'], uncaught: false, wires: [['err']] },
      { id: 'err', type: 'helper', z: 't' },
    ]);
    const seen = spy('pts');
    await until(() => seen.statuses.some((s) => /waiting for a reply/.test(s)), 10_000, 'waits for a reply to know its line');
    const err = new Promise<Msg>((r) => helper.getNode('err').on('input', r));
    helper.getNode('pts').receive(pollMsg('nowhere', 1, [0, 0], [1]));
    const e = await err;
    assert.equal(e.error.source.id, 'pts');
    assert.match(
      e.error.message,
      /1 \(10\.0\.0\.1:9761, disabled, IED addresses 1\); 2 \(10\.0\.0\.2:9761, IED addresses 1\); 3 \(10\.0\.0\.3:4001, IED addresses 1,2,3\)/,
    );
    assert.match(e.error.message, /no mara-line named nowhere/);
    await until(() => seen.statuses.includes('EAMBIGUOUS: name the COMaster'), 5000, 'red coded status');
    // a COMaster that is not in the workbook fails the same way, with its own code
    await helper.unload();
    await helper.load(NODES, [
      { id: 't', type: 'tab' },
      { id: 'proj', type: 'mara-project', path: WORKBOOK, dialect: 'txscada', watch: false },
      { id: 'pts9', type: 'mara-points', z: 't', project: 'proj', comaster: '9', wires: [[]] },
      { id: 'c', type: 'catch', z: 't', scope: ['pts9'], uncaught: false, wires: [['err']] },
      { id: 'err', type: 'helper', z: 't' },
    ]);
    const seen9 = spy('pts9');
    await until(() => seen9.statuses.includes('EUNKNOWN: name the COMaster'), 10_000, 'EUNKNOWN status');
    const err9 = new Promise<Msg>((r) => helper.getNode('err').on('input', r));
    helper.getNode('pts9').receive(pollMsg('x', 1, [0, 0], [1]));
    assert.match((await err9).error.message, /COMaster 9 is not in the workbook/);
  });

  it("an address the line's COMaster has no IED row for: status, one warning per address, msg.unplaced, its events handed on", async () => {
    await helper.load(NODES, [
      { id: 't', type: 'tab' },
      { id: 'proj', type: 'mara-project', path: WORKBOOK, dialect: 'txscada', watch: false },
      { id: 'pts', type: 'mara-points', z: 't', project: 'proj', comaster: '3', wires: [['out']] },
      { id: 'out', type: 'helper', z: 't' },
    ]);
    const seen = spy('pts');
    await until(() => seen.statuses.some((s) => /^COMaster 3: /.test(s)), 10_000, 'mapper built');
    const outs: Msg[] = [];
    helper.getNode('out').on('input', (m: Msg) => outs.push(m));
    helper.getNode('pts').receive(pollMsg('L', 7, [0xff, 0xff], [1], 2));
    helper.getNode('pts').receive(pollMsg('L', 7, [0xff, 0xff], [1]));
    helper.getNode('pts').receive(pollMsg('L', 2, [0x01, 0], [9]));
    await until(() => outs.length === 3, 5000, 'three msgs');
    assert.deepEqual(outs[0].payload, []);
    assert.equal(outs[0].unplaced.address, 7);
    assert.equal(outs[0].unplaced.reason, 'unknown-address');
    assert.deepEqual(
      outs[0].unmapped!.map((u) => [u.address, u.reason]),
      [
        [7, 'unknown-address'],
        [7, 'unknown-address'],
      ],
      'its events are not dropped',
    );
    assert.equal(seen.warns.filter((w) => /address 7 not placed/.test(w)).length, 1, 'one warning for the address');
    assert.match(
      seen.warns.find((w) => /address 7/.test(w))!,
      /no IED row of COMaster 3 has RS-485 address 7/,
    );
    assert.ok(seen.statuses.some((s) => /address 7 not placed/.test(s)));
    assert.equal(last(outs, 'L3252B00')?.value, 1, 'the known address still maps');
  });

  it('a mara-line that takes its COMaster from the project warns when it no longer matches the workbook, and names the choices', async () => {
    const port = await freePort();
    await helper.load(NODES, [
      { id: 't', type: 'tab' },
      { id: 'proj', type: 'mara-project', path: WORKBOOK, dialect: 'txscada', watch: false },
      // copied once from COMaster 3, then edited by hand: the workbook has 10.0.0.3:4001 with IEDs 1,2,3
      {
        id: 'lineP',
        type: 'mara-line',
        name: 'LP',
        transport: 'tcp',
        host: '127.0.0.1',
        port,
        persist: false,
        pehOnConnect: false,
        project: 'proj',
        comaster: '3',
        projectPoll: 'direct',
        devices: [
          { address: 1, pollInterval: 60 },
          { address: 2, pollInterval: 60 },
        ],
      },
      {
        id: 'lineQ',
        type: 'mara-line',
        name: 'LQ',
        transport: 'tcp',
        host: '127.0.0.1',
        port,
        persist: false,
        pehOnConnect: false,
        project: 'proj',
        comaster: '9',
        devices: [{ address: 1, pollInterval: 60 }],
      },
    ]);
    const p = spy('lineP');
    const q = spy('lineQ');
    await until(
      () => p.warns.some((w) => /workbook's COMaster/.test(w)) && q.warns.some((w) => /project COMaster/.test(w)),
      10_000,
      'both lines checked against the workbook',
    );
    assert.ok(
      p.warns.some((w) => w.includes("the workbook's COMaster 3 is 10.0.0.3:4001 with devices 1,2,3; this line runs 127.0.0.1:" + port + ' with devices 1,2')),
      p.warns.join('\n'),
    );
    assert.ok(
      q.warns.some((w) =>
        /EUNKNOWN: COMaster 9 is not in the workbook; the workbook's COMasters: 1 \(10\.0\.0\.1:9761, disabled\); 2 .*; 3 \(10\.0\.0\.3:4001\)/.test(w),
      ),
      q.warns.join('\n'),
    );
  });
});
