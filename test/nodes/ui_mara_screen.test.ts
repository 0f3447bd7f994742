import { after, afterEach, before, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import type { EventEmitter } from 'node:events';
import { catchNode, collect, helper } from '../helpers/red';
import { until } from '../helpers/pipe';
import { fakeProjectNode, setProjectModel } from '../helpers/fake-project';
import { defaultDashboardResolver, DashboardApi, SOCKET_ID } from '../../nodes/shared/dashboard';
import type { Element, ProjectModel } from '../../lib/project/model';
import screenNode = require('../../nodes/ui_mara_screen');

/** What the browser gets: the screen state's maps keyed by tag have no prototype, so they are compared by their JSON. */
const wire = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;

const uiTab = require('node-red-dashboard/nodes/ui_tab.js');
const uiGroup = require('node-red-dashboard/nodes/ui_group.js');

type Msg = { topic?: string; payload: any; event?: any; socketid?: string; error?: any };
type Options = Record<string, any> & { node: EventEmitter & { id: string } };

const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">
  <rect tag="B" x="0" y="0" width="10" height="10" style="fill:#000000"/>
  <text tag="T" x="0" y="20">0.00</text>
</svg>`;

let captured: Options[] = [];
let removers = 0;
/** What the widget sent to single clients (`emitSocket`): confirmations and refusals. */
let replies: Record<string, any>[] = [];
/** The real dashboard (found by the fallback require), with addWidget recorded. */
function recordingResolver(RED: Parameters<typeof defaultDashboardResolver>[0]): DashboardApi {
  const real = defaultDashboardResolver(RED);
  return {
    ev: real.ev,
    emitSocket(event, data) {
      replies.push({ event, ...data });
      real.emitSocket?.(event, data);
    },
    addWidget(o) {
      captured.push(o as Options);
      const rm = real.addWidget(o);
      return () => {
        removers++;
        rm?.();
      };
    },
  };
}

function flow(extra: Record<string, unknown> = {}, more: Record<string, unknown>[] = []) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'uitab', type: 'ui_tab', name: 'Home', order: 1 },
    { id: 'grp', type: 'ui_group', name: 'Screens', tab: 'uitab', width: 12, order: 1, disp: true },
    {
      id: 'scr',
      type: 'ui_mara_screen',
      z: 'tab',
      group: 'grp',
      order: 1,
      width: 0,
      height: 0,
      project: '',
      svg: SVG,
      start: '',
      qualityClass: 'mara-bad-quality',
      readOnly: false,
      wires: [['out1'], ['out2']],
      ...extra,
    },
    { id: 'out1', type: 'helper', z: 'tab' },
    { id: 'out2', type: 'helper', z: 'tab' },
    { id: 'c', type: 'catch', z: 'tab', scope: ['scr'], uncaught: false, wires: [['err']] },
    { id: 'err', type: 'helper', z: 'tab' },
    ...more,
  ];
}

const nodes = () => [screenNode, uiTab, uiGroup, catchNode, fakeProjectNode];
const state = (id = 'scr') => (helper.getNode(id) as any).maraScreen.state;
/** Lets the runtime's msg deliveries and the dashboard's events (setImmediate, microtasks) run. */
const settle = async (rounds = 6) => {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
};
/** node:test mock time for the node's coalescing timer and its clock; reset after each test, before unload. */
const mockTime = () => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.now() });
/** `ms` of mock time, then the deliveries it caused. */
const pass = async (ms: number) => {
  mock.timers.tick(ms);
  await settle();
};

/** Calls of a Node.prototype method (the helper spies them) made on node `id`. */
function calls(method: 'status' | 'error' | 'warn', id = 'scr'): any[][] {
  const n = helper.getNode(id) as any;
  const spy = n[method];
  return spy
    .getCalls()
    .filter((c: any) => c.thisValue === n)
    .map((c: any) => c.args);
}

/** What reaches the dashboard through the stand-in node: each payload the node feeds it. */
function fed(o: Options): any[] {
  const got: any[] = [];
  o.node.on('input', (m: any) => got.push(m.payload));
  return got;
}

/**
 * Simulates a browser message the way the dashboard's socket delivers it: `socket` is the id socket.io stamps
 * (shared/dashboard.ts stampSocketIds; the Chromium test goes through the real socket), `socketid` what the
 * client wrote itself.
 */
function fromBrowser(id: string, msg: Record<string, unknown>, socket: string | null = 'sock-1', socketid: unknown = socket) {
  const ui = require('node-red-dashboard/ui')({});
  const data: Record<string | symbol, unknown> = { id, msg, socketid };
  if (socket !== null) Object.defineProperty(data, SOCKET_ID, { value: socket });
  ui.ev.emit('update-value', data);
}

let dir = '';
const el = (tag: string, screen: string, over: Partial<Element> = {}): Element => ({
  tag,
  description: `desc ${tag}`,
  text: '0',
  fill: null,
  stroke: null,
  mark: null,
  screen,
  disabled: false,
  row: 2,
  ...over,
});
function projectModel(): ProjectModel {
  return {
    comasters: [],
    devices: [],
    points: [],
    formulas: [],
    eventTexts: [],
    screens: [
      { name: 'MAP', file: 'map.svg', description: 'Map', prefix: 'MAP', parent: null, row: 2 },
      { name: 'S1', file: 'screens/s1.svg', description: 'Substation 1', prefix: 'S1', parent: 'MAP', row: 3 },
      { name: 'EVIL', file: '../outside.svg', description: '', prefix: 'EV', parent: null, row: 4 },
    ],
    colours: [
      { index: 1, name: 'ocre', css: '#ffcc00', description: '' },
      { index: 6, name: 'rojo', css: '#ff0000', description: '' },
      { index: 12, name: 'gris', css: '#c0c0c0', description: '' },
    ],
    elements: [
      el('S12ETT00', 'MAP', { fill: 6, onClickJump: 'S1' }),
      el('S1189S03', 'S1', { text: '1', stroke: 12, onClickTextToggle: '1 (Cerrado), 0 (Abierto)', linkedTextChange: ['S1189I03', 'S12ETT00'] }),
      el('S1189I03', 'S1', { text: '1', onClickTextToggle: '1 (Cerrado), 0 (Abierto)', linkedTextChange: ['S1189S03'] }),
      el('S1152B01', 'S1', { fill: 1 }),
      el('S11BAR00', 'S1', { disabled: true, stroke: 1 }),
    ],
  };
}

describe('ui_mara_screen node', () => {
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mara-screen-node-'));
    fs.mkdirSync(path.join(dir, 'screens'));
    fs.copyFileSync(path.resolve(__dirname, '../../examples/map.svg'), path.join(dir, 'map.svg'));
    fs.copyFileSync(path.resolve(__dirname, '../../examples/s1.svg'), path.join(dir, 'screens', 's1.svg'));
    fs.writeFileSync(path.join(os.tmpdir(), 'outside.svg'), SVG);
    setProjectModel(path.join(dir, 'project.xlsx'), projectModel());
    await new Promise<void>((r) => helper.startServer(() => r()));
  });
  after(async () => {
    screenNode.setDashboardResolver();
    await new Promise<void>((r) => helper.stopServer(() => r()));
    fs.rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    mock.timers.reset();
    await helper.unload();
    screenNode.setDashboardResolver(recordingResolver);
    captured = [];
    replies = [];
    removers = 0;
  });

  it('registers with Dashboard 1 through the fallback require, with the snapshot options', async () => {
    screenNode.setDashboardResolver(recordingResolver);
    await helper.load(nodes(), flow());
    assert.equal(captured.length, 1);
    const o = captured[0];
    assert.equal(o.emitOnlyNewValues, false);
    assert.equal(o.forwardInputMessages, false);
    assert.equal(o.storeFrontEndInputAsState, false);
    assert.equal(o.persistantFrontEndValue, true);
    assert.equal(o.templateScope, 'local');
    assert.equal(o.group, 'grp');
    assert.equal(o.width, 12, 'width 0 = the group width');
    assert.equal(o.height, 10, 'height 0 = 10 rows');
    assert.equal(o.node.id, 'scr');
    assert.match(o.format, /^<div id="mara-screen-scr" class="mara-screen"><\/div>$/);
    assert.equal(typeof o.initController, 'string');
    assert.match(o.initController, /^function \(scope, events\) \{\n/);
    assert.ok(o.initController.includes('var MaraScreenUI = ('), 'the bundle declares its one global');
    assert.ok(o.initController.includes('MaraScreenUI.attach(scope, events, {"id":"scr"});'));
    new vm.Script(`(${o.initController})`); // the dashboard evaluates it as an expression: it must compile
    const st = state();
    assert.deepEqual(st.screenNames(), ['screen']);
    assert.equal(st.snapshot.hasRecords, false);
    assert.ok(calls('status').some(([s]) => s.fill === 'green' && s.text === '1 screen'));
  });

  it('stores the full snapshot for replay and emits only deltas, coalesced to at most 4 per second', async () => {
    screenNode.setDashboardResolver(recordingResolver);
    await helper.load(nodes(), flow());
    const o = captured[0];
    const feeds = fed(o);
    const n = helper.getNode('scr');
    const snap = state().snapshot;
    mockTime();
    const t0 = Date.now();
    for (let i = 0; i < 20; i++) {
      n.receive({
        payload: [
          { tag: 'B', attr: 'fill', value: i % 2 ? 6 : '#00FF00' },
          { tag: 'T', attr: 'text', value: i },
        ],
      } as never);
      await pass(50);
    }
    await pass(300);
    const elapsed = (Date.now() - t0) / 1000;
    const deltas = feeds.filter((p) => p.delta);
    assert.ok(deltas.length >= 3 && deltas.length <= Math.ceil(elapsed * 4) + 1, `${deltas.length} deltas in ${elapsed.toFixed(2)} s`);
    assert.deepEqual(snap.state.B, { fill: '#ff0000' });
    assert.deepEqual(snap.state.T, { text: '19' });
    const last = deltas[deltas.length - 1].delta;
    assert.deepEqual(wire(last.state), { B: { fill: '#ff0000' }, T: { text: '19' } });
    assert.equal(last.seq, snap.seq);
    // what ui.js does with it: stores beforeEmit(updatedValues), emits beforeEmit(newPoint)
    const conv = o.convert(feeds[feeds.length - 1], undefined, {}, undefined);
    assert.equal(conv.update, true);
    assert.equal(conv.updatedValues, snap, 'the stored value is THE snapshot object');
    assert.deepEqual(o.beforeEmit({}, conv.updatedValues), { msg: snap });
    assert.deepEqual(o.beforeEmit({}, conv.newPoint), { delta: last });
    assert.equal(o.beforeEmit({}, conv.newPoint).msg, undefined, "a delta never replaces the browser's stored msg");
    // a structural change emits the snapshot itself
    n.receive({ payload: SVG.replace('width="200"', 'width="300"') } as never);
    await pass(20);
    const full = feeds[feeds.length - 1];
    assert.equal(full.full, true);
    assert.equal(o.convert(full, undefined, {}, undefined), snap);
    assert.equal(snap.screens[0].width, 300);
  });

  it('merges element changes (indexes → CSS, strict CSS, null) and point quality into the snapshot', async () => {
    screenNode.setDashboardResolver(recordingResolver);
    await helper.load(nodes(), flow());
    const n = helper.getNode('scr');
    const errs = collect<Msg>(helper.getNode('err'), 1, 2000);
    n.receive({
      topic: 'snapshot',
      payload: [
        { tag: 'B', attr: 'fill', value: 5 },
        { tag: 'B', attr: 'stroke', value: 'Red' },
        { tag: 'T', attr: 'text', value: 62.71102 },
        { tag: 'C', attr: 'fill', value: 0 },
        { tag: 'D', attr: 'fill', value: 'url(http://x/y)' },
        { tag: 'E', attr: 'onclick', value: 'x' },
        { tag: 'F', attr: 'fill', value: 99 },
        { tag: 'F', attr: 'stroke', value: 99 },
      ],
    } as never);
    const snap = state().snapshot;
    assert.deepEqual(snap.state.B, { fill: '#3366ff', stroke: 'red' });
    assert.deepEqual(snap.state.T, { text: '62.71102' }, 'raw text; the browser applies the display rule');
    assert.equal(snap.state.C, undefined, 'index 0 is never painted');
    assert.equal(snap.state.D, undefined);
    assert.equal(snap.state.E, undefined);
    assert.equal(snap.state.F, undefined);
    const warns = calls('warn').map(([m]) => String(m));
    assert.equal(warns.filter((m) => m.includes('colour index 99')).length, 1, 'an unknown index is logged once');
    n.receive({
      payload: [
        { tag: 'B', attr: 'fill', value: null },
        { tag: 'T', attr: 'text', value: null },
      ],
    } as never);
    assert.deepEqual(snap.state.B, { stroke: 'red' });
    assert.equal(snap.state.T, undefined);
    // mara-points output: state changes with quality; events carry none
    n.receive({
      payload: [
        { kind: 'state', tag: 'B', table: 'di', value: 1, q: 0, quality: 'invalid', ts: 1 },
        { kind: 'event', tag: 'T', table: 'di', value: 1, q: 0, quality: 'questionable', ts: 1, event: true },
        { tag: 'T', q: 1 },
        { tag: 'G', q: 1 },
      ],
    } as never);
    assert.deepEqual(wire(snap.quality), { B: 'invalid', T: 'invalid' }, 'G is in no screen: not kept (item 10)');
    n.receive({ payload: { tag: 'B', quality: 'good' } } as never);
    assert.deepEqual(wire(snap.quality), { T: 'invalid' });
    n.receive({ payload: [{ tag: 'D', attr: 'fill', value: 'expression(x)' }] } as never);
    const [e] = await errs;
    assert.equal(e.error.source.id, 'scr');
    assert.match(e.error.message, /no usable item/);
  });

  it('fails bad input with EINVAL: not an array, unknown screen, SVG that is no SVG', async () => {
    screenNode.setDashboardResolver(recordingResolver);
    await helper.load(nodes(), flow());
    const n = helper.getNode('scr');
    const errs = collect<Msg>(helper.getNode('err'), 3, 2000);
    n.receive({ payload: 42 } as never);
    n.receive({ topic: 'screen', payload: 'NOPE' } as never);
    n.receive({ payload: '<svg><g></svg>' } as never);
    const got = await errs;
    assert.deepEqual(
      got.map((m) => m.error.code),
      ['EINVAL', 'EINVAL', 'EINVAL'],
    );
    assert.match(got[0].error.message, /expected payload/);
    assert.match(got[1].error.message, /unknown screen "NOPE"; screens: screen/);
    assert.match(got[2].error.message, /could not be parsed/);
    assert.deepEqual(state().screenNames(), ['screen'], 'the previous drawing stays');
  });

  it('sanitises an SVG sent by msg and warns once per screen with what was removed', async () => {
    screenNode.setDashboardResolver(recordingResolver);
    await helper.load(nodes(), flow({ svg: '' }));
    const n = helper.getNode('scr');
    const evil = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect tag="R" onclick="alert(2)"/></svg>';
    n.receive({ payload: evil } as never);
    n.receive({ payload: evil } as never);
    const svg = state().snapshot.screens[0].svg;
    assert.ok(!/script|onclick/i.test(svg), svg);
    assert.ok(svg.includes('tag="R"'));
    const warns = calls('warn')
      .map(([m]) => String(m))
      .filter((m) => m.includes('removed'));
    assert.equal(warns.length, 1);
    assert.match(warns[0], /screen "screen" \(node\): removed 2 unsafe or unsupported item\(s\)/);
  });

  it('project mode: loads screens from the workbook folder, records, initial state; refuses paths outside', async () => {
    screenNode.setDashboardResolver(recordingResolver);
    await helper.load(nodes(), [...flow({ project: 'proj', svg: '' }), { id: 'proj', type: 'mara-project', path: path.join(dir, 'project.xlsx') }]);
    const st = state();
    await until(() => st.snapshot.screens.length >= 2, 2000, 'both screens');
    assert.deepEqual(st.screenNames(), ['MAP', 'S1']);
    const snap = st.snapshot;
    assert.equal(snap.hasRecords, true);
    assert.equal(snap.screens[1].parent, 'MAP');
    assert.equal(snap.screens[1].width, 1200);
    assert.equal(snap.screens[1].background, '#000000');
    assert.ok(snap.screens[0].svg.includes('jump-to="S1"'));
    assert.deepEqual(snap.records.S12ETT00, { d: 'desc S12ETT00', j: 'S1' });
    assert.deepEqual(snap.records.S1189S03.t, [
      ['1', 'Cerrado'],
      ['0', 'Abierto'],
    ]);
    assert.equal(snap.records.S11BAR00, undefined, 'disabled elements are not sent');
    assert.deepEqual(snap.state.S12ETT00, { text: '0', fill: '#ff0000' });
    assert.deepEqual(snap.state.S1189S03, { text: '1', stroke: '#c0c0c0' });
    assert.deepEqual(snap.state.S1152B01, { text: '0', fill: '#ffcc00' });
    assert.ok(calls('warn').some(([m]) => /screen "EVIL": \.\.\/outside\.svg is outside the workbook's folder/.test(String(m))));
    const errs = collect<Msg>(helper.getNode('err'), 1, 2000);
    helper.getNode('scr').receive({ payload: SVG } as never);
    assert.match((await errs)[0].error.message, /only without a project/);
  });

  it('project mode: clicks, jumps and confirmed toggles reach the outputs; toggles write linked texts', async () => {
    screenNode.setDashboardResolver(recordingResolver);
    await helper.load(nodes(), [...flow({ project: 'proj', svg: '' }), { id: 'proj', type: 'mara-project', path: path.join(dir, 'project.xlsx') }]);
    const st = state();
    await until(() => st.snapshot.screens.length >= 2, 2000, 'both screens');
    const feeds = fed(captured[0]);
    const out1 = collect<Msg>(helper.getNode('out1'), 3, 2000);
    const out2 = collect<Msg>(helper.getNode('out2'), 1, 2000);
    mockTime(); // after the collects: their failure bounds stay real
    fromBrowser('scr', { type: 'view', screen: 'S1' });
    fromBrowser('scr', { type: 'click', tag: 'S1152B01', screen: 'S1', jump: null });
    fromBrowser('scr', { type: 'view', screen: 'MAP' });
    fromBrowser('scr', { type: 'click', tag: 'S12ETT00', screen: 'MAP', jump: 'S1' });
    fromBrowser('other-node', { type: 'click', tag: 'S1152B01', screen: 'S1' });
    fromBrowser('scr', { type: 'view', screen: 'S1' });
    // two steps: the client asks, the server answers that client with a token, the client confirms with it
    fromBrowser('scr', { type: 'toggle-request', tag: 'S1189S03', screen: 'S1' });
    await pass(20);
    const ask = replies.find((r) => r.confirm);
    assert.ok(ask, JSON.stringify(replies));
    assert.equal(ask.socketid, 'sock-1', 'sent to the asking client only');
    assert.deepEqual(
      { ...ask.confirm, token: undefined },
      {
        token: undefined,
        tag: 'S1189S03',
        screen: 'S1',
        description: 'desc S1189S03',
        from: '1',
        to: '0',
        fromLabel: 'Cerrado',
        toLabel: 'Abierto',
        expiresInMs: 30000,
      },
    );
    assert.equal(st.snapshot.state.S1189S03.text, '1', 'nothing changes before the confirmation');
    fromBrowser('scr', { type: 'toggle', token: ask.confirm.token });
    const [click, jump, toggle] = await out1;
    assert.deepEqual(click, {
      topic: 'S1152B01',
      payload: 'S1152B01',
      event: { type: 'click', tag: 'S1152B01', screen: 'S1' },
      socketid: 'sock-1',
      _msgid: (click as any)._msgid,
    });
    assert.deepEqual(
      { ...jump, _msgid: undefined },
      { topic: 'S12ETT00', payload: 'S1', event: { type: 'jump', tag: 'S12ETT00', screen: 'MAP', target: 'S1' }, socketid: 'sock-1', _msgid: undefined },
    );
    assert.equal(toggle.topic, 'S1189S03');
    assert.equal(toggle.payload, '0');
    assert.deepEqual(toggle.event, { type: 'toggle', tag: 'S1189S03', screen: 'S1', previous: '1' });
    const [writes] = await out2;
    assert.deepEqual(
      writes.payload,
      [
        { tag: 'S1189S03', attr: 'text', value: '0' },
        { tag: 'S1189I03', attr: 'text', value: '0' },
      ],
      'linked texts of the same screen only (S12ETT00 is on MAP)',
    );
    assert.equal(st.snapshot.state.S1189S03.text, '0');
    assert.equal(st.snapshot.state.S1189I03.text, '0');
    await pass(300);
    const d = feeds.filter((p) => p.delta).pop().delta;
    assert.deepEqual(wire(d.state), { S1189S03: { text: '0' }, S1189I03: { text: '0' } });
    // refused: the token again (one use), a toggle without a token, a toggle request for an element without one
    fromBrowser('scr', { type: 'toggle', token: ask.confirm.token });
    fromBrowser('scr', { type: 'toggle', tag: 'S1189S03', value: '1', screen: 'S1' });
    fromBrowser('scr', { type: 'toggle-request', tag: 'S1152B01', screen: 'S1' });
    await pass(50);
    assert.equal(st.snapshot.state.S1189S03.text, '0');
    const warns = calls('warn').map(([m]) => String(m));
    assert.ok(
      warns.some((m) => /not confirmed through the server/.test(m)),
      warns.join('\n'),
    );
    assert.ok(warns.some((m) => /S1152B01 has no manual toggle/.test(m)));
    // switch every client
    helper.getNode('scr').receive({ topic: 'screen', payload: 'S1' } as never);
    await pass(300);
    assert.equal(st.snapshot.screen, 'S1');
    assert.deepEqual(feeds.filter((p) => p.delta).pop().delta.screen, { name: 'S1' });
  });

  it('read-only: the browser is told, and a toggle that still arrives is refused', async () => {
    screenNode.setDashboardResolver(recordingResolver);
    await helper.load(nodes(), [
      ...flow({ project: 'proj', svg: '', readOnly: true }),
      { id: 'proj', type: 'mara-project', path: path.join(dir, 'project.xlsx') },
    ]);
    const st = state();
    await until(() => st.snapshot.screens.length >= 2, 2000, 'both screens');
    assert.equal(st.snapshot.config.readOnly, true);
    let outputs = 0;
    helper.getNode('out1').on('input', () => outputs++);
    helper.getNode('out2').on('input', () => outputs++);
    fromBrowser('scr', { type: 'view', screen: 'S1' });
    fromBrowser('scr', { type: 'toggle-request', tag: 'S1189S03', screen: 'S1' });
    fromBrowser('scr', { type: 'click', tag: 'S1152B01', screen: 'S1' });
    await settle();
    assert.equal(outputs, 1, 'the click goes out, the toggle does not');
    assert.ok(!replies.some((r) => r.confirm), 'no confirmation offered');
    assert.equal(st.snapshot.state.S1189S03.text, '1');
    assert.ok(calls('warn').some(([m]) => /read-only: manual change of S1189S03 refused/.test(String(m))));
  });

  it('a hostile client: unverified sockets, unknown tags, other screens, forged ids and floods reach nothing (item 8)', async () => {
    screenNode.setDashboardResolver(recordingResolver);
    await helper.load(nodes(), [...flow({ project: 'proj', svg: '' }), { id: 'proj', type: 'mara-project', path: path.join(dir, 'project.xlsx') }]);
    const st = state();
    await until(() => st.snapshot.screens.length >= 2, 2000, 'both screens');
    const got: Msg[] = [];
    helper.getNode('out1').on('input', (m: Msg) => got.push(m));
    helper.getNode('out2').on('input', (m: Msg) => got.push(m));
    // no server-verified socket (what the dashboard alone delivers): ignored, whatever socketid it claims
    fromBrowser('scr', { type: 'view', screen: 'S1' }, null, 'sock-1');
    fromBrowser('scr', { type: 'click', tag: 'S1152B01', screen: 'S1' }, null, 'sock-1');
    // a client that reported no screen, or clicks on another screen than the one it shows
    fromBrowser('scr', { type: 'click', tag: 'S1152B01', screen: 'S1' }, 'sock-2');
    fromBrowser('scr', { type: 'view', screen: 'MAP' }, 'sock-2');
    fromBrowser('scr', { type: 'click', tag: 'S1152B01', screen: 'S1' }, 'sock-2');
    // tags that do not exist, or exist on another screen; a jump the screen does not offer
    fromBrowser('scr', { type: 'click', tag: 'NOPE', screen: 'MAP' }, 'sock-2');
    fromBrowser('scr', { type: 'click', tag: 'S1189S03', screen: 'MAP' }, 'sock-2');
    fromBrowser('scr', { type: 'click', tag: '__proto__', screen: 'MAP' }, 'sock-2');
    fromBrowser('scr', { type: 'click', tag: null, screen: 'MAP', jump: 'EVIL' }, 'sock-2');
    // the toggle that exists only in the browser: a direct toggle, a toggle with a guessed token
    fromBrowser('scr', { type: 'view', screen: 'S1' }, 'sock-2');
    fromBrowser('scr', { type: 'toggle', tag: 'S1189S03', value: '0', screen: 'S1' }, 'sock-2');
    fromBrowser('scr', { type: 'toggle', token: 'x'.repeat(24) }, 'sock-2');
    // another client's token is not this client's
    fromBrowser('scr', { type: 'view', screen: 'S1' }, 'sock-3');
    fromBrowser('scr', { type: 'toggle-request', tag: 'S1189S03', screen: 'S1' }, 'sock-3');
    await settle();
    const token = replies.find((r) => r.confirm && r.socketid === 'sock-3')!.confirm.token;
    fromBrowser('scr', { type: 'toggle', token }, 'sock-2');
    await settle();
    assert.deepEqual<Msg[]>(got, [], JSON.stringify(got)); // <Msg[]>: deepEqual(got, []) would narrow got to never[]
    assert.equal(st.snapshot.state.S1189S03.text, '1');
    // a forged socketid never reaches a msg: the server's id does
    fromBrowser('scr', { type: 'click', tag: 'S1152B01', screen: 'S1' }, 'sock-2', 'sock-3');
    await settle();
    assert.equal(got.length, 1);
    assert.equal(got[0].socketid, 'sock-2');
    // 2 000 clicks from one client: at most the burst (20) plus 10 per second of the time they took
    got.length = 0;
    fromBrowser('scr', { type: 'view', screen: 'S1' }, 'sock-4');
    const t0 = Date.now();
    for (let i = 0; i < 2000; i++) fromBrowser('scr', { type: 'click', tag: 'S1152B01', screen: 'S1' }, 'sock-4');
    const bound = 20 + Math.ceil(((Date.now() - t0) / 1000) * 10);
    await settle();
    assert.ok(got.length >= 15 && got.length <= bound, `${got.length} msgs out of 2000 (bound ${bound})`);
    // the flood costs that client only
    got.length = 0;
    fromBrowser('scr', { type: 'click', tag: 'S1152B01', screen: 'S1' }, 'sock-3');
    await settle();
    assert.equal(got.length, 1);
    const warns = calls('warn').map(([m]) => String(m));
    assert.ok(
      warns.some((m) => /more than 10 messages per second/.test(m)),
      warns.join('\n'),
    );
    assert.ok(warns.some((m) => /without a server-verified socket/.test(m)));
  });

  it('keeps state only for tags the screens and the project know, and warns once with a count (item 10)', async () => {
    screenNode.setDashboardResolver(recordingResolver);
    await helper.load(nodes(), flow());
    const st = state();
    const n = helper.getNode('scr');
    const before = JSON.stringify(st.snapshot).length;
    const errs: Msg[] = [];
    helper.getNode('err').on('input', (m: Msg) => errs.push(m));
    for (let k = 0; k < 10; k++) {
      const items = Array.from({ length: 10_000 }, (_, i) => ({ tag: `U${k}_${i}`, attr: 'text', value: 'x'.repeat(50) }));
      items.push({ tag: 'T', attr: 'text', value: String(k) });
      n.receive({ payload: items } as never);
    }
    await settle();
    assert.equal(st.snapshot.state.T.text, '9', 'the known tag is painted');
    assert.deepEqual(Object.keys(st.snapshot.state).sort(), ['T']);
    assert.ok(JSON.stringify(st.snapshot).length < before + 100, 'the snapshot did not grow');
    const warns = calls('warn')
      .map(([m]) => String(m))
      .filter((m) => /no screen or element has/.test(m));
    assert.equal(warns.length, 1, warns.join('\n'));
    assert.match(warns[0], /ignored 10000 change\(s\) of at least 20 tag\(s\)/);
    assert.deepEqual(errs, [], 'a msg with known tags is not an error');
  });

  it('close removes the widget and stops emitting', async () => {
    screenNode.setDashboardResolver(recordingResolver);
    await helper.load(nodes(), flow());
    const feeds = fed(captured[0]);
    mockTime();
    helper.getNode('scr').receive({ payload: [{ tag: 'B', attr: 'fill', value: 'red' }] } as never);
    await helper.unload();
    assert.equal(removers, 1);
    await pass(300);
    assert.equal(feeds.filter((p) => p.delta).length, 0, 'the pending delta was dropped with the timer');
  });

  it('dashboard missing: red status and one clear error, no throw', async () => {
    screenNode.setDashboardResolver(() => {
      throw new Error("Cannot find module 'node-red-dashboard'");
    });
    await helper.load(nodes(), flow());
    const n = helper.getNode('scr');
    assert.ok(n, 'the node exists');
    assert.deepEqual(
      calls('status').map(([s]) => s),
      [{ fill: 'red', shape: 'ring', text: 'no dashboard' }],
    );
    const errors = calls('error');
    assert.equal(errors.length, 1);
    assert.match(String(errors[0][0]), /node-red-dashboard \(Dashboard 1\) is not available: Cannot find module 'node-red-dashboard'/);
    // inputs still work (the state is kept for when the dashboard comes)
    mockTime();
    n.receive({ payload: [{ tag: 'B', attr: 'fill', value: 6 }] } as never);
    assert.deepEqual(state().snapshot.state.B, { fill: '#ff0000' });
    await pass(300);
    assert.equal(calls('status').length, 1, 'the red status stays');
    assert.equal(calls('error').length, 1);
  });

  it('no group: red status and one error', async () => {
    screenNode.setDashboardResolver(recordingResolver);
    await helper.load(nodes(), flow({ group: '' }));
    assert.equal(captured.length, 0);
    assert.deepEqual(
      calls('status').map(([s]) => s),
      [{ fill: 'red', shape: 'ring', text: 'no group' }],
    );
    assert.equal(calls('error').length, 1);
  });
});
