/**
 * The HMI formula language (docs/formulas.md §2): `compile(text, {dialect})` → `{references, warnings,
 * evaluate(context)}`. Dialect 'txscada' (default) is the original's Python 2.7 expression language;
 * 'excel' is an Excel-like dialect for new sheets. See FUNCTIONS.md for the function reference.
 */
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
export { pyStr, pyRepr } from './result-text';
/** The engine that runs a whole installation's formulas incrementally (docs/formulas.md §3). */
export { FormulaEngine, normalise } from './engine';
export type {
  EngineFormula,
  EngineElement,
  ElementChange,
  EngineProblem,
  PointInput,
  PointStateInput,
  EngineQuality,
  ElementQualityChange,
  CompileFn,
} from './engine';

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
