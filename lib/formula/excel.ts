/**
 * The excel dialect: Excel-like coercions (numeric text in arithmetic, TRUE/FALSE), lazy SI/IF and
 * SI.ERROR/IFERROR, true division, `&`, `^`, and an Excel-style function library with Spanish and
 * English names (case-insensitive). Table references are the same as in txscada.
 */
import { preview } from '../preview';
import { PyErr, typeError, valueError, zeroDivision, overflow, mathDomain } from './errors';
import { getAttr, getTable, isPyErr, tableRecords } from './context';
import { excelGeneral, excelRound, excelRoundDigits, splitFixed, roundKeep } from './numfmt';
import {
  PyFloat,
  Rec,
  floatMod,
  intFromNumber,
  intMod,
  normBig,
  numKind,
  pyAdd,
  pyEq,
  pyMul,
  pyNeg,
  pyPow,
  pySub,
  step,
  toFloat,
  trueDiv,
  typeName,
  capStr,
  charge,
  pyAbs,
  pyCmp,
} from './values';
import type { Cl, Frame, Runtime, V } from './values';

// ------------------------------------------------------------------ coercions

const XL_NUM = /^([+-])?(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?(%)?$/;

const MAX_XL_DIGITS = 400;

/** Excel's reading of a text as a number (VALOR/VALUE): `12`, `-1.5`, `1,234.5`, `1e3`, `50%`. */
export function parseXlNumber(s0: string): number | bigint | PyFloat | null {
  charge(0, s0.length);
  const s = s0.trim();
  const m = XL_NUM.exec(s);
  if (!m) return null;
  const [, sign, ip, fp, ex, pct] = m;
  if (ip.length === 0 && (fp === undefined || fp.length === 0)) return null;
  const digits = ip.replace(/,/g, '');
  if (fp === undefined && ex === undefined && pct === undefined) {
    if (digits.length > MAX_XL_DIGITS) return null; // beyond any float: not a number (and no quadratic BigInt parse)
    const n = digits.length <= 15 ? Number(digits) : normBig(BigInt(digits));
    return sign === '-' ? (pyNeg(n) as number | bigint) : n;
  }
  let x = Number(`${sign ?? ''}${digits || '0'}.${fp ?? ''}e${ex ?? '0'}`);
  if (pct) x /= 100;
  if (!isFinite(x)) return null;
  return new PyFloat(x);
}

/** A value as an Excel number: numbers, booleans (0/1), blank/None (0), numeric text. */
export function xlNum(v: V): number | bigint | PyFloat {
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return v;
    case 'boolean':
      return v ? 1 : 0;
    case 'string': {
      const n = parseXlNumber(v);
      if (n === null) throw valueError(`#VALUE!: the text ${preview(v)} is not a number`);
      return n;
    }
  }
  if (v === null) return 0;
  if (v instanceof PyFloat) return v;
  throw typeError(`#VALUE!: a ${typeName(v)} is not a number`);
}

/** A value as an Excel logical: numbers (non-zero = TRUE), booleans, blank (FALSE), 'TRUE'/'FALSE' texts. */
export function xlBool(v: V): boolean {
  switch (typeof v) {
    case 'number':
      return v !== 0;
    case 'bigint':
      return v !== 0n;
    case 'boolean':
      return v;
    case 'string': {
      const u = v.trim().toUpperCase();
      if (u === 'TRUE' || u === 'VERDADERO') return true;
      if (u === 'FALSE' || u === 'FALSO') return false;
      throw typeError(
        `#VALUE!: the text '${v.length > 100 ? v.slice(0, 100) + '…' : v}' is not a logical value (read numbers from texts with VALOR() or ENTERO())`,
      );
    }
  }
  if (v === null) return false;
  if (v instanceof PyFloat) return v.v !== 0;
  throw typeError(`#VALUE!: a ${typeName(v)} is not a logical value`);
}

/** A number as text: integers in full (below 1e15), other numbers in Excel's general format. */
function numText(v: number | bigint | PyFloat): string {
  if (v instanceof PyFloat) return excelGeneral(v.v);
  if (typeof v === 'number' ? Math.abs(v) < 1e15 : false) return String(v);
  return excelGeneral(Number(v));
}

/** A value as Excel text (`&`, STR, CONCATENAR, element texts). */
export function xlText(v: V): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'bigint':
      return numText(v);
    case 'boolean':
      return v ? 'TRUE' : 'FALSE';
  }
  if (v === null) return '';
  if (v instanceof PyFloat) return numText(v);
  throw typeError(`#VALUE!: a ${typeName(v)} cannot be text`);
}

/** The excel dialect's text of a result value (for the engine's `text` attribute). */
export function excelText(value: unknown, type: string): string {
  switch (type) {
    case 'integer':
      return typeof value === 'number' || typeof value === 'bigint' ? numText(value) : String(value);
    case 'float':
      return excelGeneral(Number(value));
    case 'string':
      return String(value);
    case 'bool':
      return value ? 'TRUE' : 'FALSE';
    case 'null':
      return '';
    case 'list':
      return Array.isArray(value)
        ? value.map((x) => (typeof x === 'number' ? excelGeneral(x) : typeof x === 'boolean' ? (x ? 'TRUE' : 'FALSE') : x === null ? '' : String(x))).join(', ')
        : '';
  }
  return String(value);
}

function finite(v: V): V {
  if ((v instanceof PyFloat && !isFinite(v.v)) || (typeof v === 'bigint' && !isFinite(Number(v)))) {
    throw new PyErr('math-domain', 'OverflowError', '#NUM!: result out of range');
  }
  return v;
}

// ------------------------------------------------------------------ operators

export function xlBinary(op: string): (a: V, b: V) => V {
  switch (op) {
    case '+':
      return (a, b) => finite(pyAdd(xlNum(a), xlNum(b)));
    case '-':
      return (a, b) => finite(pySub(xlNum(a), xlNum(b)));
    case '*':
      return (a, b) => finite(pyMul(xlNum(a), xlNum(b)));
    case '/':
      return (a, b) => {
        const x = xlNum(a);
        const y = xlNum(b);
        if (toFloat(y) === 0) throw zeroDivision('#DIV/0!: division by zero');
        return finite(trueDiv(x, y));
      };
    case '^':
      return (a, b) => finite(pyPow(xlNum(a), xlNum(b)));
    case '&':
      return (a, b) => capStr(xlText(a) + xlText(b));
  }
  throw new Error(`no excel operator ${op}`);
}

export const xlNeg = (a: V): V => pyNeg(xlNum(a));
export const xlPos = (a: V): V => xlNum(a);

// ------------------------------------------------------------------ TEXTO / TEXT

interface NumFmt {
  prefix: string;
  suffix: string;
  intMin: number;
  group: boolean;
  dot: boolean;
  fracMin: number;
  fracMax: number;
  percent: number;
  sci: null | { plus: boolean; digits: number };
}

const NUM_PART = /^([#0,]*)(?:(\.)([0#]*))?(?:[eE]([+-])(0+))?$/;

/** Parses the supported subset of Excel number formats (see FUNCTIONS.md); null if unsupported. */
export function parseNumFormat(f: string): NumFmt | 'general' | null {
  if (f === '' || /^(general|est[aá]ndar)$/i.test(f)) return 'general';
  let prefix = '';
  let suffix = '';
  let num = '';
  let state = 0; // 0 before the number, 1 in it, 2 after it
  let percent = 0;
  for (let i = 0; i < f.length; i++) {
    const c = f[i];
    let lit: string;
    if (c === '"') {
      const j = f.indexOf('"', i + 1);
      if (j < 0) return null;
      lit = f.slice(i + 1, j);
      i = j;
    } else if (c === '\\') {
      if (i + 1 >= f.length) return null;
      lit = f[++i];
    } else if (c === '%') {
      percent++;
      lit = '%';
    } else if ('0#,.'.includes(c) || ((c === 'E' || c === 'e') && state === 1 && (f[i + 1] === '+' || f[i + 1] === '-'))) {
      if (state === 2) return null;
      state = 1;
      if (c === 'E' || c === 'e') {
        num += c + f[i + 1];
        i++;
        while (f[i + 1] === '0') num += f[++i];
      } else num += c;
      continue;
    } else if (' $-+()/:'.includes(c)) lit = c;
    else return null;
    if (state === 1) state = 2;
    if (state === 0) prefix += lit;
    else suffix += lit;
  }
  const m = NUM_PART.exec(num);
  if (!m || !/[0#]/.test(num)) return null;
  const [, ip, dot, fp = '', esign, exp] = m;
  if (ip.endsWith(',')) return null; // thousands scaling: unsupported
  return {
    prefix,
    suffix,
    intMin: (ip.match(/0/g) ?? []).length,
    group: ip.includes(','),
    dot: dot !== undefined,
    fracMin: (fp.match(/0/g) ?? []).length,
    fracMax: fp.length,
    percent,
    sci: exp ? { plus: esign === '+', digits: exp.length } : null,
  };
}

function groupDigits(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && (s.length - i) % 3 === 0) out += ',';
    out += s[i];
  }
  return out;
}

export function formatNumber(x: number, f: NumFmt): string {
  const v = x * 100 ** f.percent;
  if (!isFinite(v)) throw mathDomain('#NUM!: number out of range');
  const a = Math.abs(v);
  let ip: string;
  let fp: string;
  let zero: boolean;
  let expPart = '';
  if (f.sci) {
    const intDigits = Math.max(f.intMin, 1);
    let e = 0;
    let r = '';
    if (a !== 0) {
      const u = a.toExponential(14);
      const eAt = u.indexOf('e');
      let digits = u[0] + u.slice(2, eAt);
      digits = digits.replace(/0+$/, '') || '0';
      const decpt = parseInt(u.slice(eAt + 1), 10) + 1;
      e = decpt - intDigits;
      const keep = intDigits + f.fracMax;
      r = roundKeep(digits, keep, 'away');
      if (r.length > keep) {
        r = r.slice(0, keep);
        e++;
      }
    }
    r = r.padEnd(intDigits + f.fracMax, '0');
    ip = r.slice(0, intDigits);
    fp = r.slice(intDigits);
    zero = !/[1-9]/.test(r);
    const es = String(Math.abs(e)).padStart(f.sci.digits, '0');
    expPart = 'E' + (e < 0 ? '-' : f.sci.plus ? '+' : '') + es;
  } else {
    const r = excelRoundDigits(a, f.fracMax);
    [ip, fp] = splitFixed(r, f.fracMax);
    zero = !/[1-9]/.test(r);
    ip = ip.replace(/^0+/, '');
    if (ip.length < f.intMin) ip = '0'.repeat(f.intMin - ip.length) + ip;
    if (f.group) ip = groupDigits(ip);
  }
  let k = fp.length;
  while (k > f.fracMin && fp[k - 1] === '0') k--;
  fp = fp.slice(0, k);
  const body = ip + (fp.length ? '.' + fp : f.dot && f.fracMax > 0 ? '.' : '') + expPart;
  return (v < 0 && !zero ? '-' : '') + f.prefix + body + f.suffix;
}

function textFn(x: V, fmt: V): string {
  if (typeof fmt !== 'string') throw typeError('TEXTO(): the format must be a text such as "0.00"');
  charge(0, 2 * fmt.length); // parsed once, then at most its length of zeros written
  const f = parseNumFormat(fmt);
  if (f === null) {
    throw typeError(
      `TEXTO(): unsupported format ${preview(fmt)} (supported: "0", "0.0…", "#,##0", "#,##0.00…", "0%", "0.0…%", "0.00E+00", "General", with "quoted" text around)`,
    );
  }
  if (typeof x === 'boolean') return x ? 'TRUE' : 'FALSE';
  if (typeof x === 'string') {
    const n = parseXlNumber(x);
    if (n === null) return x;
    x = n;
  }
  const n = xlNum(x);
  if (f === 'general') return numText(n);
  return formatNumber(toFloat(n), f);
}

// ------------------------------------------------------------------ the library

export interface XlBuiltin {
  names: string[];
  min: number;
  max: number;
  /** Arguments arrive unevaluated; most functions evaluate all of them first (see `eager`). */
  impl: (args: Cl[], rt: Runtime, fr: Frame | null) => V;
  /** Reads every element (a wildcard `eg` dependency). */
  wildcard?: boolean;
}

function evalAll(args: Cl[], rt: Runtime, fr: Frame | null): V[] {
  const out: V[] = new Array(args.length);
  for (let i = 0; i < args.length; i++) out[i] = args[i](rt, fr);
  return out;
}

const eager =
  (f: (a: V[], rt: Runtime) => V) =>
  (args: Cl[], rt: Runtime, fr: Frame | null): V =>
    f(evalAll(args, rt, fr), rt);

/** Numbers of the arguments of SUMA/MIN/MAX: lists flattened, blanks skipped, texts read as numbers. */
function numbersOf(a: V[], rt: Runtime): (number | bigint | PyFloat)[] {
  const out: (number | bigint | PyFloat)[] = [];
  const add = (v: V) => {
    step(rt);
    if (v === null) return;
    if (Array.isArray(v)) for (const x of v) add(x);
    else out.push(xlNum(v));
  };
  for (const v of a) add(v);
  return out;
}

function logicalsOf(a: V[]): boolean[] {
  const out: boolean[] = [];
  const add = (v: V) => {
    if (Array.isArray(v)) for (const x of v) add(x);
    else out.push(xlBool(v));
  };
  for (const v of a) add(v);
  return out;
}

/** The number in an element's text: blank → 0; otherwise it must read as a number. */
function elementNumber(r: Rec): number | bigint | PyFloat {
  const t = getAttr(r, 'text');
  if (t === null) return 0;
  if (typeof t === 'string') {
    if (t.trim() === '') return 0;
    const n = parseXlNumber(t);
    if (n === null) throw valueError(`#VALUE!: the text '${t.length > 100 ? t.slice(0, 100) + '…' : t}' of element ${r.tag} is not a number`);
    return n;
  }
  return xlNum(t);
}

function markedElements(rt: Runtime, mark: V): Rec[] {
  const eg = getTable(rt, 'eg');
  return tableRecords(rt, eg).filter((r) => pyEq(getAttr(r, 'mark'), mark));
}

function minmax(a: V[], rt: Runtime, sign: number): V {
  const ns = numbersOf(a, rt);
  if (ns.length === 0) return 0;
  let best = ns[0];
  for (let i = 1; i < ns.length; i++) if (pyCmp(ns[i], best, '<') * sign < 0) best = ns[i];
  return best;
}

const LIB: XlBuiltin[] = [
  {
    names: ['SI', 'IF'],
    min: 2,
    max: 3,
    impl: (a, rt, fr) => (xlBool(a[0](rt, fr)) ? a[1](rt, fr) : a.length > 2 ? a[2](rt, fr) : false),
  },
  {
    names: ['SI.ERROR', 'IFERROR'],
    min: 2,
    max: 2,
    impl: (a, rt, fr) => {
      try {
        return a[0](rt, fr);
      } catch (e) {
        if (isPyErr(e) && !e.limit) return a[1](rt, fr);
        throw e;
      }
    },
  },
  { names: ['Y', 'AND'], min: 1, max: Infinity, impl: eager((a) => logicalsOf(a).every((x) => x)) },
  { names: ['O', 'OR'], min: 1, max: Infinity, impl: eager((a) => logicalsOf(a).some((x) => x)) },
  { names: ['NO', 'NOT'], min: 1, max: 1, impl: eager((a) => !xlBool(a[0])) },
  {
    names: ['REDONDEAR', 'ROUND'],
    min: 1,
    max: 2,
    impl: eager((a) => {
      const x = xlNum(a[0]);
      const d = a.length > 1 ? Math.trunc(toFloat(xlNum(a[1]))) : 0;
      if (!(x instanceof PyFloat) && d >= 0) return x;
      return finite(new PyFloat(excelRound(toFloat(x), d)));
    }),
  },
  { names: ['ABS'], min: 1, max: 1, impl: eager((a) => pyAbs(xlNum(a[0]))) },
  { names: ['MIN'], min: 1, max: Infinity, impl: eager((a, rt) => minmax(a, rt, 1)) },
  { names: ['MAX'], min: 1, max: Infinity, impl: eager((a, rt) => minmax(a, rt, -1)) },
  {
    names: ['SUMA', 'SUM'],
    min: 1,
    max: Infinity,
    impl: eager((a, rt) => {
      let acc: V = 0;
      for (const n of numbersOf(a, rt)) acc = pyAdd(acc, n);
      return finite(acc);
    }),
  },
  {
    names: ['RAIZ', 'SQRT'],
    min: 1,
    max: 1,
    impl: eager((a) => {
      const x = toFloat(xlNum(a[0]));
      if (x < 0) throw mathDomain('#NUM!: square root of a negative number');
      return new PyFloat(Math.sqrt(x));
    }),
  },
  { names: ['TEXTO', 'TEXT'], min: 2, max: 2, impl: eager((a) => textFn(a[0], a[1])) },
  {
    names: ['VALOR', 'VALUE', 'FLOAT'],
    min: 1,
    max: 1,
    impl: eager((a) => {
      const n = xlNum(a[0]);
      return n instanceof PyFloat ? n : new PyFloat(toFloat(n));
    }),
  },
  {
    names: ['ENTERO', 'INT'],
    min: 1,
    max: 1,
    impl: eager((a) => {
      const n = xlNum(a[0]);
      if (!(n instanceof PyFloat)) return n;
      if (!isFinite(n.v)) throw overflow('#NUM!: cannot convert infinity to an integer');
      return intFromNumber(Math.floor(n.v));
    }),
  },
  {
    names: ['MOD', 'RESIDUO'],
    min: 2,
    max: 2,
    impl: eager((a) => {
      const x = xlNum(a[0]);
      const y = xlNum(a[1]);
      if (toFloat(y) === 0) throw zeroDivision('#DIV/0!: MOD by zero');
      if (numKind(x) === 1 && numKind(y) === 1) return intMod(x as number | bigint, y as number | bigint);
      return floatMod(toFloat(x), toFloat(y));
    }),
  },
  { names: ['CONCATENAR', 'CONCATENATE', 'CONCAT'], min: 1, max: Infinity, impl: eager((a) => capStr(a.map(xlText).join(''))) },
  { names: ['STR'], min: 1, max: 1, impl: eager((a) => xlText(a[0])) },
  {
    names: ['CONTAR.SI.ELEMENTOS', 'COUNTELEMENTS'],
    min: 1,
    max: 1,
    wildcard: true,
    impl: eager((a, rt) => {
      let n = 0;
      for (const r of markedElements(rt, a[0])) if (toFloat(elementNumber(r)) !== 0) n++;
      return n;
    }),
  },
  {
    names: ['SUMAR.SI.ELEMENTOS', 'SUMELEMENTS'],
    min: 1,
    max: 1,
    wildcard: true,
    impl: eager((a, rt) => {
      let acc: V = 0;
      for (const r of markedElements(rt, a[0])) acc = pyAdd(acc, elementNumber(r));
      return finite(acc);
    }),
  },
];

/** The excel library by upper-case name. */
export const XL_BUILTINS: ReadonlyMap<string, XlBuiltin> = new Map(LIB.flatMap((b) => b.names.map((n) => [n, b] as [string, XlBuiltin])));
