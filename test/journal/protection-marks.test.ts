import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { openJournal, type EventInput, type JournalRecord } from '../../lib/journal';
import { MarkIndex, alarmTagsOf, isNonZero, marksOfAttend, marksOfNew, restoreMarks } from '../../lib/journal/protection-marks';
import { diPoint as di, element as el, event, reply, tempDir } from './fixtures';

// a bay: protection 51 (tipo 0) and its breaker 52B (tipo 2); an earth fault protection with no 51_ in its tag; an alarm (tipo 1)
const MODEL = {
  points: [di('S1151_03', 0), di('S1152B03', 2), di('S1151N03', 0), di('S1164_01', 1), di('S1151_09', 0), di('NOELEM51_', 0)],
  elements: [el('S1151_03'), el('S1152B03'), el('S1151N03'), el('S1164_01'), el('S1151_09')],
};
const idx = new MarkIndex(MODEL);

let nextId = 1;
const rec = (tag: string | null, value: number, over: Partial<JournalRecord> = {}) =>
  ({ id: nextId++, type: 'digital', tag, value, attendedAt: null, severity: 3, ...over }) as JournalRecord;

describe('protection marks (spec §6.3 hooks)', () => {
  it('a trip (tipo 0, value 1) marks its element and its bay breaker (51_ → 52B)', () => {
    assert.deepEqual(marksOfNew([rec('S1151_03', 1)], idx), [
      { tag: 'S1151_03', attr: 'text', value: '1' },
      { tag: 'S1152B03', attr: 'text', value: '1' },
    ]);
    assert.equal(idx.bayBreaker('S1151_03'), 'S1152B03');
  });

  it('a protection without 51_ marks itself only; one whose breaker has no element marks itself only', () => {
    assert.deepEqual(marksOfNew([rec('S1151N03', 1)], idx), [{ tag: 'S1151N03', attr: 'text', value: '1' }]);
    assert.deepEqual(marksOfNew([rec('S1151_09', 1)], idx), [{ tag: 'S1151_09', attr: 'text', value: '1' }]);
  });

  it('writes nothing for a reset (value 0), an alarm, a breaker, an unknown tag, another type, a DI without element', () => {
    assert.deepEqual(
      marksOfNew(
        [rec('S1151_03', 0), rec('S1164_01', 1), rec('S1152B03', 0), rec('X', 1), rec(null, 1), rec('S1151_03', 1, { type: 'energy' }), rec('NOELEM51_', 1)],
        idx,
      ),
      [],
    );
  });

  it('attending a trip clears the protection (not the breaker); attending the breaker event clears a non-zero breaker', () => {
    const texts = new Map([
      ['S1151_03', '1'],
      ['S1152B03', '1'],
    ]);
    assert.deepEqual(
      marksOfAttend([rec('S1151_03', 1)], idx, (t) => texts.get(t)),
      [{ tag: 'S1151_03', attr: 'text', value: '0' }],
    );
    assert.deepEqual(
      marksOfAttend([rec('S1152B03', 0)], idx, (t) => texts.get(t)),
      [{ tag: 'S1152B03', attr: 'text', value: '0' }],
    );
    // a breaker whose text is already 0 (or not a number) is left alone
    assert.deepEqual(
      marksOfAttend([rec('S1152B03', 0)], idx, () => '0'),
      [],
    );
    assert.deepEqual(
      marksOfAttend([rec('S1152B03', 0)], idx, () => 'ABIERTO'),
      [],
    );
    // unknown to the engine: the workbook's text ('0')
    assert.deepEqual(
      marksOfAttend([rec('S1152B03', 0)], idx, () => undefined),
      [],
    );
    // attending an alarm (tipo 1) does nothing
    assert.deepEqual(
      marksOfAttend([rec('S1164_01', 1)], idx, () => '1'),
      [],
    );
  });

  it('one write per element, the last one; isNonZero takes numbers only', () => {
    assert.deepEqual(marksOfNew([rec('S1151_03', 1), rec('S1151_03', 1)], idx).length, 2);
    assert.deepEqual(
      [' 1 ', '2', '-1', '0.5', '0', '0.0', '', ' ', 'x', '1'.repeat(41), null].map((t) => isNonZero(t)),
      [true, true, true, true, false, false, false, false, false, false, false],
    );
  });

  it('blink tags: the DI, and the bay breaker of a trip', () => {
    assert.deepEqual(alarmTagsOf(rec('S1151_03', 1), idx), ['S1151_03', 'S1152B03']);
    assert.deepEqual(alarmTagsOf(rec('S1151_03', 0), idx), ['S1151_03']);
    assert.deepEqual(alarmTagsOf(rec('S1152B03', 1), idx), ['S1152B03']);
    assert.deepEqual(alarmTagsOf(rec(null, 1), idx), []);
  });

  it('takes tipo from the first DI of a tag; a tag used by no DI has no tipo', () => {
    const i = new MarkIndex({ points: [di('A51_1', 0), di('A51_1', 2)], elements: [el('A51_1')] });
    assert.equal(i.tipoOf('A51_1'), 0);
    assert.equal(i.tipoOf('B'), undefined);
    assert.equal(new MarkIndex(null).tipoOf('A51_1'), undefined);
  });
});

describe('protection marks after a restart (from the journal)', () => {
  const ev = (n: number, tag: string, value: number, severity: number): EventInput => event(n, { tag, value, severity });

  function journal(t: { after(fn: () => void): void }) {
    const j = openJournal(path.join(tempDir(t), 'j.sqlite'));
    t.after(() => j.close());
    let r = 0;
    const add = (...events: EventInput[]) => j.append({ ...reply(r++, 0), events }).ids;
    return {
      j,
      add,
      restore: () =>
        restoreMarks(idx, (q) => j.query(q))
          .writes.map((w) => `${w.tag}=${w.value}`)
          .sort(),
    };
  }

  it('an unattended trip marks the protection and its breaker; attending both leaves nothing', (t) => {
    const { j, add, restore } = journal(t);
    assert.deepEqual(restore(), []);
    const [trip] = add(ev(1, 'S1151_03', 1, 3));
    const [brk] = add(ev(2, 'S1152B03', 0, 1));
    assert.deepEqual(restore(), ['S1151_03=1', 'S1152B03=1']);
    j.attend({ ids: [trip] }, 'op', 1);
    // the trip attended, the breaker event not: the breaker keeps its mark (as the live hooks leave it)
    assert.deepEqual(restore(), ['S1152B03=1']);
    j.attend({ ids: [brk] }, 'op', 2);
    assert.deepEqual(restore(), []);
  });

  it('a breaker event attended after the trip keeps the breaker unmarked while the trip is unattended', (t) => {
    const { j, add, restore } = journal(t);
    add(ev(1, 'S1151_03', 1, 3));
    const [brk] = add(ev(2, 'S1152B03', 0, 1));
    j.attend({ ids: [brk] }, 'op', 1);
    assert.deepEqual(restore(), ['S1151_03=1']);
    // a new trip after that marks the breaker again
    add(ev(3, 'S1151_03', 1, 3));
    assert.deepEqual(restore(), ['S1151_03=1', 'S1152B03=1']);
  });

  it('resets (value 0), alarms and unmapped events mark nothing; a limit that stops the scan says so', (t) => {
    const { add, restore, j } = journal(t);
    add(ev(1, 'S1151_03', 0, 0), ev(2, 'S1164_01', 1, 2), ev(3, 'S1152B03', 1, 1));
    assert.deepEqual(restore(), []);
    for (let i = 0; i < 11; i++) add(...Array.from({ length: 100 }, (_, k) => ev(100 * i + k + 10, 'S1151N03', 1, 3)));
    const r = restoreMarks(idx, (q) => j.query(q), { maxUnattended: 1000 });
    assert.equal(r.truncated, true); // 1 102 unattended, the first page of 1 000 read
    assert.equal(r.scanned, 1000);
    assert.deepEqual(r.writes, [{ tag: 'S1151N03', attr: 'text', value: '1' }]);
    assert.equal(restoreMarks(idx, (q) => j.query(q)).truncated, false);
  });
});
