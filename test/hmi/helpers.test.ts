/** Pure helpers of the screen widget: colours, text display rule, manual toggles, attribute allowlist. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isTogglePairs } from '../../lib/hmi/toggle';
import {
  colourCss,
  normaliseCssColour,
  DEFAULT_COLOUR_TABLE,
  displayText,
  parseToggle,
  isSafeAttributeName,
  isSafeAttributeValue,
} from '../../lib/hmi';

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
    assert.equal(colourCss(97, table, () => { throw new Error('boom'); }), null);
  });

  it('accepts Map and record tables, and workbook RRGGBB / FFRRGGBB values', () => {
    assert.equal(colourCss(3, new Map([[3, '#FFFFFF']])), '#ffffff');
    assert.equal(colourCss(3, { 3: 'Navy' }), 'navy');
    assert.equal(colourCss(1, [{ index: 1, css: 'FFCC00' }]), '#ffcc00');
    assert.equal(colourCss(1, [{ index: 1, css: 'FFFFCC00' }]), '#ffcc00');
    const logs: string[] = [];
    assert.equal(colourCss(4, [{ index: 4, css: 'red;background:url(x)' }], (m) => logs.push(m)), null);
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
    for (const bad of ['#ff00', '#ff00000', '#gg0000', 'rgb(255,0,0)', 'url(#x)', 'red;fill:blue', 'expression(alert(1))', 'notacolour', 'red blue', '-1', '2.5']) {
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

describe('displayText (spec §5.6)', () => {
  it('no space and a dot → two decimals', () => {
    assert.equal(displayText('62.7110244989'), '62.71');
    assert.equal(displayText('0.0'), '0.00');
    assert.equal(displayText('33.125'), '33.13');
    assert.equal(displayText('-1.005'), '-1.00');
    assert.equal(displayText('.5'), '0.50');
    assert.equal(displayText('3.5kV'), '3.50', 'parseFloat prefix semantics (compat)');
    assert.equal(displayText('1.5e3'), '1500.00');
  });

  it('no dot, or a space → unchanged', () => {
    assert.equal(displayText('1e+16'), '1e+16');
    assert.equal(displayText('Barra 33KV'), 'Barra 33KV');
    assert.equal(displayText('BARRA 33.2 KV'), 'BARRA 33.2 KV');
    assert.equal(displayText('112'), '112');
    assert.equal(displayText('ES'), 'ES');
    assert.equal(displayText(''), '');
  });

  it('fix: a dotted word that is not a number stays (the original showed NaN)', () => {
    assert.equal(displayText('E.Rios'), 'E.Rios');
    assert.equal(displayText('v1.2'), 'v1.2');
    assert.equal(displayText('...'), '...');
  });

  it('non-strings are converted', () => {
    assert.equal(displayText(12.345 as unknown as string), '12.35');
    assert.equal(displayText(7 as unknown as string), '7');
    assert.equal(displayText(null as unknown as string), '');
    assert.equal(displayText(undefined as unknown as string), '');
  });
});

describe('parseToggle (spec §6.4)', () => {
  it('parses two options with labels', () => {
    const t = parseToggle('1 (Cerrado), 0 (Abierto)');
    assert.ok(t);
    assert.deepEqual(t.options, [
      { key: '1', label: 'Cerrado' },
      { key: '0', label: 'Abierto' },
    ]);
    assert.equal(t.next('1'), '0');
    assert.equal(t.next('0'), '1');
    assert.equal(t.next(1), '0');
    assert.equal(t.next('x'), '0', 'neither key → the last option');
    assert.equal(t.next(null), '0');
    assert.equal(t.labelOf('1'), 'Cerrado');
    assert.equal(t.labelOf('7'), '7');
  });

  it('labels are optional and may hold spaces and accents', () => {
    const t = parseToggle('ES (En Servicio),FS (Fuera de Servicio)');
    assert.deepEqual(t?.options, [
      { key: 'ES', label: 'En Servicio' },
      { key: 'FS', label: 'Fuera de Servicio' },
    ]);
    assert.deepEqual(parseToggle('A, B')?.options, [
      { key: 'A', label: 'A' },
      { key: 'B', label: 'B' },
    ]);
    assert.deepEqual(parseToggle('  SI_1 (Sí)  ,  NO_1  ')?.options, [
      { key: 'SI_1', label: 'Sí' },
      { key: 'NO_1', label: 'NO_1' },
    ]);
  });

  it('rejects anything else', () => {
    for (const bad of [
      '',
      '1 (Cerrado)',
      '1 (Cerrado), 0 (Abierto), 2 (Otro)',
      '1 (Cerrado), ',
      ', 0',
      '1 (Cer-rado), 0',
      '1 (Cerrado, 0 (Abierto)',
      '1 Cerrado, 0',
      '1 (), 0',
      '1 (  ), 0',
      '1-a, 0',
      '1 (Cerrado), 1 (Abierto)',
      '<script>, 0',
      42,
      null,
      undefined,
    ]) {
      assert.equal(parseToggle(bad as string), null, String(bad));
    }
  });

  it('isTogglePairs: the [[key, label], [key, label]] a screen record carries, nothing else', () => {
    assert.equal(isTogglePairs([['1', 'Cerrado'], ['0', 'Abierto']]), true);
    for (const bad of [null, [], [['1', 'a']], [['1', 'a'], ['0']], [['1', 'a'], ['0', 2]], [['1', 'a'], ['0', 'b'], ['2', 'c']], '1,0', { 0: ['1', 'a'], 1: ['0', 'b'], length: 2 }])
      assert.equal(isTogglePairs(bad), false, JSON.stringify(bad));
  });
});

describe('isSafeAttributeName / isSafeAttributeValue', () => {
  it('allows the painting attributes only', () => {
    for (const ok of ['fill', 'stroke', 'opacity', 'fill-opacity', 'stroke-opacity', 'stroke-width', 'stroke-dasharray', 'visibility', 'display', 'class', 'transform']) {
      assert.equal(isSafeAttributeName(ok), true, ok);
    }
    for (const bad of ['onclick', 'ONCLICK', 'onload', 'href', 'xlink:href', 'style', 'src', 'Fill', 'fill ', 'filter', 'mask', 'clip-path', 'tag', 'jump-to', 'id', '', 'innerHTML', '__proto__', 'constructor', null, 1]) {
      assert.equal(isSafeAttributeName(bad as string), false, String(bad));
    }
  });

  it('checks values against each attribute syntax', () => {
    assert.equal(isSafeAttributeValue('fill', '#ff0000'), true);
    assert.equal(isSafeAttributeValue('fill', 'url(http://x/#a)'), false);
    assert.equal(isSafeAttributeValue('stroke', 'red;background:url(x)'), false);
    assert.equal(isSafeAttributeValue('opacity', '0.5'), true);
    assert.equal(isSafeAttributeValue('opacity', 'calc(1)'), false);
    assert.equal(isSafeAttributeValue('stroke-width', '2.5px'), true);
    assert.equal(isSafeAttributeValue('stroke-dasharray', '4, 2 1'), true);
    assert.equal(isSafeAttributeValue('visibility', 'hidden'), true);
    assert.equal(isSafeAttributeValue('display', 'none'), true);
    assert.equal(isSafeAttributeValue('display', 'url(x)'), false);
    assert.equal(isSafeAttributeValue('class', 'open tripped'), true);
    assert.equal(isSafeAttributeValue('class', 'a"b'), false);
    assert.equal(isSafeAttributeValue('transform', 'translate(10,20) rotate(45)'), true);
    assert.equal(isSafeAttributeValue('transform', 'translate(10,20) url(x)'), false);
    assert.equal(isSafeAttributeValue('onclick', 'x'), false);
    assert.equal(isSafeAttributeValue('fill', 12 as unknown as string), false);
  });
});
