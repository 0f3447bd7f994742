/** ScreenState: quality from points and from elements, and no cached workbook value for computed attributes. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ScreenState, worseQuality } from '../../lib/hmi/screen-state';

const make = () => new ScreenState({ config: { qualityClass: 'mara-bad-quality', readOnly: false, start: null } });

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
    assert.deepEqual(s.snapshot.quality, { V: 'invalid' }, 'unknown until mara-formula tells');
    s.applyItems([
      { tag: 'V', attr: 'text', value: '33.0' },
      { tag: 'V', table: 'eg', quality: 'good' },
      { tag: 'V', table: 'ai', quality: 'good' },
    ]);
    assert.deepEqual(s.snapshot.quality, {});
  });
});
