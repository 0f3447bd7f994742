/**
 * The demo flow recovers from a COMaster that was never there (issue 9 items 6-7 together): the line starts
 * on a refused port, marks the device offline (no point was ever read), then the simulator appears and
 * its field state is set; the screen must then show that field state, live and of good quality.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { until } from '../helpers/pipe';
import { helper } from '../helpers/red';
import { DEMO_NODES } from '../helpers/demo-nodes';
import { freePort } from '../helpers/red-child';
import { exampleDrawings } from '../helpers/examples';

type Msg = { payload: any; topic?: string; mara?: any };
const ROOT = path.resolve(__dirname, '../..');

describe('recovery after a COMaster that never answered', { timeout: 120_000 }, () => {
  before(() => new Promise<void>((r) => helper.startServer(() => r())));
  after(() => new Promise<void>((r) => helper.stopServer(() => r())));
  afterEach(() => helper.unload());

  it('refused port → offline → the simulator appears and gets its field state → the screen shows it, live', async () => {
    const dir = fs.mkdtempSync(path.join(ROOT, '.tmp-recovery-'));
    try {
      for (const f of [...exampleDrawings(), 'substation.xlsx']) fs.copyFileSync(path.join(ROOT, 'examples', f), path.join(dir, f));
      const flow = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'substation-demo.json'), 'utf8')) as Record<string, any>[];
      const port = String(await freePort());
      const sim = flow.find((n) => n.type === 'mara-simulator')!;
      const poll = flow.find((n) => n.type === 'mara-poll')!;
      const scr = flow.find((n) => n.type === 'ui_mara_screen')!;
      const field = JSON.parse(flow.find((n) => n.name === 'initial field state')!.payload);
      const z = sim.z;
      for (const n of flow) {
        if (n.type === 'mara-simulator') Object.assign(n, { port, activity: false });
        if (n.type === 'mara-line')
          Object.assign(n, { port, persist: false, devices: [{ address: 1, name: 'S1 comaster', pollInterval: 0.2, timeout: 200, retries: 1 }] });
        if (n.type === 'mara-project') Object.assign(n, { path: path.relative(process.cwd(), path.join(dir, 'substation.xlsx')) });
        // the demo's own inject fires once at start: here the field state is set by hand, after the simulator appears
        if (n.type === 'inject') n.once = false;
      }
      poll.wires[1].push('tap-status');
      poll.wires[0].push('tap-poll');
      flow.push({ id: 'tap-status', type: 'helper', z }, { id: 'tap-poll', type: 'helper', z });
      const withoutSim = flow.filter((n) => n.id !== sim.id);
      await helper.load(DEMO_NODES as never, withoutSim);
      const statuses: Msg[] = [];
      const replies: Msg[] = [];
      // the taps are not redeployed by the "nodes" deploy below: listening once is enough
      helper.getNode('tap-status').on('input', (m: Msg) => statuses.push(m));
      helper.getNode('tap-poll').on('input', (m: Msg) => replies.push(m));
      await until(() => statuses.some((m) => m.payload?.online === false), 10_000, 'the device goes offline (connection refused)');
      const screen = () => (helper.getNode(scr.id) as any).maraScreen.state.snapshot;
      await helper.setFlows(flow, 'nodes');
      // the first reply comes before the field state is set (the field changes after the first poll)
      await until(() => statuses.some((m) => m.payload?.online === true), 10_000, 'the device comes online');
      await until(() => replies.length > 0, 10_000, 'a first reply');
      helper.getNode(sim.id).receive({ payload: field });
      const n = replies.length;
      await until(() => replies.length > n + 2, 10_000, 'polls go on');
      const s = screen();
      assert.ok(
        replies.every((m) => m.mara.stale === false),
        'no reply flagged stale',
      );
      assert.equal(s.quality.S1152B03, undefined, 'the breaker is of good quality');
      assert.equal(s.state.S1152B03?.fill, '#ffcc00', 'the breaker is closed and energised (13.2 kV ochre), as the field state says');
      assert.equal(s.state.S12VV_00?.text, '33.0', 'the 33 kV bar voltage of the field state');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
