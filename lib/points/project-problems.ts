/**
 * One complete problem list for a project: the workbook's import problems, every formula problem (compile
 * errors, unknown references and functions, cycles), the screens' dead hot-spots and the formulas failing at
 * run time — each in full, in the workbook's terms (sheet, row, column), never cut to "the first 5".
 *
 * Pure: a function of the model, the import problems and the formula engine's results. The project endpoint
 * calls `projectProblems({ model, problems, formulas: checkFormulas(model) })`; a running formula node adds
 * `runtime: runtimeFailures(engine)`.
 */
import { compile as compileFormula } from '../formula';
import type { Formula } from '../formula';
import { EngineProblem, FormulaEngine } from '../formula/engine';
import type { Dialect, ErrorCategory } from '../formula/types';
import type { Problem, ProjectModel } from './model';

export type ProblemSource = 'workbook' | 'formula' | 'runtime' | 'screen';

/** A problem of the list: a workbook Problem with its severity always set, and what it is about. */
export interface ProjectProblem extends Problem {
  severity: 'error' | 'warning';
  source: ProblemSource;
  /** Formula problems: the target element and attribute, the category and the character position (1-based). */
  tag?: string;
  attr?: string;
  category?: string;
  position?: number | null;
  /** The formula text. */
  formula?: string;
  /** Runtime failures: the value the attribute keeps (the last good one; null when none yet). */
  lastValue?: string | number | null;
}

/** A formula whose last evaluation failed (FormulaEngine.errors()), with the value its attribute kept. */
export interface RuntimeFailure {
  tag: string;
  attr: string;
  row: number;
  category: ErrorCategory | string;
  message: string;
  lastValue?: string | number | null;
}

export interface ProblemCounts {
  errors: number;
  warnings: number;
  bySource: Record<ProblemSource, number>;
}

export interface ProblemList {
  problems: ProjectProblem[];
  counts: ProblemCounts;
}

/** Compile-time problems of formulas (FormulaEngine.load) with the compile warnings (unknown functions…). */
export interface FormulaCheck {
  problems: EngineProblem[];
  /** Static warnings of compiled formulas, by workbook row. */
  warnings: Map<number, { category: string; column: number; message: string }[]>;
}

/** The name of the formulas sheet in problems (the model does not keep the workbook's spelling). */
const FORMULAS = 'formulas';

/**
 * Loads the model's formulas into a fresh engine (nothing evaluated) and returns every compile error, unknown
 * reference and cycle, plus the static warnings the compiler found. Never throws.
 */
export function checkFormulas(
  model: Pick<ProjectModel, 'points' | 'elements' | 'formulas'>,
  opts: { dialect?: Dialect } = {},
): FormulaCheck {
  const byText = new Map<string, Formula>();
  const engine = new FormulaEngine({
    dialect: opts.dialect ?? 'txscada',
    compile: (text, o) => {
      const f = compileFormula(text, o);
      byText.set(text, f);
      return f;
    },
  });
  const problems = engine.load({ points: model.points, elements: model.elements, formulas: model.formulas });
  const warnings = new Map<number, { category: string; column: number; message: string }[]>();
  for (const f of model.formulas) {
    const c = byText.get(f.text);
    if (c && c.warnings.length) warnings.set(f.row, c.warnings.map((w) => ({ category: w.category, column: w.column, message: w.message })));
  }
  return { problems, warnings };
}

/** The failing formulas of a running engine, with the value each attribute kept. */
export function runtimeFailures(engine: Pick<FormulaEngine, 'errors' | 'element'>): RuntimeFailure[] {
  return engine.errors().map((e) => {
    const v = engine.element(e.tag)?.[e.attr];
    return { ...e, lastValue: typeof v === 'string' || typeof v === 'number' ? v : null };
  });
}

export interface ProjectProblemsInput {
  model: Pick<ProjectModel, 'formulas'>;
  /** The import problems (workbook.load). */
  problems?: readonly Problem[];
  /** checkFormulas(model), or the problems of a loaded engine (`engine.problems`). */
  formulas?: FormulaCheck | readonly EngineProblem[];
  /** Formulas failing at run time (runtimeFailures(engine)). */
  runtime?: readonly RuntimeFailure[];
  /** Screen problems (lib/hmi deadJumpProblems). */
  screens?: readonly Problem[];
}

/**
 * Every problem of a project, in one list: workbook problems in import order, then formula problems by workbook
 * row (compile errors, unknown references, cycles, runtime failures), then screen problems. Repeats of the same
 * message for the same place are listed once.
 */
export function projectProblems(input: ProjectProblemsInput): ProblemList {
  const out: ProjectProblem[] = [];
  const seen = new Set<string>();
  const add = (p: ProjectProblem) => {
    const k = `${p.source}\u0000${p.sheet}\u0000${p.row}\u0000${p.column}\u0000${p.message}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push(p);
  };
  for (const p of input.problems ?? []) add({ ...p, severity: p.severity ?? 'error', source: 'workbook' });

  const textOf = new Map<number, string>();
  for (const f of input.model.formulas ?? []) textOf.set(f.row, f.text);
  const check: FormulaCheck | null =
    input.formulas === undefined ? null : Array.isArray(input.formulas) ? { problems: input.formulas as EngineProblem[], warnings: new Map() } : (input.formulas as FormulaCheck);
  const formulaList: ProjectProblem[] = [];
  if (check) {
    for (const p of check.problems)
      formulaList.push({
        sheet: FORMULAS, row: p.row, column: 'formula', severity: p.severity, source: 'formula', tag: p.tag, attr: p.attr,
        category: p.category, position: p.column, formula: textOf.get(p.row),
        message: `${p.tag}.${p.attr}: ${p.category === 'cycle' ? '' : `${p.category}: `}${p.message}${p.severity === 'error' ? ' (the formula does not run)' : ''}`,
      });
    // static warnings: unknown names and functions, bad attributes, argument counts (the engine lists missing tags)
    for (const [row, ws] of check.warnings)
      for (const w of ws) {
        const f = input.model.formulas.find((x) => x.row === row);
        formulaList.push({
          sheet: FORMULAS, row, column: 'formula', severity: 'warning', source: 'formula', tag: f?.tag, attr: f?.attr,
          category: w.category, position: w.column, formula: textOf.get(row),
          message: `${f ? `${f.tag}.${f.attr}: ` : ''}${w.category}: ${w.message} (character ${w.column})`,
        });
      }
  }
  for (const r of input.runtime ?? [])
    formulaList.push({
      sheet: FORMULAS, row: r.row, column: 'formula', severity: 'error', source: 'runtime', tag: r.tag, attr: r.attr,
      category: r.category, formula: textOf.get(r.row), lastValue: r.lastValue ?? null,
      message: `${r.tag}.${r.attr} fails when evaluated: ${r.category}: ${r.message}; it keeps ${r.lastValue === undefined || r.lastValue === null ? 'no value' : JSON.stringify(r.lastValue)}`,
    });
  formulaList.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
  formulaList.forEach(add);
  for (const p of input.screens ?? []) add({ ...p, severity: p.severity ?? 'warning', source: 'screen' });

  const counts: ProblemCounts = { errors: 0, warnings: 0, bySource: { workbook: 0, formula: 0, runtime: 0, screen: 0 } };
  for (const p of out) {
    if (p.severity === 'error') counts.errors++;
    else counts.warnings++;
    counts.bySource[p.source]++;
  }
  return { problems: out, counts };
}
