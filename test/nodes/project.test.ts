/** mara-project → mara-points → mara-formula in a real Node-RED runtime, with the example workbook. */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame, encodePoll } from '../../lib';
import { SimDevice } from '../../lib/sim/device';
import { until } from '../helpers/pipe';
import { catchNode, collect, helper } from '../helpers/red';
import projectNode = require('../../nodes/mara-project');
import pointsNode = require('../../nodes/mara-points');
import formulaNode = require('../../nodes/mara-formula');
import screenNode = require('../../nodes/ui_mara_screen');
const dashboardNodes = ['ui_tab', 'ui_group'].map((n) => require(`node-red-dashboard/nodes/${n}.js`));

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
        id: 'frm',
        type: 'mara-formula',
        z: 't',
        dialect: 'txscada',
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
    assert.deepEqual(
      m.payload
        .filter((c: any) => c.attr)
        .map((c: any) => [c.tag, c.attr, c.value])
        .sort(),
      [
        ['BAR', 'stroke', 2],
        ['T', 'text', '3'],
      ],
    );
    // element quality follows: the plain msg carries no quality, so q absent = good
    assert.deepEqual(
      m.payload
        .filter((c: any) => c.quality)
        .map((c: any) => [c.tag, c.table, c.quality])
        .sort(),
      [
        ['BAR', 'eg', 'good'],
        ['T', 'eg', 'good'],
      ],
    );
    assert.equal(errors.length, 1, 'one error for the bad formula, at deploy');
    assert.match(errors[0], /row 2 BAD\.fill column 15/);
    const res = await helper.request().post('/mara/formula/try').send({ id: 'frm', formula: 'str(ai.V.value*3)', inputs: {} }).expect(200);
    assert.deepEqual(res.body, { ok: true, value: '21', type: 'string' });
  });

  it('mara-points marks every point invalid once when the device goes offline', async () => {
    await helper.load(NODES, flow);
    await until(() => ((helper.getNode('proj') as any).project?.version ?? 0) > 0, 10000, 'workbook loaded');
    await until(() => (helper.getNode('proj') as any).project.loading === null, 10000, 'subscribers told'); // they are told as the load ends
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
    await until(() => (helper.getNode('proj') as any).project.loading === null, 10000, 'subscribers told'); // they are told as the load ends
    const err = collect<Msg>(helper.getNode('err'), 2);
    helper.getNode('pts').receive({ payload: 42 });
    helper.getNode('frm').receive({ payload: 'nonsense' });
    assert.deepEqual(
      (await err).map((m) => m.error.code),
      ['EINVAL', 'EINVAL'],
    );
  });

  it('before any reply: no made-up value reaches the screen; what depends on a point is invalid (greyed); a reload keeps the live values', async () => {
    await helper.load(
      [...NODES, screenNode, ...dashboardNodes],
      [
        // fresh node ids: a redeployed node with the same id takes over its predecessor's live values
        ...flow.map((n) =>
          n.id === 'frm'
            ? { ...n, id: 'frm7', wires: [['fout', 'scr']] }
            : n.id === 'pts'
              ? { ...n, id: 'pts7', wires: [['pout', 'frm7', 'scr']] }
              : n.id === 'c'
                ? { ...n, scope: ['pts7', 'frm7'] }
                : n,
        ),
        { id: 'uitab', type: 'ui_tab', name: 'Home', order: 1 },
        { id: 'grp', type: 'ui_group', name: 'S1', tab: 'uitab', width: 26, order: 1, disp: false },
        {
          id: 'scr',
          type: 'ui_mara_screen',
          z: 't',
          group: 'grp',
          order: 1,
          width: 0,
          height: 0,
          project: 'proj',
          svg: '',
          start: '',
          qualityClass: 'mara-bad-quality',
          readOnly: false,
          wires: [[], []],
        },
      ],
    );
    const [snap] = await collect<Msg>(helper.getNode('fout'), 1, 10000);
    const st = (helper.getNode('scr') as any).maraScreen.state;
    await until(() => st.snapshot.screens.length > 0, 10000, 'screens loaded');
    const attrs = new Map(snap.payload.filter((c: any) => c.attr).map((c: any) => [`${c.tag}.${c.attr}`, c.value]));
    // the original (and the old engine) read AIs as -1 and DIs as 0: "-10 944 A", open breakers, dead bars
    assert.equal(attrs.get('S11II_03.text'), null, 'no current before it is read');
    assert.equal(attrs.get('S1152B03.fill'), null, 'no breaker state before its DI is read');
    assert.equal(attrs.get('S12BAR00.stroke'), null, 'no bar colour before its voltage is read');
    assert.equal(attrs.get('S11TEC03.text'), 'ES', 'a static text is configuration and stays');
    // the screen paints none of them (the drawing's own look) and greys them
    for (const tag of ['S11II_03', 'S1152B03', 'S12BAR00', 'S12VV_00', 'S1189S03']) {
      assert.equal(
        st.snapshot.state[tag]?.[tag === 'S11II_03' || tag === 'S12VV_00' ? 'text' : tag === 'S1152B03' ? 'fill' : 'stroke'],
        undefined,
        `${tag}: the drawing's own look`,
      );
      assert.equal(st.snapshot.quality[tag], 'invalid', `${tag} greyed`);
    }
    assert.equal(st.snapshot.quality.S11TEC03, undefined, 'static texts are not greyed');
    // a reply: live values, good quality
    const live = collect<Msg>(helper.getNode('fout'), 1);
    helper.getNode('pts7').receive({
      payload: reply((d) => {
        for (const i of [0, 3, 5, 8, 16]) d.setDi(i, true);
        d.setAi(0, 1796);
        d.setAi(1, 1796);
        d.setAi(4, 870);
      }),
    });
    await live;
    await until(() => st.snapshot.quality.S1152B03 === undefined && !!st.snapshot.state.S1152B03?.fill, 3000, 'breaker painted, good');
    const painted = JSON.stringify(st.snapshot.state);
    // the workbook is saved again (project reload): the new engine starts from the last known values
    const out = collect<Msg>(helper.getNode('fout'), 1, 10000);
    const toScreen = collect<Msg>(helper.getNode('scr'), 1, 10000); // runs after the screen's own input handler
    await (helper.getNode('proj') as any).project.reload();
    const [again] = await out;
    assert.equal(again.topic, 'snapshot');
    const re = new Map(again.payload.filter((c: any) => c.attr).map((c: any) => [`${c.tag}.${c.attr}`, c.value]));
    assert.equal(re.get('S1152B03.fill'), 1, 'closed and energised, from the last values, not from defaults');
    assert.equal(typeof re.get('S11II_03.text'), 'string');
    assert.ok(again.payload.some((c: any) => c.tag === 'S1152B03' && c.quality === 'good'));
    await toScreen;
    assert.equal(JSON.stringify(st.snapshot.state), painted, 'the screen does not change on a reload');
  });
});
