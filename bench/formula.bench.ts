/**
 * Formula benchmark: `npm run bench -- formula`.
 *
 * stdout: one JSON line per figure, nothing else. Progress and notes go to stderr.
 *
 * Workload: 10 000 formulas generated (seeded) in the shapes of the real workbooks (spec hmi §4,
 * examples/substation.xlsx; bench/formula-shapes.ts): AI texts, apparent power (RAIZ), the guarded current
 * (id 011), quality fills (SI, SI(O(…))), bar strokes, disconnector strokes, breaker fills (id 048),
 * transformer strokes, DI fills, relay text fills, chained bar → disconnector → transformer → breaker so that
 * the dependency graph is 7 formulas deep. The map-alarm FILTRAR formula (one per station in reality) is left
 * out: it scans every element, so with the generated ~100 stations it alone would be most of a pass.
 *
 *  1. compile(): all 10 000 texts, steady state (ms, and µs per formula) and the process's first run (cold JIT,
 *     what a deploy pays); mathjs's `compile` of the same formulas for scale.
 *  2. Evaluations per second of every formula against one context (the installation's state after a full
 *     pass): ours (compiled closures, `evaluate(ctx)` → EvalResult); the same formulas written by hand as JS
 *     closures over the same context objects (the practical limit); the same formulas compiled by mathjs and
 *     evaluated with a flat scope (`ai_TAG_value`…), the safe general-purpose alternative. The three are
 *     checked to give the same value for every formula (and the engine's stored value) before timing.
 *     Goals: hand/ours <= 3, ours/mathjs >= 10 (hand/mathjs is reported too: the ceiling of ours/mathjs).
 *     Then the same for the text formulas alone (number formatting) and the fill/stroke formulas alone.
 *  3. FormulaEngine: one breaker DI flipped by `update()` (each of the installation's breaker DIs, in a seeded
 *     order, several rounds; each update timed alone; median µs) versus `fullPass()` in the settled state (ms
 *     per pass, rounds of back-to-back passes); and how many formulas one update re-evaluates, counted by
 *     replaying the same updates on a twin engine whose compile() wraps evaluate with a counter. Then the
 *     incremental state is checked against a fresh engine's full pass on the same inputs.
 *
 * Method: warm-up, then timed rounds of at least ROUND_MS each (the three evaluators rotate which goes
 * first), median reported; a GC before every round, never inside one (a pass timed alone right after a GC
 * runs 2-3x slower than in steady state); every result feeds a sink.
 *
 * Code under test (`code` in every figure): default `tsc`, lib/formula transpiled now with tsconfig.json's
 * options by TypeScript into a temporary directory (the JavaScript `npm run build` puts in dist/lib/formula);
 * MARA_BENCH_SOURCE=dist: the built dist/lib/formula; MARA_BENCH_SOURCE=ts: tsx's output (slower, see
 * codec.bench.ts); MARA_BENCH_LIB=<a compiled lib directory holding formula/>: another build.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { all, create } from 'mathjs';
import type * as FormulaLib from '../lib/formula';
import type * as EngineLib from '../lib/formula/engine';
import type { CompiledFormula, FormulaContext } from '../lib/formula/types';
import { MATHJS_FUNCTIONS, generate, mulberry32 } from './formula-shapes';
import type { GenFormula, HandCtx, HandFn, Installation } from './formula-shapes';

const ROOT = path.resolve(__dirname, '..');
const CODE = process.env.MARA_BENCH_LIB
  ? path.resolve(process.env.MARA_BENCH_LIB)
  : ((['dist', 'ts'] as const).find((c) => c === process.env.MARA_BENCH_SOURCE) ?? 'tsc');

const BENCH = 'formula';
const N_FORMULAS = 10_000;
const SEED = 0x464f524d; // "FORM"
const ROUND_MS = 400;
const EVAL_ROUNDS = 7; // per evaluator
const COMPILE_ROUNDS = 7;
const SUBSET_ROUNDS = 5;
const SUBSET_ROUND_MS = 300;
const FULLPASS_ROUNDS = 7;
const UPDATE_ROUNDS = 4; // times every breaker DI is flipped (after one warm-up round)
const MIN_DEPTH = 4;

const gc: () => void = (globalThis as { gc?: () => void }).gc ?? (() => {});
const log = (msg: string) => process.stderr.write(`[formula bench] ${msg}\n`);
let sink = 0;

function fail(msg: string): never {
  process.stderr.write(`[formula bench] FAILED: ${msg}\n`);
  process.exit(1);
}

function emit(figure: string, unit: string, value: number, extra: Record<string, unknown> = {}): void {
  process.stdout.write(JSON.stringify({ bench: BENCH, figure, unit, value, ...extra, code: CODE }) + '\n');
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const round3 = (x: number) => Math.round(x * 1000) / 1000;
const round2 = (x: number) => Math.round(x * 100) / 100;
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

// ---------------------------------------------------------------------------------------------
// The code under test
// ---------------------------------------------------------------------------------------------

type Lib = { compile: typeof FormulaLib.compile; FormulaEngine: typeof EngineLib.FormulaEngine };

/** lib/formula transpiled with tsconfig.json's options (only it: the rest of lib may be mid-edit). */
function transpileFormula(): string {
  const ts: typeof import('typescript') = require('typescript');
  const cfg = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  if (cfg.error) fail(`tsconfig.json: ${ts.flattenDiagnosticMessageText(cfg.error.messageText, '\n')}`);
  const options = ts.convertCompilerOptionsFromJson(cfg.config.compilerOptions ?? {}, ROOT).options;
  Object.assign(options, { sourceMap: false, declaration: false, inlineSourceMap: false });
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'mara-formula-bench-'));
  process.on('exit', () => fs.rmSync(out, { recursive: true, force: true }));
  const dir = path.join('lib', 'formula');
  // lib/formula and the one module outside it that it needs at run time (lib/preview.ts; the rest are types)
  const files = [
    ...fs
      .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
      .map((f) => path.join(dir, f)),
    path.join('lib', 'preview.ts'),
  ];
  for (const rel of files) {
    const file = path.join(ROOT, rel);
    const res = ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions: options, fileName: file, reportDiagnostics: true });
    if (res.diagnostics?.length) fail(`${rel}: ${ts.flattenDiagnosticMessageText(res.diagnostics[0].messageText, '\n')}`);
    fs.mkdirSync(path.join(out, path.dirname(rel)), { recursive: true });
    fs.writeFileSync(path.join(out, rel.replace(/\.ts$/, '.js')), res.outputText);
  }
  return path.join(out, dir);
}

function loadLib(): Lib {
  let dir: string;
  if (CODE === 'ts') dir = path.join(ROOT, 'lib', 'formula');
  else if (CODE === 'tsc') dir = transpileFormula();
  else if (CODE === 'dist') {
    if (!fs.existsSync(path.join(ROOT, 'dist', '.build-stamp'))) fail('dist/ is not built (or its last build failed): run `npm run build`');
    dir = path.join(ROOT, 'dist', 'lib', 'formula');
  } else dir = path.join(CODE, 'formula');
  const lang = require(dir) as typeof FormulaLib;
  const engine = require(path.join(dir, 'engine')) as typeof EngineLib;
  return { compile: lang.compile, FormulaEngine: engine.FormulaEngine };
}

// ---------------------------------------------------------------------------------------------
// Installation, engine, the three evaluators
// ---------------------------------------------------------------------------------------------

type Engine = EngineLib.FormulaEngine;

function loadEngine(lib: Lib, inst: Installation, compileFn: EngineLib.CompileFn, diState?: Record<string, { value?: number }>): Engine {
  const e = new lib.FormulaEngine({ compile: compileFn, dialect: 'txscada' });
  const problems = e.load({
    points: inst.points,
    elements: inst.elements,
    formulas: inst.formulas.map(({ tag, attr, text, row }) => ({ tag, attr, text, row })),
  });
  if (problems.length) fail(`engine.load reported ${problems.length} problems, first: ${JSON.stringify(problems[0])}`);
  for (const v of inst.values) {
    if (diState && v.table === 'di') e.setPoint({ ...v, value: diState[v.tag].value });
    else e.setPoint(v);
  }
  e.fullPass();
  const errs = e.errors();
  if (errs.length) fail(`${errs.length} formulas fail after a full pass, first: ${JSON.stringify(errs[0])}`);
  return e;
}

/** Longest chain of formulas (a formula reading an element attribute another formula writes). */
function graphDepth(formulas: GenFormula[]): number {
  const byOut = new Map<string, number>();
  formulas.forEach((f, i) => byOut.set(`${f.tag}.${f.attr}`, i));
  const deps = formulas.map((f) =>
    [...f.text.matchAll(/eg\.([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)/g)].map((m) => byOut.get(`${m[1]}.${m[2]}`)).filter((i): i is number => i !== undefined),
  );
  const depth = new Array<number>(formulas.length).fill(0);
  const visit = (i: number, stack: Set<number>): number => {
    if (depth[i]) return depth[i];
    if (stack.has(i)) fail(`dependency cycle through ${formulas[i].tag}.${formulas[i].attr}`);
    stack.add(i);
    let d = 1;
    for (const j of deps[i]) if (j !== i) d = Math.max(d, 1 + visit(j, stack));
    stack.delete(i);
    return (depth[i] = d);
  };
  let max = 0;
  for (let i = 0; i < formulas.length; i++) max = Math.max(max, visit(i, new Set()));
  return max;
}

type MathScope = Record<string, unknown>;

function flatScope(ctx: HandCtx): MathScope {
  const s: MathScope = {}; // a plain object: mathjs's createMap refuses null-prototype objects
  for (const [tag, r] of Object.entries(ctx.ai)) {
    s[`ai_${tag}_value`] = r.value;
    s[`ai_${tag}_escala`] = r.escala;
    s[`ai_${tag}_q`] = r.q;
  }
  for (const [tag, r] of Object.entries(ctx.di)) s[`di_${tag}_value`] = r.value;
  for (const [tag, r] of Object.entries(ctx.eg)) {
    s[`eg_${tag}_text`] = r.text;
    s[`eg_${tag}_fill`] = r.fill;
    s[`eg_${tag}_stroke`] = r.stroke;
    s[`eg_${tag}_mark`] = r.mark;
  }
  return s;
}

interface MathCompiled {
  evaluate(scope?: MathScope): unknown;
}

function checkAgree(inst: Installation, ours: CompiledFormula[], hand: HandFn[], mjs: MathCompiled[], ctx: HandCtx, scope: MathScope): Record<string, number> {
  const shapes: Record<string, number> = {};
  for (let i = 0; i < inst.formulas.length; i++) {
    const f = inst.formulas[i];
    const r = ours[i].evaluate(ctx as FormulaContext);
    if (!r.ok) fail(`ours: ${f.text} failed: ${r.error} ${r.message}`);
    let h: unknown;
    let m: unknown;
    try {
      h = hand[i](ctx);
    } catch (e) {
      fail(`hand-written ${f.shape} for ${f.text} threw ${(e as Error).message}`);
    }
    try {
      m = mjs[i].evaluate(scope);
    } catch (e) {
      fail(`mathjs ${f.mathjs} threw ${(e as Error).message}`);
    }
    const stored = ctx.eg[f.tag][f.attr];
    if (r.value !== h || r.value !== m || r.value !== stored) {
      fail(
        `${f.tag}.${f.attr} = ${f.text}: ours ${JSON.stringify(r.value)} (${r.type}), hand ${JSON.stringify(h)}, mathjs ${JSON.stringify(m)}, engine ${JSON.stringify(stored)}`,
      );
    }
    shapes[f.shape] = (shapes[f.shape] ?? 0) + 1;
  }
  return shapes;
}

// ---------------------------------------------------------------------------------------------
// Timing helpers
// ---------------------------------------------------------------------------------------------

/** Runs `pass()` (one evaluation of every formula) until at least `minMs` elapsed; returns evaluations/s. */
function timedRound(pass: () => number, perPass: number, minMs: number): number {
  gc();
  let n = 0;
  const t0 = nowMs();
  let t: number;
  do {
    sink += pass();
    n += perPass;
    t = nowMs();
  } while (t - t0 < minMs);
  return (n * 1000) / (t - t0);
}

// Separate loops per evaluator, so that no call site is shared between them.
function passOurs(fs: CompiledFormula[], ctx: FormulaContext): () => number {
  return () => {
    let s = 0;
    for (let i = 0; i < fs.length; i++) if (fs[i].evaluate(ctx).ok) s++;
    return s;
  };
}
function passHand(hs: HandFn[], ctx: HandCtx): () => number {
  return () => {
    let s = 0;
    for (let i = 0; i < hs.length; i++) {
      try {
        if (hs[i](ctx) !== undefined) s++;
      } catch {
        /* an error keeps the previous value, as ours does */
      }
    }
    return s;
  };
}
function passMath(ms: MathCompiled[], scope: MathScope): () => number {
  return () => {
    let s = 0;
    for (let i = 0; i < ms.length; i++) {
      try {
        if (ms[i].evaluate(scope) !== undefined) s++;
      } catch {
        /* idem */
      }
    }
    return s;
  };
}

function medianOfRounds(label: string, fn: () => number, rounds: number, warm: number): { med: number; runs: number[] } {
  for (let r = 0; r < warm; r++) fn();
  const runs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    gc();
    runs.push(fn());
  }
  log(`${label}: ${runs.map((x) => x.toFixed(2)).join(' ')}`);
  return { med: median(runs), runs };
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

function main(): void {
  const t0 = nowMs();
  const lib = loadLib();
  const inst = generate(N_FORMULAS, SEED);
  const nAi = inst.points.filter((p) => p.table === 'ai').length;
  const nDi = inst.points.length - nAi;
  const depth = graphDepth(inst.formulas);
  if (depth < MIN_DEPTH) fail(`the generated graph is only ${depth} deep`);
  const shape = { formulas: N_FORMULAS, stations: inst.stations, ai: nAi, di: nDi, elements: inst.elements.length, depth };
  log(`installation: ${JSON.stringify(shape)}`);
  const texts = inst.formulas.map((f) => f.text);

  // ---------------------------------------------------------------- 1. compile
  const compileAll = () => {
    const t = nowMs();
    for (let i = 0; i < texts.length; i++) sink += lib.compile(texts[i], { dialect: 'txscada' }).references.length;
    return nowMs() - t;
  };
  const cold = compileAll(); // the first compile of the process: what a deploy pays (cold JIT)
  const compileRound = (fn: () => number) => () => {
    let n = 0;
    let ms = 0;
    do {
      ms += fn();
      n++;
    } while (ms < ROUND_MS);
    return ms / n;
  };
  const comp = medianOfRounds('compile 10000 ms (per round)', compileRound(compileAll), COMPILE_ROUNDS, 2);
  emit('compile', 'ms', round3(comp.med), {
    n: COMPILE_ROUNDS,
    formulas: N_FORMULAS,
    min: round3(Math.min(...comp.runs)),
    max: round3(Math.max(...comp.runs)),
  });
  emit('compile per formula', 'µs', round3((comp.med * 1000) / N_FORMULAS), { n: COMPILE_ROUNDS, formulas: N_FORMULAS });
  emit('compile, first run (cold)', 'ms', round3(cold), { n: 1, formulas: N_FORMULAS });

  const math = create(all);
  math.import(MATHJS_FUNCTIONS, { override: true });
  const mathjsCompileAll = () => {
    const t = nowMs();
    for (const f of inst.formulas) sink += math.compile(f.mathjs) ? 1 : 0;
    return nowMs() - t;
  };
  const mcomp = medianOfRounds('mathjs compile 10000 ms (per round)', compileRound(mathjsCompileAll), COMPILE_ROUNDS, 1);
  emit('mathjs compile', 'ms', round3(mcomp.med), { n: COMPILE_ROUNDS, formulas: N_FORMULAS });

  // ---------------------------------------------------------------- 2. evaluations per second
  const engine = loadEngine(lib, inst, lib.compile);
  const ctx = engine.context as unknown as HandCtx;
  const scope = flatScope(ctx);
  const ours = texts.map((t) => lib.compile(t, { dialect: 'txscada' }));
  const hand = inst.formulas.map((f) => f.hand);
  const mjs = inst.formulas.map((f) => math.compile(f.mathjs) as MathCompiled);
  const shapes = checkAgree(inst, ours, hand, mjs, ctx, scope);
  log(`ours, hand-written and mathjs agree on all ${N_FORMULAS} formulas (and with the engine's state); shapes ${JSON.stringify(shapes)}`);

  const evaluators = (idx: number[]) => {
    const pick = <T>(xs: T[]) => idx.map((i) => xs[i]);
    return [
      { name: 'ours', pass: passOurs(pick(ours), ctx as FormulaContext), runs: [] as number[] },
      { name: 'hand-written JS', pass: passHand(pick(hand), ctx), runs: [] as number[] },
      { name: 'mathjs', pass: passMath(pick(mjs), scope), runs: [] as number[] },
    ];
  };
  const measure = (evs: ReturnType<typeof evaluators>, per: number, rounds: number, roundMs: number) => {
    for (let r = 0; r < 3; r++) for (const e of evs) timedRound(e.pass, per, 150);
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < evs.length; k++) {
        const e = evs[(r + k) % evs.length]; // which evaluator goes first rotates
        e.runs.push(timedRound(e.pass, per, roundMs));
      }
    }
    const med: Record<string, number> = {};
    for (const e of evs) med[e.name] = median(e.runs);
    return med;
  };
  const allIdx = inst.formulas.map((_, i) => i);
  const evs = evaluators(allIdx);
  const med = measure(evs, N_FORMULAS, EVAL_ROUNDS, ROUND_MS);
  for (const e of evs) {
    log(`${e.name} evaluations/s per round: ${e.runs.map((x) => Math.round(x)).join(' ')}`);
    emit(`evaluate ${e.name}`, 'evaluations/s', Math.round(med[e.name]), {
      n: EVAL_ROUNDS,
      formulas: N_FORMULAS,
      nsPerEvaluation: round2(1e9 / med[e.name]),
      min: Math.round(Math.min(...e.runs)),
      max: Math.round(Math.max(...e.runs)),
    });
  }
  const handOverOurs = med['hand-written JS'] / med.ours;
  const oursOverMath = med.ours / med.mathjs;
  emit('hand-written/ours', 'ratio', round2(handOverOurs), { n: EVAL_ROUNDS, goal: '<= 3', met: handOverOurs <= 3 });
  emit('ours/mathjs', 'ratio', round2(oursOverMath), { n: EVAL_ROUNDS, goal: '>= 10', met: oursOverMath >= 10 });
  // the ceiling of ours/mathjs for any evaluator as fast as the hand-written closures
  emit('hand-written/mathjs', 'ratio', round2(med['hand-written JS'] / med.mathjs), { n: EVAL_ROUNDS });

  // the same by kind of result: texts (number formatting: str of a float) and colours (fill/stroke)
  for (const [kind, pred] of [
    ['text', (f: GenFormula) => f.attr === 'text'],
    ['fill/stroke', (f: GenFormula) => f.attr !== 'text'],
  ] as const) {
    const idx = allIdx.filter((i) => pred(inst.formulas[i]));
    const sub = evaluators(idx);
    const m = measure(sub, idx.length, SUBSET_ROUNDS, SUBSET_ROUND_MS);
    for (const e of sub) {
      emit(`evaluate ${e.name} (${kind})`, 'evaluations/s', Math.round(m[e.name]), {
        n: SUBSET_ROUNDS,
        formulas: idx.length,
        nsPerEvaluation: round2(1e9 / m[e.name]),
        min: Math.round(Math.min(...e.runs)),
        max: Math.round(Math.max(...e.runs)),
        ...(e.name === 'ours' ? { handOverOurs: round2(m['hand-written JS'] / m.ours), oursOverMathjs: round2(m.ours / m.mathjs) } : {}),
      });
    }
    log(`${kind} (${idx.length} formulas): hand/ours ${(m['hand-written JS'] / m.ours).toFixed(2)}, ours/mathjs ${(m.ours / m.mathjs).toFixed(2)}`);
  }

  // ---------------------------------------------------------------- 3. propagation vs full pass
  // Rounds of back-to-back passes (ms per pass = round time / passes): a lone pass right after gc() is
  // 2-3x slower than in steady state (the young generation starts small again), so it is not timed alone.
  const fullRound = (minMs: number) => {
    gc();
    let passes = 0;
    const t = nowMs();
    let el: number;
    do {
      const ch = engine.fullPass();
      if (ch.length) fail(`a full pass in the settled state changed ${ch.length} elements`);
      passes++;
      el = nowMs() - t;
    } while (el < minMs);
    return el / passes;
  };
  for (let r = 0; r < 3; r++) fullRound(300);
  const fullRuns: number[] = [];
  for (let r = 0; r < FULLPASS_ROUNDS; r++) fullRuns.push(fullRound(ROUND_MS));
  log(`fullPass ms per pass per round: ${fullRuns.map((x) => x.toFixed(2)).join(' ')}`);
  const full = { med: median(fullRuns), runs: fullRuns };

  const rnd = mulberry32(SEED ^ 0x5a5a);
  const dis = [...inst.breakerDIs];
  const seq: { tag: string; value: number; changes: number; us: number; warm: boolean }[] = [];
  for (let round = 0; round <= UPDATE_ROUNDS; round++) {
    for (let i = dis.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [dis[i], dis[j]] = [dis[j], dis[i]];
    }
    gc();
    for (const tag of dis) {
      const value = 1 - (ctx.di[tag].value as number);
      const p = [{ table: 'di' as const, tag, value }];
      const a = process.hrtime.bigint();
      const ch = engine.update(p);
      const b = process.hrtime.bigint();
      seq.push({ tag, value, changes: ch.length, us: Number(b - a) / 1000, warm: round === 0 });
    }
  }
  // A twin engine counting evaluations (made only now, so that the timed engine's call sites never saw it)
  let evals = 0;
  const counting: EngineLib.CompileFn = (text, opts) => {
    const f = lib.compile(text, opts);
    return { text: f.text, dialect: f.dialect, references: f.references, evaluate: (c) => (evals++, f.evaluate(c)) };
  };
  const twin = loadEngine(lib, inst, counting);
  evals = 0;
  if (twin.fullPass().length) fail('a second full pass changed elements');
  if (evals !== N_FORMULAS) fail(`a full pass evaluated ${evals} formulas, expected ${N_FORMULAS}`);

  // the same sequence on the counting twin: formulas re-evaluated per update
  const us: number[] = [];
  const count: number[] = [];
  const changes: number[] = [];
  for (const u of seq) {
    evals = 0;
    const ch = twin.update([{ table: 'di', tag: u.tag, value: u.value }]);
    if (ch.length !== u.changes) fail(`the counting twin saw ${ch.length} changes for ${u.tag}, the engine ${u.changes}`);
    if (u.warm) continue; // warm-up round
    us.push(u.us);
    count.push(evals);
    changes.push(u.changes);
  }
  // incremental == full pass: a fresh engine on the same inputs
  const fresh = loadEngine(lib, inst, lib.compile, ctx.di);
  const a = JSON.stringify(engine.elements());
  if (a !== JSON.stringify(fresh.elements()) || a !== JSON.stringify(twin.elements()))
    fail('after the updates, the incremental state differs from a fresh full pass');
  const updMed = median(us);
  const cascading = us.filter((_, i) => count[i] > 2);
  log(
    `update µs: median ${updMed.toFixed(2)}, mean ${mean(us).toFixed(2)}, p90 ${quantile(us, 0.9).toFixed(2)}, max ${Math.max(...us).toFixed(1)}; formulas re-evaluated: median ${median(count)}, mean ${mean(count).toFixed(2)}, max ${Math.max(...count)}`,
  );
  emit('fullPass', 'ms', round3(full.med), {
    n: FULLPASS_ROUNDS,
    evaluated: N_FORMULAS,
    min: round3(Math.min(...full.runs)),
    max: round3(Math.max(...full.runs)),
    ...shape,
  });
  emit('update one breaker DI', 'µs', round3(updMed), {
    n: us.length,
    breakerDIs: dis.length,
    mean: round3(mean(us)),
    p90: round3(quantile(us, 0.9)),
    evaluatedMedian: median(count),
    evaluatedMean: round2(mean(count)),
    evaluatedMax: Math.max(...count),
    changesMedian: median(changes),
    cascadingShare: round3(cascading.length / us.length),
    cascadingMedianUs: cascading.length ? round3(median(cascading)) : null,
    depth,
  });
  emit('formulas re-evaluated per update', 'formulas', round2(mean(count)), {
    n: count.length,
    median: median(count),
    max: Math.max(...count),
    fullPass: N_FORMULAS,
  });
  emit('fullPass/update', 'ratio', Math.round((full.med * 1000) / updMed), { formulas: N_FORMULAS, evaluatedPerUpdate: round2(mean(count)) });

  log(`done in ${((nowMs() - t0) / 1000).toFixed(1)} s (sink ${sink})`);
}

main();
