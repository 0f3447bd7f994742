/** Mara times (lib/mara/time.ts) ⇄ Date. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as mara from '../../lib';

describe('time conversion', () => {
  it('timeToDate(dateToTime(d)) gives back d for every millisecond of a second', () => {
    for (let ms = 0; ms < 1000; ms++) {
      const d = new Date(Date.UTC(2020, 1, 29, 23, 59, 59, ms));
      assert.equal(mara.timeToDate(mara.dateToTime(d, { utc: true }), { utc: true }).getTime(), d.getTime(), `ms ${ms}`);
    }
  });
  it('an impossible time gives an invalid Date, not an exception', () => {
    assert.ok(Number.isNaN(mara.timeToDate({ year: 2000, month: 0, day: 0, hour: 0, minute: 0, second: 0, fraction: 0 }).getTime()));
  });
});
