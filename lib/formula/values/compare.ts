/** Comparisons: Python 2.7 `==` and ordering across types. */
import { typeError } from '../errors';
import { numKind } from './numbers';
import { PyFloat, Rec, Tbl, typeName, V } from './types';

// ------------------------------------------------------------------ comparisons

function numRaw(v: V): number | bigint {
  if (v instanceof PyFloat) return v.v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v as number | bigint;
}

/** Code point order (UTF-16 code units fixed up so that surrogate pairs sort above U+E000–U+FFFF). */
export function strCmp(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Python `==`: numbers numerically (bools as 0/1), strings exactly, None only with None. */
export function pyEq(a: V, b: V): boolean {
  const ka = numKind(a);
  const kb = numKind(b);
  if (ka && kb) {
    // eslint-disable-next-line eqeqeq -- == compares a number with a bigint by value; === would say 1 !== 1n
    return numRaw(a) == numRaw(b); // exact for number/bigint mixes; NaN never equal
  }
  if (ka || kb) return false;
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (a === null || b === null) return a === b;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!pyEq(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof Rec) return b instanceof Rec && a.table === b.table && a.tag === b.tag;
  if (a instanceof Tbl) return b instanceof Tbl && a.table === b.table;
  return a === b;
}

/**
 * Ordering: -1/0/1, or NaN when unordered (a float nan). Numbers numerically, strings by code point,
 * lists lexicographically. Other pairs are a TypeError (fix: Python 2 orders unrelated types).
 */
export function pyCmp(a: V, b: V, op: string): number {
  const ka = numKind(a);
  const kb = numKind(b);
  if (ka && kb) {
    const x = numRaw(a);
    const y = numRaw(b);
    return x < y ? -1 : x > y ? 1 : x == y ? 0 : NaN; // eslint-disable-line eqeqeq -- number/bigint mixes compare by value
  }
  if (typeof a === 'string' && typeof b === 'string') return strCmp(a, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (!pyEq(a[i], b[i])) return pyCmp(a[i], b[i], op);
    return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
  }
  throw typeError(`cannot order ${typeName(a)} and ${typeName(b)} with '${op}' (fix: Python 2 would compare the type names)`);
}
