import type { ErrorCategory } from './types';

/**
 * A formula that cannot be compiled (docs/formulas.md §2.9 'syntax'; also the length and nesting limits).
 * `column` is the 1-based position of the fault in the formula text (counted from its first character,
 * line breaks included).
 */
export class FormulaError extends Error {
  readonly code = 'EFORMULA';
  readonly category: ErrorCategory;
  readonly column: number;
  constructor(category: ErrorCategory, column: number, message: string) {
    super(message);
    this.name = 'FormulaError';
    this.category = category;
    this.column = column;
  }
}

/**
 * An evaluation error (internal: thrown by the compiled closures, turned into `{ok:false}` by
 * `evaluate`). Deliberately not an Error subclass: no stack trace is captured on the hot path.
 * `limit` marks work/recursion limits, which IFERROR does not catch.
 */
export class PyErr {
  constructor(
    readonly category: ErrorCategory,
    readonly pyName: string,
    readonly detail: string,
    readonly limit = false,
  ) {}
  get message(): string {
    return `${this.pyName}: ${this.detail}`;
  }
}

export const typeError = (detail: string) => new PyErr('type', 'TypeError', detail);
export const nameError = (detail: string) => new PyErr('unknown-reference', 'NameError', detail);
export const attrError = (detail: string) => new PyErr('unknown-reference', 'AttributeError', detail);
export const valueError = (detail: string) => new PyErr('conversion', 'ValueError', detail);
export const zeroDivision = (detail: string) => new PyErr('division-by-zero', 'ZeroDivisionError', detail);
export const mathDomain = (detail: string) => new PyErr('math-domain', 'ValueError', detail);
export const overflow = (detail: string) => new PyErr('math-domain', 'OverflowError', detail);
export const limitError = (detail: string) => new PyErr('type', 'RuntimeError', detail, true);
/** A read of a value the engine does not have (docs/formulas.md §1.2 fix: a point never read has no value). */
export const noValue = (detail: string) => new PyErr('no-value', 'NoValue', detail);
