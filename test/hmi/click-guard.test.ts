/** ClickGuard (lib/hmi/click-guard.ts) with a controlled clock: rate per client, one-time expiring tokens, bounds. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ClickGuard } from '../../lib/hmi/click-guard';

describe('ClickGuard', () => {
  it('lets a client send its burst, then its rate; other clients are not affected', () => {
    let t = 0;
    const g = new ClickGuard({ now: () => t, rate: 10, burst: 20 });
    let passed = 0;
    for (let i = 0; i < 2000; i++) if (g.allow('a')) passed++;
    assert.equal(passed, 20);
    assert.equal(g.takeDropped(), 1980);
    assert.equal(g.allow('b'), true);
    t += 1000; // one second later: 10 more
    passed = 0;
    for (let i = 0; i < 100; i++) if (g.allow('a')) passed++;
    assert.equal(passed, 10);
  });

  it('a toggle token works once, for its client, before it expires; a new screen voids it', () => {
    let t = 0;
    let n = 0;
    const g = new ClickGuard({ now: () => t, tokenTtlMs: 30_000, token: () => `tok${++n}` });
    const p = { tag: 'X', value: '0', from: '1', screen: 'S1' };
    const a = g.issue('a', p).token;
    assert.equal(g.redeem('b', a), null, "another client's token");
    assert.deepEqual(g.redeem('a', a), p);
    assert.equal(g.redeem('a', a), null, 'used');
    const b = g.issue('a', p).token;
    t += 30_001;
    assert.equal(g.redeem('a', b), null, 'expired');
    const c = g.issue('a', p).token;
    const d = g.issue('a', p).token;
    assert.equal(g.redeem('a', c), null, 'replaced by the newer one');
    g.view('a', 'S2');
    assert.equal(g.redeem('a', d), null, 'the client left the screen');
    assert.equal(g.redeem('a', 42), null);
  });

  it('tracks at most maxClients clients, forgetting the least recently active', () => {
    const g = new ClickGuard({ maxClients: 3 });
    for (const s of ['a', 'b', 'c']) g.view(s, 'S');
    g.allow('a');
    g.view('d', 'S');
    assert.equal(g.size, 3);
    assert.equal(g.screenOf('b'), null, 'b was the oldest');
    assert.equal(g.screenOf('a'), 'S');
    g.drop('a');
    assert.equal(g.screenOf('a'), null);
  });
});
