/**
 * Safe reading of the evaluation context (docs/formulas.md §2.8). Only own data properties are read (never a
 * getter, never the prototype chain), only the attributes docs/formulas.md §2.8 allows, and keys that name members of
 * Object.prototype (`__proto__`, `constructor`, `toString`…) never resolve. Anything the context does
 * wrong (a throwing proxy trap, an accessor, a non-object record) becomes an 'unknown-reference' or
 * 'type' evaluation error.
 */
import { PyErr, attrError, nameError, noValue, typeError } from './errors';
import { pyFloatStr } from './numfmt';
import { PyFloat, Rec, Tbl, intFromNumber, normBig, step } from './values';
import type { Cl, Runtime, TableName, V } from './values';

export const TABLES: readonly TableName[] = ['ai', 'di', 'eg', 'sv'];

type AttrKind = 'int' | 'float' | 'intOrNull' | 'str';

/** The readable attributes of each table, their kind and their default (docs/formulas.md §1.2, docs/formulas.md §2.8). */
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

/** What a read is of, for messages: `table ai`, `ai.TAG` or `ai.TAG.attr` (built only on the error path). */
function whatOf(key: string, table: string | null, tag: string | null): string {
  if (table === null) return `table ${key}`;
  return tag === null ? `${table}.${key}` : `${table}.${tag}.${key}`;
}

/**
 * An own data property, or MISSING (absent, reserved, or an accessor). Throws PyErr if the object
 * throws. `table`/`tag` name the owner for the messages (null, null: `key` is a table of the context).
 */
function ownData(obj: object, key: string, table: string | null, tag: string | null): unknown {
  if (RESERVED.has(key)) return MISSING;
  let d: PropertyDescriptor | undefined;
  try {
    d = Object.getOwnPropertyDescriptor(obj, key);
  } catch (e) {
    throw attrError(`cannot read ${whatOf(key, table, tag)} from the context (${describe(e)})`);
  }
  if (d === undefined) return MISSING;
  if (!('value' in d)) throw attrError(`${whatOf(key, table, tag)} is an accessor property in the context (only data properties are read)`);
  return d.value;
}

const isObject = (x: unknown): x is object => (typeof x === 'object' && x !== null) || typeof x === 'function';

/** The table `name` of the context (cached per evaluation), or a NameError. */
export function getTable(rt: Runtime, name: TableName, inLambda = false): Tbl {
  let cache = rt.tableCache;
  if (cache === null) cache = rt.tableCache = new Map();
  let t = cache.get(name);
  if (t === undefined) {
    const ctx = rt.ctx;
    const v = isObject(ctx) ? ownData(ctx, name, null, null) : MISSING;
    t = v !== MISSING && isObject(v) ? new Tbl(name, v) : null;
    cache.set(name, t);
  }
  if (t === null) throw nameError(`${inLambda ? 'global ' : ''}name '${name}' is not defined`);
  return t;
}

/** The record `tag` of a table, or an AttributeError (unknown tag, docs/formulas.md §2.8). */
export function getRecord(t: Tbl, tag: string): Rec {
  const v = ownData(t.obj, tag, t.table, null);
  if (v === MISSING || v === undefined) throw attrError(`${t.table} has no tag '${tag}'`);
  if (!isObject(v)) throw attrError(`${t.table}.${tag} is not a record in the context`);
  return new Rec(t.table, tag, v);
}

/** Attribute `attr` of a record: only the attributes of docs/formulas.md §2.8; absent ones take their default. */
export function getAttr(r: Rec, attr: string): V {
  const spec = isAttr(r.table, attr) ? ATTRS[r.table][attr] : undefined;
  if (spec === undefined) {
    throw attrError(
      `'${r.table}.${r.tag}' has no attribute '${attr}' (a formula can read ${attrNames(r.table)
        .map((a) => `${r.table}.TAG.${a}`)
        .join(', ')})`,
    );
  }
  const v = ownData(r.obj, attr, r.table, r.tag);
  if (v === MISSING || v === undefined) return spec.dflt;
  return convert(v, spec.kind, r.table, r.tag, attr);
}

/**
 * What the formula engine stores for a value it does not have: a point never received, an element
 * attribute whose formula has not produced a result yet (docs/formulas.md §1.2 fix: no made-up −1). A formula
 * that reads it fails with 'no-value' (its target keeps its previous value). A symbol, so no data from
 * outside (JSON, a msg) can produce it; the defaults of ATTRS still apply to contexts made by callers.
 */
export const NO_VALUE: unique symbol = Symbol('mara.noValue');

function convert(v: unknown, kind: AttrKind, table: TableName, tag: string, attr: string): V {
  if (v === NO_VALUE)
    throw noValue(
      table === 'eg' ? `eg.${tag}.${attr} has no value yet (its formula has no result)` : `${table}.${tag}.${attr}: the point has not been read yet`,
    );
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
  throw typeError(`${table}.${tag}.${attr} holds an unsupported value (${typeof v}) in the context`);
}

/** The records of a table in insertion order (FILTRAR over a table, docs/formulas.md §2.6). */
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
    const v = ownData(t.obj, k, t.table, null);
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

// ------------------------------------------------------------------ compiled reference reads

/**
 * Contexts made by the formula engine (registered with trustContext). Such a context and the tables
 * it holds are plain data objects: the context's tables are own data properties, each table holds
 * records (objects) as own data properties, records hold their attributes as own data properties, and
 * nothing in them is a getter or a proxy. Reads from them skip the property-descriptor checks; keys
 * are still checked to be own properties, so prototype keys never resolve.
 */
const TRUSTED = new WeakSet<object>();

/**
 * Registers `ctx` as an engine-made context (see TRUSTED): formulas read it on a fast path that
 * trusts its properties to be data properties. Only for objects the caller made itself with plain
 * data properties (never a context from outside). Returns `ctx`.
 */
export function trustContext<T extends object>(ctx: T): T {
  TRUSTED.add(ctx);
  return ctx;
}

export function isTrustedContext(ctx: unknown): boolean {
  return typeof ctx === 'object' && ctx !== null && TRUSTED.has(ctx);
}

type DataRecord = Record<string, unknown>;
type DataCtx = { ai?: unknown; di?: unknown; eg?: unknown; sv?: unknown };

const hasOwn = Object.prototype.hasOwnProperty;
const getProto = Object.getPrototypeOf;

/** Record `tag` of a table of a trusted context, or undefined (the safe path then decides). */
function trustedRecord(t: unknown, tag: string): DataRecord | undefined {
  if (typeof t !== 'object' || t === null || (getProto(t) !== null && !hasOwn.call(t, tag))) return undefined;
  const r = (t as Record<string, unknown>)[tag];
  return typeof r === 'object' && r !== null ? (r as DataRecord) : undefined;
}

// The values convert() gives for the common data values of each attribute kind; undefined: the safe path decides.
function intValue(v: unknown): V | undefined {
  switch (typeof v) {
    case 'number':
      if (Number.isSafeInteger(v)) return v === 0 ? 0 : v;
      return Number.isInteger(v) ? undefined : new PyFloat(v);
    case 'string':
    case 'boolean':
      return v;
  }
  return v === null ? null : undefined;
}

function floatValue(v: unknown): V | undefined {
  switch (typeof v) {
    case 'number':
      return new PyFloat(v);
    case 'string':
    case 'boolean':
      return v;
  }
  return v === null ? null : undefined;
}

function strValue(v: unknown): V | undefined {
  switch (typeof v) {
    case 'string':
      return v;
    case 'boolean':
      return v ? 'True' : 'False';
  }
  return v === null ? null : undefined;
}

/** `table.tag.attr` read with every check of getTable / getRecord / getAttr, without their allocations. */
function safeReader(table: TableName, tag: string, attr: string): Cl {
  const spec = ATTRS[table][attr];
  const kind = spec.kind;
  const dflt = spec.dflt;
  return (rt) => {
    const rec = ownData(getTable(rt, table).obj, tag, table, null);
    if (rec === MISSING || rec === undefined) throw attrError(`${table} has no tag '${tag}'`);
    if (!isObject(rec)) throw attrError(`${table}.${tag} is not a record in the context`);
    const v = ownData(rec, attr, table, tag);
    if (v === MISSING || v === undefined) return dflt;
    return convert(v, kind, table, tag, attr);
  };
}

/**
 * The compiled read of `table.tag.attr` (attr one of ATTRS[table], tag not reserved): the same value
 * or error as getAttr(getRecord(getTable(rt, table), tag), attr). On a trusted context, a record
 * that is an own property of its table (or of a null-prototype table) and an own attribute of a
 * common type are read directly; anything else takes the safe path. One closure per (table, attr) so
 * that each reads its attribute by name.
 */
export function attrReader(table: TableName, tag: string, attr: string): Cl {
  const slow = safeReader(table, tag, attr);
  switch (`${table}.${attr}`) {
    case 'ai.value':
      return (rt) => {
        if (rt.trusted) {
          const r = trustedRecord((rt.ctx as DataCtx).ai, tag);
          if (r !== undefined && hasOwn.call(r, 'value')) {
            const v = intValue(r.value);
            if (v !== undefined) return v;
          }
        }
        return slow(rt, null);
      };
    case 'ai.escala':
      return (rt) => {
        if (rt.trusted) {
          const r = trustedRecord((rt.ctx as DataCtx).ai, tag);
          if (r !== undefined && hasOwn.call(r, 'escala')) {
            const v = floatValue(r.escala);
            if (v !== undefined) return v;
          }
        }
        return slow(rt, null);
      };
    case 'ai.q':
      return (rt) => {
        if (rt.trusted) {
          const r = trustedRecord((rt.ctx as DataCtx).ai, tag);
          if (r !== undefined && hasOwn.call(r, 'q')) {
            const v = intValue(r.q);
            if (v !== undefined) return v;
          }
        }
        return slow(rt, null);
      };
    case 'di.value':
      return (rt) => {
        if (rt.trusted) {
          const r = trustedRecord((rt.ctx as DataCtx).di, tag);
          if (r !== undefined && hasOwn.call(r, 'value')) {
            const v = intValue(r.value);
            if (v !== undefined) return v;
          }
        }
        return slow(rt, null);
      };
    case 'sv.value':
      return (rt) => {
        if (rt.trusted) {
          const r = trustedRecord((rt.ctx as DataCtx).sv, tag);
          if (r !== undefined && hasOwn.call(r, 'value')) {
            const v = intValue(r.value);
            if (v !== undefined) return v;
          }
        }
        return slow(rt, null);
      };
    case 'eg.text':
      return (rt) => {
        if (rt.trusted) {
          const r = trustedRecord((rt.ctx as DataCtx).eg, tag);
          if (r !== undefined && hasOwn.call(r, 'text')) {
            const v = strValue(r.text);
            if (v !== undefined) return v;
          }
        }
        return slow(rt, null);
      };
    case 'eg.fill':
      return (rt) => {
        if (rt.trusted) {
          const r = trustedRecord((rt.ctx as DataCtx).eg, tag);
          if (r !== undefined && hasOwn.call(r, 'fill')) {
            const v = intValue(r.fill);
            if (v !== undefined) return v;
          }
        }
        return slow(rt, null);
      };
    case 'eg.stroke':
      return (rt) => {
        if (rt.trusted) {
          const r = trustedRecord((rt.ctx as DataCtx).eg, tag);
          if (r !== undefined && hasOwn.call(r, 'stroke')) {
            const v = intValue(r.stroke);
            if (v !== undefined) return v;
          }
        }
        return slow(rt, null);
      };
    case 'eg.mark':
      return (rt) => {
        if (rt.trusted) {
          const r = trustedRecord((rt.ctx as DataCtx).eg, tag);
          if (r !== undefined && hasOwn.call(r, 'mark')) {
            const v = intValue(r.mark);
            if (v !== undefined) return v;
          }
        }
        return slow(rt, null);
      };
  }
  return slow;
}
