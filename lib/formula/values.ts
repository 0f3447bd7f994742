/**
 * Runtime values of the formula language and their Python 2.7 semantics (docs/formulas.md §2.4, docs/formulas.md §2.5).
 *
 * Representation: integer = JS number (safe integer, never -0) or bigint (beyond ±2^53, like a Python
 * long); float = PyFloat (boxed, so 33.0 stays a float); string; boolean; null (None); list = JS array;
 * record / table / function = the classes below.
 */
import { PyErr, limitError, mathDomain, overflow, typeError, valueError, zeroDivision } from './errors';
import { pyFloatRepr, pyFloatStr, pyFormatExp, pyFormatFixed, pyFormatG } from './numfmt';

export type TableName = 'ai' | 'di' | 'eg' | 'sv';

export class PyFloat {
  constructor(readonly v: number) {}
}

/** A point or element of the context (read-only handle; attributes are read on demand, see context.ts). */
export class Rec {
  constructor(
    readonly table: TableName,
    readonly tag: string,
    readonly obj: object,
  ) {}
}

/** A table of the context (`ai`, `di`, `eg`, `sv`). */
export class Tbl {
  constructor(
    readonly table: TableName,
    readonly obj: object,
  ) {}
}

export type CallFn = (args: V[], rt: Runtime) => V;

export class Fn {
  constructor(
    readonly name: string,
    readonly call: CallFn,
    /** 'lambda', 'builtin' (Python builtins: int, float…) or 'function' (the sheet library: SI, O…). */
    readonly kind: 'lambda' | 'builtin' | 'function',
  ) {}
}

export type V = number | bigint | PyFloat | string | boolean | null | V[] | Rec | Tbl | Fn;

/** A lambda call frame: its parameter value and the enclosing frame. */
export interface Frame {
  readonly v: V;
  readonly p: Frame | null;
}

/** A compiled (sub)expression. */
export type Cl = (rt: Runtime, fr: Frame | null) => V;

/** Per-evaluation state: the context, the work budget and the call depth. */
export interface Runtime {
  readonly ctx: unknown;
  steps: number;
  depth: number;
  readonly maxSteps: number;
  readonly maxCallDepth: number;
  /** The tables read so far in this evaluation (created on first use). */
  tableCache: Map<string, Tbl | null> | null;
  /** `ctx` was registered with trustContext() (engine-made data objects: see context.ts). */
  readonly trusted: boolean;
}

export function step(rt: Runtime): void {
  if (++rt.steps > rt.maxSteps) throw limitError(`evaluation exceeded ${rt.maxSteps} steps`);
}

/*
 * The work meter. Every operation whose cost grows with its data (building, copying, converting or scanning a
 * string or a list) charges that size to the evaluation's step budget, BEFORE doing the work when the size is
 * known, so that the budget bounds the time and the output of a whole evaluation, not only its lambda calls and
 * iterations (a 1 242-character formula of repetitions and str() of lists used to run 26 s and return 5 MB).
 * The conversions deep in this module have no Runtime argument: the evaluation in progress is `meter`, set by
 * `metered()` around each evaluation (evaluations are synchronous; nested ones restore the outer meter).
 */
let meter: Runtime | null = null;

/** One step per this many characters (a step is a lambda call or an item iterated: about the time of copying or scanning 8 characters). */
export const CHARS_PER_STEP = 8;

/** Runs one evaluation with `rt` as the meter of every size-dependent operation. */
export function metered<T>(rt: Runtime, f: () => T): T {
  const outer = meter;
  meter = rt;
  try {
    return f();
  } finally {
    meter = outer;
  }
}

/** Charges `items` list items (or `chars` characters) of work to the evaluation in progress. */
export function charge(items: number, chars = 0): void {
  const rt = meter;
  if (!rt) return;
  rt.steps += items + Math.ceil(chars / CHARS_PER_STEP);
  if (rt.steps > rt.maxSteps) throw limitError(`evaluation exceeded ${rt.maxSteps} steps (its strings and lists count: one step per item or ${CHARS_PER_STEP} characters)`);
}

// ------------------------------------------------------------------ limits of sizes

export const MAX_STR = 1_000_000;
export const MAX_LIST = 1_000_000;
const MAX_BITS = 4096;
const BIG_LIMIT = 1n << BigInt(MAX_BITS);
const SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

export function capStr(s: string): string {
  if (s.length > MAX_STR) throw overflow(`result string too long (more than ${MAX_STR} characters)`);
  charge(0, s.length);
  return s;
}

export function capList(l: V[]): V[] {
  if (l.length > MAX_LIST) throw overflow(`result list too long (more than ${MAX_LIST} items)`);
  charge(l.length);
  return l;
}

// ------------------------------------------------------------------ type names, truthiness

const REC_TYPE: Record<TableName, string> = { ai: 'AI', di: 'DI', eg: 'SVGElement', sv: 'SV' };

export function typeName(v: V): string {
  switch (typeof v) {
    case 'number':
      return 'int';
    case 'bigint':
      return 'long';
    case 'string':
      return 'str';
    case 'boolean':
      return 'bool';
  }
  if (v === null) return 'NoneType';
  if (v instanceof PyFloat) return 'float';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Rec) return REC_TYPE[v.table];
  if (v instanceof Tbl) return 'table';
  if (v instanceof Fn) return v.kind === 'builtin' ? 'builtin_function_or_method' : 'function';
  return 'object';
}

/** Python truthiness: 0, 0.0, '', None, False and [] are false; everything else (also '0', nan) true. */
export function truthy(v: V): boolean {
  switch (typeof v) {
    case 'number':
      return v !== 0;
    case 'bigint':
      return v !== 0n;
    case 'string':
      return v.length > 0;
    case 'boolean':
      return v;
  }
  if (v === null) return false;
  if (v instanceof PyFloat) return v.v !== 0;
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

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

function opError(op: string, a: V, b: V): PyErr {
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

function repeat(seq: string | V[], n: number | bigint): V {
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

export function pyMod(a: V, b: V): V {
  const ka = numKind(a);
  const kb = numKind(b);
  if (ka && kb) {
    if (ka === 2 || kb === 2) return floatMod(toFloat(a), toFloat(b));
    return intMod(intOf(a as number), intOf(b as number));
  }
  if (typeof a === 'string') return pyFormat(a, b);
  throw opError('%', a, b);
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
    // eslint-disable-next-line eqeqeq
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
    return x < y ? -1 : x > y ? 1 : x == y ? 0 : NaN; // eslint-disable-line eqeqeq
  }
  if (typeof a === 'string' && typeof b === 'string') return strCmp(a, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (!pyEq(a[i], b[i])) return pyCmp(a[i], b[i], op);
    return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
  }
  throw typeError(`cannot order ${typeName(a)} and ${typeName(b)} with '${op}' (fix: Python 2 would compare the type names)`);
}

// ------------------------------------------------------------------ str(), repr()

export function pyStr(v: V): string {
  switch (typeof v) {
    case 'number':
      return String(v);
    case 'bigint':
      return v.toString();
    case 'string':
      return v;
    case 'boolean':
      return v ? 'True' : 'False';
  }
  if (v === null) return 'None';
  if (v instanceof PyFloat) return pyFloatStr(v.v);
  return pyRepr(v);
}

const LONG_MIN = 1n << 63n;

export function pyRepr(v: V): string {
  switch (typeof v) {
    case 'number':
      return String(v);
    case 'bigint':
      return v >= LONG_MIN || v < -LONG_MIN ? v.toString() + 'L' : v.toString();
    case 'string':
      return strRepr(v);
    case 'boolean':
      return v ? 'True' : 'False';
  }
  if (v === null) return 'None';
  if (v instanceof PyFloat) return pyFloatRepr(v.v);
  if (Array.isArray(v)) {
    charge(v.length);
    let s = '[';
    for (let i = 0; i < v.length; i++) {
      if (i) s += ', ';
      const r = pyRepr(v[i]);
      charge(0, r.length);
      s += r;
      if (s.length > MAX_STR) throw overflow('result string too long');
    }
    return s + ']';
  }
  if (v instanceof Rec) return `<${REC_TYPE[v.table]}: ${v.table}.${v.tag}>`;
  if (v instanceof Tbl) return `<table ${v.table}>`;
  if (v instanceof Fn) return v.kind === 'builtin' ? `<built-in function ${v.name}>` : `<function ${v.name}>`;
  return '<object>';
}

const HEX = '0123456789abcdef';

/** Python 2 repr of a byte string (non-ASCII characters as their UTF-8 bytes, \xNN). */
export function strRepr(s: string): string {
  if (s.length > MAX_STR) throw overflow('result string too long');
  charge(0, s.length);
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === q || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + HEX[c >> 4] + HEX[c & 15];
    else if (c < 0x80) out += ch;
    else {
      // the UTF-8 bytes, each as \xNN (computed: a Buffer per character made a 300 000-character text take 1.3 s)
      const bytes = c >= 0xd800 && c <= 0xdfff ? [0xef, 0xbf, 0xbd] : c < 0x800 ? [0xc0 | (c >> 6), 0x80 | (c & 63)] : c < 0x10000 ? [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63)] : [0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63)];
      for (const b of bytes) out += '\\x' + HEX[b >> 4] + HEX[b & 15];
      if (out.length > MAX_STR) throw overflow('result string too long');
    }
  }
  return out + q;
}

// ------------------------------------------------------------------ int(), float() of strings

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
  // eslint-disable-next-line no-control-regex
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
  while (i < n && b.charCodeAt(i) >= 48 && b.charCodeAt(i) <= 57) (i++, digits++);
  if (i < n && b[i] === '.') {
    i++;
    while (i < n && b.charCodeAt(i) >= 48 && b.charCodeAt(i) <= 57) (i++, digits++);
  }
  if (digits === 0) return false;
  if (i < n && (b[i] === 'e' || b[i] === 'E')) {
    i++;
    if (i < n && (b[i] === '+' || b[i] === '-')) i++;
    let e = 0;
    while (i < n && b.charCodeAt(i) >= 48 && b.charCodeAt(i) <= 57) (i++, e++);
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
    throw valueError(s0.length === 0 ? "could not convert string to float: " : `invalid literal for float(): ${s0.length > 200 ? s0.slice(0, 200) : s0}`);
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

// ------------------------------------------------------------------ the % operator on strings

/**
 * Python 2 `format % value` with one value (the grammar has no tuples): %s %r %d %i %u %f %F %e %E %g
 * %G %x %X %o %c %% with flags `-+ 0#`, a width and a precision.
 */
export function pyFormat(fmt: string, arg: V): V {
  charge(0, fmt.length);
  let out = '';
  let used = 0;
  const re = /%([-+ 0#]*)(\d+)?(?:\.(\d*))?([\s\S])?/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(fmt))) {
    out += fmt.slice(last, m.index);
    last = re.lastIndex;
    const [, flags, w, p, conv] = m;
    if (conv === undefined) throw valueError('incomplete format');
    if (conv === '%') {
      out += '%';
      continue;
    }
    if (used++) throw typeError('not enough arguments for format string');
    const width = w ? parseInt(w, 10) : 0;
    const prec = p !== undefined ? (p === '' ? 0 : parseInt(p, 10)) : -1;
    if (prec > 10000 || width > 10000) throw valueError('formatted value too long (precision or width above 10000)');
    const left = flags.includes('-');
    const zero = flags.includes('0') && !left;
    const plus = flags.includes('+');
    const space = flags.includes(' ');
    const alt = flags.includes('#');
    let body: string;
    let numeric = true;
    switch (conv) {
      case 's':
      case 'r':
        body = conv === 's' ? pyStr(arg) : pyRepr(arg);
        if (prec >= 0) body = body.slice(0, prec);
        numeric = false;
        break;
      case 'd':
      case 'i':
      case 'u':
      case 'x':
      case 'X':
      case 'o': {
        if (!numKind(arg)) throw typeError(`%${conv} format: a number is required, not ${typeName(arg)}`);
        const n = pyIntOf(arg);
        const radix = conv === 'x' || conv === 'X' ? 16 : conv === 'o' ? 8 : 10;
        let digits = (n < 0 ? -BigInt(n) : BigInt(n)).toString(radix);
        if (conv === 'X') digits = digits.toUpperCase();
        if (prec > digits.length) digits = '0'.repeat(prec - digits.length) + digits;
        if (alt && radix === 16) digits = (conv === 'X' ? '0X' : '0x') + digits;
        if (alt && radix === 8 && digits[0] !== '0') digits = '0' + digits;
        body = (n < 0 ? '-' : plus ? '+' : space ? ' ' : '') + digits;
        break;
      }
      case 'f':
      case 'F':
      case 'e':
      case 'E':
      case 'g':
      case 'G': {
        if (!numKind(arg)) throw typeError(`float argument required, not ${typeName(arg)}`);
        const x = toFloat(arg);
        const pr = prec < 0 ? 6 : prec;
        body =
          conv === 'f' || conv === 'F'
            ? pyFormatFixed(x, pr, alt)
            : conv === 'e' || conv === 'E'
              ? pyFormatExp(x, pr, conv === 'E', alt)
              : pyFormatG(x, pr, conv === 'G', alt);
        if (body[0] !== '-' && (plus || space)) body = (plus ? '+' : ' ') + body;
        break;
      }
      case 'c':
        if (typeof arg === 'string' && arg.length === 1) body = arg;
        else if (typeof arg === 'number' && arg >= 0 && arg < 256) body = String.fromCharCode(arg);
        else throw typeError('%c requires int or char');
        numeric = false;
        break;
      default:
        throw valueError(`unsupported format character '${conv}' (0x${conv.charCodeAt(0).toString(16)}) at index ${m.index + m[0].length - 1}`);
    }
    if (body.length < width) {
      const pad = width - body.length;
      if (left) body = body + ' '.repeat(pad);
      else if (zero && numeric && /^[-+ ]?(?:0[xX])?[0-9a-fA-F.]/.test(body)) {
        const signLen = /^[-+ ]/.test(body) ? 1 : 0;
        const pfx = /^[-+ ]?0[xX]/.test(body) ? signLen + 2 : signLen;
        body = body.slice(0, pfx) + '0'.repeat(pad) + body.slice(pfx);
      } else body = ' '.repeat(pad) + body;
    }
    out += body;
    if (out.length > MAX_STR) throw overflow('result string too long');
  }
  out += fmt.slice(last);
  // Python 2 treats a list (it has __getitem__) as a mapping: unused, it is no error.
  if (used === 0 && !Array.isArray(arg)) throw typeError("not all arguments converted during string formatting");
  return capStr(out);
}

