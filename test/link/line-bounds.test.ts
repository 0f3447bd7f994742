/**
 * Issue 10 items 9 and 10 for the line: a state store that fails is reported (once per change) and a bad
 * state file is kept aside and never read when huge; times, counts and inputs are bounded with coded
 * errors whose messages never quote a whole input; many commands on one AbortSignal do not leak listeners.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MaraMaster } from '../../lib/link/master';
import type { PersistenceState } from '../../lib/link/master-types';
import { SimDevice } from '../../lib/sim/device';
import { FileStateStore, MemoryStateStore, STATE_FILE_MAX_BYTES } from '../../lib/link/state-store';
import { SIM_EVENTS_PER_MSG_MAX, applyValues } from '../../nodes/shared/sim-input';
import { lineStatus } from '../../nodes/shared/line-status';
import { Wire } from '../helpers/pipe';
import { until as waitFor, useMockTimers } from '../helpers/master-rig';

const masters: MaraMaster[] = [];
afterEach(async () => {
  await Promise.all(masters.splice(0).map((m) => m.stop()));
});

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mara-bounds-'));

describe('state store failures are reported, bad files kept aside (issue 10 item 9)', () => {
  it('an unwritable state directory (its parent is a regular file, which stops root too): ESTATE, reported once, and recovery reported', async () => {
    useMockTimers();
    const dir = tmp();
    const blocker = path.join(dir, 'mara-state');
    fs.writeFileSync(blocker, 'not a directory');
    const store = new FileStateStore(path.join(blocker, 'line.json'));
    assert.throws(
      () => store.save({ '1': { seq: 0x21, recent: [] } }),
      (e: Error & { code?: string }) => e.code === 'ESTATE' && /ENOTDIR|EEXIST/.test(e.message),
    );

    const d = new SimDevice({ address: 1 });
    const wire = new Wire([d]);
    const m = new MaraMaster({ transport: wire.transport, devices: [{ address: 1, pollIntervalMs: 5, timeoutMs: 40 }], pehOnConnect: false, store });
    masters.push(m);
    const seen: PersistenceState[] = [];
    m.on('persistence', (p) => seen.push(p));
    let replies = 0;
    m.on('reply', () => replies++);
    m.start();
    await waitFor(() => replies >= 10, 5000, '10 replies');
    assert.equal(seen.length, 1, 'one report for ten failed saves');
    assert.equal(seen[0].ok, false);
    assert.equal((seen[0].error as { code?: string }).code, 'ESTATE');
    assert.equal(m.persistence.ok, false);
    const st = lineStatus({ state: 'connected' }, m.devices, m.persistence);
    assert.equal(st.fill, 'yellow');
    assert.match(String(st.text), /ok 1\/1 · state not saved \(ESTATE\)/);
    // the directory becomes usable again
    fs.rmSync(blocker);
    await waitFor(() => seen.length >= 2, 5000, 'recovery reported');
    assert.equal(seen[1].ok, true);
    assert.ok(fs.existsSync(path.join(blocker, 'line.json')));
  });

  for (const [name, content] of [
    ['corrupt', '{"1": {"seq": 33, "rec'],
    ['truncated', ''],
    ['not an object', '[1,2,3]'],
  ] as const) {
    it(`a ${name} state file is renamed to .bad-<time>, reported with ESTATE, and the master starts at SEQ 0x20`, () => {
      const dir = tmp();
      const file = path.join(dir, 'line.json');
      fs.writeFileSync(file, content);
      const store = new FileStateStore(file);
      assert.throws(
        () => store.load(),
        (e: Error & { code?: string }) => e.code === 'ESTATE' && /kept as line\.json\.bad-/.test(e.message),
      );
      assert.ok(!fs.existsSync(file));
      const bad = fs.readdirSync(dir).filter((f) => f.startsWith('line.json.bad-'));
      assert.equal(bad.length, 1);
      assert.equal(fs.readFileSync(path.join(dir, bad[0]), 'utf8'), content, 'kept for inspection');
      fs.writeFileSync(file, content);
      const m = new MaraMaster({ transport: new Wire([]).transport, devices: [{ address: 1 }], store: new FileStateStore(file) });
      assert.equal(m.persistence.ok, false);
      assert.equal(m.devices[0].seq, 0);
    });
  }

  it('a 600 MB state file is not read (kept aside, ESTATE) and costs no memory', () => {
    const dir = tmp();
    const file = path.join(dir, 'line.json');
    const fd = fs.openSync(file, 'w');
    fs.ftruncateSync(fd, 600 * 1024 * 1024); // sparse: no disk space used
    fs.closeSync(fd);
    const before = process.memoryUsage();
    assert.throws(
      () => new FileStateStore(file).load(),
      (e: Error & { code?: string }) => e.code === 'ESTATE' && e.message.includes(`larger than ${STATE_FILE_MAX_BYTES}`),
    );
    const after = process.memoryUsage();
    assert.ok(after.arrayBuffers - before.arrayBuffers < 16 * 1024 * 1024, 'no buffer for the file');
    assert.ok(fs.readdirSync(dir).some((f) => f.startsWith('line.json.bad-')));
  });

  it('a missing file is a fresh start, not a problem', () => {
    const store = new FileStateStore(path.join(tmp(), 'none.json'));
    assert.deepEqual(store.load(), {});
  });
});

describe('bounded inputs with coded errors (issue 10 item 10)', () => {
  const wire = new Wire([]).transport; // a transport factory, as MaraMaster wants

  it('times over 2^31 − 1 ms are refused with EINVAL instead of misfiring timers', () => {
    const day30 = 30 * 86_400_000;
    for (const dev of [{ pollIntervalMs: day30 }, { timeoutMs: day30 }, { pollIntervalMs: Infinity }, { timeoutMs: -1 }])
      assert.throws(
        () => new MaraMaster({ transport: wire, devices: [{ address: 1, ...dev }] }),
        (e: Error & { code?: string }) => e.code === 'EINVAL' && /2147483647/.test(e.message),
        JSON.stringify(dev),
      );
    for (const opt of [{ pehIntervalMs: day30 }, { backoffMaxMs: day30 }, { offlineMaxIntervalMs: day30 }])
      assert.throws(() => new MaraMaster({ transport: wire, devices: [], ...opt }), { code: 'EINVAL' }, JSON.stringify(opt));
    assert.doesNotThrow(() => new MaraMaster({ transport: wire, devices: [{ address: 1, pollIntervalMs: 2 ** 31 - 1 }] }));
  });

  it('a command timeout over 2^31 − 1 ms fails with EINVAL', async () => {
    useMockTimers();
    const d = new SimDevice({ address: 1 });
    const m = new MaraMaster({ transport: new Wire([d]).transport, devices: [{ address: 1, pollIntervalMs: 1000 }], pehOnConnect: false });
    masters.push(m);
    m.start();
    await waitFor(() => m.state === 'connected');
    await assert.rejects(m.request({ address: 1, cmd: 0x13, data: [0, 1, 1] }, { timeoutMs: 30 * 86_400_000 }), { code: 'EINVAL' });
  });

  it('error messages quote a short preview of the input, never the whole of it', async () => {
    const huge = 'x'.repeat(1_000_000);
    assert.throws(
      () => new MaraMaster({ transport: wire, devices: [{ address: huge as unknown as number }] }),
      (e: Error) => e.message.length < 200,
    );
    const m = new MaraMaster({ transport: wire, devices: [] });
    await assert.rejects(m.request({ address: 1, cmd: huge as unknown as number }), (e: Error) => e.message.length < 200);
    const d = new SimDevice({ address: 1 });
    assert.throws(
      () => applyValues(d, { events: huge }),
      (e: Error & { code?: string }) => e.code === 'EINVAL' && e.message.length < 200,
    );
  });

  it('a simulator msg with 10^7 events or a 10^7 DI array fails at once with EINVAL and changes nothing', () => {
    const d = new SimDevice({ address: 1 });
    assert.throws(
      () => applyValues(d, { events: 1e7 }),
      (e: Error & { code?: string }) => e.code === 'EINVAL' && e.message.includes(String(SIM_EVENTS_PER_MSG_MAX)),
    );
    assert.throws(() => applyValues(d, { di: new Array(1e7).fill(1) }), { code: 'EINVAL' });
    assert.throws(() => applyValues(d, { events: new Array(SIM_EVENTS_PER_MSG_MAX + 1).fill('00') }), { code: 'EINVAL' });
    assert.throws(() => d.queueEvents(1e9), { code: 'EINVAL' });
    assert.equal(d.queueLength, 0);
    assert.deepEqual(d.di, [0, 0, 0, 0]);
    applyValues(d, { events: 25, di: { 3: true } });
    assert.equal(d.queueLength, 26);
  });

  it('twenty pending commands on one AbortSignal: no listener-leak warning, all aborted', async () => {
    useMockTimers();
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const d = new SimDevice({ address: 1 });
      const w = new Wire([d]);
      w.silent = true;
      const m = new MaraMaster({
        transport: w.transport,
        devices: [{ address: 1, pollIntervalMs: 60_000 }],
        pehOnConnect: false,
        store: new MemoryStateStore(),
      });
      masters.push(m);
      m.start();
      await waitFor(() => m.state === 'connected');
      const ac = new AbortController();
      const pending = Array.from({ length: 20 }, () => m.request({ address: 1, cmd: 0x13, data: [0, 1, 1] }, { signal: ac.signal, timeoutMs: 60_000 }));
      await new Promise((r) => setImmediate(r));
      ac.abort();
      const results = await Promise.allSettled(pending);
      assert.ok(results.every((r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'EABORT'));
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(
        warnings.filter((x) => x.name === 'MaxListenersExceededWarning').map((x) => x.message),
        [],
      );
    } finally {
      process.off('warning', onWarning);
    }
  });
});
