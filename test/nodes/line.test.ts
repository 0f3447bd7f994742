/** mara-line, mara-poll, mara-command and mara-simulator in a real Node-RED runtime, over TCP on 127.0.0.1. */
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MaraSimulator } from '../../lib/sim/simulator';
import { catchNode, collect, helper } from '../helpers/red';
import { until } from '../helpers/pipe';
import { simLineNode } from '../helpers/line-node';
import lineNode = require('../../nodes/mara-line');
import pollNode = require('../../nodes/mara-poll');
import commandNode = require('../../nodes/mara-command');
import simNode = require('../../nodes/mara-simulator');

type Msg = { payload: any; topic?: string; mara?: any; error?: any };
const NODES = [lineNode, pollNode, commandNode, simNode, catchNode];

let sim: MaraSimulator;
let port = 0;

const line = (extra: Record<string, unknown> = {}) => simLineNode(port, { persist: false, ...extra });

describe('line nodes', () => {
  before(() => new Promise<void>((r) => helper.startServer(() => r())));
  after(() => new Promise<void>((r) => helper.stopServer(() => r())));
  beforeEach(async () => {
    sim = new MaraSimulator([{ address: 1 }]);
    port = await sim.listenTcp({ port: 0 });
  });
  afterEach(async () => {
    await helper.unload();
    await sim.close();
  });

  it('mara-poll sends one msg per reply with the documented contract, and a time set on connect', async () => {
    await helper.load(NODES, [
      { id: 't', type: 'tab' },
      line({ name: 'sub1' }),
      { id: 'poll', type: 'mara-poll', z: 't', line: 'line', wires: [['out'], ['st']] },
      { id: 'out', type: 'helper', z: 't' },
      { id: 'st', type: 'helper', z: 't' },
    ]);
    sim.device(1)!.setDi(5, true);
    sim.device(1)!.setAi(0, 1234, 2);
    const msgs = await collect<Msg>(helper.getNode('out'), 3);
    const m = msgs.find((x) => x.payload.events.length > 0)!;
    assert.equal(m.topic, 'sub1/1');
    assert.equal(m.payload.address, 1);
    assert.equal(m.payload.diBits[5], true);
    assert.deepEqual(m.payload.ai[0], { raw: (2 << 14) | 1234, value: 1234, q: 2 });
    assert.equal(m.payload.events[0].type, 'digital');
    assert.equal(m.payload.events[0].bit, 5);
    assert.deepEqual(Object.keys(m.mara).sort(), ['address', 'at', 'cmd', 'line', 'raw', 'rttMs', 'seq', 'stale']);
    assert.ok(Buffer.isBuffer(m.mara.raw));
    assert.equal(sim.device(1)!.stats.pehs, 1, 'PEH on connect');
    assert.equal(new Set(msgs.map((x) => x.mara.seq)).size, 3, 'each reply once');
  });

  it('answers stats on output 2 and rejects an unknown request with EINVAL', async () => {
    await helper.load(NODES, [
      { id: 't', type: 'tab' },
      line(),
      { id: 'poll', type: 'mara-poll', z: 't', line: 'line', wires: [[], ['st']] },
      { id: 'st', type: 'helper', z: 't' },
      { id: 'c', type: 'catch', z: 't', scope: ['poll'], uncaught: false, wires: [['err']] },
      { id: 'err', type: 'helper', z: 't' },
    ]);
    await until(() => (helper.getNode('line') as any).hub.master.stats().replies >= 2);
    const st = collect<Msg>(helper.getNode('st'), 1);
    const err = collect<Msg>(helper.getNode('err'), 1);
    helper.getNode('poll').receive({ payload: 'stats' });
    helper.getNode('poll').receive({ payload: 'explode' });
    const [s] = await st;
    assert.ok(s.payload.replies >= 2 && s.payload.devices[0].online === true);
    assert.equal((await err)[0].error.code, 'EINVAL');
  });

  it('a partial deploy of a consumer keeps the line connected; the other consumer keeps receiving', async () => {
    const flow = [
      { id: 't', type: 'tab' },
      line(),
      { id: 'p1', type: 'mara-poll', z: 't', line: 'line', wires: [['o1'], []] },
      { id: 'o1', type: 'helper', z: 't' },
      { id: 'p2', type: 'mara-poll', z: 't', line: 'line', wires: [['o2'], []] },
      { id: 'o2', type: 'helper', z: 't' },
    ];
    await helper.load(NODES, flow);
    const master = (helper.getNode('line') as any).hub.master;
    await until(() => master.stats().replies >= 2);
    // modify p1 only, then remove it
    await helper.setFlows(
      [...flow.filter((n) => n.id !== 'p1'), { id: 'p1', type: 'mara-poll', z: 't', name: 'renamed', line: 'line', wires: [['o1'], []] }],
      'nodes',
    );
    await helper.setFlows(
      flow.filter((n) => n.id !== 'p1'),
      'nodes',
    );
    const before = master.stats().replies;
    await collect<Msg>(helper.getNode('o2'), 3);
    assert.equal((helper.getNode('line') as any).hub.master, master, 'the same line instance');
    assert.equal(master.stats().connects, 1, 'never reconnected');
    assert.equal(sim.stats.connections, 1);
    assert.ok(master.stats().replies > before);
  });

  it('reports devices going online and offline on output 2 and in the status', async () => {
    // device 1 answers (its timeout only bounds a failure, so load cannot fake an offline); device 2 never does
    await helper.load(NODES, [
      { id: 't', type: 'tab' },
      line({
        devices: [
          { address: 1, pollInterval: 0.05, timeout: 5000, retries: 1 },
          { address: 2, pollInterval: 0.05, timeout: 60, retries: 1 },
        ],
      }),
      { id: 'poll', type: 'mara-poll', z: 't', line: 'line', wires: [[], ['st']] },
      { id: 'st', type: 'helper', z: 't' },
    ]);
    const poll = helper.getNode('poll');
    const statuses: any[] = [];
    poll.on('call:status', (c: any) => statuses.push(c.args[0]));
    const msgs = await collect<Msg>(helper.getNode('st'), 2);
    const name = (helper.getNode('line') as any).lineName;
    assert.deepEqual(msgs.map((m) => [m.topic, m.payload.address, m.payload.online]).sort(), [
      [`${name}/1/$status`, 1, true],
      [`${name}/2/$status`, 2, false],
    ]);
    await until(() => statuses.some((s) => s.text === '1 offline'), 3000, 'status "1 offline"');
  });

  it('mara-command: time set, control with confirmation, and ETIMEOUT to a Catch node', async () => {
    await helper.load(NODES, [
      { id: 't', type: 'tab' },
      line(),
      { id: 'poll', type: 'mara-poll', z: 't', line: 'line', wires: [[], []] },
      { id: 'cmd', type: 'mara-command', z: 't', line: 'line', command: 'time', address: 1, timeout: '', retries: 0, wires: [['out']] },
      { id: 'out', type: 'helper', z: 't' },
      { id: 'c', type: 'catch', z: 't', scope: ['cmd'], uncaught: false, wires: [['err']] },
      { id: 'err', type: 'helper', z: 't' },
    ]);
    const master = (helper.getNode('line') as any).hub.master;
    await until(() => master.stats().replies >= 1);
    const out = collect<Msg>(helper.getNode('out'), 2);
    const cmd = helper.getNode('cmd');
    cmd.receive({ payload: { cmd: 'time', time: '2026-03-01T10:20:30.500Z', utc: true } });
    cmd.receive({ payload: { cmd: 'control', address: 1, port: 0, bit: 9, state: true } });
    const [t, c] = await out;
    assert.deepEqual(t.payload.time, { year: 2026, month: 3, day: 1, hour: 10, minute: 20, second: 30, fraction: 16384, dayOfWeek: 7 });
    assert.equal(t.mara.ack, false, 'a broadcast gets no answer');
    await until(() => sim.device(1)!.stats.pehs >= 2);
    assert.equal(c.mara.ack, true);
    assert.deepEqual([...c.payload.data], [0, 9, 1]);
    assert.equal(sim.device(1)!.getDi(9), true);
    const err = collect<Msg>(helper.getNode('err'), 2);
    cmd.receive({ payload: { cmd: 'control', address: 7, port: 0, bit: 1, state: 1 } }); // nobody at 7
    cmd.receive({ payload: { cmd: 'control', address: 1, port: 'x', bit: 1, state: 1 } });
    const codes = (await err).map((m) => m.error.code).sort();
    assert.deepEqual(codes, ['EINVAL', 'ETIMEOUT']);
  });

  it('mara-command refused by the device fails with ENAK', async () => {
    await helper.load(NODES, [
      { id: 't', type: 'tab' },
      line(),
      { id: 'cmd', type: 'mara-command', z: 't', line: 'line', command: 'control', address: 1, wires: [[]] },
      { id: 'c', type: 'catch', z: 't', scope: ['cmd'], uncaught: false, wires: [['err']] },
      { id: 'err', type: 'helper', z: 't' },
    ]);
    await until(() => (helper.getNode('line') as any).hub.master.state === 'connected');
    const err = collect<Msg>(helper.getNode('err'), 1);
    helper.getNode('cmd').receive({ payload: { port: 9, bit: 200, state: 1 } }); // DI 344 does not exist: Bit = 0xFF
    assert.equal((await err)[0].error.code, 'ENAK');
  });

  it('a line to a closed port shows the error and keeps retrying; ENOTCONN for commands meanwhile', async () => {
    await sim.close();
    await helper.load(NODES, [
      { id: 't', type: 'tab' },
      line(),
      { id: 'poll', type: 'mara-poll', z: 't', line: 'line', wires: [[], []] },
      { id: 'cmd', type: 'mara-command', z: 't', line: 'line', wires: [[]] },
      { id: 'c', type: 'catch', z: 't', scope: ['cmd'], uncaught: false, wires: [['err']] },
      { id: 'err', type: 'helper', z: 't' },
    ]);
    const statuses: any[] = [];
    helper.getNode('poll').on('call:status', (c: any) => statuses.push(c.args[0]));
    await until(() => statuses.some((s) => /ECONNREFUSED/.test(s.text)), 3000, 'refused status');
    assert.equal(statuses.find((s) => /ECONNREFUSED/.test(s.text)).fill, 'red');
    const err = collect<Msg>(helper.getNode('err'), 1);
    helper.getNode('cmd').receive({ payload: 'time' });
    assert.equal((await err)[0].error.code, 'ENOTCONN');
    // the simulator comes back on the same port: the line reconnects by itself
    sim = new MaraSimulator([{ address: 1 }]);
    await sim.listenTcp({ port });
    await until(() => statuses.some((s) => s.text === 'ok 1/1'), 5000, 'ok after reconnect');
  });

  it('a refused link marks every device offline on output 2 within timeout × (retries + 1), with no request sent', async () => {
    await sim.close(); // nothing listens on the port any more
    await helper.load(NODES, [
      { id: 't', type: 'tab' },
      line({
        devices: [
          { address: 1, pollInterval: 1, timeout: 100, retries: 1 },
          { address: 2, pollInterval: 1, timeout: 100, retries: 1 },
        ],
      }),
      { id: 'poll', type: 'mara-poll', z: 't', line: 'line', wires: [[], ['st']] },
      { id: 'st', type: 'helper', z: 't' },
    ]);
    const msgs = await collect<Msg>(helper.getNode('st'), 2, 5000);
    assert.deepEqual(msgs.map((m) => [m.payload.address, m.payload.online]).sort(), [
      [1, false],
      [2, false],
    ]);
    assert.match(msgs[0].payload.reason, /line down/);
    assert.equal((helper.getNode('line') as any).hub.master.stats().requests, 0);
  });

  it('a link lost while polling marks every device offline on output 2', async () => {
    await helper.load(NODES, [
      { id: 't', type: 'tab' },
      line({ devices: [{ address: 1, pollInterval: 0.05, timeout: 100, retries: 1 }] }),
      { id: 'poll', type: 'mara-poll', z: 't', line: 'line', wires: [[], ['st']] },
      { id: 'st', type: 'helper', z: 't' },
    ]);
    const online = await collect<Msg>(helper.getNode('st'), 1, 5000);
    assert.equal(online[0].payload.online, true);
    const offline = collect<Msg>(helper.getNode('st'), 1, 5000);
    await sim.close(); // listener and connection gone: reconnects are refused
    const [m] = await offline;
    assert.deepEqual([m.payload.address, m.payload.online], [1, false]);
  });

  it('a journal that fails while the line runs: replies held back (red status, logged once), then recorded and handed on once it works', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { openDatabase } = await import('../../lib/journal/sqlite');
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mara-userdir-'));
    helper.settings({ userDir });
    try {
      await helper.load(NODES, [{ id: 't', type: 'tab' }, line({ persist: true }), { id: 'poll', type: 'mara-poll', z: 't', line: 'line', wires: [[], []] }]);
      const statuses: any[] = [];
      helper.getNode('poll').on('call:status', (c: any) => statuses.push(c.args[0]));
      const lineNode = helper.getNode('line') as any;
      await until(() => lineNode.hub.master.stats().replies >= 3, 5000, '3 replies');
      const file = path.join(userDir, 'mara-journal', 'line.sqlite');
      const other = openDatabase(file);
      other.exec(`CREATE TRIGGER fail BEFORE UPDATE ON state BEGIN SELECT RAISE(ABORT, 'disk gone'); END;`);
      const held = () => lineNode.hub.master.stats().devices[0].heldBack;
      const seq = lineNode.hub.master.stats().devices[0].seq;
      await until(() => held() >= 3, 8000, 'replies held back');
      assert.equal(lineNode.hub.master.stats().devices[0].seq, seq, 'the SEQ does not advance while nothing is recorded');
      await until(() => statuses.some((s) => s.fill === 'red' && /holding replies \(EJOURNAL_IO\)/.test(s.text)), 3000, 'red status');
      other.exec('DROP TRIGGER fail');
      other.close();
      const before = lineNode.hub.master.stats().replies;
      await until(() => lineNode.hub.master.stats().replies >= before + 2, 8000, 'acknowledging again');
      const warns = lineNode.warn.getCalls().map((c: any) => String(c.args[0]));
      assert.equal(warns.filter((t: string) => /journal: .*not acknowledged/.test(t)).length, 1, JSON.stringify(warns));
      const logs = lineNode.log.getCalls().map((c: any) => String(c.args[0]));
      assert.ok(
        logs.some((t: string) => /recording again/.test(t)),
        JSON.stringify(logs),
      );
    } finally {
      helper.settings({});
    }
  });

  it('a journal that cannot be opened: the line does not poll (nothing acknowledged) and says why', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mara-userdir-'));
    fs.writeFileSync(path.join(userDir, 'mara-journal'), 'a file where the directory should be'); // fails for root too
    helper.settings({ userDir });
    try {
      await helper.load(NODES, [{ id: 't', type: 'tab' }, line({ persist: true }), { id: 'poll', type: 'mara-poll', z: 't', line: 'line', wires: [[], []] }]);
      const lineNode = helper.getNode('line') as any;
      assert.equal(lineNode.hub, null);
      assert.match(lineNode.configError.message, /journal/);
      assert.match(String(lineNode.configError.code), /^EJOURNAL_/);
    } finally {
      helper.settings({});
    }
  });

  it('deleting a line removes its SEQ state from its journal; a redeploy that keeps it does not', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { openJournal } = await import('../../lib/journal');
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mara-userdir-'));
    const file = path.join(userDir, 'mara-journal', 'line.sqlite');
    const stateOf = () => {
      const j = openJournal(file);
      try {
        return Object.keys(j.loadState('line')).length;
      } finally {
        j.close();
      }
    };
    helper.settings({ userDir });
    try {
      const flow = [{ id: 't', type: 'tab' }, line({ persist: true }), { id: 'poll', type: 'mara-poll', z: 't', line: 'line', wires: [[], []] }];
      await helper.load(NODES, flow);
      const lineNode = helper.getNode('line') as any;
      await until(() => lineNode.hub.master.stats().replies >= 2 && fs.existsSync(file), 5000, 'state saved');
      await helper.setFlows([...flow.slice(0, 1), line({ persist: true, name: 'renamed' }), flow[2]], 'nodes'); // changed, not deleted
      await until(() => (helper.getNode('line') as any)?.hub?.master.stats().replies >= 1, 5000, 'polling again');
      assert.equal(stateOf(), 1, 'a changed line keeps its state');
      await helper.setFlows([flow[0]], 'full'); // line and poll deleted
      assert.equal(stateOf(), 0, 'the deleted line took its state with it');
    } finally {
      helper.settings({});
    }
  });

  it('a bad line configuration is reported once at deploy and its consumers show "bad config"', async () => {
    await helper.load(NODES, [{ id: 't', type: 'tab' }, line({ port: 70000 }), { id: 'poll', type: 'mara-poll', z: 't', line: 'line', wires: [[], []] }]);
    const l = helper.getNode('line') as any;
    assert.ok(l.configError);
    assert.equal(l.configError.code, 'EINVAL');
  });

  it('mara-simulator node answers a line, takes values from msgs and reports stats', async () => {
    await sim.close();
    await helper.load(NODES, [
      { id: 't', type: 'tab' },
      {
        id: 'sim',
        type: 'mara-simulator',
        z: 't',
        transport: 'tcp',
        host: '127.0.0.1',
        port: 0,
        devices: '1',
        diBytes: 4,
        aiCount: 4,
        activity: false,
        wires: [['simout']],
      },
      { id: 'simout', type: 'helper', z: 't' },
    ]);
    const simN = helper.getNode('sim');
    const statuses: any[] = [];
    simN.on('call:status', (c: any) => statuses.push(c.args[0]));
    await until(() => statuses.some((s) => /^tcp :\d+/.test(s.text)), 3000, 'listening status');
    port = Number(/:(\d+)/.exec(statuses.find((s) => /^tcp :\d+/.test(s.text)).text)![1]);
    simN.receive({ payload: { di: { 2: true }, ai: { 1: { value: 77, q: 1 } }, events: 3 } });
    const stats = collect<Msg>(helper.getNode('simout'), 1);
    simN.receive({ topic: 'stats' });
    const [s] = await stats;
    assert.equal(s.payload.devices[0].queue, 4, 'one DI event plus 3');
  });

  it('serves the serial port list to the editor, behind the admin API', async () => {
    await helper.load(NODES, [{ id: 't', type: 'tab' }, line()]);
    const res = await helper.request().get('/mara/serial/ports').expect(200);
    assert.ok(Array.isArray(res.body));
  });
});
