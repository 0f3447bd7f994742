/**
 * compile(): text → tokens → AST → closures, once. Evaluation only calls closures. Name problems that
 * can be seen statically (unknown function, name, attribute; wrong number of arguments) do not stop
 * compilation: the formula fails at evaluation with the category of docs/formulas.md §2.9 ('unknown-reference',
 * 'type'), as the original did, and the problems are listed in `warnings` for the editor / engine.
 */
import { FormulaError, PyErr, attrError, limitError, nameError, typeError } from './errors';
import { PY_BUILTINS, arityMessage, callValue } from './builtins';
import type { Builtin } from './builtins';
import { attrNames, attrReader, getAttr, getRecord, getTable, isAttr, isPyErr, isReserved, isTrustedContext } from './context';
import { XL_BUILTINS, xlBinary, xlNeg, xlPos } from './excel';
import { lex } from './lexer';
import { Parser, TABLE_NAMES } from './parser';
import type { Node } from './parser';
import type { CompiledFormula, Dialect, ErrorCategory, EvalResult, FormulaContext, Reference, ValueType } from './types';
import {
  Fn,
  PyFloat,
  Rec,
  Tbl,
  pyAdd,
  pyCmp,
  pyDiv,
  pyEq,
  pyFloatOf,
  pyIntOf,
  pyMod,
  pyMul,
  pyNeg,
  pyPos,
  pyPow,
  pyStr,
  pySub,
  charge,
  metered,
  step,
  truthy,
  typeName,
} from './values';
import type { Cl, Frame, Runtime, TableName, V } from './values';

export interface CompileOptions {
  /** 'txscada' (default): the original's language, docs/formulas.md §2. 'excel': see FUNCTIONS.md. */
  dialect?: Dialect;
  /** Longest accepted formula, in characters (default 65536). */
  maxLength?: number;
  /** Deepest accepted nesting of parentheses / calls / operators (default 200). */
  maxDepth?: number;
  /** Work budget of one evaluation: lambda calls plus items iterated (default 1 000 000). */
  maxSteps?: number;
  /** Deepest lambda recursion (default 200). */
  maxCallDepth?: number;
}

/** A problem found at compile time that does not stop the formula from compiling. */
export interface FormulaWarning {
  category: ErrorCategory;
  column: number;
  message: string;
}

export interface Formula extends CompiledFormula {
  /** Unknown names/attributes and wrong argument counts found statically (the evaluation fails on them). */
  readonly warnings: readonly FormulaWarning[];
}

export const DEFAULTS = { maxLength: 65536, maxDepth: 200, maxSteps: 1_000_000, maxCallDepth: 200 };

type Op2 = (a: V, b: V) => V;

const PY_ARITH: Record<string, Op2> = { '+': pyAdd, '-': pySub, '*': pyMul, '/': pyDiv, '%': pyMod };

function cmpFn(op: string): (a: V, b: V) => boolean {
  switch (op) {
    case '=':
      return pyEq;
    case '<>':
      return (a, b) => !pyEq(a, b);
    case '<':
      return (a, b) => pyCmp(a, b, op) < 0;
    case '>':
      return (a, b) => pyCmp(a, b, op) > 0;
    case '<=':
      return (a, b) => pyCmp(a, b, op) <= 0;
    case '>=':
      return (a, b) => pyCmp(a, b, op) >= 0;
  }
  throw new Error(`no comparison ${op}`);
}

/** getattr on any value: a table gives a record, a record an attribute; anything else AttributeError. */
function getAttrDyn(v: V, name: string): V {
  if (v instanceof Tbl) return getRecord(v, name);
  if (v instanceof Rec) return getAttr(v, name);
  throw attrError(`'${typeName(v)}' object has no attribute '${name}'`);
}

const thrower =
  (e: PyErr): Cl =>
  () => {
    throw e;
  };

class Compiler {
  refs: { r: Reference; pos: number }[] = [];
  warnings: FormulaWarning[] = [];
  constructor(readonly dialect: Dialect) {}

  private warn(category: ErrorCategory, pos: number, message: string): void {
    this.warnings.push({ category, column: pos + 1, message });
  }

  private ref(table: TableName, tag: string | null, attr: string | null, pos: number): void {
    this.refs.push({ r: { table, tag, attr }, pos });
  }

  /** A table name that resolves to the table here (not a lambda parameter, not inside a lambda). */
  private isTable(n: Node, scope: string[]): n is Extract<Node, { t: 'name' }> {
    return n.t === 'name' && TABLE_NAMES.has(n.name) && scope.length === 0;
  }

  compile(n: Node, scope: string[]): Cl {
    switch (n.t) {
      case 'lit': {
        const v = n.v;
        return () => v;
      }
      case 'name':
        return this.name(n, scope);
      case 'attr':
        return this.attr(n, scope);
      case 'call':
        return this.dialect === 'excel' ? this.callXl(n, scope) : this.callPy(n, scope);
      case 'unary': {
        if (n.x.t === 'lit' && (typeof n.x.v === 'number' || typeof n.x.v === 'bigint' || n.x.v instanceof PyFloat)) {
          const v = n.op === '-' ? pyNeg(n.x.v) : n.x.v;
          return () => v;
        }
        const x = this.compile(n.x, scope);
        const f = this.dialect === 'excel' ? (n.op === '-' ? xlNeg : xlPos) : n.op === '-' ? pyNeg : pyPos;
        return (rt, fr) => f(x(rt, fr));
      }
      case 'not': {
        const x = this.compile(n.x, scope);
        return (rt, fr) => !truthy(x(rt, fr));
      }
      case 'pow': {
        const a = this.compile(n.a, scope);
        const b = this.compile(n.b, scope);
        const f = this.dialect === 'excel' ? xlBinary('^') : pyPow;
        return (rt, fr) => f(a(rt, fr), b(rt, fr));
      }
      case 'arith': {
        const cs = n.xs.map((x) => this.compile(x, scope));
        const fs = n.ops.map((o) => (this.dialect === 'excel' ? xlBinary(o) : PY_ARITH[o]));
        if (cs.length === 2) {
          const [a, b] = cs;
          const f = fs[0];
          return (rt, fr) => f(a(rt, fr), b(rt, fr));
        }
        return (rt, fr) => {
          let acc = cs[0](rt, fr);
          for (let i = 1; i < cs.length; i++) acc = fs[i - 1](acc, cs[i](rt, fr));
          return acc;
        };
      }
      case 'cmp': {
        const cs = n.xs.map((x) => this.compile(x, scope));
        const fs = n.ops.map(cmpFn);
        if (cs.length === 2) {
          const [a, b] = cs;
          const f = fs[0];
          return (rt, fr) => f(a(rt, fr), b(rt, fr));
        }
        return (rt, fr) => {
          let l = cs[0](rt, fr);
          for (let i = 1; i < cs.length; i++) {
            const r = cs[i](rt, fr);
            if (!fs[i - 1](l, r)) return false;
            l = r;
          }
          return true;
        };
      }
      case 'bool': {
        const cs = n.xs.map((x) => this.compile(x, scope));
        const isAnd = n.op === 'and';
        return (rt, fr) => {
          let v = cs[0](rt, fr);
          for (let i = 1; i < cs.length; i++) {
            if (truthy(v) !== isAnd) return v;
            v = cs[i](rt, fr);
          }
          return v;
        };
      }
      case 'lambda':
        return this.lambda(n, scope);
    }
  }

  private name(n: Extract<Node, { t: 'name' }>, scope: string[]): Cl {
    const name = n.name;
    const idx = scope.lastIndexOf(name);
    if (idx >= 0) {
      const up = scope.length - 1 - idx;
      if (up === 0) return (_rt, fr) => fr!.v;
      return (_rt, fr) => {
        let f = fr!;
        for (let i = 0; i < up; i++) f = f.p!;
        return f.v;
      };
    }
    const inLambda = scope.length > 0;
    if (TABLE_NAMES.has(name) && !inLambda) {
      // a bare table used as a value (FILTRAR(…, eg)): a wildcard dependency
      const t = name as TableName;
      this.ref(t, null, null, n.pos);
      return (rt) => getTable(rt, t);
    }
    if (this.dialect === 'txscada') {
      const b = PY_BUILTINS.get(name);
      if (b && (!inLambda || b.inLambda)) {
        const fn = b.fn;
        return () => fn;
      }
      if (inLambda && (b || TABLE_NAMES.has(name))) {
        this.warn(
          'unknown-reference',
          n.pos,
          `'${name}' is not visible inside a lambda: a lambda body sees only its parameter and int, float, str, abs, min, max, round (spec hmi-086)`,
        );
        return thrower(nameError(`global name '${name}' is not defined`));
      }
      this.warn('unknown-reference', n.pos, `unknown name '${name}'${this.suggest(name)}`);
      return thrower(nameError(`${inLambda ? 'global ' : ''}name '${name}' is not defined`));
    }
    if (XL_BUILTINS.has(name.toUpperCase())) {
      this.warn('unknown-reference', n.pos, `'${name}' is a function: call it with (…)`);
      return thrower(nameError(`#NAME?: '${name}' is a function and must be called with (…)`));
    }
    this.warn('unknown-reference', n.pos, `unknown name '${name}'${this.suggest(name)}`);
    return thrower(nameError(`#NAME?: unknown name '${name}'`));
  }

  private suggest(name: string): string {
    const low = name.toLowerCase();
    if (TABLE_NAMES.has(low) && low !== name) return ` (tables are lower-case: ${low})`;
    if (this.dialect === 'txscada') {
      for (const k of PY_BUILTINS.keys()) if (k.toLowerCase() === low) return ` (function names are case-sensitive: ${k})`;
    }
    return '';
  }

  private attr(n: Extract<Node, { t: 'attr' }>, scope: string[]): Cl {
    const o = n.obj;
    // table.TAG.attr
    if (o.t === 'attr' && this.isTable(o.obj, scope)) {
      const table = o.obj.name as TableName;
      const tag = o.name;
      const attr = n.name;
      if (isReserved(tag)) {
        this.warn('unknown-reference', o.pos, `'${tag}' cannot be a tag`);
        return thrower(attrError(`${table} has no tag '${tag}'`));
      }
      this.ref(table, tag, attr, o.obj.pos);
      if (!isAttr(table, attr)) {
        this.warn(
          'unknown-reference',
          n.pos,
          `${table}.${tag}.${attr}: a formula can read only ${attrNames(table)
            .map((a) => `${table}.TAG.${a}`)
            .join(', ')}`,
        );
        return (rt) => getAttr(getRecord(getTable(rt, table), tag), attr);
      }
      return attrReader(table, tag, attr);
    }
    // table.TAG (a record as a value)
    if (this.isTable(o, scope)) {
      const table = o.name as TableName;
      const tag = n.name;
      if (isReserved(tag)) {
        this.warn('unknown-reference', n.pos, `'${tag}' cannot be a tag`);
        return thrower(attrError(`${table} has no tag '${tag}'`));
      }
      this.ref(table, tag, null, o.pos);
      return (rt) => getRecord(getTable(rt, table), tag);
    }
    const x = this.compile(o, scope);
    const name = n.name;
    return (rt, fr) => getAttrDyn(x(rt, fr), name);
  }

  private args(n: Extract<Node, { t: 'call' }>, scope: string[]): Cl[] {
    return n.args.map((a) => this.compile(a, scope));
  }

  private callPy(n: Extract<Node, { t: 'call' }>, scope: string[]): Cl {
    const fnode = n.fn;
    if (fnode.t === 'name' && !scope.includes(fnode.name)) {
      const b = PY_BUILTINS.get(fnode.name);
      if (b && (scope.length === 0 || b.inLambda)) {
        if (n.args.length < b.min || n.args.length > b.max) this.warn('type', n.pos, arityMessage(b, n.args.length));
        const as = this.args(n, scope);
        const k = as.length;
        if (k >= b.min && k <= b.max) return builtinCall(b, as);
        const call = b.fn.call; // raises the arity TypeError once the arguments are evaluated
        if (k === 1) {
          const a0 = as[0];
          return (rt, fr) => call([a0(rt, fr)], rt);
        }
        return (rt, fr) => {
          const vals: V[] = new Array(k);
          for (let i = 0; i < k; i++) vals[i] = as[i](rt, fr);
          return call(vals, rt);
        };
      }
    }
    const f = this.compile(fnode, scope);
    const as = this.args(n, scope);
    const k = as.length;
    return (rt, fr) => {
      const fv = f(rt, fr);
      const vals: V[] = new Array(k);
      for (let i = 0; i < k; i++) vals[i] = as[i](rt, fr);
      return callValue(fv, vals, rt);
    };
  }

  private callXl(n: Extract<Node, { t: 'call' }>, scope: string[]): Cl {
    const fnode = n.fn;
    if (fnode.t !== 'name' || TABLE_NAMES.has(fnode.name)) {
      throw new FormulaError('syntax', n.pos + 1, `SyntaxError: only functions can be called (a name such as SI or SUMA before '(') (column ${n.pos + 1})`);
    }
    const as = this.args(n, scope);
    const b = XL_BUILTINS.get(fnode.name.toUpperCase());
    if (!b) {
      this.warn('unknown-reference', fnode.pos, `unknown function '${fnode.name}'`);
      return thrower(nameError(`#NAME?: unknown function '${fnode.name}'`));
    }
    if (b.wildcard) this.ref('eg', null, null, fnode.pos);
    if (as.length < b.min || as.length > b.max) {
      const msg = `${fnode.name.toUpperCase()}() takes ${b.min === b.max ? `exactly ${b.min}` : as.length < b.min ? `at least ${b.min}` : `at most ${b.max}`} argument${(as.length < b.min ? b.min : b.max) === 1 ? '' : 's'} (${as.length} given)`;
      this.warn('type', n.pos, msg);
      return thrower(typeError(msg));
    }
    const impl = b.impl;
    return (rt, fr) => impl(as, rt, fr);
  }

  private lambda(n: Extract<Node, { t: 'lambda' }>, scope: string[]): Cl {
    const body = this.compile(n.body, [...scope, n.param]);
    return (_rt, fr) =>
      new Fn(
        '<lambda>',
        (args: V[], rt: Runtime) => {
          if (args.length !== 1) throw typeError(`<lambda>() takes exactly 1 argument (${args.length} given)`);
          step(rt);
          if (rt.depth >= rt.maxCallDepth) throw limitError('maximum recursion depth exceeded');
          rt.depth++;
          try {
            return body(rt, { v: args[0], p: fr } as Frame);
          } finally {
            rt.depth--;
          }
        },
        'lambda',
      );
  }
}

/**
 * A call of a txscada builtin with a valid number of arguments: no arity check at run time, and no
 * argument array for the common ones. Arguments are still all evaluated, left to right, first.
 */
function builtinCall(b: Builtin, as: Cl[]): Cl {
  const k = as.length;
  const impl = b.impl;
  switch (b.name) {
    case 'SI':
    case 'si': {
      const [c, x, y] = as;
      return (rt, fr) => {
        const cv = c(rt, fr);
        const xv = x(rt, fr);
        const yv = y(rt, fr);
        return truthy(cv) ? xv : yv;
      };
    }
    case 'O':
      // truthy() has no effects and cannot throw: testing while evaluating gives the same result
      if (k === 0) return () => null;
      if (k === 1) {
        const [a] = as;
        return (rt, fr) => {
          const av = a(rt, fr);
          return truthy(av) ? av : null;
        };
      }
      if (k === 2) {
        const [a, c] = as;
        return (rt, fr) => {
          const av = a(rt, fr);
          const cv = c(rt, fr);
          return truthy(av) ? av : truthy(cv) ? cv : null;
        };
      }
      return (rt, fr) => {
        let res: V = null;
        let found = false;
        for (let i = 0; i < k; i++) {
          const v = as[i](rt, fr);
          if (!found && truthy(v)) {
            res = v;
            found = true;
          }
        }
        return res;
      };
    case 'int':
      if (k === 1) {
        const [a] = as;
        return (rt, fr) => pyIntOf(a(rt, fr));
      }
      break;
    case 'float':
      if (k === 1) {
        const [a] = as;
        return (rt, fr) => new PyFloat(pyFloatOf(a(rt, fr)));
      }
      break;
    case 'str':
      if (k === 1) {
        const [a] = as;
        return (rt, fr) => pyStr(a(rt, fr));
      }
      break;
  }
  if (k === 0) return (rt) => impl([], rt);
  if (k === 1) {
    const [a] = as;
    return (rt, fr) => impl([a(rt, fr)], rt);
  }
  if (k === 2) {
    const [a, c] = as;
    return (rt, fr) => {
      const av = a(rt, fr);
      return impl([av, c(rt, fr)], rt);
    };
  }
  return (rt, fr) => {
    const vals: V[] = new Array(k);
    for (let i = 0; i < k; i++) vals[i] = as[i](rt, fr);
    return impl(vals, rt);
  };
}

// ------------------------------------------------------------------ results

function plain(v: V): unknown {
  switch (typeof v) {
    case 'number':
    case 'string':
    case 'boolean':
      return v;
    case 'bigint':
      return Number(v);
  }
  if (v === null) return null;
  if (v instanceof PyFloat) return v.v;
  if (Array.isArray(v)) {
    charge(v.length); // a list of shared lists copies every level: the copy is work too
    return v.map(plain);
  }
  throw typeError(`a formula cannot produce a ${v instanceof Rec ? `record (${v.table}.${v.tag})` : v instanceof Tbl ? `table (${v.table})` : 'function'}`);
}

function resultOf(v: V): EvalResult {
  let type: ValueType;
  switch (typeof v) {
    case 'number':
      return { ok: true, value: v, type: 'integer' };
    case 'bigint':
      return { ok: true, value: Number(v), type: 'integer' };
    case 'string':
      return { ok: true, value: v, type: 'string' };
    case 'boolean':
      return { ok: true, value: v, type: 'bool' };
  }
  if (v === null) type = 'null';
  else if (v instanceof PyFloat) return { ok: true, value: v.v, type: 'float' };
  else if (Array.isArray(v)) return { ok: true, value: plain(v), type: 'list' };
  else return { ok: true, value: plain(v), type: 'null' }; // plain() throws for records, tables, functions
  return { ok: true, value: null, type };
}

function failure(e: unknown): EvalResult {
  try {
    if (isPyErr(e)) return { ok: false, error: e.category, message: e.message };
    if (e instanceof RangeError) return { ok: false, error: 'type', message: 'RuntimeError: maximum recursion depth exceeded' };
  } catch {
    /* fall through */
  }
  return { ok: false, error: 'type', message: 'RuntimeError: internal error while evaluating the formula' };
}

class CompiledFormulaImpl implements Formula {
  readonly references: Reference[];
  readonly warnings: readonly FormulaWarning[];
  readonly #root: Cl;
  readonly #maxSteps: number;
  readonly #maxCallDepth: number;

  constructor(
    readonly text: string,
    readonly dialect: Dialect,
    root: Cl,
    refs: Reference[],
    warnings: FormulaWarning[],
    limits: { maxSteps: number; maxCallDepth: number },
  ) {
    this.#root = root;
    this.references = refs;
    this.warnings = Object.freeze(warnings.map((w) => Object.freeze(w)));
    this.#maxSteps = limits.maxSteps;
    this.#maxCallDepth = limits.maxCallDepth;
  }

  evaluate(context: FormulaContext): EvalResult {
    const rt: Runtime = {
      ctx: context,
      steps: 0,
      depth: 0,
      maxSteps: this.#maxSteps,
      maxCallDepth: this.#maxCallDepth,
      tableCache: null,
      trusted: isTrustedContext(context),
    };
    try {
      return metered(rt, () => resultOf(this.#root(rt, null)));
    } catch (e) {
      return failure(e);
    }
  }
}

function posInt(v: unknown, dflt: number, what: string): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new TypeError(`compile(): ${what} must be a positive integer`);
  return v;
}

/**
 * Compiles a formula. Throws FormulaError ('syntax', with the 1-based column) when the text is not a
 * formula of the dialect, is longer than `maxLength` or nests deeper than `maxDepth`. Everything else
 * (unknown names, attributes, wrong argument counts) is reported by `evaluate` and listed in `warnings`.
 */
export function compile(text: string, opts: CompileOptions = {}): Formula {
  const dialect = opts.dialect ?? 'txscada';
  if (dialect !== 'txscada' && dialect !== 'excel') throw new TypeError(`compile(): unknown dialect ${String(dialect)}`);
  const maxLength = posInt(opts.maxLength, DEFAULTS.maxLength, 'maxLength');
  const maxDepth = posInt(opts.maxDepth, DEFAULTS.maxDepth, 'maxDepth');
  const maxSteps = posInt(opts.maxSteps, DEFAULTS.maxSteps, 'maxSteps');
  const maxCallDepth = posInt(opts.maxCallDepth, DEFAULTS.maxCallDepth, 'maxCallDepth');
  if (typeof text !== 'string') throw new FormulaError('syntax', 1, `SyntaxError: a formula must be a string, got ${text === null ? 'null' : typeof text}`);
  if (text.length > maxLength) {
    throw new FormulaError(
      'syntax',
      maxLength + 1,
      `SyntaxError: formula too long (${text.length} characters; the limit is ${maxLength}) (column ${maxLength + 1})`,
    );
  }
  const ast = new Parser(lex(text, dialect), dialect, maxDepth).parseFormula();
  const c = new Compiler(dialect);
  const root = c.compile(ast, []);
  c.refs.sort((a, b) => a.pos - b.pos);
  const seen = new Set<string>();
  const refs: Reference[] = [];
  for (const { r } of c.refs) {
    const k = `${r.table}\u0000${r.tag ?? '\u0001'}\u0000${r.attr ?? '\u0001'}`;
    if (seen.has(k)) continue;
    seen.add(k);
    refs.push(Object.freeze(r) as Reference);
  }
  return new CompiledFormulaImpl(text, dialect, root, refs, c.warnings, { maxSteps, maxCallDepth });
}
