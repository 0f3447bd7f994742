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
});
