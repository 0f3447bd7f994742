/** Python 2.7 `int(s)` / `float(s)` of strings and of values. */
import { overflow, typeError, valueError } from '../errors';
import { charge } from './budget';
import { intFromNumber, normBig, numKind, toFloat } from './numbers';
import { strRepr } from './text';
import { PyFloat, typeName, V } from './types';

// ------------------------------------------------------------------ int(), float() of strings

// eslint-disable-next-line no-control-regex -- Python's str.isspace() counts the separators \x1c-\x1f as space
const PY_SPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
const ND = /\p{Nd}/u;

function ndValue(cp: number): number {
  let z = cp;
  while (z > 0 && ND.test(String.fromCodePoint(z - 1))) z--;
  return (cp - z) % 10;
}

/**
 * What Python 2.7 does to a unicode string before int()/float() parse it (PyUnicode_EncodeDecimal):
 * Unicode whitespace becomes ' ', Unicode decimal digits become ASCII digits. (Element texts are
 * unicode in the original.)
 */
function decimalize(s: string): string {
  charge(0, s.length);
  // eslint-disable-next-line no-control-regex -- the ASCII range, control characters included, is the point
  if (/^[\x00-\x7f]*$/.test(s)) return s;
  charge(s.length); // outside ASCII each character is a few Unicode class tests: a step each
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out += ch;
    else if (PY_SPACE.test(ch)) out += ' ';
    else if (ND.test(ch)) out += String(ndValue(c));
    else out += ch;
  }
  return out;
}

const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x1f);
const MAX_INT_DIGITS = 4300;

/** Python 2.7 int(s, base): surrounding whitespace, a sign (whitespace may follow it), digits only. */
export function parsePyInt(s0: string, base: number): number | bigint {
  if (base === 10) {
    // Fast path: ASCII whitespace around, an optional sign, 1-9 ASCII digits; anything else below.
    let i = 0;
    let j = s0.length;
    while (i < j && isSpace(s0.charCodeAt(i))) i++;
    while (j > i && isSpace(s0.charCodeAt(j - 1))) j--;
    let neg = false;
    const c0 = s0.charCodeAt(i);
    if (c0 === 45 || c0 === 43) {
      neg = c0 === 45;
      i++;
    }
    if (j > i && j - i <= 9) {
      let v = 0;
      let k = i;
      for (; k < j; k++) {
        const d = s0.charCodeAt(k) - 48;
        if (d < 0 || d > 9) break;
        v = v * 10 + d;
      }
      if (k === j) return neg && v !== 0 ? -v : v;
    }
  }
  const s = decimalize(s0);
  const bad = () => valueError(`invalid literal for int() with base ${base}: ${strRepr(s0.length > 200 ? s0.slice(0, 200) : s0)}`);
  let i = 0;
  let j = s.length;
  while (i < j && isSpace(s.charCodeAt(i))) i++;
  while (j > i && isSpace(s.charCodeAt(j - 1))) j--;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') {
    neg = s[i] === '-';
    i++;
    while (i < j && isSpace(s.charCodeAt(i))) i++;
  }
  let body = s.slice(i, j);
  let b = base;
  const pfx = body.slice(0, 2).toLowerCase();
  if ((b === 16 || b === 0) && pfx === '0x') {
    body = body.slice(2);
    b = 16;
  } else if ((b === 8 || b === 0) && pfx === '0o') {
    body = body.slice(2);
    b = 8;
  } else if ((b === 2 || b === 0) && pfx === '0b') {
    body = body.slice(2);
    b = 2;
  } else if (b === 0) b = body.length > 1 && body[0] === '0' ? 8 : 10;
  if (body.length === 0) throw bad();
  if (body.length > MAX_INT_DIGITS) throw valueError(`int() of a string of more than ${MAX_INT_DIGITS} digits is not supported`);
  let acc = 0n;
  let small = 0;
  const useSmall = body.length <= 10;
  for (let k = 0; k < body.length; k++) {
    const c = body.charCodeAt(k);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 122 ? c - 87 : c >= 65 && c <= 90 ? c - 55 : 99;
    if (d >= b) throw bad();
    if (useSmall) small = small * b + d;
  }
  if (useSmall) return neg ? (small === 0 ? 0 : -small) : small;
  if (b === 10) acc = BigInt(body);
  else for (let k = 0; k < body.length; k++) acc = acc * BigInt(b) + BigInt(parseInt(body[k], 36));
  return normBig(neg ? -acc : acc);
}

/**
 * Python's float() grammar, scanned by hand: [+-] then digits with at most one '.' (at least one digit), an
 * optional exponent [eE][+-]digits, or inf / infinity / nan in any case. (The regular expression it replaces,
 * `\d+\.?\d*`, backtracked quadratically on a long run of digits followed by a bad character: 25 s for
 * float('1'*100000+'x').)
 */
function isPyFloatText(b: string): boolean {
  let i = 0;
  const n = b.length;
  if (i < n && (b[i] === '+' || b[i] === '-')) i++;
  const word = b.slice(i).toLowerCase();
  if (word === 'inf' || word === 'infinity' || word === 'nan') return true;
  let digits = 0;
  while (i < n && b.charCodeAt(i) >= 48 && b.charCodeAt(i) <= 57) {
    i++;
    digits++;
  }
  if (i < n && b[i] === '.') {
    i++;
    while (i < n && b.charCodeAt(i) >= 48 && b.charCodeAt(i) <= 57) {
      i++;
      digits++;
    }
  }
  if (digits === 0) return false;
  if (i < n && (b[i] === 'e' || b[i] === 'E')) {
    i++;
    if (i < n && (b[i] === '+' || b[i] === '-')) i++;
    let e = 0;
    while (i < n && b.charCodeAt(i) >= 48 && b.charCodeAt(i) <= 57) {
      i++;
      e++;
    }
    if (e === 0) return false;
  }
  return i === n;
}

/** Python 2.7 float(s): surrounding whitespace, decimal or exponent notation, inf/infinity/nan. */
export function parsePyFloat(s0: string): number {
  const s = decimalize(s0);
  let i = 0;
  let j = s.length;
  while (i < j && isSpace(s.charCodeAt(i))) i++;
  while (j > i && isSpace(s.charCodeAt(j - 1))) j--;
  const body = s.slice(i, j);
  if (!isPyFloatText(body)) {
    throw valueError(s0.length === 0 ? 'could not convert string to float: ' : `invalid literal for float(): ${s0.length > 200 ? s0.slice(0, 200) : s0}`);
  }
  const low = body.length > 16 ? body : body.toLowerCase();
  const neg = low[0] === '-';
  const core = low[0] === '-' || low[0] === '+' ? low.slice(1) : low;
  if (core === 'nan') return NaN;
  if (core === 'inf' || core === 'infinity') return neg ? -Infinity : Infinity;
  return Number(body);
}

/** Python int(x) of one value. */
export function pyIntOf(v: V): number | bigint {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof PyFloat) {
    const x = v.v;
    if (x !== x) throw valueError('cannot convert float NaN to integer');
    if (!isFinite(x)) throw overflow('cannot convert float infinity to integer');
    return intFromNumber(Math.trunc(x));
  }
  if (typeof v === 'string') return parsePyInt(v, 10);
  throw typeError(`int() argument must be a string or a number, not '${typeName(v)}'`);
}

/** Python float(x) of one value. */
export function pyFloatOf(v: V): number {
  if (typeof v === 'string') return parsePyFloat(v);
  if (numKind(v)) return toFloat(v);
  throw typeError(`float() argument must be a string or a number`);
}
