/**
 * Regular expressions that see input must not backtrack super-linearly (issue 10 item 2). Each case is an
 * input that made one of them quadratic before (measured on the old code, 2-core machine: toNumber 4.7 s on a
 * 32 767-character cell, the toggle rule 2.0 s, the screen's "no colour" test 29 s and the SVG length 32 s on
 * 100 000 characters, float() 25 s). Now each answers in milliseconds; the generous timeouts only keep the old
 * code from hanging the suite. The answers are checked too.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toNumber } from '../../lib/project/workbook-build';
import { loadCsv } from '../../lib/project/workbook';
import { parseToggle } from '../../lib/hmi/toggle';
import { indexScreen } from '../../lib/hmi';
import { isSafeAttributeValue } from '../../lib/hmi/safe-attr';
import { ScreenState } from '../../lib/hmi/screen-state';
import { parseXml } from '../../lib/svg/xml';
import { compile } from '../../lib/formula';

const T = { timeout: 20_000 };

describe('no regular expression backtracks on input', () => {
  it('workbook numbers and toggles', T, () => {
    assert.equal(toNumber('1'.repeat(32_767) + 'x'), null);
    assert.equal(toNumber(' 12.5e2 '), 1250);
    assert.equal(toNumber('.5'), 0.5);
    assert.equal(toNumber('5.'), 5);
    const { problems } = loadCsv({ eg: `tag,text,on_click_text_toggle\nA,1,"a${' '.repeat(30_000)}x"\nB,1,"SI_1 (Sí) , NO_1"` });
    assert.deepEqual(
      problems.map((p) => [p.row, p.column]),
      [[2, 'on_click_text_toggle']],
    );
    assert.deepEqual(parseToggle(`SI_1${' '.repeat(500)}x`), null);
    assert.deepEqual(
      parseToggle('SI_1 (Sí)  ,  NO_1  ')?.options.map((o) => o.key),
      ['SI_1', 'NO_1'],
    );
  });

  it('screen values, drawing lengths and attribute values', T, () => {
    const st = new ScreenState({ config: { qualityClass: 'q', readOnly: false, start: null } });
    assert.doesNotThrow(() =>
      st.applyItems([
        { tag: 'T', attr: 'fill', value: ' '.repeat(100_000) + 'x' },
        { tag: 'T', attr: 'stroke', value: '  0 ' },
      ]),
    );
    const ix = indexScreen(`<svg xmlns="http://www.w3.org/2000/svg" width="1${' '.repeat(100_000)}x" height=" 2 mm "/>`);
    assert.deepEqual([ix.width, ix.height], [0, 2]);
    assert.equal(isSafeAttributeValue('stroke-width', '1'.repeat(500) + 'x'), false);
    assert.equal(isSafeAttributeValue('stroke-width', '1.5px'), true);
    assert.equal(parseXml(`<?xml ${'version="'.repeat(50_000)}?><a/>`).ok, false);
  });

  it('float() and VALOR of long numeric texts', T, () => {
    const text = '1'.repeat(100_000) + 'x';
    assert.equal(compile('float(eg.X.text)').evaluate({ eg: { X: { text } } }).ok, false);
    assert.equal(compile('VALOR(eg.X.text)', { dialect: 'excel' }).evaluate({ eg: { X: { text } } }).ok, false);
  });
});
