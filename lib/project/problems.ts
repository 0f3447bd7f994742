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
  /**
   * The dependency cycles themselves: the workbook rows of each set of formulas that read each other. The engine
   * also flags the formulas that only read a cycle's output (they run after it); those are told apart with this.
   */
  cycles?: number[][];
}

/** The name of the formulas sheet in problems (the model does not keep the workbook's spelling). */
const FORMULAS = 'formulas';

/**
 * Loads the model's formulas into a fresh engine (nothing evaluated) and returns every compile error, unknown
 * reference and cycle, plus the static warnings the compiler found. Never throws.
 */
export function checkFormulas(model: Pick<ProjectModel, 'points' | 'elements' | 'formulas'>, opts: { dialect?: Dialect } = {}): FormulaCheck {
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
    if (c && c.warnings.length)
      warnings.set(
        f.row,
        c.warnings.map((w) => ({ category: w.category, column: w.column, message: w.message })),
      );
  }
  const flagged = new Set(problems.filter((p) => p.category === 'cycle').map((p) => p.row));
  return { problems, warnings, cycles: flagged.size ? cyclesOf(model.formulas, byText) : [] };
}

/**
 * Strongly connected components (iterative Tarjan) of the graph "formula → the formulas whose output it reads",
 * with the engine's rules: `eg.T.a` reads formula T.a, a whole record `eg.T` all of T's, a bare `eg` every text
 * formula; reading its own output is no edge. Components of two or more formulas are the cycles.
 */
function cyclesOf(formulas: ProjectModel['formulas'], byText: Map<string, Formula>): number[][] {
  const index = new Map<string, number>();
  formulas.forEach((f, i) => {
    const k = `${f.tag}.${f.attr}`;
    if (!index.has(k)) index.set(k, i);
  });
  const texts = formulas.map((f, i) => (f.attr === 'text' && index.get(`${f.tag}.text`) === i ? i : -1)).filter((i) => i >= 0);
  const edges: number[][] = formulas.map((f, i) => {
    const c = index.get(`${f.tag}.${f.attr}`) === i ? byText.get(f.text) : undefined;
    const out = new Set<number>();
    for (const r of c?.references ?? []) {
      if (r.table !== 'eg') continue;
      if (r.tag === null) texts.forEach((j) => out.add(j));
      else
        for (const a of r.attr === null ? ['text', 'fill', 'stroke'] : [r.attr]) {
          const j = index.get(`${r.tag}.${a}`);
          if (j !== undefined) out.add(j);
        }
    }
    out.delete(i);
    return [...out];
  });
  const n = formulas.length;
  const order = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const result: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (order[root] >= 0) continue;
    const work: [number, number][] = [[root, 0]];
    order[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length) {
      const top = work[work.length - 1];
      const [v, k] = top;
      if (k < edges[v].length) {
        top[1]++;
        const w = edges[v][k];
        if (order[w] < 0) {
          order[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          work.push([w, 0]);
        } else if (onStack[w]) low[v] = Math.min(low[v], order[w]);
        continue;
      }
      work.pop();
      if (work.length) low[work[work.length - 1][0]] = Math.min(low[work[work.length - 1][0]], low[v]);
      if (low[v] === order[v]) {
        const comp: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          comp.push(formulas[w].row);
        } while (w !== v);
        if (comp.length > 1) result.push(comp.sort((a, b) => a - b));
      }
    }
  }
  return result.sort((a, b) => a[0] - b[0]);
}

/**
 * The failing formulas of a running engine, with the value each attribute kept. A formula waiting for a point
 * never read ('no-value') is not failing: it has no value yet, and its element shows that (greyed).
 */
export function runtimeFailures(engine: Pick<FormulaEngine, 'errors' | 'element'>): RuntimeFailure[] {
  return engine
    .errors()
    .filter((e) => e.category !== 'no-value')
    .map((e) => {
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
  const byRow = new Map<number, { tag: string; attr: string }>();
  for (const f of input.model.formulas ?? []) {
    textOf.set(f.row, f.text);
    if (!byRow.has(f.row)) byRow.set(f.row, f);
  }
  const check: FormulaCheck | null =
    input.formulas === undefined
      ? null
      : Array.isArray(input.formulas)
        ? { problems: input.formulas as EngineProblem[], warnings: new Map() }
        : (input.formulas as FormulaCheck);
  const formulaList: ProjectProblem[] = [];
  if (check) {
    const inCycle = new Map<number, number[]>();
    for (const c of check.cycles ?? []) for (const row of c) inCycle.set(row, c);
    for (const p of check.problems) {
      // the engine flags a cycle's readers as well: say which rows are the cycle and which only wait for it
      const downstream = p.category === 'cycle' && check.cycles !== undefined && !inCycle.has(p.row);
      const cycleText =
        p.category !== 'cycle' || check.cycles === undefined
          ? p.message
          : downstream
            ? `reads the output of a dependency cycle (${check.cycles.map((c) => `rows ${c.join(', ')}`).join('; ')}): evaluated after it, with its values of the previous pass`
            : `formula is part of a dependency cycle: rows ${inCycle.get(p.row)!.join(', ')} (run in row order, back-edges read the previous pass)`;
      formulaList.push({
        sheet: FORMULAS,
        row: p.row,
        column: 'formula',
        severity: p.severity,
        source: 'formula',
        tag: p.tag,
        attr: p.attr,
        category: p.category,
        position: p.column,
        formula: textOf.get(p.row),
        message: `${p.tag}.${p.attr}: ${p.category === 'cycle' ? '' : `${p.category}: `}${cycleText}${p.severity === 'error' ? ' (the formula does not run)' : ''}`,
        ...(downstream ? { category: 'cycle-reader' } : {}),
      });
    }
    // static warnings: unknown names and functions, bad attributes, argument counts (the engine lists missing tags)
    for (const [row, ws] of check.warnings)
      for (const w of ws) {
        const f = byRow.get(row);
        formulaList.push({
          sheet: FORMULAS,
          row,
          column: 'formula',
          severity: 'warning',
          source: 'formula',
          tag: f?.tag,
          attr: f?.attr,
          category: w.category,
          position: w.column,
          formula: textOf.get(row),
          message: `${f ? `${f.tag}.${f.attr}: ` : ''}${w.category}: ${w.message} (character ${w.column})`,
        });
      }
  }
  for (const r of input.runtime ?? [])
    formulaList.push({
      sheet: FORMULAS,
      row: r.row,
      column: 'formula',
      severity: 'error',
      source: 'runtime',
      tag: r.tag,
      attr: r.attr,
      category: r.category,
      formula: textOf.get(r.row),
      lastValue: r.lastValue ?? null,
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
