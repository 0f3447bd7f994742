/**
 * The `mara events` node in a real Node-RED runtime (issue 14): live events and attends as msgs, the catch-up
 * after a redeploy (none lost, none twice, also with events committed during the catch-up), query paging, CSV
 * and XLSX exports read back, and hostile msgs failing with a code a Catch node sees.
 */
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { until } from '../helpers/pipe';
import { simLineNode } from '../helpers/line-node';
import { catchNode, collect, helper, statusNode } from '../helpers/red';
import { event, reply } from '../journal/fixtures';
import type { JournalHub } from '../../lib/journal';
import { MaraSimulator } from '../../lib/sim/simulator';
import projectNode = require('../../nodes/mara-project');
import lineNode = require('../../nodes/mara-line');
import pollNode = require('../../nodes/mara-poll');
import eventsNode = require('../../nodes/mara-events');
const XLSX = require('xlsx') as typeof import('xlsx');

type Msg = { payload: any; topic?: string; error?: any; user?: string; _msgid?: string };
const NODES = [projectNode, eventsNode, catchNode, statusNode];

let userDir = '';
const flow = (events: Record<string, unknown> | null) => [
  { id: 't', type: 'tab' },
  { id: 'proj', type: 'mara-project', path: 'none.xlsx', dialect: 'txscada', watch: false },
  ...(events ? [{ id: 'ev', type: 'mara-events', z: 't', project: 'proj', wires: [['out'], ['rep']], ...events }] : []),
  { id: 'out', type: 'helper', z: 't' },
  { id: 'rep', type: 'helper', z: 't' },
  { id: 'c', type: 'catch', z: 't', scope: null, uncaught: false, wires: [['err']] },
  { id: 'err', type: 'helper', z: 't' },
  { id: 'st', type: 'status', z: 't', scope: null, wires: [['sts']] },
  { id: 'sts', type: 'helper', z: 't' },
];
const hub = (): JournalHub => (helper.getNode('proj') as any).journal;
/** Every msg a helper node receives from now on. */
function record(id: string): Msg[] {
  const got: Msg[] = [];
  helper.getNode(id).on('input', (m: Msg) => got.push(m));
  return got;
}
const eventIds = (msgs: Msg[]) => msgs.filter((m) => m.topic === 'event').map((m) => m.payload.id as number);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);
/** The node's feed has reached the journal's end (its status says so). */
const caughtUp = () => until(() => (helper.getNode('ev') as any).feed?.catchUp === false, 5000, 'the catch-up');

describe('mara events node', () => {
  before(() => new Promise<void>((r) => helper.startServer(() => r())));
  after(() => new Promise<void>((r) => helper.stopServer(() => r())));
  beforeEach(() => {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mara-events-'));
    helper.settings({ userDir });
  });
  afterEach(async () => {
    await helper.unload();
    helper.settings({});
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('emits each event a line commits, as JSON, and each attend; a new node does not replay the history', async () => {
    await helper.load(NODES, flow(null));
    hub().append(reply(0, 5)); // history before the node's first deploy
    await helper.unload();
    await helper.load(NODES, flow({}));
    await caughtUp();
    const out = record('out');
    hub().append(reply(1, 3, { events: [event(10), event(11, { severity: 2, tag: 'E4151_01', description: 'Prot 51', stateText: 'ACTUADA' }), event(12)] }));
    await until(() => out.length === 3);
    assert.deepEqual(eventIds(out), [6, 7, 8]);
    const e = out[1].payload;
    assert.equal(e.raw, Buffer.from(event(11).raw).toString('hex'));
    assert.deepEqual([e.tag, e.text, e.alarm, e.severity, e.line, e.device], ['E4151_01', 'Prot 51 ACTUADA', true, 2, 'L1', 1]);
    assert.equal(e.receivedIso, new Date(e.receivedAt).toISOString());
    const rep = collect<Msg>(helper.getNode('rep'), 1);
    helper.getNode('ev').receive({ topic: 'attend', payload: { ids: [7, 6] }, user: 'ana' } as never);
    const [r] = await rep;
    assert.deepEqual([r.topic, r.payload.action, r.payload.ids, r.payload.user], ['attend', 'attend', [7], 'ana'], 'only the alarm is attended');
    await until(() => out.length === 4);
    assert.deepEqual([out[3].topic, out[3].payload.ids, out[3].payload.user], ['attend', [7], 'ana']);
    assert.equal(out[3].payload.atIso, new Date(out[3].payload.at).toISOString());
  });

  it('catches up after a redeploy: events committed while it was away and during its catch-up, none lost, none twice', async () => {
    await helper.load(NODES, flow({}));
    await until(() => hub() !== undefined);
    let out = record('out');
    hub().append(reply(0, 5));
    await until(() => out.length === 5);
    await until(() => hub().store.cursor('ev') === 5, 3000, 'the cursor saved once the turn is over');
    await helper.unload();
    await helper.load(NODES, flow(null)); // the node is gone; the line goes on recording
    for (let r = 1; r <= 100; r++) hub().append(reply(r, 10)); // ids 6-1005
    await helper.unload();
    await helper.load(NODES, flow({}));
    out = record('out');
    // more replies land while it catches up (batches of 100 with the event loop free between them)
    let extra = 101;
    helper.getNode('out').on('input', () => {
      if (out.length % 150 === 1 && extra <= 110) hub().append(reply(extra++, 10));
    });
    await until(() => out.length >= 1000 + (extra - 101) * 10 && extra > 101, 10_000, 'the catch-up and the extra replies');
    const ids = eventIds(out);
    assert.ok(extra > 103, `${extra - 101} replies committed during the catch-up`);
    assert.deepEqual(ids, range(6, 1005 + (extra - 101) * 10), 'in order, none lost, none twice');
    // live after it
    hub().append(reply(500, 2));
    await until(() => out.length === ids.length + 2);
    const last = ids[ids.length - 1];
    assert.deepEqual(eventIds(out), [...ids, last + 1, last + 2], 'nothing late, nothing twice');
  });

  it("startAt 'all' on a first deploy sends every kept event; alarms only; horn changes on request; attend-all and silence", async () => {
    await helper.load(NODES, flow(null));
    hub().append(reply(0, 4, { events: [event(1), event(2, { severity: 1 }), event(3, { severity: 2 }), event(4)] }));
    await helper.unload();
    await helper.load(NODES, flow({ startAt: 'all', alarmsOnly: true, horn: true }));
    const out = record('out');
    const sts = record('sts');
    await until(() => out.length === 2);
    assert.deepEqual(eventIds(out), [2, 3]);
    await until(() => sts.some((m: any) => m.status.text === '2 unattended'), 3000, 'the status');
    assert.equal((sts.find((m: any) => m.status.text === '2 unattended') as any).status.fill, 'green');
    const rep = collect<Msg>(helper.getNode('rep'), 2);
    helper.getNode('ev').receive({ topic: 'silence', user: 'jefe' } as never);
    helper.getNode('ev').receive({ payload: { action: 'attend-all' } } as never);
    const [s, a] = await rep;
    assert.deepEqual([s.payload.horn.sounding, s.payload.horn.silencedBy, s.payload.horn.unattended], [false, 'jefe', 2]);
    assert.deepEqual([a.payload.ids, a.payload.user], [[2, 3], 'flow']);
    await until(() => out.length === 5);
    assert.deepEqual(
      out.slice(2).map((m) => m.topic),
      ['horn', 'attend', 'horn'],
    );
    assert.equal(out[4].payload.unattended, 0);
  });

  it('query: newest first, keyset paging to the end, filters', async () => {
    await helper.load(NODES, flow({}));
    for (let r = 0; r < 25; r++) hub().append(reply(r, 10));
    const rep = record('rep');
    const ev = helper.getNode('ev');
    let before: number | null | undefined;
    const all: number[] = [];
    for (let k = 0; k < 10 && before !== null; k++) {
      ev.receive({ topic: 'query', payload: { limit: 100, ...(before ? { beforeId: before } : {}) } } as never);
      await until(() => rep.length === k + 1);
      const p = rep[k].payload;
      all.push(...p.records.map((x: { id: number }) => x.id));
      before = p.next;
    }
    assert.deepEqual(all, range(1, 250).reverse());
    ev.receive({ topic: 'query', payload: { tagPrefix: 'BAY2', limit: 1000 } } as never);
    await until(() => rep.length === 4);
    assert.equal(rep[3].payload.records.length, 62);
    assert.ok(rep[3].payload.records.every((x: { tag: string }) => x.tag === 'BAY2.CB'));
  });

  it('export: CSV and XLSX of a few thousand rows, into mara-exports/ or a file of the user directory, read back', async () => {
    await helper.load(NODES, flow({}));
    for (let r = 0; r < 300; r++) hub().append(reply(r, 10));
    const rep = record('rep');
    const ev = helper.getNode('ev');
    ev.receive({ topic: 'export', payload: { format: 'csv' } } as never);
    await until(() => rep.length === 1, 10_000);
    const csv = rep[0].payload;
    assert.match(csv.file, /^mara-exports[/\\]events-\d{8}-\d{6}-\d{3}\.csv$/);
    assert.equal(csv.rows, 3000);
    const text = fs.readFileSync(path.join(userDir, csv.file), 'utf8');
    assert.equal(text.split('\r\n').length, 3002, 'header, 3000 rows, the empty rest');
    ev.receive({ topic: 'export', payload: { format: 'xlsx', file: 'reports/bay1.xlsx', tagPrefix: 'BAY1' } } as never);
    await until(() => rep.length === 2, 10_000);
    assert.deepEqual([rep[1].payload.file, rep[1].payload.rows, rep[1].payload.sheets], [path.join('reports', 'bay1.xlsx'), 750, 1]);
    const wb = XLSX.readFile(path.join(userDir, 'reports', 'bay1.xlsx'));
    const rows = XLSX.utils.sheet_to_json<unknown[]>(wb.Sheets.Eventos, { header: 1 });
    assert.equal(rows.length, 751);
    assert.deepEqual(rows[1].slice(0, 3), ['2026-12-03 10:20:30.500', 'BAY1.CB', 'breaker closed']);
    assert.deepEqual(fs.readdirSync(path.join(userDir, 'reports')), ['bay1.xlsx'], 'no partial file left');
  });

  it('hostile msgs fail with a code (Catch), change nothing and leave the node working', async () => {
    await helper.load(NODES, flow({}));
    hub().append(reply(0, 2, { events: [event(1, { severity: 1 }), event(2)] }));
    fs.mkdirSync(path.join(userDir, '..', path.basename(userDir) + '-outside'), { recursive: true });
    const outside = path.join(userDir, '..', path.basename(userDir) + '-outside');
    fs.symlinkSync(outside, path.join(userDir, 'link'));
    fs.writeFileSync(path.join(userDir, 'taken.csv'), 'mine');
    const errs = record('err');
    const ev = helper.getNode('ev');
    const bad: unknown[] = [
      { topic: 'attend', payload: { ids: Array.from({ length: 100_000 }, (_, i) => i) } },
      { topic: 'attend', payload: { ids: [{}] } },
      { topic: 'attend', payload: 'everything' },
      { topic: 'attend', payload: { ids: [1] }, user: 'x'.repeat(10_000) },
      { topic: 'query', payload: { limit: 1e9 } },
      { topic: 'query', payload: { from: { $gt: 0 } } },
      { topic: 'rm -rf' },
      { topic: 'export', payload: { file: '../escape.csv' } },
      { topic: 'export', payload: { file: '/tmp/abs.csv' } },
      { topic: 'export', payload: { file: 'flows.json' } },
      { topic: 'export', payload: { format: 'xlsx', file: 'a.csv' } },
      { topic: 'export', payload: { file: 'link/out.csv' } },
      { topic: 'export', payload: { file: 'taken.csv' } },
    ];
    for (const m of bad) ev.receive(m as never);
    await until(() => errs.length === bad.length, 5000, 'an error per msg');
    assert.deepEqual(
      errs.map((m) => m.error.code),
      bad.map(() => 'EJOURNAL_INVALID'),
      JSON.stringify(errs.map((m) => m.error.message)),
    );
    assert.ok(
      errs.every((m) => m.error.message.length < 400 && !m.error.message.includes(userDir)),
      'short messages, no server paths',
    );
    assert.deepEqual(fs.readdirSync(outside), [], 'nothing written through the link');
    assert.equal(fs.readFileSync(path.join(userDir, 'taken.csv'), 'utf8'), 'mine');
    assert.equal(hub().store.horn().unattended, 1, 'nothing attended');
    // one export at a time
    for (let r = 1; r < 200; r++) hub().append(reply(r, 10));
    const rep = record('rep');
    ev.receive({ topic: 'export', payload: { format: 'xlsx' } } as never);
    ev.receive({ topic: 'export', payload: { format: 'csv' } } as never);
    await until(() => errs.length === bad.length + 1);
    assert.equal(errs[bad.length].error.code, 'EJOURNAL_BUSY');
    await until(() => rep.length === 1, 10_000);
    ev.receive({ topic: 'query', payload: { limit: 1 } } as never);
    await until(() => rep.length === 2);
    assert.equal(rep[1].payload.records[0].id, 1992);
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('an export stopped by a redeploy leaves no file; a journal that fails answers with its code', async () => {
    await helper.load(NODES, flow({}));
    for (let r = 0; r < 1000; r++) hub().append(reply(r, 10));
    fs.writeFileSync(path.join(userDir, 'plain'), '');
    const errs = record('err');
    const ev = helper.getNode('ev');
    ev.receive({ topic: 'export', payload: { file: 'plain/x.csv' } } as never);
    await until(() => errs.length === 1);
    assert.equal(errs[0].error.code, 'EJOURNAL_IO', errs[0].error.message);
    ev.receive({ topic: 'export', payload: { format: 'xlsx', file: 'big.xlsx' } } as never);
    await until(() => fs.readdirSync(userDir).some((f) => f.endsWith('.part')), 5000, 'the export under way');
    await helper.unload(); // the node waits for its export to stop and clean up
    assert.deepEqual(
      fs.readdirSync(userDir).filter((f) => f.startsWith('big')),
      [],
      'no partial or half file',
    );
    await helper.load(NODES, flow({}));
    const errs2 = record('err');
    hub().store.close();
    helper.getNode('ev').receive({ topic: 'query' } as never);
    helper.getNode('ev').receive({ topic: 'attend', payload: [1] } as never);
    await until(() => errs2.length === 2);
    assert.deepEqual(
      errs2.map((m) => m.error.code),
      ['EJOURNAL_CLOSED', 'EJOURNAL_CLOSED'],
    );
  });

  it('a real line with the simulator: each event it records (write-ahead, into the project journal) comes out once', async () => {
    const sim = new MaraSimulator([{ address: 1 }]);
    const port = await sim.listenTcp({ port: 0 });
    try {
      await helper.load(
        [...NODES, lineNode, pollNode],
        [
          ...flow({}),
          simLineNode(port, { project: 'proj' }),
          { id: 'poll', type: 'mara-poll', z: 't', line: 'line', wires: [[], []] }, // a line polls while something uses it
        ],
      );
      const out = record('out');
      await until(() => (helper.getNode('line') as any).hub.master.stats().replies >= 2, 8000, 'the line polling');
      for (const bit of [3, 5, 7]) sim.device(1)!.setDi(bit, true);
      sim.device(1)!.setDi(3, false);
      await until(() => out.length >= 4, 8000, 'four events');
      const events = out.map((m) => m.payload);
      assert.deepEqual(
        events.map((e) => e.type),
        ['digital', 'digital', 'digital', 'digital'],
      );
      assert.equal(new Set(events.map((e) => e.raw)).size, 4, 'each event once (by its raw bytes)');
      assert.deepEqual(
        events.map((e) => e.id),
        [...events.map((e) => e.id)].sort((a, b) => a - b),
      );
      const stored = hub()
        .store.query({ limit: 100 })
        .records.filter((r) => r.type === 'digital');
      assert.deepEqual(
        stored.map((r) => r.raw.toString('hex')).reverse(),
        events.map((e) => e.raw),
        'what the journal holds, nothing more',
      );
      assert.equal(events[0].line, (helper.getNode('line') as any).name || 'line');
    } finally {
      await helper.unload();
      await sim.close();
    }
  });

  it('without a project: no feed, done(err) with a code', async () => {
    await helper.load(NODES, [
      { id: 't', type: 'tab' },
      { id: 'ev', type: 'mara-events', z: 't', project: '', wires: [[], []] },
      { id: 'c', type: 'catch', z: 't', scope: null, uncaught: false, wires: [['err']] },
      { id: 'err', type: 'helper', z: 't' },
    ]);
    assert.deepEqual((helper.getNode('ev') as any).feed, undefined);
    const errs = collect<Msg>(helper.getNode('err'), 1);
    helper.getNode('ev').receive({ topic: 'query' } as never);
    const [e] = await errs;
    assert.equal(e.error.code, 'EJOURNAL_CLOSED');
    const shown = (helper.getNode('ev') as any).status.getCalls().map((c: any) => c.args[0]);
    assert.deepEqual(shown[0], { fill: 'red', shape: 'ring', text: 'no project' });
  });
});
