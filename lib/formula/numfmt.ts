/**
 * Exact number formatting for the formula language: Python 2.7 `str(float)` (12 significant digits,
 * docs/formulas.md §2.7), `repr(float)` (shortest round-trip), `'%.Nf'` / `'%.Ne'` / `'%.Ng'`, Python 2
 * `round()`, and the excel dialect's general format and rounding.
 *
 * Every rounding decision that can hit an exact decimal tie is made on the exact decimal expansion of
 * the double (computed with BigInt), so ties round half-to-even (Python's dtoa) or half away from zero
 * (Python 2 `round`) exactly; JS `toFixed`/`toPrecision` round exact ties up and are only used where a
 * tie is impossible or has been ruled out.
 */

const VIEW = new DataView(new ArrayBuffer(8));

/**
 * The exact decimal expansion of a finite positive double: `x = 0.digits × 10^decpt`, `digits` without
 * leading or trailing zeros.
 */
export function exactDecimal(x: number): { digits: string; decpt: number } {
  VIEW.setFloat64(0, x);
  const hi = VIEW.getUint32(0);
  const lo = VIEW.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (bexp === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = bexp - 1075;
  }
  if (mant === 0n) return { digits: '0', decpt: 1 };
  while ((mant & 0xffn) === 0n) {
    mant >>= 8n;
    e += 8;
  }
  while ((mant & 1n) === 0n) {
    mant >>= 1n;
    e++;
  }
  let d: bigint;
  let k: number;
  if (e >= 0) {
    d = mant << BigInt(e);
    k = 0;
  } else {
    d = mant * 5n ** BigInt(-e);
    k = e;
  }
  let s = d.toString();
  let end = s.length;
  while (end > 1 && s.charCodeAt(end - 1) === 48) end--;
  k += s.length - end;
  s = s.slice(0, end);
  return { digits: s, decpt: s.length + k };
}

/**
 * Keeps the first `m` digits of the digit string `d` (no trailing zeros; `m` may be <= 0 or beyond the
 * end), rounding the rest away: 'even' = half-to-even, 'away' = half away from zero (on exact ties only).
 * Returns the kept digits as an integer string ('' for zero); one digit longer than max(m, 0) on carry.
 */
export function roundKeep(d: string, m: number, mode: 'even' | 'away'): string {
  if (m >= d.length) return d + '0'.repeat(m - d.length);
  let up: boolean;
  if (m < 0) up = false;
  else {
    const c = d.charCodeAt(m) - 48;
    if (c > 5) up = true;
    else if (c < 5) up = false;
    else if (m + 1 < d.length)
      up = true; // a non-zero digit follows (d has no trailing zeros)
    else up = mode === 'away' ? true : m > 0 && (d.charCodeAt(m - 1) - 48) % 2 === 1;
  }
  const kept = m > 0 ? d.slice(0, m) : '';
  return up ? incDecimal(kept) : kept;
}

function incDecimal(s: string): string {
  let i = s.length - 1;
  while (i >= 0 && s.charCodeAt(i) === 57) i--;
  if (i < 0) return '1' + '0'.repeat(s.length);
  return s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) + 1) + '0'.repeat(s.length - i - 1);
}

function stripZeros(s: string): string {
  let end = s.length;
  while (end > 1 && s.charCodeAt(end - 1) === 48) end--;
  return s.slice(0, end);
}

function expSuffix(e: number, minDigits = 2, letter = 'e'): string {
  const a = Math.abs(e);
  const s = String(a);
  return letter + (e < 0 ? '-' : '+') + (s.length < minDigits ? '0'.repeat(minDigits - s.length) + s : s);
}

/** Significant digits of |x| (finite, non-zero) rounded half-to-even to `n` digits: 0.digits × 10^decpt. */
export function sigDigits(a: number, n: number): { digits: string; decpt: number } {
  // Fast path: toExponential is correctly rounded except on exact ties, which need digit n+1 = 5.
  if (n <= 100) {
    const t = a.toExponential(n);
    if (t.charCodeAt(n + 1) !== 53) {
      const u = n > 1 ? a.toExponential(n - 1) : a.toExponential(0);
      const eAt = u.indexOf('e');
      const digits = n > 1 ? u[0] + u.slice(2, eAt) : u[0];
      return { digits: stripZeros(digits), decpt: parseInt(u.slice(eAt + 1), 10) + 1 };
    }
  }
  const ex = exactDecimal(a);
  const r = roundKeep(ex.digits, n, 'even');
  // CPython quirk (dtoa's "small integer" path): an integral value below 1e15 whose rounding is an
  // exact tie resolved downward keeps the trailing zeros of its digits: str(1000000000005.0) is
  // '1.00000000000e+12', '%.3g' % 1005.0 is '1.00e+03'.
  if (Number.isInteger(a) && a < 1e15 && ex.digits.length === n + 1 && r === ex.digits.slice(0, n)) return { digits: r, decpt: ex.decpt };
  return { digits: stripZeros(r), decpt: ex.decpt + (r.length > n ? 1 : 0) };
}

function layout(neg: boolean, digits: string, decpt: number, expLow: number, expHigh: number, dot0: boolean): string {
  const sign = neg ? '-' : '';
  if (decpt <= expLow || decpt > expHigh) {
    const mant = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
    return sign + mant + expSuffix(decpt - 1);
  }
  let s: string;
  if (decpt <= 0) s = '0.' + '0'.repeat(-decpt) + digits;
  else if (decpt >= digits.length) s = digits + '0'.repeat(decpt - digits.length) + (dot0 ? '.0' : '');
  else s = digits.slice(0, decpt) + '.' + digits.slice(decpt);
  return sign + s;
}

/** Python 2.7 `str(float)`: 12 significant digits, exponent form when decpt <= -4 or decpt > 11. */
export function pyFloatStr(x: number): string {
  const a = x < 0 ? -x : x;
  // Fast path. In fixed notation at 12 significant digits (1e-4 <= |x| < 1e11, decpt -3..11), V8's
  // toPrecision is correctly rounded and differs from Python's half-to-even only on an exact tie,
  // which needs the exact decimal expansion to end at digit 13. An integer below 99 999 999 999 has
  // at most 11 digits (no rounding); a value with more than 16 fractional bits has more than 16
  // fractional decimal digits, ending past digit 13 (at 10^-16 at the latest for |x| >= 1e-4).
  if (a >= 1e-4 && a < 99999999999 && (Number.isInteger(a) || Math.floor(a * 65536) !== a * 65536)) {
    const s = x.toPrecision(12);
    const dot = s.indexOf('.');
    if (dot < 0) return s + '.0';
    let end = s.length;
    while (s.charCodeAt(end - 1) === 48) end--;
    if (end === dot + 1) end++; // keep '.0'
    return s.slice(0, end);
  }
  return pyFloatStrExact(x);
}

/** pyFloatStr by the exact digit generation (every value; the fast path above agrees where it applies). */
function pyFloatStrExact(x: number): string {
  if (x !== x) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return 1 / x < 0 ? '-0.0' : '0.0';
  const { digits, decpt } = sigDigits(Math.abs(x), 12);
  return layout(x < 0, digits, decpt, -4, 11, true);
}

/** Python 2.7 `repr(float)`: shortest round-trip digits, exponent form when decpt <= -4 or decpt > 16. */
export function pyFloatRepr(x: number): string {
  if (x !== x) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return 1 / x < 0 ? '-0.0' : '0.0';
  const u = Math.abs(x).toExponential();
  const eAt = u.indexOf('e');
  const digits = u[0] + (eAt > 2 ? u.slice(2, eAt) : '');
  return layout(x < 0, digits, parseInt(u.slice(eAt + 1), 10) + 1, -4, 16, true);
}

/** round(|x| × 10^prec) as an integer digit string ('' = 0), half-to-even on exact ties. */
function fixedDigits(a: number, prec: number, mode: 'even' | 'away'): string {
  if (a === 0) return '';
  const ex = exactDecimal(a);
  return roundKeep(ex.digits, ex.decpt + prec, mode);
}

function splitFixed(r: string, prec: number): [string, string] {
  let t = r || '0';
  if (t.length < prec + 1) t = '0'.repeat(prec + 1 - t.length) + t;
  return [t.slice(0, t.length - prec), t.slice(t.length - prec)];
}

/** Python `'%.{prec}f' % x` (exact, half-to-even on exact binary ties; keeps the sign of -0.0). */
export function pyFormatFixed(x: number, prec: number, alt = false): string {
  if (x !== x) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  const neg = x < 0 || (x === 0 && 1 / x < 0);
  const [i, f] = splitFixed(fixedDigits(Math.abs(x), prec, 'even'), prec);
  return (neg ? '-' : '') + i + (prec > 0 ? '.' + f : alt ? '.' : '');
}

/** Python `'%.{prec}e' % x`. */
export function pyFormatExp(x: number, prec: number, upper = false, alt = false): string {
  if (x !== x) return upper ? 'NAN' : 'nan';
  if (!isFinite(x)) return (x < 0 ? '-' : '') + (upper ? 'INF' : 'inf');
  const neg = x < 0 || (x === 0 && 1 / x < 0);
  let digits: string;
  let decpt: number;
  if (x === 0) {
    digits = '0';
    decpt = 1;
  } else ({ digits, decpt } = sigDigits(Math.abs(x), prec + 1));
  digits = digits + '0'.repeat(Math.max(0, prec + 1 - digits.length));
  const mant = prec > 0 ? digits[0] + '.' + digits.slice(1) : digits[0] + (alt ? '.' : '');
  return (neg ? '-' : '') + mant + expSuffix(decpt - 1, 2, upper ? 'E' : 'e');
}

/** Python `'%.{prec}g' % x` (no trailing zeros unless `alt`). */
export function pyFormatG(x: number, prec: number, upper = false, alt = false): string {
  if (x !== x) return upper ? 'NAN' : 'nan';
  if (!isFinite(x)) return (x < 0 ? '-' : '') + (upper ? 'INF' : 'inf');
  if (prec === 0) prec = 1;
  const neg = x < 0 || (x === 0 && 1 / x < 0);
  let digits: string;
  let decpt: number;
  if (x === 0) {
    digits = '0';
    decpt = 1;
  } else ({ digits, decpt } = sigDigits(Math.abs(x), prec));
  if (alt) digits = digits + '0'.repeat(Math.max(0, prec - digits.length));
  const sign = neg ? '-' : '';
  if (decpt <= -4 || decpt > prec) {
    const mant = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits + (alt ? '.' : '');
    return sign + mant + expSuffix(decpt - 1, 2, upper ? 'E' : 'e');
  }
  let s: string;
  if (decpt <= 0) s = '0.' + '0'.repeat(-decpt) + digits;
  else if (decpt >= digits.length) s = digits + '0'.repeat(decpt - digits.length) + (alt ? '.' : '');
  else s = digits.slice(0, decpt) + '.' + digits.slice(decpt);
  return sign + s;
}

/**
 * Python 2.7 `round(x, n)`: the exact value rounded to `n` decimals, exact ties away from zero, read
 * back as the nearest double. Returns null when the result overflows (OverflowError).
 */
export function pyRound(x: number, n: number): number | null {
  if (!isFinite(x) || x === 0) return x;
  if (n > 323) return x;
  if (n < -308) return 0 * x;
  const neg = x < 0;
  const r = fixedDigits(Math.abs(x), n, 'away');
  const v = Number((neg ? '-' : '') + (r || '0') + 'e' + -n);
  if (!isFinite(v)) return null;
  return v;
}

// ------------------------------------------------------------------ excel dialect

/** The 15 significant digits Excel works with: 0.digits × 10^decpt (ties up, like Excel). */
function excelDigits(a: number): { digits: string; decpt: number } {
  const u = a.toExponential(14);
  const eAt = u.indexOf('e');
  return { digits: stripZeros(u[0] + u.slice(2, eAt)), decpt: parseInt(u.slice(eAt + 1), 10) + 1 };
}

/**
 * Excel's general number format as used when a number becomes text: up to 15 significant digits, no
 * trailing zeros, no decimal point for integral values; scientific (`1.5E+20`, `1E-10`) when the
 * decimal exponent is >= 15 or < -9. Non-finite values give '#NUM!'.
 */
export function excelGeneral(x: number): string {
  if (!isFinite(x)) return '#NUM!';
  if (x === 0) return '0';
  const { digits, decpt } = excelDigits(Math.abs(x));
  const e = decpt - 1;
  const sign = x < 0 ? '-' : '';
  if (e >= 15 || e < -9) {
    const mant = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
    return sign + mant + expSuffix(e, 2, 'E');
  }
  return layout(x < 0, digits, decpt, -Infinity, Infinity, false);
}

/**
 * Excel rounding: the value's 15-significant-digit decimal rounded to `n` decimals (n < 0: to tens,
 * hundreds…), halves away from zero. Returns round(|x| × 10^n) as a digit string ('' = 0).
 */
export function excelRoundDigits(a: number, n: number): string {
  if (a === 0) return '';
  const { digits, decpt } = excelDigits(a);
  return roundKeep(digits, decpt + n, 'away');
}

/** Excel ROUND(x, n). */
export function excelRound(x: number, n: number): number {
  if (!isFinite(x) || x === 0) return x;
  if (n > 320) return x;
  if (n < -320) return 0;
  const r = excelRoundDigits(Math.abs(x), n);
  const v = Number((r || '0') + 'e' + -n);
  return x < 0 && v !== 0 ? -v : v;
}

export { splitFixed };
