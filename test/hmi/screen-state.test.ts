/** ScreenState: quality from points and from elements, and no cached workbook value for computed attributes. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ScreenState, worseQuality } from '../../lib/hmi/screen-state';

const make = () => new ScreenState({ config: { qualityClass: 'mara-bad-quality', readOnly: false, start: null } });
/** What the browser gets (the maps keyed by tag have no prototype: compared by their JSON). */
const wire = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;

describe('ScreenState quality', () => {
  it('a tag shows the worse of its point quality and its element quality', () => {
    const s = make();
    s.applyItems([
      { tag: 'B', table: 'di', quality: 'good' },
      { tag: 'B', table: 'eg', quality: 'invalid' },
    ]);
    assert.equal(s.snapshot.quality.B, 'invalid', 'the element reads an invalid point: greyed although its own DI is good');
    s.applyItems([{ tag: 'B', table: 'di', quality: 'good' }]);
    assert.equal(s.snapshot.quality.B, 'invalid', 'a later good point quality does not clear it');
    s.applyItems([{ tag: 'B', table: 'eg', quality: 'good' }]);
    assert.equal(s.snapshot.quality.B, undefined);
    s.applyItems([{ tag: 'B', table: 'di', quality: 'questionable' }]);
    assert.equal(s.snapshot.quality.B, 'questionable');
    assert.equal(worseQuality('questionable', 'constructor'), 'constructor', 'unknown names count as invalid, prototype keys included');
    assert.equal(worseQuality(undefined, undefined), 'good');
  });

  it("the workbook's cached values of computed attributes are not painted; static ones are", () => {
    const s = make();
    s.setElements(
      [
        { tag: 'V', text: '0', fill: 10 },
        { tag: 'T', text: 'BAR 33 KV', fill: 3 },
      ],
      [
        { tag: 'V', attr: 'text' },
        { tag: 'V', attr: 'fill' },
      ],
    );
    assert.equal(s.snapshot.state.V, undefined, 'the drawing keeps its own look until the formula gives a value');
    assert.deepEqual(s.snapshot.state.T, { text: 'BAR 33 KV', fill: '#ffffff' });
  });

  it('an element with a computed attribute is greyed until its element quality arrives', () => {
    const s = make();
    s.setElements(
      [
        { tag: 'V', text: '0' },
        { tag: 'T', text: 'BAR' },
      ],
      [{ tag: 'V', attr: 'text' }],
    );
    assert.deepEqual(wire(s.snapshot.quality), { V: 'invalid' }, 'unknown until mara-formula tells');
    s.applyItems([
      { tag: 'V', attr: 'text', value: '33.0' },
      { tag: 'V', table: 'eg', quality: 'good' },
      { tag: 'V', table: 'ai', quality: 'good' },
    ]);
    assert.deepEqual(wire(s.snapshot.quality), {});
  });
});

describe('ScreenState keyed by tag', () => {
  it('a tag named like an Object member (toString, valueOf, hasOwnProperty) is a tag like any other', () => {
    const names = ['toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf'];
    const s = make();
    s.setElements(
      names.map((tag) => ({ tag, description: `d ${tag}`, onClickTextToggle: 'A(OPEN),C(CLOSED)' })),
      [{ tag: 'valueOf', attr: 'fill' }],
    );
    for (const tag of names)
      assert.deepEqual(
        s.snapshot.records[tag],
        {
          d: `d ${tag}`,
          t: [
            ['A', 'OPEN'],
            ['C', 'CLOSED'],
          ],
        },
        tag,
      );
    assert.equal(s.snapshot.state.toString, undefined, 'no state before a value');
    assert.equal(s.textOf('toString'), '');
    assert.equal(s.snapshot.quality.valueOf, 'invalid', 'computed: unknown until its formula tells');
    assert.equal(s.snapshot.quality.toString, undefined, 'not computed: no quality listed');
    s.takeDelta();
    s.applyItems([
      { tag: 'toString', attr: 'text', value: 'CLOSED' },
      { tag: 'valueOf', attr: 'fill', value: '#ff0000' },
      { tag: 'valueOf', table: 'eg', quality: 'good' },
      { tag: 'hasOwnProperty', table: 'di', quality: 'invalid' },
    ]);
    assert.deepEqual(wire(s.snapshot.state), { toString: { text: 'CLOSED' }, valueOf: { fill: '#ff0000' } });
    assert.deepEqual(wire(s.snapshot.quality), { hasOwnProperty: 'invalid' });
    assert.equal(s.textOf('toString'), 'CLOSED');
    assert.deepEqual(wire(s.takeDelta()), {
      seq: 2,
      state: { toString: { text: 'CLOSED' }, valueOf: { fill: '#ff0000' } },
      quality: { valueOf: null, hasOwnProperty: 'invalid' },
    });
    const t = s.toggle('isPrototypeOf', 'A');
    assert.equal(t.ok, true);
    assert.equal(s.textOf('isPrototypeOf'), 'A');
    s.applyItems([{ tag: 'toString', attr: 'text', value: null }]);
    assert.equal(s.snapshot.state.toString, undefined, 'back to the drawing: the entry goes');
    // nothing leaked onto Object.prototype or its functions
    assert.equal(({} as Record<string, unknown>).text, undefined);
    assert.equal((Object.prototype.toString as unknown as Record<string, unknown>).text, undefined);
    assert.equal(typeof ({} as object).toString, 'function');
  });

  it('__proto__, constructor and prototype are refused, and change nothing', () => {
    const s = make();
    const r = s.applyItems([
      { tag: '__proto__', attr: 'text', value: 'x' },
      { tag: 'constructor', attr: 'text', value: 'x' },
      { tag: 'prototype', table: 'di', quality: 'invalid' },
    ]);
    assert.deepEqual(r, { changed: 0, ignored: 3 });
    assert.deepEqual(wire(s.snapshot.state), {});
    assert.deepEqual(wire(s.snapshot.quality), {});
    assert.equal(s.takeDelta(), null);
    assert.equal(Object.getPrototypeOf(s.snapshot.state), null);
  });
});

describe('ScreenState alarms (blinking)', () => {
  it('keeps the known, enabled alarm tags, sorted; sends the whole list in a delta when it changes', () => {
    const s = make();
    s.setElements([{ tag: 'A' }, { tag: 'B' }, { tag: 'OFF', disabled: true }]);
    s.setKnownTags(new Set(['A', 'B', 'OFF']));
    s.takeDelta();
    assert.equal(s.setAlarms(['B', 'A', 'OTHER', 'OFF', '__proto__', 7, 'A']), true);
    assert.deepEqual(s.snapshot.alarms, ['A', 'B']);
    assert.deepEqual(wire(s.takeDelta()), { seq: s.snapshot.seq, alarms: ['A', 'B'] });
    assert.equal(s.setAlarms(['A', 'B']), false, 'the same set: nothing to send');
    assert.equal(s.takeDelta(), null);
    assert.equal(s.setAlarms([]), true);
    assert.equal(s.snapshot.alarms, undefined);
    assert.deepEqual(wire(s.takeDelta())?.valueOf(), { seq: s.snapshot.seq, alarms: [] });
  });

  it('alarm tags given before the screens are known are filtered when they are', () => {
    const s = make();
    s.setAlarms(['A', 'LATER', 'GONE']);
    assert.deepEqual(s.snapshot.alarms, ['A', 'GONE', 'LATER']);
    s.setKnownTags(new Set(['A', 'LATER']));
    assert.deepEqual(s.snapshot.alarms, ['A', 'LATER']);
    s.setElements([{ tag: 'A' }, { tag: 'LATER', disabled: true }]);
    assert.deepEqual(s.snapshot.alarms, ['A']);
    s.markFull();
    assert.equal(s.takeDelta(), null, 'a full snapshot carries them');
  });
});
