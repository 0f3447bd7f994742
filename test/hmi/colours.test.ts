/** Colours (lib/hmi/colours.ts): the colour table and CSS colour syntax. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { colourCss, normaliseCssColour, DEFAULT_COLOUR_TABLE } from '../../lib/hmi';

describe('colourCss', () => {
  const table = DEFAULT_COLOUR_TABLE;

  it('maps indexes through the table (spec §5.4)', () => {
    assert.equal(colourCss(6, table), '#ff0000');
    assert.equal(colourCss(2, table), '#cc99ff');
    assert.equal(colourCss(12, table), '#c0c0c0');
    assert.equal(colourCss('5', table), '#3366ff', 'a digit string from a formula is an index');
  });

  it('index 0 and null mean "do not override the drawing" (compat), even though 0 is in the table', () => {
    assert.equal(colourCss(0, table), null);
    assert.equal(colourCss(null, table), null);
    assert.equal(colourCss(undefined, table), null);
    assert.equal(colourCss('0', table), null);
    assert.equal(colourCss('', table), null);
  });

  it('unknown index → null, logged once per index', () => {
    const logs: string[] = [];
    const log = (m: string) => logs.push(m);
    assert.equal(colourCss(99, table, log), null);
    assert.equal(colourCss(99, table, log), null);
    assert.equal(colourCss(98, table, log), null);
    assert.equal(colourCss('99', table, log), null);
    assert.deepEqual(logs, ['colour index 99 is not in the colour table; not painted', 'colour index 98 is not in the colour table; not painted']);
    // another logger gets its own first message
    const other: string[] = [];
    colourCss(99, table, (m) => other.push(m));
    assert.equal(other.length, 1);
    // no logger: still null, no throw; a throwing logger does not break painting
    assert.equal(colourCss(99, table), null);
    assert.equal(
      colourCss(97, table, () => {
        throw new Error('boom');
      }),
      null,
    );
  });

  it('accepts Map and record tables, and workbook RRGGBB / FFRRGGBB values', () => {
    assert.equal(colourCss(3, new Map([[3, '#FFFFFF']])), '#ffffff');
    assert.equal(colourCss(3, { 3: 'Navy' }), 'navy');
    assert.equal(colourCss(1, [{ index: 1, css: 'FFCC00' }]), '#ffcc00');
    assert.equal(colourCss(1, [{ index: 1, css: 'FFFFCC00' }]), '#ffcc00');
    const logs: string[] = [];
    assert.equal(
      colourCss(4, [{ index: 4, css: 'red;background:url(x)' }], (m) => logs.push(m)),
      null,
    );
    assert.match(logs[0], /unusable CSS colour/);
    assert.equal(colourCss(4, null), null);
  });

  it('accepts strict CSS colours from formulas, nothing else', () => {
    assert.equal(colourCss('#ff0000', table), '#ff0000');
    assert.equal(colourCss('#F00', table), '#f00');
    assert.equal(colourCss(' red ', table), 'red');
    assert.equal(colourCss('RebeccaPurple', table), 'rebeccapurple');
    assert.equal(colourCss('transparent', table), 'transparent');
    const logs: string[] = [];
    const log = (m: string) => logs.push(m);
    for (const bad of [
      '#ff00',
      '#ff00000',
      '#gg0000',
      'rgb(255,0,0)',
      'url(#x)',
      'red;fill:blue',
      'expression(alert(1))',
      'notacolour',
      'red blue',
      '-1',
      '2.5',
    ]) {
      assert.equal(colourCss(bad, table, log), null, bad);
    }
    for (const bad of [-1, 2.5, NaN, Infinity, true, {}, []]) assert.equal(colourCss(bad, table, log), null, String(bad));
    assert.ok(logs.length >= 10);
  });

  it('normaliseCssColour', () => {
    assert.equal(normaliseCssColour('#ABC'), '#abc');
    assert.equal(normaliseCssColour('none'), 'none');
    assert.equal(normaliseCssColour(12), null);
    assert.equal(normaliseCssColour('#abcd'), null);
  });
});
