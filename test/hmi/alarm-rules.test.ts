/** The alarm widget's shared rules (lib/hmi/alarm-rows.ts, lib/hmi/alarm-requests.ts) and who a dashboard client is (nodes/shared/dashboard-user.ts). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { parseAlarmRequest } from '../../lib/hmi/alarm-requests';
import { alarmsElementId, displayDeviceTime, displayInstant, severityColours, toRow } from '../../lib/hmi/alarm-rows';
import { basicCredentials, dashboardUsers, middlewareUser } from '../../nodes/shared/dashboard-user';

const bcrypt = require('bcryptjs') as { hashSync(p: string, r: number): string };
const basic = (u: string, p: string) => ({ headers: { authorization: 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64') } });

describe('alarm rows', () => {
  it('colours severities 1 … 9 (none for 0 or junk) with a readable text colour', () => {
    assert.equal(severityColours(0), null);
    assert.equal(severityColours(-1), null);
    assert.equal(severityColours(2.5), null);
    assert.equal(severityColours('3'), null);
    const all = Array.from({ length: 9 }, (_, i) => severityColours(i + 1)!);
    assert.equal(new Set(all.map((c) => c.bg)).size, 9, 'nine distinct colours');
    assert.deepEqual(severityColours(12), all[8], 'above 9 is 9');
    // WCAG contrast of text on background ≥ 4.5 for every severity
    const lum = (hex: string) => {
      const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    for (const c of all) {
      const [a, b] = [lum(c.bg), lum(c.fg)].sort((x, y) => y - x);
      assert.ok((a + 0.05) / (b + 0.05) >= 4.5, `${c.bg} on ${c.fg}`);
    }
  });

  it('formats times as yyyy-MM-dd HH:mm:ss.fff and maps a record to a row', () => {
    assert.equal(displayDeviceTime('2026-12-03T10:20:30.005'), '2026-12-03 10:20:30.005');
    assert.equal(displayDeviceTime(''), '');
    assert.equal(displayDeviceTime(null), '');
    const at = new Date(2026, 0, 2, 3, 4, 5, 6).getTime();
    assert.equal(displayInstant(at), '2026-01-02 03:04:05.006');
    assert.equal(displayInstant(NaN), '');
    assert.equal(displayInstant('x'), '');
    assert.equal(alarmsElementId('a b"<1'), 'mara-alarms-a_b__1');
    const row = toRow({
      id: 7,
      deviceIso: 'd',
      receivedIso: 'r',
      type: 'digital',
      tag: null,
      description: null,
      stateText: 'ACTUADA',
      severity: 4,
      attendedAt: null,
      attendedBy: null,
    });
    assert.deepEqual(row, { id: 7, dev: 'd', rx: 'r', type: 'digital', tag: '', d: '', s: 'ACTUADA', sev: 4, at: null, by: null });
  });
});

describe('alarm requests', () => {
  it('accepts the known requests, de-duplicating ids', () => {
    assert.deepEqual(parseAlarmRequest({ type: 'hello' }), { ok: true, request: { type: 'hello' } });
    assert.deepEqual(parseAlarmRequest({ type: 'attend', ids: [3, 3, 4] }), { ok: true, request: { type: 'attend', ids: [3, 4] } });
    assert.deepEqual(
      parseAlarmRequest({ type: 'page', req: 0, filter: { from: 1, to: 2, tagPrefix: 'S1', type: 'digital', unattendedOnly: false }, afterId: 0 }),
      {
        ok: true,
        request: { type: 'page', req: 0, filter: { from: 1, to: 2, tagPrefix: 'S1', type: 'digital' }, beforeId: null, afterId: 0 },
      },
    );
    assert.deepEqual(parseAlarmRequest({ type: 'page', req: 1, filter: { tagPrefix: '', from: null }, beforeId: 9 }), {
      ok: true,
      request: { type: 'page', req: 1, filter: {}, beforeId: 9, afterId: null },
    });
  });

  it('refuses anything else whole, with a reason', () => {
    const bad: unknown[] = [
      null,
      'attend',
      [],
      { type: 'attend', ids: [Number.MAX_SAFE_INTEGER + 2] },
      { type: 'attend', ids: [NaN] },
      { type: 'attend', ids: { length: 1, 0: 1 } },
      { type: 'page', req: -1 },
      { type: 'page', req: 1, filter: [] },
      { type: 'page', req: 1, filter: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 1])) },
      { type: 'page', req: 1, filter: { unattendedOnly: 'yes' } },
      { type: 'page', req: 1, filter: { to: 1e300 } },
      { type: 'page', req: 1, beforeId: 5, afterId: 2 },
      { type: 'page', req: 1, afterId: -3 },
      { type: 'page', req: 1, filter: { __proto__: { tagPrefix: 'x' }, constructor: 1 } },
      { type: 'toString' },
    ];
    for (const m of bad) {
      const r = parseAlarmRequest(m);
      assert.equal(r.ok, false, JSON.stringify(m));
      assert.equal(typeof (r as { reason: string }).reason, 'string');
    }
  });
});

describe('dashboard users', () => {
  it('takes a user a middleware set, in its usual shapes', () => {
    assert.equal(middlewareUser({ user: 'ana' }), 'ana');
    assert.equal(middlewareUser({ user: { username: 'bob' } }), 'bob');
    assert.equal(middlewareUser({ user: { name: 'eve' } }), 'eve');
    assert.equal(middlewareUser({ user: { username: 7 } }), null);
    assert.equal(middlewareUser({ user: 'x'.repeat(201) }), null);
    assert.equal(middlewareUser({ user: '' }), null);
    assert.equal(middlewareUser(null), null);
  });

  it('reads Basic credentials only from a well-formed, bounded header', () => {
    assert.deepEqual(basicCredentials('Basic ' + Buffer.from('op:a:b').toString('base64')), { user: 'op', pass: 'a:b' });
    assert.equal(basicCredentials('Basic ' + Buffer.from(':pw').toString('base64')), null);
    assert.equal(basicCredentials('Basic !!!'), null);
    assert.equal(basicCredentials('Bearer x'), null);
    assert.equal(basicCredentials('Basic ' + 'A'.repeat(2000)), null);
    assert.equal(basicCredentials(undefined), null);
  });

  it('checks credentials against httpNodeAuth (bcrypt or legacy md5) and adminAuth, once per header', async () => {
    const md5 = crypto.createHash('md5').update('old', 'utf8').digest('hex');
    const users = dashboardUsers({
      httpNodeAuth: { user: 'legacy', pass: md5 },
      adminAuth: { type: 'credentials', users: [{ username: 'eng', password: bcrypt.hashSync('pw', 4), permissions: ['*'] }, null] },
    });
    assert.equal(await users(basic('legacy', 'old')), 'legacy');
    assert.equal(await users(basic('legacy', 'new')), null);
    assert.equal(await users(basic('eng', 'pw')), 'eng');
    assert.equal(await users(basic('eng', 'pw ')), null);
    assert.equal(await users({ headers: {} }), null);
    assert.equal(await users({ user: 'mw', ...basic('eng', 'wrong') }), 'mw', 'a middleware user comes first');
    // nothing configured: nobody
    assert.equal(await dashboardUsers({})(basic('eng', 'pw')), null);
    assert.equal(await dashboardUsers({ httpNodeAuth: () => undefined })(basic('eng', 'pw')), null);
  });
});
