/** The text display rule (lib/hmi/text.ts). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { displayText } from '../../lib/hmi';

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
