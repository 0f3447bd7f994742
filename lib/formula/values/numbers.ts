/** Numbers: int/long/float as Python 2.7 has them, and the arithmetic operators. */
import { mathDomain, overflow, PyErr, typeError, zeroDivision } from '../errors';
import { BIG_LIMIT, capStr, charge, MAX_BITS, MAX_LIST, MAX_STR, SAFE_BIG } from './budget';
import { PyFloat, typeName, V } from './types';

// ------------------------------------------------------------------ numbers

/** 0 = not a number, 1 = integer (int, long, bool), 2 = float. */
export function numKind(v: V): 0 | 1 | 2 {
  const t = typeof v;
  if (t === 'number' || t === 'bigint' || t === 'boolean') return 1;
  return v instanceof PyFloat ? 2 : 0;
}

export function intOf(v: number | bigint | boolean): number | bigint {
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
}

export function bigToFloat(b: bigint): number {
  const x = Number(b);
  if (!isFinite(x)) throw overflow('long int too large to convert to float');
  return x;
}

/** The float value of a number (int → float conversion as Python does it). */
export function toFloat(v: V): number {
  if (typeof v === 'number') return v;
  if (v instanceof PyFloat) return v.v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return bigToFloat(v);
  throw typeError(`a float is required, not ${typeName(v)}`);
}

/** A bigint as an integer value: a number when it is safe, else a bigint (capped at 4096 bits). */
export function normBig(b: bigint): number | bigint {
  if (b >= -SAFE_BIG && b <= SAFE_BIG) return Number(b);
  if (b >= BIG_LIMIT || b <= -BIG_LIMIT) throw overflow(`integer result too large (more than ${MAX_BITS} bits)`);
  return b;
}

/** An integral JS number as an integer value. */
export function intFromNumber(x: number): number | bigint {
  if (Number.isSafeInteger(x)) return x === 0 ? 0 : x;
  return normBig(BigInt(x));
}

function intAdd(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  return normBig(BigInt(a) + BigInt(b));
}

function intSub(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    if (Number.isSafeInteger(r)) return r;
  }
  return normBig(BigInt(a) - BigInt(b));
}

function intMul(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a * b;
    if (Number.isSafeInteger(r)) return r === 0 ? 0 : r;
  }
  return normBig(BigInt(a) * BigInt(b));
}

const HALF_SAFE = 2 ** 51;

export function intFloorDiv(a: number | bigint, b: number | bigint): number | bigint {
  if (b === 0 || b === 0n) throw zeroDivision('integer division or modulo by zero');
  if (typeof a === 'number' && typeof b === 'number' && Math.abs(a) <= HALF_SAFE && Math.abs(b) <= HALF_SAFE) {
    let m = a % b;
    if (m !== 0 && m < 0 !== b < 0) m += b;
    return (a - m) / b + 0;
  }
  const A = BigInt(a);
  const B = BigInt(b);
  let q = A / B;
  if (A % B !== 0n && A < 0n !== B < 0n) q -= 1n;
  return normBig(q);
}

export function intMod(a: number | bigint, b: number | bigint): number | bigint {
  if (b === 0 || b === 0n) throw zeroDivision('integer division or modulo by zero');
  if (typeof a === 'number' && typeof b === 'number') {
    let m = a % b;
    if (m !== 0 && m < 0 !== b < 0) m += b;
    return m + 0;
  }
  const A = BigInt(a);
  const B = BigInt(b);
  let m = A % B;
  if (m !== 0n && m < 0n !== B < 0n) m += B;
  return normBig(m);
}

function bitLength(a: number | bigint): number {
  if (typeof a === 'number') return a === 0 ? 0 : Math.floor(Math.log2(Math.abs(a))) + 1;
  return (a < 0n ? -a : a).toString(2).length;
}

function intPow(a: number | bigint, b: number | bigint): V {
  if (b < 0) return new PyFloat(floatPow(typeof a === 'number' ? a : bigToFloat(a), typeof b === 'number' ? b : bigToFloat(b)));
  if (a === 0 || a === 1) return b === 0 || b === 0n ? 1 : a;
  if (a === -1) return BigInt(b) % 2n === 0n ? 1 : -1;
  if (bitLength(a) * Number(b) > MAX_BITS + 1) throw overflow(`integer result too large (more than ${MAX_BITS} bits)`);
  return normBig(BigInt(a) ** BigInt(b));
}

const isOddInteger = (x: number) => Math.abs(x) % 2 === 1;

function bigBits(b: bigint): number {
  return b.toString(2).length;
}

/** The double nearest to p/q × 2^e2 (p, q > 0), ties to even, subnormals and overflow included. */
export function ratToDouble(p: bigint, q: bigint, e2: number): number {
  const s = 58 - (bigBits(p) - bigBits(q));
  const num = s >= 0 ? p << BigInt(s) : p;
  const den = s >= 0 ? q : q << BigInt(-s);
  const quo = num / den;
  const sticky = num % den !== 0n;
  const qbits = quo.toString(2).length;
  const exp = e2 - s; // value ≈ quo × 2^exp
  const ulpExp = Math.max(exp + qbits - 53, -1074);
  const shift = ulpExp - exp;
  if (shift <= 0) return Number(quo) * 2 ** exp;
  let m = quo >> BigInt(shift);
  const dropped = quo & ((1n << BigInt(shift)) - 1n);
  const half = 1n << BigInt(shift - 1);
  if (dropped > half || (dropped === half && (sticky || (m & 1n) === 1n))) m += 1n;
  if (ulpExp > 1023) return m === 0n ? 0 : Infinity;
  return Number(m) * 2 ** ulpExp;
}

/**
 * x ** n for finite x > 0 and an integer n, correctly rounded (exact BigInt arithmetic), as the C
 * library pow CPython uses; JS Math.pow can be off by one unit in the last place.
 */
function powInt(x: number, n: number): number {
  const est = n * Math.log2(x);
  if (est > 1100) return Infinity;
  if (est < -1200) return 0;
  VIEW.setFloat64(0, x);
  const hi = VIEW.getUint32(0);
  const bexp = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(VIEW.getUint32(4));
  let e = bexp === 0 ? -1074 : bexp - 1075;
  if (bexp !== 0) m |= 1n << 52n;
  while ((m & 1n) === 0n) {
    m >>= 1n;
    e++;
  }
  const k = Math.abs(n);
  const mk = m ** BigInt(k);
  return n > 0 ? ratToDouble(mk, 1n, e * k) : ratToDouble(1n, mk, -e * k);
}

const VIEW = new DataView(new ArrayBuffer(8));

/** CPython 2.7 float_pow (special cases, errors), then the platform pow. */
export function floatPow(iv: number, iw: number): number {
  if (iw === 0) return 1;
  if (iv !== iv) return iv;
  if (iw !== iw) return iv === 1 ? 1 : iw;
  if (!isFinite(iw)) {
    const a = Math.abs(iv);
    if (a === 1) return 1;
    if (iw > 0 === a > 1) return Math.abs(iw);
    return 0;
  }
  if (!isFinite(iv)) {
    const odd = isOddInteger(iw);
    if (iw > 0) return odd ? iv : Math.abs(iv);
    return odd ? (iv < 0 ? -0 : 0) : 0;
  }
  if (iv === 0) {
    if (iw < 0) throw zeroDivision('0.0 cannot be raised to a negative power');
    return isOddInteger(iw) ? iv : 0;
  }
  let negate = false;
  if (iv < 0) {
    if (iw !== Math.floor(iw)) throw mathDomain('negative number cannot be raised to a fractional power');
    iv = -iv;
    negate = isOddInteger(iw);
  }
  if (iv === 1) return negate ? -1 : 1;
  const r = iw === 0.5 ? Math.sqrt(iv) : Number.isInteger(iw) && Math.abs(iw) <= 4096 ? powInt(iv, iw) : Math.pow(iv, iw);
  if (!isFinite(r)) throw overflow("(34, 'Numerical result out of range')");
  return negate ? -r : r;
}

export function opError(op: string, a: V, b: V): PyErr {
  return typeError(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
}

export function pyAdd(a: V, b: V): V {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  const ka = numKind(a);
  const kb = numKind(b);
  if (ka && kb) {
    if (ka === 2 || kb === 2) return new PyFloat(toFloat(a) + toFloat(b));
    return intAdd(intOf(a as number), intOf(b as number));
  }
  if (typeof a === 'string') {
    if (typeof b === 'string') {
      if (a.length + b.length > MAX_STR) throw overflow(`result string too long (more than ${MAX_STR} characters)`);
      return capStr(a + b);
    }
    throw typeError(`cannot concatenate 'str' and '${typeName(b)}' objects`);
  }
  if (Array.isArray(a)) {
    if (Array.isArray(b)) {
      if (a.length + b.length > MAX_LIST) throw overflow(`result list too long (more than ${MAX_LIST} items)`);
      charge(a.length + b.length);
      return a.concat(b);
    }
    throw typeError(`can only concatenate list (not "${typeName(b)}") to list`);
  }
  throw opError('+', a, b);
}

export function pySub(a: V, b: V): V {
  const ka = numKind(a);
  const kb = numKind(b);
  if (ka && kb) {
    if (ka === 2 || kb === 2) return new PyFloat(toFloat(a) - toFloat(b));
    return intSub(intOf(a as number), intOf(b as number));
  }
  throw opError('-', a, b);
}

export function repeat(seq: string | V[], n: number | bigint): V {
  const k = typeof n === 'bigint' ? (n < 0n ? 0 : Infinity) : Math.max(0, n);
  if (seq.length === 0 || k === 0) return typeof seq === 'string' ? '' : [];
  if (typeof seq === 'string') {
    if (seq.length * k > MAX_STR) throw overflow(`result string too long (more than ${MAX_STR} characters)`);
    charge(0, seq.length * k);
    return seq.repeat(k);
  }
  if (seq.length * k > MAX_LIST) throw overflow(`result list too long (more than ${MAX_LIST} items)`);
  charge(seq.length * k);
  const out: V[] = [];
  for (let i = 0; i < k; i++) for (const x of seq) out.push(x);
  return out;
}

export function pyMul(a: V, b: V): V {
  const ka = numKind(a);
  const kb = numKind(b);
  if (ka && kb) {
    if (ka === 2 || kb === 2) return new PyFloat(toFloat(a) * toFloat(b));
    return intMul(intOf(a as number), intOf(b as number));
  }
  if ((typeof a === 'string' || Array.isArray(a)) && ka === 0) {
    if (kb === 1) return repeat(a, intOf(b as number));
    throw typeError(`can't multiply sequence by non-int of type '${typeName(b)}'`);
  }
  if ((typeof b === 'string' || Array.isArray(b)) && ka !== 0) {
    if (ka === 1) return repeat(b, intOf(a as number));
    throw typeError(`can't multiply sequence by non-int of type '${typeName(a)}'`);
  }
  throw opError('*', a, b);
}

export function floatDiv(x: number, y: number): PyFloat {
  if (y === 0) throw zeroDivision('float division by zero');
  return new PyFloat(x / y);
}

export function floatMod(x: number, y: number): PyFloat {
  if (y === 0) throw zeroDivision('float modulo');
  let m = x % y;
  if (m !== 0) {
    if (y < 0 !== m < 0) m += y;
  } else m = y < 0 ? -0 : 0;
  return new PyFloat(m);
}

/** Python 2 `/`: floor division on two integers, true division otherwise. */
export function pyDiv(a: V, b: V): V {
  const ka = numKind(a);
  const kb = numKind(b);
  if (ka && kb) {
    if (ka === 2 || kb === 2) return floatDiv(toFloat(a), toFloat(b));
    return intFloorDiv(intOf(a as number), intOf(b as number));
  }
  throw opError('/', a, b);
}

/** True division (excel dialect). */
export function trueDiv(a: V, b: V): V {
  if (numKind(a) && numKind(b)) return floatDiv(toFloat(a), toFloat(b));
  throw opError('/', a, b);
}

export function pyPow(a: V, b: V): V {
  const ka = numKind(a);
  const kb = numKind(b);
  if (ka && kb) {
    if (ka === 2 || kb === 2) return new PyFloat(floatPow(toFloat(a), toFloat(b)));
    return intPow(intOf(a as number), intOf(b as number));
  }
  throw opError('** or pow()', a, b);
}

export function pyNeg(a: V): V {
  if (typeof a === 'number') return a === 0 ? 0 : -a;
  if (a instanceof PyFloat) return new PyFloat(-a.v);
  if (typeof a === 'boolean') return a ? -1 : 0;
  if (typeof a === 'bigint') return normBig(-a);
  throw typeError(`bad operand type for unary -: '${typeName(a)}'`);
}

export function pyPos(a: V): V {
  if (typeof a === 'number' || typeof a === 'bigint' || a instanceof PyFloat) return a;
  if (typeof a === 'boolean') return a ? 1 : 0;
  throw typeError(`bad operand type for unary +: '${typeName(a)}'`);
}

export function pyAbs(a: V): V {
  if (typeof a === 'number') return Math.abs(a);
  if (a instanceof PyFloat) return new PyFloat(Math.abs(a.v));
  if (typeof a === 'boolean') return a ? 1 : 0;
  if (typeof a === 'bigint') return a < 0n ? -a : a;
  throw typeError(`bad operand type for abs(): '${typeName(a)}'`);
}
