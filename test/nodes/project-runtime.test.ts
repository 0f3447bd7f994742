/**
 * One owner per state (issue 13), in a real Node-RED runtime with the example workbook: the mara-formula
 * nodes of a project share the project's one engine, a screen's operator toggle reaches the formulas without
 * any wire, and a reload or a redeploy of a formula node keeps the live state.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '../helpers/pipe';
import { catchNode, collect, helper } from '../helpers/red';
import { defaultDashboardResolver, DashboardApi, SOCKET_ID } from '../../nodes/shared/dashboard';
import projectNode = require('../../nodes/mara-project');
import formulaNode = require('../../nodes/mara-formula');
import screenNode = require('../../nodes/ui_mara_screen');
const dashboardNodes = ['ui_tab', 'ui_group'].map((n) => require(`node-red-dashboard/nodes/${n}.js`));

type Msg = { payload: any; topic?: string; error?: any };
// The test helper has no userDir: paths resolve against the working directory (the checkout).
const WORKBOOK = 'examples/substation.xlsx';
const GREY = '#c0c0c0'; // colour 12 of the example: a disconnector open

/** What the widget sent to single clients (`emitSocket`): the toggle confirmations. */
let replies: Record<string, any>[] = [];
function recordingResolver(RED: Parameters<typeof defaultDashboardResolver>[0]): DashboardApi {
  const real = defaultDashboardResolver(RED);
  return {
    ev: real.ev,
    emitSocket(event, data) {
      replies.push({ event, ...data });
      real.emitSocket?.(event, data);
    },
    addWidget: (o) => real.addWidget(o),
  };
}

/** A browser message as the dashboard's socket delivers it, with the socket id socket.io stamps. */
function fromBrowser(id: string, msg: Record<string, unknown>, socket = 'sock-1') {
  const ui = require('node-red-dashboard/ui')({});
  const data: Record<string | symbol, unknown> = { id, msg, socketid: socket };
  Object.defineProperty(data, SOCKET_ID, { value: socket });
  ui.ev.emit('update-value', data);
}

const base = [
  { id: 't', type: 'tab' },
  { id: 'proj', type: 'mara-project', path: WORKBOOK, dialect: 'txscada', watch: false },
  { id: 'c', type: 'catch', z: 't', scope: null, uncaught: false, wires: [['err']] },
  { id: 'err', type: 'helper', z: 't' },
];
const screen = [
  { id: 'uitab', type: 'ui_tab', name: 'Home', order: 1 },
  { id: 'grp', type: 'ui_group', name: 'S1', tab: 'uitab', width: 26, order: 1, disp: false },
  // both outputs unwired: nothing carries the toggle to a mara-formula
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
];
const NODES = [projectNode, formulaNode, screenNode, catchNode, ...dashboardNodes];
/** Fresh msgs each time (a node that sends a msg on changes its payload). */
/** The next snapshot msg a helper node receives. */
function nextSnapshot(node: { on(ev: string, f: (m: Msg) => void): void }): Promise<Msg> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no snapshot within 10 s')), 10_000);
    node.on('input', (m: Msg) => {
      if (m.topic !== 'snapshot') return;
      clearTimeout(t);
      resolve(m);
    });
  });
}
const live = () => [
  { topic: 'di.S1152B03', payload: 1 }, // feeder 3 breaker closed
  { topic: 'ai.S11VV_00', payload: 1796 }, // 13.2 kV bar live
  { topic: 'ai.S12VV_00', payload: 1796 },
];

describe('one runtime per project', () => {
  before(() => new Promise<void>((r) => helper.startServer(() => r())));
  after(() => {
    screenNode.setDashboardResolver();
    return new Promise<void>((r) => helper.stopServer(() => r()));
  });
  afterEach(async () => {
    await helper.unload();
    replies = [];
  });

  it('two mara-formula nodes on one project share one engine: a point fed into one is seen through the other', async () => {
    await helper.load(NODES, [
      ...base,
      { id: 'frm1', type: 'mara-formula', z: 't', project: 'proj', wires: [['out1']] },
      { id: 'frm2', type: 'mara-formula', z: 't', project: 'proj', wires: [['out2']] },
      { id: 'out1', type: 'helper', z: 't' },
      { id: 'out2', type: 'helper', z: 't' },
    ]);
    const [[s1], [s2]] = await Promise.all([collect<Msg>(helper.getNode('out1'), 1, 10000), collect<Msg>(helper.getNode('out2'), 1, 10000)]);
    const e1 = (helper.getNode('frm1') as any).engine;
    assert.ok(e1 && e1.size > 0, 'formulas loaded');
    assert.equal((helper.getNode('frm2') as any).engine, e1, 'the same engine object');
    assert.equal((helper.getNode('proj') as any).runtime.engine, e1, 'the project owns it');
    assert.equal(s1.topic, 'snapshot');
    assert.equal(s2.topic, 'snapshot');
    assert.deepEqual(s2.payload, s1.payload, 'one state, the same snapshot from each node');
    // frm1 gets the 33 kV voltage; frm2 only what frm2's input causes (the msg contract of each node stays)
    const out1 = collect<Msg>(helper.getNode('out1'), 1);
    let second = 0;
    helper.getNode('out2').on('input', () => second++);
    helper.getNode('frm1').receive({ topic: 'ai.S12VV_00', payload: 1796 });
    const [m1] = await out1;
    const attrs = new Map(m1.payload.filter((c: any) => c.attr).map((c: any) => [`${c.tag}.${c.attr}`, c.value]));
    assert.equal(attrs.get('S12VV_00.text'), '33.0');
    assert.equal(attrs.get('S12BAR00.stroke'), 2, 'the 33 kV bar is live');
    // formulas evaluated through frm2 (the editor's Test, with frm2's deployed state) see frm1's point
    const res = await helper.request().post('/mara/formula/try').send({ id: 'frm2', formula: 'str(ai.S12VV_00.value)', inputs: {} }).expect(200);
    assert.deepEqual(res.body, { ok: true, value: '1796', type: 'string' });
    // a point into frm2 that changes nothing already computed sends nothing from frm2
    const out2 = collect<Msg>(helper.getNode('out2'), 1);
    helper.getNode('frm2').receive({ topic: 'ai.S11VV_00', payload: 1796 });
    const [m2] = await out2;
    assert.ok(m2.payload.some((c: any) => c.tag === 'S11VV_00' && c.attr === 'text'));
    assert.ok(!m2.payload.some((c: any) => c.tag === 'S12VV_00'), "frm1's changes are not sent again by frm2");
    assert.equal(second, 1, 'frm2 sent its own change only');
  });

  it('a toggle from a screen whose outputs are not wired reaches the formulas: what reads the element repaints', async () => {
    screenNode.setDashboardResolver(recordingResolver);
    // mara-formula → screen wired as flows did before (the screen also shows the project's state without it)
    await helper.load(NODES, [...base, ...screen, { id: 'frm', type: 'mara-formula', z: 't', project: 'proj', wires: [['scr']] }]);
    const st = (helper.getNode('scr') as any).maraScreen.state;
    await until(() => st.snapshot.screens.length > 0 && ((helper.getNode('frm') as any).engine?.size ?? 0) > 0, 10000, 'screens and formulas loaded');
    for (const m of live()) helper.getNode('frm').receive(m);
    // the breaker has the disconnector's colour
    await until(() => !!st.snapshot.state.S1152B03?.fill && st.snapshot.quality.S1152B03 === undefined, 3000, 'breaker painted from the formulas');
    const closedFill = st.snapshot.state.S1152B03.fill;
    assert.notEqual(closedFill, GREY);
    fromBrowser('scr', { type: 'view', screen: 'S1' });
    fromBrowser('scr', { type: 'toggle-request', tag: 'S1189S03', screen: 'S1' });
    await until(() => replies.some((r) => r.confirm), 2000, 'confirmation offered');
    const ask = replies.find((r) => r.confirm)!;
    assert.deepEqual([ask.confirm.from, ask.confirm.to], ['1', '0']);
    fromBrowser('scr', { type: 'toggle', token: ask.confirm.token });
    // the engine holds the write and re-evaluated what reads it; the screen shows that
    const engine = (helper.getNode('frm') as any).engine;
    await until(() => engine.element('S1189S03')?.text === '0', 2000, 'the engine has the toggle');
    assert.equal(engine.element('S1189I03')?.text, '0', 'and the linked text');
    assert.equal(engine.element('S1189S03')?.stroke, 12, 'the open disconnector is grey');
    assert.equal(engine.element('S1152B03')?.fill, 12, "the breaker takes the disconnector's colour");
    await until(() => st.snapshot.state.S1152B03?.fill === GREY, 2000, 'the screen repaints the breaker');
    assert.equal(st.snapshot.state.S1189S03.stroke, GREY);
    assert.equal(st.snapshot.state.S1189S03.text, '0');
    // the formulas' Test sees the toggled state too
    const res = await helper.request().post('/mara/formula/try').send({ id: 'frm', formula: 'eg.S1189S03.text', inputs: {} }).expect(200);
    assert.equal(res.body.value, '0');
  });

  it('a reload and a redeploy of the formula node keep the live state: points, toggles and what the screen shows', async () => {
    screenNode.setDashboardResolver(recordingResolver);
    const frm = { id: 'frm', type: 'mara-formula', z: 't', project: 'proj', name: '', wires: [['out']] };
    const flow = [...base, ...screen, frm, { id: 'out', type: 'helper', z: 't' }];
    await helper.load(NODES, flow);
    const st = (helper.getNode('scr') as any).maraScreen.state;
    await until(() => st.snapshot.screens.length > 0 && ((helper.getNode('frm') as any).engine?.size ?? 0) > 0, 10000, 'screens and formulas loaded');
    for (const m of live()) helper.getNode('frm').receive(m);
    fromBrowser('scr', { type: 'view', screen: 'S1' });
    fromBrowser('scr', { type: 'toggle-request', tag: 'S1189S04', screen: 'S1' });
    await until(() => replies.some((r) => r.confirm), 2000, 'confirmation offered');
    fromBrowser('scr', { type: 'toggle', token: replies.find((r) => r.confirm)!.confirm.token });
    await until(() => st.snapshot.state.S1189S04?.text === '0' && st.snapshot.state.S1152B03?.fill !== undefined, 2000, 'toggled and painted');
    const painted = JSON.stringify(st.snapshot.state);
    // the workbook is saved again: the new engine starts from the last values and the operator's writes
    const proj = helper.getNode('proj') as any;
    const before = proj.runtime.engine;
    const snap = nextSnapshot(helper.getNode('out'));
    await proj.project.reload();
    const again = await snap;
    assert.equal(again.topic, 'snapshot');
    assert.notEqual(proj.runtime.engine, before, 'a new engine for the new workbook');
    const v = new Map(again.payload.filter((c: any) => c.attr).map((c: any) => [`${c.tag}.${c.attr}`, c.value]));
    assert.equal(v.get('S12VV_00.text'), '33.0', 'the last voltage');
    assert.equal(v.get('S1189S04.text'), '0', "the operator's toggle");
    await until(() => JSON.stringify(st.snapshot.state) === painted, 2000, 'the screen is unchanged by a reload');
    // only the formula node is redeployed (a changed name): the project and its state stay
    const snap2 = nextSnapshot(helper.getNode('out'));
    await helper.setFlows([...base, ...screen, { ...frm, name: 'renamed' }, { id: 'out', type: 'helper', z: 't' }], 'nodes');
    const third = await snap2;
    assert.equal((helper.getNode('frm') as any).name, 'renamed');
    const v3 = new Map(third.payload.filter((c: any) => c.attr).map((c: any) => [`${c.tag}.${c.attr}`, c.value]));
    assert.equal(v3.get('S12VV_00.text'), '33.0', "the redeployed node starts from the project's live values");
    assert.equal(v3.get('S1189S04.text'), '0');
    assert.equal(JSON.stringify(st.snapshot.state), painted);
  });
});
