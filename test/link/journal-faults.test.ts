/**
 * Issue 14, "Tests and figures": the write-ahead journal end to end, with a real Node-RED child process whose
 * mara-line polls a simulated COMaster served from this process (so the test knows every event it queued).
 * Exact accounting by raw bytes: every event queued in the device is in the journal file
 * (<userDir>/mara-journal/line1.sqlite, read over a second, query-only connection) exactly once.
 *
 * The faults: a SIGKILL during a 1 000-event burst, full deploys during a burst, the journal file made
 * read-only (immutable: chattr +i, else a read-only bind mount) and locked by another writer while the line
 * runs, a journal file that is garbage or truncated at start. Nothing here waits for a time: every wait is
 * for a condition (with a generous deadline), and instants are picked by counting protocol frames.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { MaraFrame } from '../../lib/mara/frame';
import { MaraSimulator } from '../../lib/sim/simulator';
import { mulberry32 } from '../../lib/sim/activity';
import type { SimDevice } from '../../lib/sim/device';
import { openDatabase, type SqlDatabase } from '../../lib/journal/sqlite';
import { ensureBuilt } from '../helpers/red-child';
import { RedProcess } from '../helpers/red-restart';

const POLL = 0x10;

/** A line with one COMaster, the poll node, and the poll node's status written to a file, one text a line. */
function flows(port: number, statusFile: string, name = 'cm'): unknown[] {
  return [
    { id: 'tab1', type: 'tab', label: 'journal faults' },
    {
      id: 'line1',
      type: 'mara-line',
      name,
      transport: 'tcp',
      host: '127.0.0.1',
      port,
      masterAddress: 64,
      devices: [{ address: 1, name: 'comaster', pollInterval: 0.05, timeout: 1000, retries: 3 }],
      pehInterval: 60,
      pehOnConnect: true,
      maxQueue: 100,
      persist: true,
    },
    { id: 'poll1', type: 'mara-poll', z: 'tab1', line: 'line1', wires: [[], []] },
    { id: 'st1', type: 'status', z: 'tab1', scope: ['poll1'], wires: [['stf']] },
    { id: 'stf', type: 'function', z: 'tab1', outputs: 1, func: "msg.payload = String(msg.status.text || '');\nreturn msg;", wires: [['sto']] },
    {
      id: 'sto',
      type: 'file',
      z: 'tab1',
      filename: statusFile,
      filenameType: 'str',
      appendNewline: true,
      createDir: true,
      overwriteFile: 'false',
      encoding: 'utf8',
      wires: [],
    },
  ];
}

/** One Node-RED child, its user directory, and the simulated device it polls. */
class Rig {
  readonly sim = new MaraSimulator([{ address: 1, maxEventsPerReply: 10 }]);
  readonly dev: SimDevice = this.sim.device(1)!;
  red!: RedProcess;
  port = 0;
  /** Hex of every event queued, in order. */
  readonly sent: string[] = [];
  private static runs = 0;
  private readonly run = ++Rig.runs;

  async init(): Promise<this> {
    this.port = await this.sim.listenTcp({ port: 0 });
    this.red = new RedProcess([]);
    this.writeFlows();
    return this;
  }

  get journal(): string {
    return path.join(this.red.userDir, 'mara-journal', 'line1.sqlite');
  }

  get statusFile(): string {
    return path.join(this.red.userDir, 'status.txt');
  }

  flows(name = 'cm'): unknown[] {
    return flows(this.port, this.statusFile, name);
  }

  writeFlows(name = 'cm'): void {
    fs.writeFileSync(path.join(this.red.userDir, 'flows.json'), JSON.stringify(this.flows(name)));
  }

  /** Queues n distinct digital events: the run and a counter in the time fields make every 10 bytes unique. */
  queue(n: number): void {
    for (let i = 0; i < n; i++) {
      const k = this.sent.length;
      const raw = this.dev.queueEvent({
        type: 'digital',
        raw: Buffer.alloc(0),
        addr: 1,
        calif: 0,
        state: k & 1,
        port: (k >> 4) & 7,
        bit: k & 15,
        time: { year: 2026, month: 12, day: 4, hour: this.run % 24, minute: Math.floor(k / 30000) % 60, second: 0, fraction: k % 30000 },
      });
      this.sent.push(raw.toString('hex'));
    }
  }

  /** The journal's events, hex of their raw bytes in id order (a query-only second connection). */
  raws(): string[] {
    return this.read((db) =>
      db
        .prepare('SELECT raw FROM events ORDER BY id')
        .all()
        .map((r) => Buffer.from(r.raw as Uint8Array).toString('hex')),
    );
  }

  count(): number {
    return this.read((db) => Number(db.prepare('SELECT count(*) AS n FROM events').get()?.n ?? 0));
  }

  private read<T>(f: (db: SqlDatabase) => T): T {
    const db = openDatabase(this.journal);
    try {
      db.exec('PRAGMA query_only = 1');
      return f(db);
    } finally {
      db.close();
    }
  }

  statuses(): string[] {
    return fs.existsSync(this.statusFile) ? fs.readFileSync(this.statusFile, 'utf8').split('\n').filter(Boolean) : [];
  }

  /** Whether the journal holds an event with these raw bytes. */
  has(hex: string): boolean {
    return this.read((db) => db.prepare('SELECT 1 AS x FROM events WHERE raw = ? LIMIT 1').get(Buffer.from(hex, 'hex')) !== undefined);
  }

  /** Until the device has had every queued event acknowledged and the journal holds the last one (it records in order). */
  async drained(what: string): Promise<void> {
    const last = this.sent[this.sent.length - 1];
    await this.red.waitFor(
      () => this.dev.stats.delivered >= this.sent.length && fs.existsSync(this.journal) && this.has(last),
      30_000,
      `${what}: all ${this.sent.length} events acknowledged, the last one in the journal`,
    );
  }

  /**
   * The exact accounting: each queued event once, none twice, nothing else; and in the device's order. A
   * marker event first: once it is in, any reply recorded twice before it would be in there too.
   */
  async assertExactlyOnce(what: string): Promise<void> {
    this.queue(1);
    await this.drained(what);
    const raws = this.raws();
    const seen = new Map<string, number>();
    for (const r of raws) seen.set(r, (seen.get(r) ?? 0) + 1);
    const twice = [...seen].filter(([, n]) => n > 1).map(([r]) => r);
    const missing = this.sent.filter((r) => !seen.has(r));
    const extra = raws.filter((r) => !this.sent.includes(r));
    assert.deepEqual({ twice, missing, extra }, { twice: [], missing: [], extra: [] }, `${what}: ${raws.length} rows for ${this.sent.length} events`);
    assert.deepEqual(raws, this.sent, `${what}: in the device's order`);
    assert.equal(this.dev.stats.dropped, 0);
  }

  /** Calls `f` once, on the n-th poll that carries a new SEQ (it acknowledges the device's previous reply). */
  onNthAck(n: number, f: (frame: MaraFrame) => void): void {
    let acks = 0;
    const h = (frame: MaraFrame) => {
      if (frame.cmd !== POLL || frame.dst !== 1 || frame.seq === this.dev.lastSeq || this.dev.lastReply === null) return;
      if (++acks < n) return;
      this.sim.off('request', h);
      f(frame);
    };
    this.sim.on('request', h);
  }

  async dispose(): Promise<void> {
    await this.red?.dispose();
    await this.sim.close();
  }
}

/** Makes a file unwritable even for root: immutable (chattr), else a read-only bind mount of its folder; null when neither works here. */
function readOnly(file: string): { how: string; undo(): void } | null {
  if (process.getuid?.() !== 0) {
    fs.chmodSync(file, 0o444);
    return { how: 'chmod 444', undo: () => fs.chmodSync(file, 0o644) };
  }
  if (spawnSync('chattr', ['+i', file]).status === 0) return { how: 'chattr +i', undo: () => void spawnSync('chattr', ['-i', file]) };
  const dir = path.dirname(file);
  if (spawnSync('mount', ['--bind', '-o', 'ro', dir, dir]).status === 0) return { how: 'read-only bind mount', undo: () => void spawnSync('umount', [dir]) };
  return null;
}

describe('write-ahead journal faults (Node-RED child process)', { timeout: 300_000 }, () => {
  const rigs: Rig[] = [];
  const rig = async () => {
    const r = await new Rig().init();
    rigs.push(r);
    return r;
  };
  before(() => ensureBuilt());
  after(async () => {
    for (const r of rigs) await r.dispose();
  });

  it('SIGKILLs in the middle of a 1 000-event burst: after the restarts every event is in the journal exactly once', async () => {
    const r = await rig();
    await r.red.start();
    await r.red.waitFor(() => r.dev.stats.pehs >= 1, 20_000, 'connected');
    const random = mulberry32(0x5eed14); // seeded: the same "random" instants on every run
    r.sim.replyDelayMs = 2;
    r.queue(1000);
    // 1. on the k-th acknowledging poll of the ~100 replies: the reply it acknowledges must be committed by then
    const k = 20 + Math.floor(random() * 40);
    let deliveredAtKill = -1;
    r.onNthAck(k, () => {
      deliveredAtKill = r.dev.stats.delivered;
      r.red.proc?.kill('SIGKILL');
    });
    await r.red.waitFor(() => r.red.proc?.signalCode === 'SIGKILL', 30_000, `the SIGKILL at acknowledgement ${k}`);
    assert.ok(deliveredAtKill > 0 && deliveredAtKill < 1000, `killed mid-burst (${deliveredAtKill} delivered)`);
    await r.red.start();
    // 2. while the child handles a reply: a seeded 0-1.5 ms after the m-th reply left the simulator (read, decode, commit)
    const m = 5 + Math.floor(random() * 25);
    const spinNs = BigInt(Math.floor(random() * 1_500_000));
    let replies = 0;
    let deliveredAtKill2 = -1;
    const onReply = () => {
      if (++replies < m) return;
      r.sim.off('reply', onReply);
      for (const end = process.hrtime.bigint() + spinNs; process.hrtime.bigint() < end;);
      deliveredAtKill2 = r.dev.stats.delivered;
      r.red.proc?.kill('SIGKILL');
    };
    r.sim.on('reply', onReply);
    await r.red.waitFor(() => r.red.proc?.signalCode === 'SIGKILL', 30_000, `the SIGKILL ${spinNs} ns after reply ${m}`);
    assert.ok(deliveredAtKill2 > deliveredAtKill && deliveredAtKill2 < 1000, `killed mid-burst again (${deliveredAtKill2} delivered)`);
    await r.red.start();
    await r.assertExactlyOnce(`SIGKILL at acknowledgement ${k}, then ${spinNs} ns after reply ${m}`);
  });

  it('full deploys during a burst (a reply outstanding; then the line renamed): nothing lost, nothing doubled', async () => {
    const r = await rig();
    await r.red.start();
    await r.red.waitFor(() => r.dev.stats.pehs >= 1, 20_000, 'connected');
    const random = mulberry32(0xde9107);
    r.sim.replyDelayMs = 2;
    r.queue(1000);
    // 1. the reply to the k-th acknowledging poll is held until the old line has closed its link: the deploy
    //    stops the line while it waits for that reply, and the new line must fetch it again
    const k1 = 10 + Math.floor(random() * 30);
    let held = false;
    r.onNthAck(k1, () => {
      r.sim.replyDelayMs = 60_000;
      held = true;
    });
    await r.red.waitFor(() => held, 30_000, `acknowledgement ${k1}`);
    const closed = new Promise<void>((res) => r.sim.once('disconnect', () => res()));
    const delivered1 = r.dev.stats.delivered;
    const deploy1 = r.red.deployFull(r.flows());
    await closed;
    r.sim.replyDelayMs = 2;
    await deploy1;
    assert.ok(delivered1 > 0 && delivered1 < 1000, `first deploy mid-burst (${delivered1} delivered)`);
    // 2. a changed line (another name) deployed at a seeded later acknowledgement, with no reply held
    const k2 = 10 + Math.floor(random() * 20);
    let delivered2 = -1;
    let deploy2: Promise<void> | null = null;
    r.onNthAck(k2, () => {
      delivered2 = r.dev.stats.delivered;
      deploy2 = r.red.deployFull(r.flows('cm renamed'));
    });
    await r.red.waitFor(() => deploy2 !== null, 30_000, `acknowledgement ${k2} after the first deploy`);
    await deploy2;
    assert.ok(delivered2 > delivered1 && delivered2 < 1000, `second deploy mid-burst (${delivered2} delivered)`);
    await r.assertExactlyOnce('two full deploys');
    assert.match(r.red.output(), /\[mara-line:cm renamed\]/, 'the renamed line ran');
  });

  it('a journal file made read-only, then locked by another writer: the line holds its replies (SEQ kept, status says why) and resumes, nothing lost', async (t) => {
    const r = await rig();
    await r.red.start();
    await r.red.waitFor(() => r.dev.stats.pehs >= 1, 20_000, 'connected');
    r.queue(100);
    await r.drained('before the fault');

    /** While the fault lasts: new events are queued, the line must hold them at one SEQ for `polls` polls. */
    const holds = async (fault: string, code: RegExp, polls: number) => {
      const delivered = r.dev.stats.delivered;
      const rows = r.count();
      const marks = r.statuses().length;
      const seqs: number[] = [];
      const onPoll = (f: MaraFrame) => {
        if (f.cmd === POLL && f.dst === 1) seqs.push(f.seq);
      };
      r.sim.on('request', onPoll);
      r.queue(50);
      await r.red.waitFor(
        () =>
          r
            .statuses()
            .slice(marks)
            .some((s) => /holding replies/.test(s) && code.test(s)),
        20_000,
        `${fault}: 'holding replies' status`,
      );
      const from = seqs.length;
      await r.red.waitFor(() => seqs.length >= from + polls, 30_000, `${fault}: ${polls} polls while holding`);
      r.sim.off('request', onPoll);
      const held = seqs.slice(from);
      assert.deepEqual(
        new Set(held),
        new Set([held[0]]),
        `${fault}: every poll while holding asks again with the same SEQ (${held.map((s) => s.toString(16))})`,
      );
      assert.equal(r.dev.stats.delivered, delivered, `${fault}: the device was not acknowledged`);
      assert.ok(r.dev.queueLength > 0 && r.dev.lastReply !== null, `${fault}: the device still holds the events`);
      assert.equal(r.count(), rows, `${fault}: nothing recorded`);
    };
    const resumed = async (fault: string) => {
      const marks = r.statuses().length;
      await r.drained(`${fault}: after it ends`);
      await r.red.waitFor(
        () =>
          r
            .statuses()
            .slice(marks)
            .some((s) => !/holding/.test(s)),
        20_000,
        `${fault}: the status clears`,
      );
      assert.match(r.red.output(), /journal: recording again, replies acknowledged/);
    };

    // 1. the file made read-only (as root, chmod does not stop writes: immutable, or a read-only mount)
    const ro = readOnly(r.journal);
    if (!ro) t.diagnostic('read-only: neither chattr +i nor a read-only bind mount works here; only the lock is tested');
    else {
      t.diagnostic(`read-only by ${ro.how}`);
      try {
        await holds(`read-only (${ro.how})`, /EJOURNAL_READONLY/, 3);
      } finally {
        ro.undo();
      }
      await resumed('read-only');
      assert.match(r.red.output(), /journal: .*read-only.*\(replies are not acknowledged/);
    }

    // 2. another process holds the write lock (BEGIN EXCLUSIVE): each append waits out the busy timeout, then fails
    const other = openDatabase(r.journal);
    try {
      other.exec('BEGIN EXCLUSIVE');
      await holds('locked', /EJOURNAL_IO/, 2);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await resumed('locked');
    assert.match(r.red.output(), /journal: .*database is locked/);
    await r.assertExactlyOnce('read-only and locked journal');
  });

  it('a journal that is garbage, then one truncated, at start: a clear warning, the old file kept beside a fresh journal that records', async () => {
    const r = await rig();
    const garbage = Buffer.alloc(64 * 1024, 0x42);
    fs.mkdirSync(path.dirname(r.journal), { recursive: true });
    fs.writeFileSync(r.journal, garbage);
    await r.red.start();
    const kept = () => fs.readdirSync(path.dirname(r.journal)).filter((f) => /^line1\.sqlite\.corrupt-[\dT-]+Z$/.test(f));
    assert.match(r.red.output(), /\[warn\] \[mara-line:cm\] journal line1\.sqlite is not usable \(not a SQLite file\); kept as line1\.sqlite\.corrupt-/);
    assert.equal(kept().length, 1);
    assert.equal(r.red.output().split('kept as').length - 1, 1, 'said once');
    assert.deepEqual(fs.readFileSync(path.join(path.dirname(r.journal), kept()[0])), garbage, 'the old file is kept as it was');
    r.queue(300);
    await r.assertExactlyOnce('a fresh journal after a garbage one');

    // a clean stop (the WAL is checkpointed into the file), then the file cut to half its size
    await r.red.kill('SIGTERM');
    assert.ok(!fs.existsSync(`${r.journal}-wal`) || fs.statSync(`${r.journal}-wal`).size === 0, 'checkpointed at the stop');
    const size = fs.statSync(r.journal).size;
    fs.truncateSync(r.journal, Math.floor(size / 2));
    const mark = r.red.output().length;
    await r.red.start();
    assert.match(
      r.red.output().slice(mark),
      /\[warn\] \[mara-line:cm\] journal line1\.sqlite is not usable \(truncated: \d+ of \d+ bytes\); kept as line1\.sqlite\.corrupt-/,
    );
    assert.equal(kept().length, 2);
    assert.ok(
      kept().some((f) => fs.statSync(path.join(path.dirname(r.journal), f)).size === Math.floor(size / 2)),
      'the truncated file is kept',
    );
    const before = r.sent.length;
    r.queue(100);
    await r.drained('after the truncated journal');
    assert.deepEqual(r.raws(), r.sent.slice(before), 'the fresh journal holds exactly the events queued since');
  });
});
