/**
 * The contract between the formula language (compile) and its users (the engine, the nodes, the
 * maintainers' acceptance checks). Spec docs/formulas.md §2, docs/formulas.md §3.
 */

export type Dialect = 'txscada' | 'excel';

/** `no-value`: the formula read a point never received, or an element attribute not computed yet (engine contexts only). */
export type ErrorCategory = 'syntax' | 'unknown-reference' | 'conversion' | 'division-by-zero' | 'math-domain' | 'type' | 'no-value';

export type ValueType = 'integer' | 'float' | 'string' | 'bool' | 'null' | 'list';

/** A table reference found in a formula; `tag`/`attr` are null for a bare table (`eg` in FILTRAR). */
export interface Reference {
  table: 'ai' | 'di' | 'eg' | 'sv';
  tag: string | null;
  attr: string | null;
}

/** The values a formula reads (docs/formulas.md §2.8). Tables are keyed by tag; only own properties count. */
export interface FormulaContext {
  ai?: Record<string, { value?: number; escala?: number; q?: number }>;
  di?: Record<string, { value?: number }>;
  eg?: Record<string, { text?: string; fill?: number | null; stroke?: number | null; mark?: number | null }>;
  sv?: Record<string, { value?: number }>;
}

export type EvalResult = { ok: true; value: unknown; type: ValueType } | { ok: false; error: ErrorCategory; message: string };

export interface CompiledFormula {
  readonly text: string;
  readonly dialect: Dialect;
  readonly references: Reference[];
  /** Never throws. */
  evaluate(context: FormulaContext): EvalResult;
}
