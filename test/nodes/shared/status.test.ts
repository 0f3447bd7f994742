/** StatusThrottle (nodes/shared/status.ts) on a fake clock: at most one status per minMs, the last one always lands. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeStatus } from 'node-red';
import { StatusThrottle } from '../../../nodes/shared/status';
import { FakeTimers } from '../../helpers/fake-timers';

function rig(minMs = 1000) {
  const clock = new FakeTimers();
  const shown: NodeStatus[] = [];
  const s = new StatusThrottle({ status: (x) => shown.push(x) }, minMs, clock);
  return { clock, shown, s };
}

describe('StatusThrottle', () => {
  it('shows the first status at once, then at most one per minMs, and the last one lands', () => {
    const { clock, shown, s } = rig();
    s.set({ text: 'a' });
    assert.deepEqual(shown, [{ text: 'a' }]);
    clock.tick(100);
    s.set({ text: 'b' });
    clock.tick(100);
    s.set({ text: 'c' });
    assert.equal(shown.length, 1, 'nothing within 1 s of the last');
    clock.tick(799);
    assert.equal(shown.length, 1, 'not at 999 ms');
    clock.tick(1);
    assert.deepEqual(shown, [{ text: 'a' }, { text: 'c' }], 'the newest at 1 s, the superseded one never');
    assert.equal(clock.pending, 0);
  });

  it('skips a status equal to the one shown; `now` bypasses the limit and drops the pending one', () => {
    const { clock, shown, s } = rig();
    s.set({ text: 'a' });
    s.set({ text: 'a' });
    assert.equal(shown.length, 1);
    s.set({ text: 'b' });
    s.set({ fill: 'red', text: 'err' }, true);
    assert.deepEqual(shown, [{ text: 'a' }, { fill: 'red', text: 'err' }]);
    clock.tick(5000);
    assert.equal(shown.length, 2, 'the pending status was replaced by the urgent one');
  });

  it('dispose drops the pending status and its timer', () => {
    const { clock, shown, s } = rig();
    s.set({ text: 'a' });
    s.set({ text: 'b' });
    s.dispose();
    assert.equal(clock.pending, 0);
    clock.tick(5000);
    assert.deepEqual(shown, [{ text: 'a' }]);
  });

  it('works a status function out at most once per minMs, shows what it says then, and skips an unchanged one', () => {
    const { clock, shown, s } = rig();
    let calls = 0;
    let text = 'a';
    const make = () => (calls++, { text });
    s.set(make);
    assert.deepEqual(shown, [{ text: 'a' }]);
    assert.equal(calls, 1);
    for (let i = 0; i < 9; i++) {
      clock.tick(100);
      text = `b${i}`;
      s.set(make);
    }
    assert.equal(calls, 1, 'not worked out within 1 s of the last');
    clock.tick(100);
    assert.equal(calls, 2);
    assert.deepEqual(shown, [{ text: 'a' }, { text: 'b8' }], 'the state when it is shown, not when it was set');
    clock.tick(1000);
    s.set(make); // unchanged: worked out, not shown again
    assert.equal(calls, 3);
    assert.equal(shown.length, 2);
    s.set(make);
    assert.equal(calls, 3, 'an unchanged status is not worked out again within minMs');
    clock.tick(1000);
    assert.equal(calls, 4);
    assert.equal(shown.length, 2);
    assert.equal(clock.pending, 0);
  });

  it('a status function: `now` works it out at once; null shows nothing and drops the pending one', () => {
    const { clock, shown, s } = rig();
    let st: { text: string } | null = { text: 'a' };
    s.set(() => st);
    st = { text: 'b' };
    s.set(() => st);
    st = { text: 'err' };
    s.set(() => st, true);
    assert.deepEqual(shown, [{ text: 'a' }, { text: 'err' }]);
    assert.equal(clock.pending, 0);
    clock.tick(100);
    st = { text: 'c' };
    s.set(() => st);
    st = null; // e.g. the node broke and showed its own red status meanwhile
    clock.tick(5000);
    assert.deepEqual(shown, [{ text: 'a' }, { text: 'err' }]);
    assert.equal(clock.pending, 0);
  });
});
