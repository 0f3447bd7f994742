/**
 * ui_mara_alarms in node-red-node-test-helper with the real Dashboard 1 and a real journal file: the snapshot it
 * gives the dashboard, and what it does with browser requests (validation, read-only, who may attend). The rig:
 * test/helpers/alarms-rig.ts.
 */
import { after, afterEach, before, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { helper } from '../helpers/red';
import { acquireJournal } from '../../lib/journal/journal-hub';
import { JournalError } from '../../lib/journal/errors';
import { asUser, bcrypt, flow, fromBrowser, nodes, recordingResolver, rig, seed, settle, snapshot, take } from '../helpers/alarms-rig';
import alarmsNode = require('../../nodes/ui_mara_alarms');

let dir = '';
describe('ui_mara_alarms node', () => {
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mara-alarms-node-'));
    await new Promise<void>((r) => helper.startServer(() => r()));
  });
  after(async () => {
    alarmsNode.setDashboardResolver();
    await new Promise<void>((r) => helper.stopServer(() => r()));
    fs.rmSync(dir, { recursive: true, force: true });
  });
  let n = 0;
  const fresh = () => {
    rig.lease = acquireJournal(path.join(dir, `j${++n}.sqlite`));
    alarmsNode.setDashboardResolver(recordingResolver);
  };
  afterEach(async () => {
    mock.timers.reset();
    await helper.unload();
    helper.settings({});
    rig.lease?.release();
    rig.lease = null;
    rig.captured = [];
    rig.replies = [];
  });

  it('gives the dashboard one replayed snapshot: unattended alarms newest first, N rows, the horn', async () => {
    fresh();
    seed(1, 5);
    await helper.load(nodes(), flow());
    assert.equal(rig.captured.length, 1);
    const o = rig.captured[0];
    assert.equal(o.persistantFrontEndValue, true);
    assert.equal(o.forwardInputMessages, false);
    assert.match(o.format, /id="mara-alarms-al"/);
    assert.match(o.initController, /MaraAlarmsUI\.attach\(scope, events, \{"id":"al"\}\)/);
    const s = snapshot();
    assert.equal(s.kind, 'mara-alarms');
    assert.deepEqual(
      s.banner.map((r: any) => r.tag),
      ['S11PR_05', 'S11PR_04', 'S11PR_03'],
    );
    assert.equal(s.banner[0].sev, 3);
    assert.equal(s.banner[0].dev, '2026-12-03T10:20:30.500');
    assert.equal(s.banner[0].d, 'relay 5');
    assert.equal(s.banner[0].s, 'ACTUADA');
    assert.deepEqual(s.horn, { sounding: true, unattended: 5, silencedBy: null, silencedAt: null });
    assert.equal(s.latest, null, 'a banner sends no journal page');
    // what the dashboard stores for replay is the snapshot itself
    assert.deepEqual(o.beforeEmit({}, s), { msg: s });
  });

  it('re-sends the snapshot to every client when the journal changes, at most every 250 ms', async () => {
    fresh();
    await helper.load(nodes(), flow({ mode: 'journal' }));
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.now() });
    const fed: any[] = [];
    rig.captured[0].node.on('input', (m: any) => fed.push(m.payload));
    assert.equal(snapshot().latest.rows.length, 0);
    seed(1, 2);
    seed(3, 1);
    assert.equal(fed.length, 0, 'coalesced');
    mock.timers.tick(250);
    assert.equal(fed.length, 1);
    assert.equal(fed[0].latest.rows.length, 5, 'page size 5');
    assert.equal(fed[0].latest.rows[0].tag, 'BAY3.CB', 'newest first');
    assert.equal(typeof fed[0].latest.next, 'number');
    assert.equal(fed[0].banner.length, 3);
  });

  it('refuses malformed requests whole and attends nothing', async () => {
    fresh();
    seed(1, 3);
    await helper.load(nodes(), flow({ anonymous: true }));
    const bad: Record<string, unknown>[] = [
      { type: 'attend' },
      { type: 'attend', ids: [] },
      { type: 'attend', ids: Array.from({ length: 501 }, (_, i) => i + 1) },
      { type: 'attend', ids: [1, 1.5] },
      { type: 'attend', ids: ['1'] },
      { type: 'attend', ids: [-1] },
      { type: 'page', req: 1, filter: { tagPrefix: 'x'.repeat(65) } },
      { type: 'page', req: 1, filter: { evil: 1 } },
      { type: 'page', req: 1, filter: { type: 'nope' } },
      { type: 'page', req: 1, filter: { from: 'yesterday' } },
      { type: 'page', req: 1, filter: { from: 10, to: 5 } },
      { type: 'page', req: 1, beforeId: 0 },
      { type: 'page', req: 'x' },
      { type: 'drop tables' },
    ];
    for (const m of bad) fromBrowser(m, `s-${bad.indexOf(m)}`);
    await settle();
    for (let i = 0; i < bad.length; i++) assert.deepEqual(take('refused', `s-${i}`), [{ reason: 'invalid' }], JSON.stringify(bad[i]));
    assert.equal(rig.lease!.hub.store.horn().unattended, 3);
  });

  it('attends only for a user the server knows; without one it refuses, or records "anonymous" when allowed', async () => {
    fresh();
    seed(1, 3);
    await helper.load(nodes(), flow());
    const ids = snapshot().banner.map((r: any) => r.id);
    fromBrowser({ type: 'hello' });
    fromBrowser({ type: 'attend', ids: [ids[0]] });
    await settle();
    assert.deepEqual(take('who'), [{ user: null, canAttend: false }]);
    assert.deepEqual(take('refused'), [{ reason: 'noUser' }]);
    assert.equal(rig.lease!.hub.store.horn().unattended, 3);
    // a user set by a dashboard ioMiddleware on the handshake request
    const out = helper.getNode('out');
    const sent: any[] = [];
    out.on('input', (m: any) => sent.push(m));
    fromBrowser({ type: 'hello' }, 'sock-2', asUser('ana'));
    fromBrowser({ type: 'attend', ids: [ids[0], 999_999] }, 'sock-2', asUser('ana'));
    await settle();
    assert.deepEqual(take('who', 'sock-2'), [{ user: 'ana', canAttend: true }]);
    assert.deepEqual(take('attended', 'sock-2'), [{ count: 1 }], 'an id that does not exist attends nothing');
    const rec = rig.lease!.hub.records([ids[0]])[0];
    assert.equal(rec.attendedBy, 'ana');
    assert.equal(sent.length, 1);
    assert.equal(sent[0].topic, 'attend');
    assert.deepEqual(sent[0].payload.ids, [ids[0]]);
    assert.equal(sent[0].socketid, 'sock-2');
    await helper.unload();
    await helper.load(nodes(), flow({ anonymous: true }));
    fromBrowser({ type: 'attendAll' });
    await settle();
    assert.deepEqual(take('attended'), [{ count: 2 }]);
    assert.equal(rig.lease!.hub.records([ids[1]])[0].attendedBy, 'anonymous');
    assert.equal(rig.lease!.hub.store.horn().unattended, 0);
  });

  it('read-only refuses attend and silence on the server, even for a known user', async () => {
    fresh();
    seed(1, 2);
    await helper.load(nodes(), flow({ readOnly: true, anonymous: true }));
    const ids = snapshot().banner.map((r: any) => r.id);
    assert.equal(snapshot().config.readOnly, true);
    fromBrowser({ type: 'hello' }, 'sock-1', asUser('ana'));
    fromBrowser({ type: 'attend', ids }, 'sock-1', asUser('ana'));
    fromBrowser({ type: 'attendAll' }, 'sock-1', asUser('ana'));
    fromBrowser({ type: 'silence' }, 'sock-1', asUser('ana'));
    await settle();
    assert.deepEqual(take('who'), [{ user: 'ana', canAttend: false }]);
    assert.deepEqual(take('refused'), [{ reason: 'readOnly' }, { reason: 'readOnly' }, { reason: 'readOnly' }]);
    const h = rig.lease!.hub.store.horn();
    assert.equal(h.unattended, 2);
    assert.equal(h.sounding, true);
  });

  it('checks Basic credentials itself against httpNodeAuth (bcrypt) and adminAuth users', async () => {
    fresh();
    seed(1, 2);
    helper.settings({
      httpNodeAuth: { user: 'op', pass: bcrypt.hashSync('secret', 4) },
      adminAuth: {
        type: 'credentials',
        users: [
          { username: 'eng', password: bcrypt.hashSync('pw2', 4), permissions: '*' },
          { username: 'guest', password: bcrypt.hashSync('pw3', 4), permissions: 'read' },
        ],
      },
    });
    await helper.load(nodes(), flow());
    const basic = (u: string, p: string) => ({ headers: { authorization: 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64') } });
    const cases: [string, unknown, string | null][] = [
      ['a', basic('op', 'secret'), 'op'],
      ['b', basic('op', 'wrong'), null],
      ['c', basic('eng', 'pw2'), 'eng'],
      ['d', basic('guest', 'pw3'), null],
      ['e', { headers: { authorization: 'Bearer abc' } }, null],
      ['f', { headers: { authorization: 'Basic ' + 'A'.repeat(2000) } }, null],
    ];
    for (const [s, req] of cases) fromBrowser({ type: 'hello' }, s, req);
    await settle(200);
    for (const [s, , user] of cases) assert.deepEqual(take('who', s), [{ user, canAttend: user !== null }], s);
    const id = snapshot().banner[0].id;
    fromBrowser({ type: 'silence' }, 'a', basic('op', 'secret'));
    fromBrowser({ type: 'attend', ids: [id] }, 'c', basic('eng', 'pw2'));
    await settle(200);
    assert.equal(rig.lease!.hub.store.horn().silencedBy, 'op');
    assert.equal(rig.lease!.hub.records([id])[0].attendedBy, 'eng');
  });

  it('answers a journal page to the asking client alone: filters and keyset paging', async () => {
    fresh();
    seed(1, 6);
    await helper.load(nodes(), flow({ mode: 'journal' }));
    fromBrowser({ type: 'page', req: 7, filter: { tagPrefix: 'S11PR_' } });
    await settle();
    const [p1] = take('page');
    assert.equal(p1.req, 7);
    assert.deepEqual(
      p1.rows.map((r: any) => r.tag),
      ['S11PR_06', 'S11PR_05', 'S11PR_04', 'S11PR_03', 'S11PR_02'],
    );
    fromBrowser({ type: 'page', req: 8, filter: { tagPrefix: 'S11PR_' }, beforeId: p1.next });
    await settle();
    const [p2] = take('page');
    assert.deepEqual(
      p2.rows.map((r: any) => r.tag),
      ['S11PR_01'],
    );
    assert.equal(p2.next, null);
    fromBrowser({ type: 'page', req: 9, filter: { type: 'energy' } });
    fromBrowser({ type: 'page', req: 10, filter: { unattendedOnly: true, from: 1_800_000_004_000 } });
    await settle();
    const [p3, p4] = take('page');
    assert.equal(p3.rows.length, 0);
    assert.deepEqual(
      p4.rows.map((r: any) => r.tag),
      ['S11PR_06', 'S11PR_05', 'S11PR_04'],
    );
    assert.equal(take('page', 'sock-2').length, 0);
  });
  it('without a journal: a red status, an empty snapshot that says so, requests refused', async () => {
    alarmsNode.setDashboardResolver(recordingResolver);
    await helper.load(nodes(), flow({ project: '' }));
    const s = snapshot();
    assert.equal(s.error, 'noJournal');
    assert.deepEqual(s.banner, []);
    const n = helper.getNode('al') as any;
    const statuses = n.status.getCalls().map((c: any) => c.args[0]);
    assert.deepEqual(statuses.at(-1), { fill: 'red', shape: 'ring', text: 'no journal' });
    fromBrowser({ type: 'attend', ids: [1] }, 'sock-1', asUser('ana'));
    fromBrowser({ type: 'page', req: 1 }, 'sock-1', asUser('ana'));
    await settle();
    assert.deepEqual(take('refused'), [{ reason: 'noJournal' }, { reason: 'noJournal' }]);
  });

  it('drops what a client sends beyond its rate, and journal pages beyond their own budgets', async () => {
    fresh();
    seed(1, 1);
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
    await helper.load(nodes(), flow());
    for (let i = 0; i < 30; i++) fromBrowser({ type: 'hello' });
    await settle();
    assert.equal(take('who').length, 20);
    // journal pages: 6 at once per client, 20 at once for all clients together
    for (let i = 0; i < 8; i++) fromBrowser({ type: 'page', req: i }, 'sock-2');
    await settle();
    assert.equal(take('page', 'sock-2').length, 6);
    assert.deepEqual(take('refused', 'sock-2'), [
      { reason: 'busy', req: 6 },
      { reason: 'busy', req: 7 },
    ]);
    for (let c = 0; c < 4; c++) for (let i = 0; i < 6; i++) fromBrowser({ type: 'page', req: i }, `p-${c}`);
    await settle();
    assert.equal(
      [0, 1, 2, 3].map((c) => take('page', `p-${c}`).length).reduce((a, b) => a + b),
      14,
      '20 in all, 6 went to sock-2',
    );
    mock.timers.tick(1000);
    fromBrowser({ type: 'page', req: 50 }, 'sock-2');
    await settle();
    assert.equal(take('page', 'sock-2').length, 1, 'the budgets refill with time');
  });
  it('a failing journal refuses the request and changes nothing', async () => {
    fresh();
    seed(1, 1);
    await helper.load(nodes(), flow({ anonymous: true }));
    const store = rig.lease!.hub.store;
    const query = store.query.bind(store);
    const attend = store.attend.bind(store);
    store.query = () => {
      throw new JournalError('EJOURNAL_IO', 'disk I/O error');
    };
    store.attend = () => {
      throw new JournalError('EJOURNAL_IO', 'disk I/O error');
    };
    try {
      fromBrowser({ type: 'page', req: 1 });
      fromBrowser({ type: 'attendAll' }, 'sock-2');
      await settle();
      assert.deepEqual(take('refused'), [{ reason: 'journal' }]);
      assert.deepEqual(take('refused', 'sock-2'), [{ reason: 'journal' }]);
    } finally {
      store.query = query;
      store.attend = attend;
    }
    assert.equal(store.horn().unattended, 1);
  });
});
