/** SEQ arithmetic (lib/mara/seq.ts): 0x20..0x7F, wrap, and what a persisted SEQ may be. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as mara from '../../lib';

describe('nextSeq / validSeq', () => {
  it('nextSeq walks 0x20..0x7F and wraps 0x7F → 0x20', () => {
    for (let s = 0x20; s < 0x7f; s++) assert.equal(mara.nextSeq(s), s + 1);
    assert.equal(mara.nextSeq(0x7f), 0x20);
    const seen = new Set<number>();
    let s = 0x20;
    for (let i = 0; i < 96; i++) {
      seen.add(s);
      s = mara.nextSeq(s);
    }
    assert.equal(s, 0x20);
    assert.equal(seen.size, 96);
  });

  it('nextSeq of anything out of range restarts at 0x20 (never 0x80, 0xAA, 0xBB)', () => {
    for (const s of [0, 0x1f, 0x80, 0xaa, 0xbb, 0xff, 256, -1, NaN, Infinity]) assert.equal(mara.nextSeq(s), 0x20, String(s));
  });

  it('validSeq keeps a persisted SEQ in 0x20..0x7F, else 0x20', () => {
    for (let s = 0x20; s <= 0x7f; s++) assert.equal(mara.validSeq(s), s);
    for (const s of [0, 0x1f, 0x80, 0xbb, 255, -1, 0x20 + 0.5, NaN, '0x21', '33', null, undefined, {}, [0x21]]) assert.equal(mara.validSeq(s), 0x20, String(s));
  });
});
