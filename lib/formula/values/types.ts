/** The value types of the formula language (what a formula computes with), the per-evaluation Runtime, type names and truthiness. */

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

// ------------------------------------------------------------------ type names, truthiness

export const REC_TYPE: Record<TableName, string> = { ai: 'AI', di: 'DI', eg: 'SVGElement', sv: 'SV' };

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
