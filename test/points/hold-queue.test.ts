/** HoldQueue: what mara-points holds before its project loads, and its bound. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HoldQueue } from '../../lib/points/hold-queue';

type Item = { key: string; events: number; n: number };
const q = (max: number) => new HoldQueue<Item>({ max, key: (i) => i.key, hasEvents: (i) => i.events > 0 });

describe('HoldQueue', () => {
  it('keeps everything in arrival order up to the bound', () => {
    const h = q(5);
    for (let n = 0; n < 5; n++) assert.deepEqual(h.push({ key: `d${n % 2}`, events: 0, n }), { dropped: null, refused: null });
    assert.deepEqual(
      h.drain().map((i) => i.n),
      [0, 1, 2, 3, 4],
    );
    assert.equal(h.size, 0);
  });

  it('past the bound a superseded state-only reply makes room; replies with events are never dropped', () => {
    const h = q(3);
    h.push({ key: 'a', events: 2, n: 0 });
    h.push({ key: 'a', events: 0, n: 1 });
    h.push({ key: 'b', events: 0, n: 2 });
    // n 1 (a, no events) is superseded by the arriving a
    assert.equal(h.push({ key: 'a', events: 1, n: 3 }).dropped!.n, 1);
    // n 2 (b) is the newest b and nothing newer of b arrives; a state-only b arriving supersedes it
    assert.equal(h.push({ key: 'b', events: 0, n: 4 }).dropped!.n, 2);
    assert.deepEqual(
      h.drain().map((i) => i.n),
      [0, 3, 4],
    );
    assert.equal(h.superseded, 2);
  });

  it('when every held item carries events the arriving one is refused (for an EQUEUEFULL), never dropped silently', () => {
    const h = q(2);
    h.push({ key: 'a', events: 1, n: 0 });
    h.push({ key: 'a', events: 1, n: 1 });
    const r = h.push({ key: 'c', events: 3, n: 2 });
    assert.equal(r.refused!.n, 2);
    assert.deepEqual(
      h.drain().map((i) => i.n),
      [0, 1],
    );
  });
});
