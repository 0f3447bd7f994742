/** mara-project → mara-points → mara-formula in a real Node-RED runtime, with the example workbook. */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame, encodePoll } from '../../lib';
import { SimDevice } from '../../lib/link/sim-device';
import { until } from '../helpers/pipe';
import { catchNode, collect, helper } from '../helpers/red';
import projectNode = require('../../nodes/mara-project');
import pointsNode = require('../../nodes/mara-points');
import formulaNode = require('../../nodes/mara-formula');

type Msg = { payload: any; topic?: string; error?: any };
const NODES = [projectNode, pointsNode, formulaNode, catchNode];
// The test helper has no userDir: paths resolve against the working directory (the checkout).
const WORKBOOK = 'examples/substation.xlsx';

/** A reply of the simulated COMaster (6 SV bytes, 4 DI bytes, 8 AI words: the example's IED 1). */
function reply(set: (d: SimDevice) => void) {
  const d = new SimDevice({ address: 1 });
  set(d);
  return decodeFrame(d.handle(decodeFrame(encodePoll({ dst: 1, seq: 0x20 })))!).reply!;
}

describe('project, points and formula nodes', () => {
  before(() => new Promise<void>((r) => helper.startServer(() => r())));
  after(() => new Promise<void>((r) => helper.stopServer(() => r())));
  afterEach(() => helper.unload());

  const flow = [
    { id: 't', type: 'tab' },
    { id: 'proj', type: 'mara-project', path: WORKBOOK, dialect: 'txscada', watch: false },
    { id: 'pts', type: 'mara-points', z: 't', project: 'proj', comaster: '', wires: [['pout', 'frm']] },
    { id: 'frm', type: 'mara-formula', z: 't', project: 'proj', wires: [['fout']] },
    { id: 'pout', type: 'helper', z: 't' },
    { id: 'fout', type: 'helper', z: 't' },
    { id: 'c', type: 'catch', z: 't', scope: ['pts', 'frm'], uncaught: false, wires: [['err']] },
    { id: 'err', type: 'helper', z: 't' },
  ];

  it('loads the example workbook and turns a reply into points and element changes', async () => {
    await helper.load(NODES, flow);
    const snapshot = collect<Msg>(helper.getNode('fout'), 1, 10000);
    const [snap] = await snapshot;
    assert.equal(snap.topic, 'snapshot');
    assert.ok(snap.payload.length > 100, 'every element attribute');
    const pts = collect<Msg>(helper.getNode('pout'), 1);
    const els = collect<Msg>(helper.getNode('fout'), 1);
    helper.getNode('pts').receive({
      payload: reply((d) => {
        d.setDi(3, true); // S1152B01 closed
        d.setDi(0, true); // S1252B01 closed
        d.setAi(0, 1796); // S12VV_00
      }),
    });
    const [p] = await pts;
    const byTag = new Map(p.payload.filter((c: any) => c.kind === 'state').map((c: any) => [c.tag, c]));
    assert.equal((byTag.get('S1152B01') as any).value, 1);
    assert.equal((byTag.get('S12VV_00') as any).value, 1796);
    assert.equal((byTag.get('S12VV_00') as any).quality, 'good');
    const [e] = await els;
    const attrs = new Map(e.payload.map((c: any) => [`${c.tag}.${c.attr}`, c.value]));
    assert.equal(attrs.get('S12BAR00.stroke'), 2, 'the 33 kV bar is energised');
    assert.ok(typeof attrs.get('S12VV_00.text') === 'string');
  });

  it('reports the workbook problems through the admin API', async () => {
    await helper.load(NODES, flow);
    await until(() => ((helper.getNode('proj') as any).project?.version ?? 0) > 0, 10000, 'workbook loaded');
    const res = await helper.request().get('/mara/project/proj/problems').expect(200);
    assert.equal(res.body.counts.points, (helper.getNode('proj') as any).project.model.points.length);
    assert.deepEqual(res.body.problems, []);
  });

  it('mara-formula with its own table: a bad formula is reported with row and column; the others run; plain msgs feed it', async () => {
    await helper.load(NODES, [
      { id: 't', type: 'tab' },
      {
        id: 'frm', type: 'mara-formula', z: 't', dialect: 'txscada',
        formulas: [
          { tag: 'BAR', attr: 'stroke', formula: 'SI(ai.V.value*ai.V.escala>0.1,2,3)' },
          { tag: 'BAD', attr: 'fill', formula: 'SI(di.X.value),1,2)' },
          { tag: 'T', attr: 'text', formula: 'str(ai.V.value/2)' },
        ],
        wires: [['fout']],
      },
      { id: 'fout', type: 'helper', z: 't' },
    ]);
    const frm = helper.getNode('frm');
    const errors: string[] = (frm as any).error.getCalls().map((c: any) => String(c.args[0]));
    const out = collect<Msg>(helper.getNode('fout'), 1);
    frm.receive({ topic: 'ai.V', payload: 7 });
    const [m] = await out;
    assert.deepEqual(m.payload.map((c: any) => [c.tag, c.attr, c.value]).sort(), [['BAR', 'stroke', 2], ['T', 'text', '3']]);
    assert.equal(errors.length, 1, 'one error for the bad formula, at deploy');
    assert.match(errors[0], /row 2 BAD\.fill column 15/);
    const res = await helper.request().post('/mara/formula/try').send({ id: 'frm', formula: 'str(ai.V.value*3)', inputs: {} }).expect(200);
    assert.deepEqual(res.body, { ok: true, value: '21', type: 'string' });
  });

  it('mara-points marks every point invalid once when the device goes offline', async () => {
    await helper.load(NODES, flow);
    await until(() => ((helper.getNode('proj') as any).project?.version ?? 0) > 0, 10000, 'workbook loaded');
    await new Promise((r) => setTimeout(r, 50));
    const out = collect<Msg>(helper.getNode('pout'), 2);
    helper.getNode('pts').receive({ payload: reply(() => undefined) });
    helper.getNode('pts').receive({ topic: 'line/1/$status', payload: { address: 1, online: false } });
    const [, off] = await out;
    assert.ok(off.payload.length >= 40);
    assert.ok(off.payload.every((c: any) => c.quality === 'invalid'));
  });

  it('fails a msg it cannot read with EINVAL to a Catch node', async () => {
    await helper.load(NODES, flow);
    await until(() => ((helper.getNode('proj') as any).project?.version ?? 0) > 0, 10000, 'workbook loaded');
    await new Promise((r) => setTimeout(r, 50));
    const err = collect<Msg>(helper.getNode('err'), 2);
    helper.getNode('pts').receive({ payload: 42 });
    helper.getNode('frm').receive({ payload: 'nonsense' });
    assert.deepEqual((await err).map((m) => m.error.code), ['EINVAL', 'EINVAL']);
  });
});
