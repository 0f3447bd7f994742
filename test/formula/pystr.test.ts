/**
 * str() of a float (spec hmi §2.7) and FLOAT(x, d) ('%.{d}f'). Every expected string below was derived
 * from the rule (12 significant digits of the exact value, half-to-even on exact ties; exponent form when
 * decpt <= -4 or decpt > 11) and checked against CPython 2.7.18 (str(x) / ('%.' + str(d) + 'f') % x).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compile, formatFloat, pyFormatFixed, pyRepr, pyStr } from '../../lib/formula';
import { exactDecimal, pyFormatG, sigDigits } from '../../lib/formula/numfmt';

/** [value, str(value) under CPython 2.7] */
const STR_TABLE: [number, string][] = [
  [0.0, '0.0'],
  [-0, '-0.0'],
  [NaN, 'nan'],
  [Infinity, 'inf'],
  [-Infinity, '-inf'],
  [33.0, '33.0'],
  [1.0, '1.0'],
  [-1.0, '-1.0'],
  [0.1, '0.1'],
  [0.5, '0.5'],
  [2.5, '2.5'],
  [100.0, '100.0'],
  [1796 * 0.018374164810690423, '33.0'],
  [3413 * 0.018374164810690423, '62.7110244989'],
  [0.018374164810690423, '0.0183741648107'],
  [0.0183741648107, '0.0183741648107'],
  [1e11, '1e+11'], // decpt 12 > 11: exponent form
  [99999999999.0, '99999999999.0'], // decpt 11: fixed
  [12345678901.0, '12345678901.0'],
  [123456789012.0, '1.23456789012e+11'], // decpt 12: exponent form
  [99999999999.9, '99999999999.9'],
  [999999999999.5, '1e+12'], // exact tie: 999999999999|5 rounds up (odd) and carries to 1e+12
  [99999999999.95, '99999999999.9'], // the double is 99999999999.9499969…: rounds down
  [99999999999.4, '99999999999.4'],
  [999999999999.4, '9.99999999999e+11'], // 12 digits, decpt 12: exponent form
  [1e12, '1e+12'],
  [1e16, '1e+16'],
  [1e15, '1e+15'], // integral but decpt 16: exponent form
  [1e-5, '1e-05'], // decpt -4: exponent form, two exponent digits
  [0.0001, '0.0001'], // decpt -3: fixed
  [0.00011, '0.00011'], // decpt -3: fixed
  [0.000123456789012345, '0.000123456789012'],
  [9.99999999999e-5, '9.99999999999e-05'], // decpt -4
  [0.00099999999999995, '0.001'], // rounds up to 0.001 (decpt -2)
  [0.000099999999999, '9.9999999999e-05'],
  [0.00009999999999995, '9.99999999999e-05'], // stays below 1e-4: exponent form
  [1234567890125.0, '1.23456789012e+12'], // exact tie at the 12th digit: half-to-even keeps ...012 (JS toExponential(11) would give ...013)
  [1234567890135.0, '1.23456789014e+12'], // exact tie: ...013|5 rounds up to the even ...014
  [1000000000005.0, '1.00000000000e+12'], // exact tie rounded down, integral and < 1e15: CPython keeps the trailing zeros (dtoa small-integer path)
  [1000000000015.0, '1.00000000002e+12'], // exact tie: ...001|5 rounds up to ...002
  [-1234567890125.0, '-1.23456789012e+12'], // exact tie, negative
  [12345678901.25, '12345678901.2'], // exact tie (digits 1234567890125): stays ...012
  [12345678901.75, '12345678901.8'], // exact tie (digits 1234567890175): up to the even ...018
  [2 ** -18, '3.81469726562e-06'], // = 3.814697265625e-06 exactly: tie, ...562|5 stays even
  [2 ** -16, '1.52587890625e-05'],
  [2 ** -20, '9.53674316406e-07'], // = 9.5367431640625e-07: not a tie (...406|25)
  [9999999999995.0, '1e+13'], // exact tie, odd last digit: rounds up and carries
  [0.5 ** 30, '9.31322574615e-10'],
  [-33.0, '-33.0'],
  [-0.1, '-0.1'],
  [-1e-5, '-1e-05'],
  [-2.5, '-2.5'],
  [-62.71102449888642, '-62.7110244989'],
  [1.7976931348623157e308, '1.79769313486e+308'],
  [5e-324, '4.94065645841e-324'], // smallest subnormal
  [2.2250738585072014e-308, '2.22507385851e-308'],
  [1e300, '1e+300'],
  [1e-300, '1e-300'],
  [1e100, '1e+100'],
  [1e22, '1e+22'], // largest exact power of ten
  [1e21, '1e+21'],
  [0.1 + 0.2, '0.3'],
  [1 / 3.0, '0.333333333333'],
  [2 / 3.0, '0.666666666667'],
  [100 / 3.0, '33.3333333333'],
  [123456.789, '123456.789'],
  [1234567.8912345, '1234567.89123'],
  [2166.466765680386, '2166.46676568'],
  [4.94065645841e-324, '4.94065645841e-324'], // the same double
  [1e-4 * 9.999999999995, '0.000999999999999'],
  [0.000999999999999, '0.000999999999999'],
  // eslint-disable-next-line no-loss-of-precision -- the literal as a workbook author types it: Python parses it to the same double
  [123456789.123456789, '123456789.123'],
  [2 ** 53, '9.00719925474e+15'],
  [2 ** 53 + 2, '9.00719925474e+15'], // 9007199254740994: 16 digits rounded to 12
  [-(2 ** 60), '-1.15292150461e+18'],
  [1.5e-7, '1.5e-07'],
  [7.0e11, '7e+11'],
  [70000000000.0, '70000000000.0'],
];

/** [formula literal x, d, FLOAT(x, d)] */
const FLOAT_TABLE: [string, number, string][] = [
  ['0.125', 2, '0.12'],
  ['0.375', 2, '0.38'],
  ['2.5', 0, '2'],
  ['3.5', 0, '4'],
  ['0.5', 0, '0'],
  ['1.5', 0, '2'],
  ['2.675', 2, '2.67'],
  ['1.005', 2, '1.00'],
  ['-0.125', 2, '-0.12'],
  ['33.0', 3, '33.000'],
  ['33.0', 1, '33.0'],
  ['-0.0001', 3, '-0.000'],
  ['1e+22', 1, '10000000000000000000000.0'],
  ['0.0625', 3, '0.062'],
  ['0.1875', 3, '0.188'],
  ['5', 3, '5.000'],
  ['True', 3, '1.000'],
  ['-2.5', 0, '-2'],
  ['1234.5', 0, '1234'],
  ['0.045', 2, '0.04'],
  ['33.0', 3, '33.000'],
  ['3.814697265625e-06', 16, '0.0000038146972656'],
  ["float('nan')", 2, 'nan'],
  ["float('inf')", 1, 'inf'],
  ['-0.0', 2, '-0.00'],
  ['123.456', 0, '123'],
  ['1e-10', 3, '0.000'],
  ['9.9995', 3, '9.999'],
  ['9.9985', 3, '9.998'],
];

describe('str() of a float: the 12-significant-digit rule (78 cases)', () => {
  it('has at least 60 cases', () => assert.ok(STR_TABLE.length >= 60));
  for (const [x, want] of STR_TABLE) {
    it(`str(${Object.is(x, -0) ? '-0.0' : String(x)}) = '${want}'`, () => {
      assert.equal(formatFloat(x), want);
      assert.equal(pyStr(x, 'float'), want);
    });
  }

  it('the same strings come out of formulas (str of a float result)', () => {
    const f = compile('str(ai.X.escala)');
    for (const [x, want] of STR_TABLE) {
      const r = f.evaluate({ ai: { X: { escala: x } } });
      assert.deepEqual(r, { ok: true, value: want, type: 'string' });
    }
  });

  it('integral floats keep their type and print with .0', () => {
    const r = compile('ai.X.value * 1.0').evaluate({ ai: { X: { value: 33 } } });
    assert.deepEqual(r, { ok: true, value: 33, type: 'float' });
    assert.equal(pyStr(33, 'float'), '33.0');
    assert.equal(pyStr(33, 'integer'), '33');
  });

  it('fast path (toExponential) and exact path agree on random doubles', () => {
    // deterministic xorshift
    let s = 0x9e3779b9;
    const next = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), s >>> 0);
    const view = new DataView(new ArrayBuffer(8));
    for (let i = 0; i < 3000; i++) {
      view.setUint32(0, next());
      view.setUint32(4, next());
      const x = Math.abs(view.getFloat64(0));
      if (!isFinite(x) || x === 0) continue;
      const fast = sigDigits(x, 12);
      const ex = exactDecimal(x);
      // exact reference: round the exact digits half-to-even by hand
      const d = ex.digits;
      let keep = d.slice(0, 12);
      let decpt = ex.decpt;
      if (d.length > 12) {
        const rest = d.slice(12);
        const up = rest[0] > '5' || (rest[0] === '5' && (rest.length > 1 || Number(keep[11]) % 2 === 1));
        if (up) {
          const n = (BigInt(keep) + 1n).toString();
          if (n.length > keep.length) decpt++;
          keep = n.slice(0, 12);
        }
      }
      keep = keep.replace(/0+$/, '') || '0';
      assert.deepEqual(fast.digits.replace(/0+$/, '') || '0', keep, `digits of ${x}`);
      assert.equal(fast.decpt, decpt, `decpt of ${x}`);
    }
  });

  it('repr() (shortest round-trip, exponent when decpt > 16) as used for list items', () => {
    assert.equal(pyRepr(0.1, 'float'), '0.1');
    assert.equal(pyRepr(1e16, 'float'), '1e+16');
    assert.equal(pyRepr(1e15, 'float'), '1000000000000000.0');
    assert.equal(pyRepr(62.71102449888642, 'float'), '62.71102449888642');
    assert.equal(pyStr([1, 2.5, 'a', null, true], 'list'), "[1, 2.5, 'a', None, True]");
    assert.deepEqual(compile("str(APLICAR(float, '12'))").evaluate({}), { ok: true, value: '[1.0, 2.0]', type: 'string' });
  });

  it("'%g' shares the tie rule (and CPython's kept zeros)", () => {
    assert.equal(pyFormatG(1005, 3), '1.00e+03');
    assert.equal(pyFormatG(1001, 3), '1e+03');
    assert.equal(pyFormatG(100000, 6), '100000');
    assert.equal(pyFormatG(1e6, 6), '1e+06');
  });
});

describe('FLOAT(x, d): Python %.{d}f, half-to-even on exact binary ties (unlike toFixed)', () => {
  for (const [x, d, want] of FLOAT_TABLE) {
    it(`FLOAT(${x}, ${d}) = '${want}'`, () => {
      assert.deepEqual(compile(`FLOAT(${x}, ${d})`).evaluate({}), { ok: true, value: want, type: 'string' });
    });
  }
  it('default d = 3 and ties that toFixed gets wrong', () => {
    assert.deepEqual(compile('FLOAT(33.0)').evaluate({}), { ok: true, value: '33.000', type: 'string' });
    assert.equal((0.125).toFixed(2), '0.13'); // JS: ties up
    assert.equal(pyFormatFixed(0.125, 2), '0.12'); // Python: half-to-even on the exact binary tie
    assert.equal((2.5).toFixed(0), '3');
    assert.equal(pyFormatFixed(2.5, 0), '2');
  });
  it("FLOAT builds its format like the original: ('%.' + str(d) + 'f') % x", () => {
    assert.deepEqual(compile("FLOAT(2.5, '1')").evaluate({}), { ok: true, value: '2.5', type: 'string' });
    assert.equal(compile('FLOAT(2.5, -1)').evaluate({}).ok, false); // '%.-1f': unsupported format character
    assert.equal((compile('FLOAT(2.5, -1)').evaluate({}) as { error: string }).error, 'conversion');
    assert.equal((compile("FLOAT('x')").evaluate({}) as { error: string }).error, 'type');
    assert.equal((compile('FLOAT(None)').evaluate({}) as { error: string }).error, 'type');
  });
});
