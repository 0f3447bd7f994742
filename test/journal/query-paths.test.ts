import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { openJournal, type JournalQuery, type JournalRecord, type JournalStore, type ReplyInput } from '../../lib/journal';
import { openDatabase } from '../../lib/journal/sqlite';
import { JournalHub } from '../../lib/journal/journal-hub';
import { mulberry32 } from '../../lib/sim/activity';
import { event, reply, tempDir } from './fixtures';

const TAGS = ['RARE.1', 'BAY1.CB', 'BAY1.DS1', 'BAY12.CB', 'BAY2.CB', 'BAY2.P51', 'TR1.P87', 'TR10.OLTC', 'X', 'Z9'];
const PREFIXES = ['RARE', 'B', 'BAY1', 'BAY1.', 'BAY2.P', 'TR1', 'X', 'Q', 'BAY12.CB', 'TR10.OLTCX'];
const TYPES = ['digital', 'energy', 'idle', 'comsys'] as const;

/** The filter of JournalQuery written out plainly, over every record (what the query paths must agree with). */
function brute(all: JournalRecord[], q: JournalQuery): { ids: number[]; next: number | null } {
  const asc = q.afterId !== undefined;
  const hit = all.filter(
    (r) =>
      (q.from === undefined || r.receivedAt >= q.from) &&
      (q.to === undefined || r.receivedAt < q.to) &&
      (q.line === undefined || r.line === q.line) &&
      (q.device === undefined || r.device === q.device) &&
      (q.type === undefined || r.type === q.type) &&
      (!q.tagPrefix || (r.tag !== null && r.tag.startsWith(q.tagPrefix))) &&
      (q.unattendedOnly ? r.severity > 0 && r.attendedAt === null : !q.alarmsOnly || r.severity > 0) &&
      (q.beforeId === undefined || r.id < q.beforeId) &&
      (q.afterId === undefined || r.id > q.afterId),
  );
  const ids = hit.map((r) => r.id).sort((a, b) => (asc ? a - b : b - a));
  const limit = q.limit ?? 100;
  return { ids: ids.slice(0, limit), next: ids.length > limit ? ids[limit - 1] : null };
}

describe('journal query paths', () => {
  it('return exactly what a plain filter of every row returns, for random filters over random rows (clock steps back included)', (t) => {
    const rnd = mulberry32(0x5eed);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
    const dir = tempDir(t);
    // the default window, and a small one that makes most tag-prefix pages turn to the tag index, on the same rows
    const journals = [openJournal(path.join(dir, 'j.sqlite')), openJournal(path.join(dir, 'small.sqlite'), { window: 40 })];
    t.after(() => journals.forEach((x) => x.close()));
    const j = {
      append: (r: ReplyInput) => journals.forEach((x) => x.append(r)),
      attend: (...a: Parameters<JournalStore['attend']>) => journals.forEach((x) => x.attend(...a)),
    };
    // more rows than a tag-prefix page's window (4096), so the window, the tag index below it and both time spans are used
    let at = 1_800_000_000_000;
    let n = 0;
    for (let r = 0; n < 9000; r++) {
      // the receive time mostly grows, sometimes stands still, and now and then goes back (after the first half, so 'late' is inside)
      at += r > 450 && r % 97 === 0 ? -Math.floor(rnd() * 40_000) : Math.floor(rnd() * 3) * 500;
      const count = 1 + Math.floor(rnd() * 12);
      const events = Array.from({ length: count }, () =>
        event(n++, {
          type: pick(TYPES),
          tag: rnd() < 0.1 ? null : rnd() < 0.9 ? pick(TAGS.slice(1)) : 'RARE.1',
          severity: rnd() < 0.15 ? 1 + Math.floor(rnd() * 3) : 0,
        }),
      );
      j.append(reply(r, count, { line: rnd() < 0.8 ? 'L1' : 'L2', device: 1 + Math.floor(rnd() * 4), receivedAt: at, events }));
    }
    j.attend({ ids: Array.from({ length: 3000 }, () => 1 + Math.floor(rnd() * n)) }, 'op', at);
    const all: JournalRecord[] = [];
    for (let after = 0; ;) {
      const p = journals[0].query({ afterId: after, limit: 10_000 });
      all.push(...p.records);
      if (p.next === null) break;
      after = p.next;
    }
    assert.equal(all.length, n);
    const t0 = all[0].receivedAt;
    const span = at - t0 + 1;
    for (let k = 0; k < 600; k++) {
      const q: JournalQuery = { limit: pick([1, 5, 100, 500]) };
      if (rnd() < 0.5) q.tagPrefix = pick(PREFIXES);
      if (rnd() < 0.25) q.type = pick(TYPES);
      if (rnd() < 0.2) q.alarmsOnly = true;
      if (rnd() < 0.1) q.unattendedOnly = true;
      if (rnd() < 0.2) q.line = pick(['L1', 'L2']);
      if (rnd() < 0.15) q.device = 1 + Math.floor(rnd() * 4);
      if (rnd() < 0.35) q.from = t0 + Math.floor(rnd() * span) - 1000;
      if (rnd() < 0.35) q.to = t0 + Math.floor(rnd() * span) + 1000;
      const dir = rnd();
      if (dir < 0.3) q.beforeId = 1 + Math.floor(rnd() * (n + 5));
      else if (dir < 0.5) q.afterId = Math.floor(rnd() * n);
      else if (dir < 0.55) Object.assign(q, { afterId: Math.floor(rnd() * n * 0.5), beforeId: Math.floor(n * (0.5 + rnd() * 0.5)) });
      const want = brute(all, q);
      for (const x of journals) {
        const got = x.query(q);
        assert.deepEqual({ ids: got.records.map((r) => r.id), next: got.next }, want, JSON.stringify(q));
      }
    }
    // following `next` pages through the whole result, newest first and oldest first, for every prefix and type
    for (const tagPrefix of PREFIXES)
      for (const type of [undefined, ...TYPES])
        for (const asc of [false, true])
          for (const x of journals) {
            const q: JournalQuery = { tagPrefix, type, limit: 37 };
            const seen: number[] = [];
            for (let p = x.query(asc ? { ...q, afterId: 0 } : q); ; p = x.query(asc ? { ...q, afterId: p.next } : { ...q, beforeId: p.next })) {
              seen.push(...p.records.map((r) => r.id));
              if (p.next === null) break;
            }
            assert.deepEqual(seen, brute(all, { ...q, afterId: asc ? 0 : undefined, limit: 10_000 }).ids, JSON.stringify({ ...q, asc }));
          }
  });

  it('an append returns the records a query reads back, and the hub publishes them without reading them again', (t) => {
    const j = openJournal(path.join(tempDir(t), 'j.sqlite'));
    t.after(() => j.close());
    const r = reply(3, 3);
    r.events = [
      event(1, { severity: 2, tag: 'A.B' }),
      { ...event(2), type: 'energy', value: 2 ** 40, tag: null, stateText: null, description: null },
      event(3),
    ];
    const out = j.append(r);
    assert.deepEqual(out.records, j.query({ afterId: 0 }).records);
    const hub = new JournalHub(j);
    const heard: JournalRecord[][] = [];
    hub.subscribe('x', (c) => c.kind === 'records' && heard.push(c.records));
    let queried = 0;
    const query = j.query.bind(j);
    j.query = (q) => (queried++, query(q));
    hub.append(reply(4, 2));
    assert.equal(queried, 0);
    assert.deepEqual(heard, [query({ afterId: out.ids[2] }).records]);
  });

  it('a journal of schema 1 gets the new tag index and its late mark on open, and keeps both from then on', (t) => {
    const file = path.join(tempDir(t), 'j.sqlite');
    const j = openJournal(file);
    // receive times 0, 1000, 2000, then 500 (late: the clock went back), then 3000
    for (const [r, dt] of [0, 1000, 2000, 500, 3000].entries()) j.append(reply(r, 2, { receivedAt: 1_800_000_000_000 + dt }));
    j.close();
    // back to how schema 1 left a file: its tag index, no late mark, user_version 1
    const db = openDatabase(file);
    db.exec("DROP INDEX events_tag_filter; CREATE INDEX events_tag ON events (tag, id); DELETE FROM meta WHERE k = 'late'; PRAGMA user_version = 1;");
    db.close();
    const again = openJournal(file);
    t.after(() => again.close());
    const check = openDatabase(file);
    t.after(() => check.close());
    const indexes = check.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'events_tag%' ORDER BY name").all();
    assert.deepEqual(
      indexes.map((x) => x.name),
      ['events_tag_filter'],
    );
    assert.equal(check.prepare("SELECT v FROM meta WHERE k = 'late'").get()?.v, '8'); // the second event of reply 3
    assert.equal(Number(check.prepare('PRAGMA user_version').get()?.user_version), 2);
    assert.deepEqual(
      again.query({ to: 1_800_000_000_000 + 1000 }).records.map((r) => r.id),
      [8, 7, 2, 1],
    );
    again.append(reply(9, 1, { receivedAt: 1_800_000_000_000 + 100 }));
    assert.equal(check.prepare("SELECT v FROM meta WHERE k = 'late'").get()?.v, '11');
    assert.deepEqual(
      again.query({ to: 1_800_000_000_000 + 1000 }).records.map((r) => r.id),
      [11, 8, 7, 2, 1],
    );
  });

  it("the horn's count of unattended alarms stays a true count across appends, attends, prunes and another connection's writes", (t) => {
    const file = path.join(tempDir(t), 'j.sqlite');
    const j = openJournal(file);
    t.after(() => j.close());
    const other = openDatabase(file);
    t.after(() => other.close());
    const truth = () => Number(other.prepare('SELECT count(*) AS n FROM events WHERE severity > 0 AND attended_at IS NULL').get()?.n);
    const alarms = (r: number) => reply(r, 4, { events: [0, 1, 2, 3].map((i) => event(r * 4 + i, { severity: i % 2 })) });
    assert.equal(j.horn().unattended, 0);
    for (let r = 0; r < 5; r++) j.append(alarms(r));
    assert.equal(j.horn().unattended, 10);
    j.append(alarms(4)); // a replay: nothing stored
    j.attend({ ids: [2, 4, 5] }, 'op', 1); // 5 is not an alarm
    assert.equal(j.horn().unattended, truth());
    assert.equal(truth(), 8);
    other.exec('UPDATE events SET attended_at = 1, attended_by = ? WHERE id = 6'.replace('?', "'x'"));
    assert.equal(j.horn().unattended, 7);
    j.append(alarms(5));
    assert.equal(j.horn().unattended, 9);
    j.prune({ maxRows: 4, keepUnattended: false }, 0);
    assert.equal(j.horn().unattended, truth());
    assert.equal(truth(), 2);
  });
});
