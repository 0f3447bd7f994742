/**
 * The HMI formula language (docs/formulas.md §2): `compile(text, {dialect})` → `{references, warnings,
 * evaluate(context)}`. Dialect 'txscada' (default) is the original's Python 2.7 expression language;
 * 'excel' is an Excel-like dialect for new sheets. See FUNCTIONS.md for the function reference.
 */
import { PyFloat } from './values';
import type { V } from './values';
import { pyStr as pyStrV, pyRepr as pyReprV } from './values';
import { compile } from './compile';
import type { CompileOptions } from './compile';
import type { ErrorCategory, EvalResult, FormulaContext } from './types';

export { compile, DEFAULTS } from './compile';
export type { CompileOptions, Formula, FormulaWarning } from './compile';
export { FormulaError } from './errors';
export type { CompiledFormula, Dialect, ErrorCategory, EvalResult, FormulaContext, Reference, ValueType } from './types';
export { pyFloatStr as formatFloat, pyFloatRepr, pyFormatFixed, pyRound, excelGeneral } from './numfmt';
export { excelText } from './excel';
export { functions, functionsMarkdown } from './docs';
export type { FunctionDoc } from './docs';

function toV(value: unknown, type: string): V {
  switch (type) {
    case 'float':
      return new PyFloat(Number(value));
    case 'integer':
      if (typeof value === 'bigint') return value;
      return typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value) ? BigInt(value) : (value as number);
    case 'list':
      return Array.isArray(value) ? value.map((x) => toV(x, typeof x === 'number' ? (Number.isInteger(x) ? 'integer' : 'float') : typeof x === 'boolean' ? 'bool' : x === null ? 'null' : Array.isArray(x) ? 'list' : 'string')) : [];
    case 'null':
      return null;
    case 'bool':
      return Boolean(value);
    default:
      return typeof value === 'string' ? value : String(value);
  }
}

/**
 * Python 2.7 `str()` of a result (docs/formulas.md §2.7): integers in decimal, floats with the 12-significant-digit
 * rule ('33.0', '62.7110244989', '1e+16', '1e-05', '-0.0', 'nan', 'inf'), None → 'None', booleans →
 * 'True'/'False', strings unchanged, lists as Python prints them (items of a list given as plain JS
 * numbers are taken as integers when integral).
 */
export function pyStr(value: unknown, type: string): string {
  return pyStrV(toV(value, type));
}

/** Python 2.7 `repr()` of a result. */
export function pyRepr(value: unknown, type: string): string {
  return pyReprV(toV(value, type));
}

/**
 * Compiles and evaluates in one step; a syntax error becomes `{ok:false, error:'syntax'}`.
 * (For one-off use; compile once and call `evaluate` for repeated evaluation.)
 */
export function evaluate(text: string, context: FormulaContext, opts: CompileOptions = {}): EvalResult {
  let f;
  try {
    f = compile(text, opts);
  } catch (e) {
    const err = e as { category?: ErrorCategory; message?: string };
    if (err && err.category) return { ok: false, error: err.category, message: String(err.message) };
    throw e;
  }
  return f.evaluate(context);
}
