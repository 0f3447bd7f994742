/**
 * The txscada function library (docs/formulas.md §2.6) with Python 2.7 semantics. Every argument has already
 * been evaluated (eager, left to right) when a function runs.
 */
import { overflow, typeError, valueError } from './errors';
import { tableRecords } from './context';
import { pyRound } from './numfmt';
import {
  charge,
  Fn,
  PyFloat,
  Tbl,
  capList,
  numKind,
  pyAdd,
  pyCmp,
  pyFloatOf,
  pyIntOf,
  pyPow,
  pyStr,
  step,
  toFloat,
  truthy,
  typeName,
  parsePyInt,
  pyAbs,
  pyFormat,
} from './values';
import type { Runtime, V } from './values';

export interface Builtin {
  name: string;
  min: number;
  max: number;
  /** 'builtin' = a Python builtin (int, float, str, abs, min, max, round); 'function' = the sheet library. */
  kind: 'builtin' | 'function';
  /** Visible inside lambda bodies (docs/formulas.md §2.6: only int, float, str and the extensions). */
  inLambda: boolean;
  impl: (args: V[], rt: Runtime) => V;
  fn: Fn;
}

function plural(n: number): string {
  return n === 1 ? 'argument' : 'arguments';
}

export function arityMessage(b: { name: string; min: number; max: number; kind: string }, given: number): string {
  const { name, min, max } = b;
  if (name === 'min' || name === 'max') return `${name} expected 1 arguments, got 0`;
  if (min === max) return `${name}() takes exactly ${b.kind === 'builtin' && min === 1 ? 'one argument' : `${min} ${plural(min)}`} (${given} given)`;
  if (given < min) return `${name}() takes at least ${min} ${plural(min)} (${given} given)`;
  return `${name}() takes at most ${max} ${plural(max)} (${given} given)`;
}

export function checkArity(b: { name: string; min: number; max: number; kind: string }, n: number): void {
  if (n < b.min || n > b.max) throw typeError(arityMessage(b, n));
}

/** The items a Python 2 builtin iterates: a list's items, a string's characters. Tables: TypeError (fix). */
export function iterItems(v: V, who: string): V[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return Array.from(v);
  if (v instanceof Tbl)
    throw typeError(`${who} over a table (${v.table}) is not supported (fix: the original iterates the tag names); use FILTRAR(…, ${v.table})`);
  throw typeError(`'${typeName(v)}' object is not iterable`);
}

/** Calls a function value with already-evaluated arguments. */
export function callValue(f: V, args: V[], rt: Runtime): V {
  if (f instanceof Fn) return f.call(args, rt);
  throw typeError(`'${typeName(f)}' object is not callable`);
}

function minmax(args: V[], rt: Runtime, name: 'min' | 'max'): V {
  const items = args.length === 1 ? iterItems(args[0], `${name}()`) : args;
  if (items.length === 0) throw valueError(`${name}() arg is an empty sequence`);
  let best = items[0];
  for (let i = 1; i < items.length; i++) {
    step(rt);
    const c = pyCmp(items[i], best, name === 'min' ? '<' : '>');
    if (name === 'min' ? c < 0 : c > 0) best = items[i];
  }
  return best;
}

function def(name: string, min: number, max: number, kind: 'builtin' | 'function', inLambda: boolean, impl: (args: V[], rt: Runtime) => V): Builtin {
  const b: Builtin = { name, min, max, kind, inLambda, impl, fn: null as unknown as Fn };
  b.fn = new Fn(
    name,
    (args, rt) => {
      checkArity(b, args.length);
      return impl(args, rt);
    },
    kind,
  );
  return b;
}

const SI = (a: V[]) => (truthy(a[0]) ? a[1] : a[2]);

const LIST: Builtin[] = [
  def('SI', 3, 3, 'function', false, SI),
  def('si', 3, 3, 'function', false, SI),
  def('O', 0, Infinity, 'function', false, (a) => {
    for (const x of a) if (truthy(x)) return x;
    return null;
  }),
  def('RAIZ', 1, 1, 'function', false, (a) => pyPow(a[0], new PyFloat(0.5))),
  def('SUMA', 1, 1, 'function', false, (a, rt) => {
    let acc: V = 0;
    for (const x of iterItems(a[0], 'SUMA')) {
      step(rt);
      acc = pyAdd(acc, x);
    }
    return acc;
  }),
  def('APLICAR', 2, 2, 'function', false, (a, rt) => {
    const items = iterItems(a[1], 'APLICAR');
    const f = a[0];
    if (f === null) return items.slice();
    const out: V[] = [];
    for (const x of items) {
      step(rt);
      out.push(callValue(f, [x], rt));
    }
    return capList(out);
  }),
  def('FILTRAR', 2, 2, 'function', false, (a, rt) => {
    const f = a[0];
    const src = a[1];
    const test = (x: V) => {
      step(rt);
      return f === null ? truthy(x) : truthy(callValue(f, [x], rt));
    };
    if (src instanceof Tbl) return tableRecords(rt, src).filter(test);
    if (typeof src === 'string') {
      charge(0, src.length);
      return Array.from(src).filter(test).join('');
    }
    if (Array.isArray(src)) return src.filter(test);
    throw typeError(`'${typeName(src)}' object is not iterable`);
  }),
  // FLOAT(x, d=3) is ('%.' + str(d) + 'f') % x in the original (apps/hmi/utils.py)
  def('FLOAT', 1, 2, 'function', false, (a) => pyFormat('%.' + pyStr(a.length > 1 ? a[1] : 3) + 'f', a[0])),
  def('int', 0, 2, 'builtin', true, (a) => {
    if (a.length === 0) return 0;
    if (a.length === 1) return pyIntOf(a[0]);
    const [s, base] = a;
    if (typeof s !== 'string') throw typeError("int() can't convert non-string with explicit base");
    if (typeof base !== 'number' && typeof base !== 'boolean') throw typeError(`an integer is required, not ${typeName(base)}`);
    const b = Number(base);
    if (!((b >= 2 && b <= 36) || b === 0)) throw valueError('int() base must be >= 2 and <= 36');
    return parsePyInt(s, b);
  }),
  def('float', 0, 1, 'builtin', true, (a) => new PyFloat(a.length ? pyFloatOf(a[0]) : 0)),
  def('str', 0, 1, 'builtin', true, (a) => (a.length ? pyStr(a[0]) : '')),
  def('abs', 1, 1, 'builtin', true, (a) => pyAbs(a[0])),
  def('min', 1, Infinity, 'builtin', true, (a, rt) => minmax(a, rt, 'min')),
  def('max', 1, Infinity, 'builtin', true, (a, rt) => minmax(a, rt, 'max')),
  def('round', 1, 2, 'builtin', true, (a) => {
    const x = a[0];
    if (!numKind(x)) throw typeError('a float is required');
    let n = 0;
    if (a.length > 1) {
      const d = a[1];
      if (typeof d === 'number' || typeof d === 'boolean') n = Number(d);
      else if (typeof d === 'bigint') n = d > 0n ? 400 : -400;
      else throw typeError(`'${typeName(d)}' object cannot be interpreted as an index`);
    }
    const r = pyRound(toFloat(x), n);
    if (r === null) throw overflow('rounded value too large to represent');
    return new PyFloat(r);
  }),
];

/** The txscada library by (case-sensitive) name. */
export const PY_BUILTINS: ReadonlyMap<string, Builtin> = new Map(LIST.map((b) => [b.name, b]));
