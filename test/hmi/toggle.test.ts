/** Manual toggles (lib/hmi/toggle.ts): the onClickTextToggle grammar. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseToggle } from '../../lib/hmi';
import { isTogglePairs } from '../../lib/hmi/toggle';

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
    assert.equal(
      isTogglePairs([
        ['1', 'Cerrado'],
        ['0', 'Abierto'],
      ]),
      true,
    );
    for (const bad of [
      null,
      [],
      [['1', 'a']],
      [['1', 'a'], ['0']],
      [
        ['1', 'a'],
        ['0', 2],
      ],
      [
        ['1', 'a'],
        ['0', 'b'],
        ['2', 'c'],
      ],
      '1,0',
      { 0: ['1', 'a'], 1: ['0', 'b'], length: 2 },
    ])
      assert.equal(isTogglePairs(bad), false, JSON.stringify(bad));
  });
});
