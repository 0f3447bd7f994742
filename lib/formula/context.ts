/**
 * Safe reading of the evaluation context (spec hmi §2.8). Only own data properties are read (never a
 * getter, never the prototype chain), only the attributes §2.8 allows, and keys that name members of
 * Object.prototype (`__proto__`, `constructor`, `toString`…) never resolve. Anything the context does
 * wrong (a throwing proxy trap, an accessor, a non-object record) becomes an 'unknown-reference' or
 * 'type' evaluation error.
 */
import { PyErr, attrError, nameError, typeError } from './errors';
import { pyFloatStr } from './numfmt';
import { PyFloat, Rec, Tbl, intFromNumber, normBig, step } from './values';
import type { Runtime, TableName, V } from './values';

export const TABLES: readonly TableName[] = ['ai', 'di', 'eg', 'sv'];

type AttrKind = 'int' | 'float' | 'intOrNull' | 'str';

/** The readable attributes of each table, their kind and their default (spec §1.2, §2.8). */
export const ATTRS: Record<TableName, Record<string, { kind: AttrKind; dflt: V }>> = {
  ai: { value: { kind: 'int', dflt: -1 }, escala: { kind: 'float', dflt: new PyFloat(1) }, q: { kind: 'int', dflt: 0 } },
  di: { value: { kind: 'int', dflt: 0 } },
  eg: {
    text: { kind: 'str', dflt: '0' },
    fill: { kind: 'intOrNull', dflt: null },
    stroke: { kind: 'intOrNull', dflt: null },
    mark: { kind: 'intOrNull', dflt: null },
  },
  sv: { value: { kind: 'int', dflt: 0 } },
};

export function attrNames(t: TableName): string[] {
  return Object.keys(ATTRS[t]);
}

export function isAttr(t: TableName, a: string): boolean {
  return Object.prototype.hasOwnProperty.call(ATTRS[t], a);
}

/** Keys that never resolve as a table, tag or attribute. */
const RESERVED = new Set([
  '__proto__',
  'prototype',
  'constructor',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  'toString',
  'valueOf',
]);

export function isReserved(key: string): boolean {
  return RESERVED.has(key);
}

const MISSING = Symbol('missing');

function describe(e: unknown): string {
  try {
    if (e instanceof Error && typeof e.message === 'string') return e.message.slice(0, 200);
  } catch {
    /* a hostile error object */
  }
  return 'an exception';
}

/** An own data property, or MISSING (absent, reserved, or an accessor). Throws PyErr if the object throws. */
function ownData(obj: object, key: string, what: string): unknown {
  if (RESERVED.has(key)) return MISSING;
  let d: PropertyDescriptor | undefined;
  try {
    d = Object.getOwnPropertyDescriptor(obj, key);
  } catch (e) {
    throw attrError(`cannot read ${what} from the context (${describe(e)})`);
  }
  if (d === undefined) return MISSING;
  if (!('value' in d)) throw attrError(`${what} is an accessor property in the context (only data properties are read)`);
  return d.value;
}

const isObject = (x: unknown): x is object => (typeof x === 'object' && x !== null) || typeof x === 'function';

/** The table `name` of the context (cached per evaluation), or a NameError. */
export function getTable(rt: Runtime, name: TableName, inLambda = false): Tbl {
  let t = rt.tableCache.get(name);
  if (t === undefined) {
    const ctx = rt.ctx;
    const v = isObject(ctx) ? ownData(ctx, name, `table ${name}`) : MISSING;
    t = v !== MISSING && isObject(v) ? new Tbl(name, v) : null;
    rt.tableCache.set(name, t);
  }
  if (t === null) throw nameError(`${inLambda ? 'global ' : ''}name '${name}' is not defined`);
  return t;
}

/** The record `tag` of a table, or an AttributeError (unknown tag, spec §2.8). */
export function getRecord(t: Tbl, tag: string): Rec {
  const v = ownData(t.obj, tag, `${t.table}.${tag}`);
  if (v === MISSING || v === undefined) throw attrError(`${t.table} has no tag '${tag}'`);
  if (!isObject(v)) throw attrError(`${t.table}.${tag} is not a record in the context`);
  return new Rec(t.table, tag, v);
}

/** Attribute `attr` of a record: only the attributes of spec §2.8; absent ones take their default. */
export function getAttr(r: Rec, attr: string): V {
  const spec = isAttr(r.table, attr) ? ATTRS[r.table][attr] : undefined;
  if (spec === undefined) {
    throw attrError(`'${r.table}.${r.tag}' has no attribute '${attr}' (a formula can read ${attrNames(r.table).map((a) => `${r.table}.TAG.${a}`).join(', ')})`);
  }
  const v = ownData(r.obj, attr, `${r.table}.${r.tag}.${attr}`);
  if (v === MISSING || v === undefined) return spec.dflt;
  return convert(v, spec.kind, r, attr);
}

function convert(v: unknown, kind: AttrKind, r: Rec, attr: string): V {
  switch (typeof v) {
    case 'number':
      if (kind === 'str') return Number.isInteger(v) ? String(v) : pyFloatStr(v);
      if (kind === 'float' || !Number.isInteger(v)) return new PyFloat(v);
      return intFromNumber(v);
    case 'string':
      return v;
    case 'boolean':
      return kind === 'str' ? (v ? 'True' : 'False') : v;
    case 'bigint':
      if (kind === 'str') return v.toString();
      return kind === 'float' ? new PyFloat(Number(v)) : normBig(v);
  }
  if (v === null) return null;
  throw typeError(`${r.table}.${r.tag}.${attr} holds an unsupported value (${typeof v}) in the context`);
}

/** The records of a table in insertion order (FILTRAR over a table, spec §2.6). */
export function tableRecords(rt: Runtime, t: Tbl): Rec[] {
  let keys: string[];
  try {
    keys = Object.keys(t.obj);
  } catch (e) {
    throw attrError(`cannot list table ${t.table} of the context (${describe(e)})`);
  }
  const out: Rec[] = [];
  for (const k of keys) {
    step(rt);
    const v = ownData(t.obj, k, `${t.table}.${k}`);
    if (v !== MISSING && isObject(v)) out.push(new Rec(t.table, k, v as object));
  }
  return out;
}

export function isPyErr(e: unknown): e is PyErr {
  try {
    return e instanceof PyErr;
  } catch {
    return false;
  }
}
