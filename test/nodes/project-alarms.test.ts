/**
 * The §6.3 protection marks in a real Node-RED runtime: a mara-project on a small JSON workbook, events appended
 * to its journal as a line appends them; the marks reach the project's runtime (element texts and the formulas
 * that read them), attending clears them, and a restart brings back what is still unattended.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { until } from '../helpers/pipe';
import { simLineNode } from '../helpers/line-node';
import { helper } from '../helpers/red';
import { openJournalCount } from '../../lib/journal';
import { runtimeOf, type MaraProjectNode } from '../../nodes/shared/project-node';
import { alarmSeveritiesOf } from '../../nodes/shared/project-journal';
import { MaraSimulator } from '../../lib/sim/simulator';
import { ROOT } from '../helpers/red-child';
import projectNode = require('../../nodes/mara-project');
import lineNode = require('../../nodes/mara-line');
import pollNode = require('../../nodes/mara-poll');

const di = (tag: string, bit: number, tipo: number) => ({
  tag,
  table: 'di',
  device: '1',
  offset: bit,
  description: tag,
  port: 0,
  bit,
  maskinv: 0,
  tipo,
  textId: 4,
});
const el = (tag: string) => ({ tag, description: tag, text: '0', screen: 'S1' });
const MODEL = {
  comasters: [{ id: '1', host: '127.0.0.1', port: 9761, enabled: true }],
  devices: [{ id: '1', comaster: '1', offset: 1, address: 1, svCount: 0, diCount: 2, aiCount: 0 }],
  points: [di('S1151_03', 0, 0), di('S1152B03', 1, 2), di('S1164_01', 2, 1)],
  elements: [el('S1151_03'), el('S1152B03'), el('S1164_01')],
  formulas: [
    { tag: 'S1151_03', attr: 'fill', text: 'SI(int(eg.S1151_03.text),6,3)' },
    { tag: 'S1152B03', attr: 'fill', text: 'SI(di.S1152B03.value,1,si(int(eg.S1152B03.text),6,10))' },
  ],
  eventTexts: [
    { textId: 4, value: 0, text: 'ACTUADA' },
    { textId: 4, value: 1, text: 'NORMAL' },
  ],
};
const FLOW = [{ id: 'proj', type: 'mara-project', path: 'project/model.json', dialect: 'txscada', watch: false }];
const TIME = { year: 2026, month: 12, day: 4, hour: 1, minute: 2, second: 3, fraction: 0 };

let seq = 0;
function append(p: MaraProjectNode, tag: string, value: number, severity: number): number {
  const raw = Buffer.alloc(10);
  raw.writeUInt32BE(++seq, 0);
  const r = p.journal!.append({
    line: 'L1',
    device: 1,
    replyKey: `${seq}:test`,
    receivedAt: Date.now(),
    events: [{ type: 'digital', deviceTime: TIME, raw, value, quality: 'good', tag, description: tag, stateText: null, severity }],
  });
  return r.ids[0];
}

async function start(userDir: string) {
  helper.settings({ userDir });
  await helper.load([projectNode], FLOW);
  const p = helper.getNode('proj') as unknown as MaraProjectNode;
  const rt = runtimeOf(p)!;
  rt.subscribe('test', () => undefined); // someone computes the formulas (a screen or mara-formula would)
  await until(() => rt.ready && p.project!.version > 0, 10_000, 'project loaded');
  const text = (tag: string) => rt.engine.element(tag)?.text;
  const fill = (tag: string) => rt.engine.element(tag)?.fill;
  return { p, rt, text, fill };
}

describe('mara-project: protection marks from its journal (spec §6.3)', () => {
  let userDir = '';
  afterEach(async () => {
    await helper.unload();
    helper.settings({});
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
    userDir = '';
  });

  it('a trip marks the protection and its breaker, the formulas repaint, attending clears; a restart restores', async () => {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mara-userdir-'));
    fs.mkdirSync(path.join(userDir, 'project'));
    fs.writeFileSync(path.join(userDir, 'project', 'model.json'), JSON.stringify(MODEL));
    let { p, rt, text, fill } = await start(userDir);
    assert.deepEqual([text('S1151_03'), fill('S1151_03')], ['0', 3]);
    rt.update([{ tag: 'S1152B03', table: 'di', value: 0 }]); // the breaker opened
    assert.equal(fill('S1152B03'), 10);

    const trip = append(p, 'S1151_03', 1, 3);
    assert.deepEqual([text('S1151_03'), fill('S1151_03')], ['1', 6]);
    assert.deepEqual([text('S1152B03'), fill('S1152B03')], ['1', 6]);
    assert.deepEqual(p.alarms!.tags(), ['S1151_03', 'S1152B03']);
    const brk = append(p, 'S1152B03', 0, 1);
    append(p, 'S1164_01', 1, 2); // an alarm (tipo 1): no mark
    assert.equal(text('S1164_01'), '0');

    // a restart: the unattended trip comes back from the journal
    await helper.unload();
    assert.equal(openJournalCount(), 0);
    ({ p, rt, text, fill } = await start(userDir));
    await until(() => text('S1151_03') === '1', 5000, 'marks restored');
    assert.deepEqual([text('S1152B03'), fill('S1151_03')], ['1', 6]);
    assert.deepEqual(p.alarms!.tags(), ['S1151_03', 'S1152B03', 'S1164_01']);

    p.journal!.attend({ ids: [trip] }, 'op', Date.now());
    assert.deepEqual([text('S1151_03'), fill('S1151_03')], ['0', 3]);
    assert.equal(text('S1152B03'), '1', 'the breaker keeps its mark until its own event is attended');
    p.journal!.attend({ ids: [brk] }, 'op', Date.now());
    rt.update([{ tag: 'S1152B03', table: 'di', value: 0 }]);
    assert.deepEqual([text('S1152B03'), fill('S1152B03')], ['0', 10]);
    assert.deepEqual(p.alarms!.tags(), ['S1164_01']);
  });

  it('alarm severities: an integer 0-9 per kind, anything else leaves the default', () => {
    assert.deepEqual(alarmSeveritiesOf({ sevProtection: '9', sevAlarm: 0, sevBreaker: ' 2 ', sevOther: '10', sevComsys: 'x' }), {
      protection: 9,
      alarm: 0,
      breaker: 2,
    });
    assert.deepEqual(alarmSeveritiesOf({ sevOther: '-1', sevComsys: '1.5' }), {});
    assert.deepEqual(alarmSeveritiesOf({}), {});
  });

  it('without a user directory there is no journal and no alarm state (nothing fails)', async () => {
    helper.settings({});
    await helper.load([projectNode], [{ id: 'proj', type: 'mara-project', path: 'examples/substation.xlsx', dialect: 'txscada', watch: false }]);
    const p = helper.getNode('proj') as unknown as MaraProjectNode;
    assert.equal(p.journal ?? null, null);
    assert.equal(p.alarms ?? null, null);
  });

  it("end to end: a line naming the project journals a simulated trip with the project's severities, and the marks follow", async () => {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mara-userdir-'));
    fs.mkdirSync(path.join(userDir, 'project'));
    fs.copyFileSync(path.join(ROOT, 'examples', 'substation.xlsx'), path.join(userDir, 'project', 'substation.xlsx'));
    const sim = new MaraSimulator([{ address: 1 }]);
    const port = await sim.listenTcp({ port: 0 });
    try {
      helper.settings({ userDir });
      await helper.load(
        [projectNode, lineNode, pollNode],
        [
          { id: 't', type: 'tab' },
          { id: 'poll', type: 'mara-poll', z: 't', line: 'line', wires: [[], []] },
          { id: 'proj', type: 'mara-project', path: 'project/substation.xlsx', dialect: 'txscada', watch: false, sevProtection: '5', sevBreaker: '0' },
          simLineNode(port, {
            devices: [{ address: 1, name: 'comaster', pollInterval: 0.05, timeout: 300, retries: 1 }],
            pehOnConnect: false,
            persist: true,
            project: 'proj',
            comaster: '1',
            projectPoll: 'direct',
          }),
        ],
      );
      const p = helper.getNode('proj') as unknown as MaraProjectNode;
      assert.deepEqual(p.alarmSeverities, { protection: 5, breaker: 0 });
      await until(() => p.project!.version > 0 && !!p.alarms, 10_000, 'project loaded');
      const dev = sim.device(1)!;
      dev.setDi(17, true); // S1151_03, the feeder 3 relay, trips
      dev.setDi(16, false); // S1152B03 opens
      const records = () => p.journal!.store.query({ type: 'digital', limit: 10 }).records;
      await until(() => records().length >= 2, 10_000, 'the events journalled');
      assert.deepEqual(
        records()
          .map((r) => `${r.tag} ${r.value} ${r.stateText} ${r.severity}`)
          .sort(),
        ['S1151_03 1 ACTUADA 5', 'S1152B03 0 ABIERTO 0'],
      );
      const rt = runtimeOf(p)!;
      await until(() => rt.engine.element('S1151_03')?.text === '1', 5000, 'the relay marked');
      assert.equal(rt.engine.element('S1152B03')?.text, '1');
      assert.deepEqual(p.alarms!.tags(), ['S1151_03', 'S1152B03'], 'the breaker event (severity 0) is no alarm; the trip blinks its breaker');
    } finally {
      await helper.unload();
      await sim.close();
    }
  });
});
