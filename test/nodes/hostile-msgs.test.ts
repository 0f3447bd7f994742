/**
 * Hostile msgs and requests to the points, formula and screen nodes in a real Node-RED runtime (issue 10 items
 * 2, 3 and 10): tags outside the tag grammar, values out of range, huge inputs. Each fails with a coded error a
 * Catch node sees, previews the input instead of quoting it, and leaves Object.prototype clean.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { catchNode, collect, helper } from '../helpers/red';
import pointsNode = require('../../nodes/mara-points');
import formulaNode = require('../../nodes/mara-formula');
import screenNode = require('../../nodes/ui_mara_screen');

const uiTab = require('node-red-dashboard/nodes/ui_tab.js');
const uiGroup = require('node-red-dashboard/nodes/ui_group.js');

type Msg = { payload: any; topic?: string; error?: any };

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><text tag="T" x="0" y="10">0</text></svg>';

function assertClean(): void {
  for (const k of ['text', 'fill', 'stroke', 'polluted', 'quality'])
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, k), false, `Object.prototype.${k}`);
}

describe('hostile msgs to points, formula and screen nodes', () => {
  before(() => new Promise<void>((r) => helper.startServer(() => r())));
  after(() => new Promise<void>((r) => helper.stopServer(() => r())));
  afterEach(() => {
    assertClean();
    return helper.unload();
  });

  it('screen: a change tagged __proto__ is EINVAL and sets nothing on Object.prototype', async () => {
    await helper.load(
      [screenNode, uiTab, uiGroup, catchNode],
      [
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
          qualityClass: 'q',
          readOnly: false,
          wires: [[], []],
        },
        { id: 'c', type: 'catch', z: 'tab', scope: ['scr'], uncaught: false, wires: [['err']] },
        { id: 'err', type: 'helper', z: 'tab' },
      ],
    );
    const errs = collect<Msg>(helper.getNode('err'), 4);
    const scr = helper.getNode('scr');
    scr.receive({ payload: [{ tag: '__proto__', attr: 'text', value: 'X' }] } as never);
    scr.receive({
      payload: [
        { tag: 'T', attr: 'fill', value: 'red' },
        { tag: '__proto__', attr: 'fill', value: 'red' },
      ],
    } as never);
    scr.receive({ payload: [{ tag: 'constructor', quality: 'invalid' }] } as never);
    scr.receive({ payload: [{ tag: 'x'.repeat(1_000_000), attr: 'text', value: 'X' }] } as never);
    const got = await errs;
    assert.deepEqual(
      got.map((m) => m.error.code),
      ['EINVAL', 'EINVAL', 'EINVAL', 'EINVAL'],
    );
    assert.match(got[0].error.message, /tag "__proto__" is reserved/);
    assert.match(got[1].error.message, /nothing applied/);
    assert.ok(got[3].error.message.length < 300, 'a 1 MB tag is previewed, not quoted');
    assert.match(got[3].error.message, /\(1000000 characters\)/);
    assert.equal(({} as Record<string, unknown>).text, undefined);
    // the state never saw them, and the good change of the refused msg was not applied either
    const st = (scr as any).maraScreen.state.snapshot;
    assert.equal(Object.prototype.hasOwnProperty.call(st.state, '__proto__'), false);
    assert.equal(st.state.T?.fill, undefined);
  });

  it('formula: element writes and topics with tags outside the grammar are EINVAL', async () => {
    await helper.load(
      [formulaNode, catchNode],
      [
        { id: 't', type: 'tab' },
        { id: 'frm', type: 'mara-formula', z: 't', dialect: 'txscada', formulas: [{ tag: 'T', attr: 'text', formula: 'eg.T.text' }], wires: [[]] },
        { id: 'c', type: 'catch', z: 't', scope: ['frm'], uncaught: false, wires: [['err']] },
        { id: 'err', type: 'helper', z: 't' },
      ],
    );
    const errs = collect<Msg>(helper.getNode('err'), 4);
    const frm = helper.getNode('frm');
    frm.receive({ payload: [{ tag: '__proto__', attr: 'text', value: 'X' }] });
    frm.receive({ topic: 'eg.__proto__.text', payload: 'X' });
    frm.receive({ topic: 'ai.constructor', payload: 1 });
    frm.receive({ payload: [{ tag: 'T', attr: 'a'.repeat(200_000), value: 'X' }] });
    const got = await errs;
    assert.deepEqual(
      got.map((m) => m.error.code),
      ['EINVAL', 'EINVAL', 'EINVAL', 'EINVAL'],
    );
    assert.match(got[0].error.message, /reserved/);
    assert.ok(got[3].error.message.length < 300, got[3].error.message.slice(0, 80));
  });

  it('formula try: float() of a long numeric text answers at once; oversized requests are 413', { timeout: 20_000 }, async () => {
    await helper.load([formulaNode], [{ id: 't', type: 'tab' }]);
    const res = await helper.request().post('/mara/formula/try').send({ formula: "float('1'*100000+'x')", inputs: {} }).expect(200);
    assert.equal(res.body.ok, false);
    assert.equal(res.body.error, 'conversion');
    const rep = await helper.request().post('/mara/formula/try').send({ formula: "'ab' * 600000", inputs: {} }).expect(200);
    assert.equal(rep.body.ok, false);
    await helper
      .request()
      .post('/mara/formula/try')
      .send({ formula: '1+'.repeat(40_000) + '1', inputs: {} })
      .expect(413);
    const inputs: Record<string, number> = {};
    for (let i = 0; i < 10_001; i++) inputs[`ai.A${i}.value`] = 1;
    await helper.request().post('/mara/formula/try').send({ formula: '1', inputs }).expect(413);
  });

  it('points: NaN, negative and out-of-range values are EINVAL, never masked into "good" values', async () => {
    await helper.load(
      [pointsNode, catchNode],
      [
        { id: 't', type: 'tab' },
        {
          id: 'pts',
          type: 'mara-points',
          z: 't',
          project: '',
          comaster: '',
          points: [
            { tag: 'A', table: 'ai', index: 0 },
            { tag: 'D', table: 'di', index: 0 },
            { tag: 'S', table: 'sv', index: 0 },
          ],
          wires: [['out']],
        },
        { id: 'out', type: 'helper', z: 't' },
        { id: 'c', type: 'catch', z: 't', scope: ['pts'], uncaught: false, wires: [['err']] },
        { id: 'err', type: 'helper', z: 't' },
      ],
    );
    const pts = helper.getNode('pts');
    const bad = [
      { ai: [{ value: NaN, q: 0 }] },
      { ai: [-5] },
      { ai: [{ value: 4096 }] },
      { ai: [{ value: 1, q: 4 }] },
      { sv: [-3] },
      { di: [256] },
      { di: ['1'] },
      { diBits: [2] },
      { ai: 'x'.repeat(100) },
      { ai: new Array(5000).fill(0) },
    ];
    const errs = collect<Msg>(helper.getNode('err'), bad.length);
    for (const reply of bad) pts.receive({ payload: reply });
    const got = await errs;
    assert.deepEqual(
      got.map((m) => m.error.code),
      bad.map(() => 'EINVAL'),
    );
    assert.match(got[0].error.message, /reply\.ai\[0\]\.value must be an integer 0-4095, got NaN/);
    assert.match(got[1].error.message, /reply\.ai\[0\] must be a 16-bit word 0-65535, got -5/);
    assert.match(got[4].error.message, /reply\.sv\[0\] must be a byte 0-255, got -3/);
    // a good reply still maps
    const out = collect<Msg>(helper.getNode('out'), 1);
    pts.receive({ payload: { ai: [{ value: 1352, q: 0 }], di: [1], sv: [7] } });
    const [m] = await out;
    assert.deepEqual(m.payload.map((c: any) => [c.tag, c.value, c.quality]).sort(), [
      ['A', 1352, 'good'],
      ['D', 1, 'good'],
      ['S', 7, 'good'],
    ]);
  });
});
