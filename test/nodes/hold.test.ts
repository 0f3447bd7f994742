/**
 * Nothing handed on by this package is dropped by another of its nodes (issue 9 item 8), and nothing is
 * shown that is not true before the first reply (item 7), in a real Node-RED runtime:
 *  - replies reaching mara-points before its project has loaded are held and applied in order once it
 *    has (no ENOTCONN at a normal deploy), every event handed on once, counted by its raw bytes;
 *  - the demo flow itself (simulator over TCP → line → poll → points → formula → screen), deployed
 *    while its workbook is not there yet: the file appears only after replies have started.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { decodeFrame, encodePoll } from '../../lib';
import { SimDevice } from '../../lib/sim/device';
import { until } from '../helpers/pipe';
import { catchNode, coreNode, helper } from '../helpers/red';
import { freePort } from '../helpers/red-child';
import { exampleDrawings } from '../helpers/examples';
import { DEMO_NODES } from '../helpers/demo-nodes';
import projectNode = require('../../nodes/mara-project');
import pointsNode = require('../../nodes/mara-points');
import formulaNode = require('../../nodes/mara-formula');

type Msg = { payload: any; topic?: string; error?: any; comsys?: any[]; unmapped?: any[] };
const ROOT = path.resolve(__dirname, '../..');
const completeNode = coreNode('24-complete.js') as never;

const hex = (b: ArrayLike<number>) => Buffer.from(Array.from(b)).toString('hex');

/** Every event record a mara-points output msg hands on (mapped, COMSYS, unmapped), by raw bytes. */
function eventsOut(m: Msg): string[] {
  const out: string[] = [];
  for (const c of Array.isArray(m.payload) ? m.payload : []) if (c.kind === 'event' || c.kind === 'energy') out.push(hex(c.mara.raw));
  for (const c of m.comsys ?? []) out.push(hex(c.mara.raw));
  for (const u of m.unmapped ?? []) out.push(hex(u.event.raw));
  return out;
}

/** A temporary folder inside the checkout (the test helper resolves project paths against the working directory). */
function tmpDir(): { dir: string; rel: string; rm(): void } {
  const dir = fs.mkdtempSync(path.join(ROOT, '.tmp-hold-'));
  return { dir, rel: path.relative(process.cwd(), dir), rm: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function copyWorkbook(dir: string): void {
  for (const f of exampleDrawings()) fs.copyFileSync(path.join(ROOT, 'examples', f), path.join(dir, f));
  // written beside, then renamed: the watcher sees one complete file
  fs.copyFileSync(path.join(ROOT, 'examples', 'substation.xlsx'), path.join(dir, 'substation.part'));
  fs.renameSync(path.join(dir, 'substation.part'), path.join(dir, 'substation.xlsx'));
}

describe('held until the project loads', { timeout: 120_000 }, () => {
  before(() => new Promise<void>((r) => helper.startServer(() => r())));
  after(() => new Promise<void>((r) => helper.stopServer(() => r())));
  afterEach(() => helper.unload());

  it('mara-points holds replies that arrive before its workbook, applies them in order once it loads, loses no event', async () => {
    const tmp = tmpDir();
    try {
      await helper.load(
        [projectNode, pointsNode, catchNode, completeNode],
        [
          { id: 't', type: 'tab' },
          { id: 'proj', type: 'mara-project', path: path.join(tmp.rel, 'substation.xlsx'), dialect: 'txscada', watch: true },
          { id: 'pts', type: 'mara-points', z: 't', project: 'proj', comaster: '', wires: [['out']] },
          { id: 'out', type: 'helper', z: 't' },
          { id: 'c', type: 'catch', z: 't', scope: ['pts'], uncaught: false, wires: [['err']] },
          { id: 'err', type: 'helper', z: 't' },
          { id: 'done', type: 'complete', z: 't', scope: ['pts'], uncaught: false, wires: [['completed']] },
          { id: 'completed', type: 'helper', z: 't' },
        ],
      );
      const outs: Msg[] = [];
      const errs: Msg[] = [];
      let completed = 0;
      helper.getNode('out').on('input', (m: Msg) => outs.push(m));
      helper.getNode('err').on('input', (m: Msg) => errs.push(m));
      helper.getNode('completed').on('input', () => completed++);
      // the workbook is missing: the project reports it and the points node holds what it gets
      await until(() => !!(helper.getNode('proj') as any).project?.error, 10_000, 'project reports the missing file');
      const dev = new SimDevice({ address: 1 });
      const sent: string[] = [];
      const N = 30;
      for (let i = 0; i < N; i++) {
        dev.setDi(16, i % 2 === 0); // the feeder 3 breaker moves: digital events
        if (i % 3 === 0) dev.queueEvents(4);
        const frame = decodeFrame(dev.handle(decodeFrame(encodePoll({ dst: 1, seq: 0x20 + (i % 2) })))!);
        for (const ev of frame.reply!.events) sent.push(hex(ev.raw));
        helper.getNode('pts').receive({ topic: 'S1/1', payload: frame.reply });
        if (i === 10) helper.getNode('pts').receive({ topic: 'S1/1/$status', payload: { address: 1, online: true } });
      }
      assert.ok(sent.length > N, `the replies carry events (${sent.length})`);
      await new Promise((r) => setImmediate(r));
      assert.equal(errs.length, 0, 'no msg failed (old code: ENOTCONN for each)');
      assert.equal(outs.length, 0, 'nothing handed on before the point list exists');
      assert.equal(completed, 0, 'held, not finished');
      copyWorkbook(tmp.dir);
      await until(() => completed === N + 1, 15_000, 'every held msg applied');
      assert.equal(errs.length, 0);
      assert.deepEqual(outs.flatMap(eventsOut), sent, 'every event once, in order, by its raw bytes');
    } finally {
      tmp.rm();
    }
  });

  it('a full deploy while mara-points holds replies: the redeployed node applies them; every event once', async () => {
    const tmp = tmpDir();
    try {
      const flow = [
        { id: 't', type: 'tab' },
        { id: 'proj', type: 'mara-project', path: path.join(tmp.rel, 'substation.xlsx'), dialect: 'txscada', watch: true },
        { id: 'pts3', type: 'mara-points', z: 't', project: 'proj', comaster: '', wires: [['out']] },
        { id: 'out', type: 'helper', z: 't' },
        { id: 'c', type: 'catch', z: 't', scope: ['pts3'], uncaught: false, wires: [['err']] },
        { id: 'err', type: 'helper', z: 't' },
      ];
      await helper.load([projectNode, pointsNode, catchNode], flow);
      const outs: Msg[] = [];
      const errs: Msg[] = [];
      const tap = () => {
        helper.getNode('out').on('input', (m: Msg) => outs.push(m));
        helper.getNode('err').on('input', (m: Msg) => errs.push(m));
      };
      tap();
      await until(() => !!(helper.getNode('proj') as any).project?.error, 10_000, 'project reports the missing file');
      const dev = new SimDevice({ address: 1 });
      const sent: string[] = [];
      const send = (i: number) => {
        dev.setDi(20, i % 2 === 1);
        dev.queueEvents(2);
        const frame = decodeFrame(dev.handle(decodeFrame(encodePoll({ dst: 1, seq: 0x20 + (i % 2) })))!);
        for (const ev of frame.reply!.events) sent.push(hex(ev.raw));
        helper.getNode('pts3').receive({ topic: 'S1/1', payload: frame.reply });
      };
      for (let i = 0; i < 8; i++) send(i);
      await new Promise((r) => setImmediate(r));
      await helper.setFlows(flow, 'full'); // every node stops and starts again, the project reloads (still missing)
      tap();
      for (let i = 8; i < 12; i++) send(i);
      await new Promise((r) => setImmediate(r));
      assert.equal(errs.length, 0, 'no error at the deploy');
      copyWorkbook(tmp.dir);
      await until(() => outs.flatMap(eventsOut).length >= sent.length, 15_000, 'every held event handed on');
      assert.deepEqual(outs.flatMap(eventsOut), sent, 'every event once, in order, across the deploy');
      assert.equal(errs.length, 0);
    } finally {
      tmp.rm();
    }
  });

  it('mara-formula keeps the point changes it gets before its workbook and starts from them: no error, nothing made up', async () => {
    const tmp = tmpDir();
    try {
      await helper.load(
        [projectNode, formulaNode, catchNode],
        [
          { id: 't', type: 'tab' },
          { id: 'proj', type: 'mara-project', path: path.join(tmp.rel, 'substation.xlsx'), dialect: 'txscada', watch: true },
          { id: 'frm2', type: 'mara-formula', z: 't', project: 'proj', wires: [['out']] },
          { id: 'out', type: 'helper', z: 't' },
          { id: 'c', type: 'catch', z: 't', scope: ['frm2'], uncaught: false, wires: [['err']] },
          { id: 'err', type: 'helper', z: 't' },
        ],
      );
      const outs: Msg[] = [];
      const errs: Msg[] = [];
      helper.getNode('out').on('input', (m: Msg) => outs.push(m));
      helper.getNode('err').on('input', (m: Msg) => errs.push(m));
      await until(() => !!(helper.getNode('proj') as any).project?.error, 10_000, 'project reports the missing file');
      // what mara-points sends: the feeder 3 breaker closed, both bars live (an event record first: history, not state)
      const frm = helper.getNode('frm2');
      frm.receive({
        payload: [
          { kind: 'event', tag: 'S1152B03', table: 'di', value: 0, q: 0, quality: 'good' },
          { kind: 'state', tag: 'S1152B03', table: 'di', value: 1, q: 0, quality: 'good' },
        ],
      });
      frm.receive({
        payload: [
          { kind: 'state', tag: 'S12VV_00', table: 'ai', value: 1796, q: 0, quality: 'good', escala: 0.018374164810690423 },
          { kind: 'state', tag: 'S11VV_00', table: 'ai', value: 1796, q: 0, quality: 'good' },
        ],
      });
      await new Promise((r) => setImmediate(r));
      assert.equal(errs.length, 0, 'no ENOTCONN (old code: one per msg)');
      assert.equal(outs.length, 0);
      copyWorkbook(tmp.dir);
      await until(() => outs.length > 0, 15_000, 'the snapshot once the workbook loads');
      const snap = outs[0];
      assert.equal(snap.topic, 'snapshot');
      const v = new Map(snap.payload.filter((c: any) => c.attr).map((c: any) => [`${c.tag}.${c.attr}`, c.value]));
      const q = new Map(snap.payload.filter((c: any) => c.quality).map((c: any) => [c.tag, c.quality]));
      assert.equal(v.get('S12VV_00.text'), '33.0', 'the held voltage');
      assert.equal(v.get('S12BAR00.stroke'), 2, 'the 33 kV bar is live');
      assert.equal(v.get('S1152B03.fill'), 1, 'the breaker is closed and energised: its held state, not the event before it');
      assert.equal(q.get('S1152B03'), 'good');
      assert.equal(v.get('S11II_03.text'), null, 'a current never read has no value');
      assert.equal(q.get('S11II_03'), 'invalid');
      assert.equal(errs.length, 0);
    } finally {
      tmp.rm();
    }
  });

  it('the demo flow deployed before its workbook exists: no reply, no event lost; the screen shows nothing made up meanwhile', async () => {
    const tmp = tmpDir();
    try {
      const flow = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'substation-demo.json'), 'utf8')) as Record<string, any>[];
      const port = String(await freePort());
      const sim = flow.find((n) => n.type === 'mara-simulator')!;
      const poll = flow.find((n) => n.type === 'mara-poll')!;
      const pts = flow.find((n) => n.type === 'mara-points')!;
      const frm = flow.find((n) => n.type === 'mara-formula')!;
      const scr = flow.find((n) => n.type === 'ui_mara_screen')!;
      const z = sim.z;
      for (const n of flow) {
        if (n.type === 'mara-simulator') Object.assign(n, { port, activity: false });
        // fast polls so that many replies pass while the workbook is missing; no state file in the checkout
        if (n.type === 'mara-line')
          Object.assign(n, {
            port,
            persist: false,
            pehOnConnect: true,
            devices: [{ address: 1, name: 'S1 comaster', pollInterval: 0.05, timeout: 500, retries: 3 }],
          });
        if (n.type === 'mara-project') Object.assign(n, { path: path.join(tmp.rel, 'substation.xlsx') });
      }
      // taps: what mara-poll hands on, what mara-points hands on, errors (the demo's catch-all) and completions of mara-points
      flow.find((n) => n.type === 'catch')!.wires[0].push('tap-err');
      poll.wires[0].push('tap-poll');
      poll.wires[1].push('tap-poll');
      pts.wires[0].push('tap-pts');
      flow.push(
        { id: 'tap-poll', type: 'helper', z },
        { id: 'tap-pts', type: 'helper', z },
        { id: 'tap-err', type: 'helper', z },
        { id: 'tap-done', type: 'complete', z, scope: [pts.id], uncaught: false, wires: [['tap-completed']] },
        { id: 'tap-completed', type: 'helper', z },
      );
      await helper.load([completeNode, ...DEMO_NODES] as never, flow);
      const fromPoll: Msg[] = [];
      const fromPts: Msg[] = [];
      const errs: Msg[] = [];
      let completed = 0;
      helper.getNode('tap-poll').on('input', (m: Msg) => fromPoll.push(m));
      helper.getNode('tap-pts').on('input', (m: Msg) => fromPts.push(m));
      const ours = new Set([pts.id, frm.id, scr.id]);
      helper.getNode('tap-err').on('input', (m: Msg) => {
        if (ours.has(m.error?.source?.id)) errs.push(m);
      });
      helper.getNode('tap-completed').on('input', () => completed++);
      const simNodeRt = helper.getNode(sim.id);
      const replies = () => fromPoll.filter((m) => Array.isArray(m.payload?.events));
      // events in the field while the workbook is missing
      await until(() => replies().length >= 3, 15_000, 'the line polls the simulator');
      for (let i = 0; i < 6; i++) {
        simNodeRt.receive({ payload: { di: { 16: i % 2 }, events: 3 } });
        const before = replies().length;
        await until(() => replies().length > before + 1, 10_000, 'a poll after the change');
      }
      const screenState = (helper.getNode(scr.id) as any).maraScreen.state;
      assert.equal(screenState.snapshot.screens.length, 0, 'no screen yet: the workbook is not there');
      assert.equal(fromPts.length, 0, 'mara-points has no point list yet');
      assert.equal(errs.length, 0, `no error at deploy (old code: ENOTCONN per reply): ${errs.map((e) => e.error?.message).join('; ')}`);
      const heldReplies = replies().length;
      assert.ok(heldReplies >= 10, `replies held: ${heldReplies}`);

      copyWorkbook(tmp.dir);
      const projId = flow.find((n) => n.type === 'mara-project')!.id;
      await until(() => (helper.getNode(projId) as any).project?.version > 0, 15_000, 'the workbook loads');
      simNodeRt.receive({ payload: { events: 5 } });
      const after = replies().length;
      await until(() => replies().length > after + 2, 10_000, 'polls after the load');
      await until(() => completed === fromPoll.length, 10_000, `every msg mara-poll handed on is finished by mara-points (${completed}/${fromPoll.length})`);
      assert.equal(errs.length, 0, `no error: ${errs.map((e) => e.error?.message).join('; ')}`);
      const polled = replies().flatMap((m) => m.payload.events.map((e: any) => hex(e.raw)));
      const handed = fromPts.flatMap(eventsOut);
      assert.ok(polled.length >= 6 * 3 + 5, `events in the field: ${polled.length}`);
      assert.deepEqual(handed, polled, 'every event once, in order, by its raw bytes');
      // and after the load the screen shows live data: the breaker moved with the last DI change
      await until(() => !!screenState.snapshot.state.S1152B03?.fill, 10_000, 'the breaker is painted from live data');
      assert.equal(screenState.snapshot.quality.S1152B03, undefined, 'and is of good quality');
    } finally {
      tmp.rm();
    }
  });
});
