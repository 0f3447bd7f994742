/**
 * Helpers shared by the benchmarks (bench/*.bench.ts): their output, loading the code under test, timing and
 * statistics. Nothing here measures anything by itself.
 *
 * Output contract of a bench: stdout carries one JSON line per figure and nothing else,
 * `{ bench, figure, unit, value, ...extra, code }` (`code`, which build of the package was measured, only where
 * the bench names one); progress, notes and failures go to stderr as `[<bench> bench] …`.
 *
 * A seeded PRNG: import `mulberry32` from lib/sim/activity (the simulator's own), not a copy.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The package root. */
export const ROOT = path.resolve(__dirname, '..');

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

export interface Reporter {
  /** The bench's name: `bench` in every figure, `[<bench> bench]` on stderr. */
  readonly bench: string;
  /** A progress line on stderr. */
  log(msg: string): void;
  /** Writes `[<bench> bench] FAILED: <msg>` on stderr, for a bench that has things to undo before it exits. */
  failed(msg: string): void;
  /** `failed(msg)`, then exit with status 1. */
  fail(msg: string): never;
  /** One figure: `{ bench, figure, unit, value, ...extra, code }` on one stdout line (`code` only if given to `reporter`). */
  emit(figure: string, unit: string, value: number, extra?: Record<string, unknown>): void;
}

/** The output of bench `bench`; `code` (which build is measured) is added last to every figure when given. */
export function reporter(bench: string, code?: string): Reporter {
  const failed = (msg: string): void => void process.stderr.write(`[${bench} bench] FAILED: ${msg}\n`);
  return {
    bench,
    log: (msg) => void process.stderr.write(`[${bench} bench] ${msg}\n`),
    failed,
    fail(msg): never {
      failed(msg);
      process.exit(1);
    },
    emit(figure, unit, value, extra = {}) {
      const line = code === undefined ? { bench, figure, unit, value, ...extra } : { bench, figure, unit, value, ...extra, code };
      process.stdout.write(JSON.stringify(line) + '\n');
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The code under test
// ---------------------------------------------------------------------------------------------

/**
 * Which build a bench measures, from MARA_BENCH_SOURCE when it names one of `allowed`, else `tsc`:
 *  - `tsc`: the sources transpiled now by TypeScript's transpileModule with tsconfig.json's options (`transpile`):
 *    the JavaScript `npm run build` puts in dist/, always current, and independent of the rest of the package
 *    compiling (someone may be mid-edit elsewhere);
 *  - `dist`: dist/ as built;
 *  - `ts`: the sources as transformed by tsx. esbuild's output adds costs the shipped code does not have
 *    (`__name` on every inner closure, getter-based re-exports).
 */
export function sourceFromEnv<T extends 'ts' | 'dist'>(allowed: readonly T[]): T | 'tsc' {
  return allowed.find((c) => c === process.env.MARA_BENCH_SOURCE) ?? 'tsc';
}

/** The `.ts` files (not `.d.ts`) in `dir` (relative to ROOT), relative to ROOT; `match` filters by file name. */
export function tsSources(dir: string, opts: { recursive?: boolean; match?: RegExp } = {}): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const r = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (opts.recursive) out.push(...tsSources(r, opts));
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && (!opts.match || opts.match.test(e.name))) out.push(r);
  }
  return out;
}

/**
 * Transpiles `files` (relative to ROOT, e.g. from `tsSources`) with tsconfig.json's compiler options (no source
 * maps, no declarations) into a new temporary directory `mara-<bench>-bench-*`, same layout, removed when the
 * process exits; returns that directory. `linkNodeModules` links the package's node_modules into it, for code
 * that requires a dependency. A diagnostic (syntax error) or an unreadable tsconfig.json fails the bench.
 */
export function transpile(rep: Reporter, files: string[], opts: { linkNodeModules?: boolean } = {}): string {
  const ts: typeof import('typescript') = require('typescript');
  const cfg = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  if (cfg.error) rep.fail(`tsconfig.json: ${ts.flattenDiagnosticMessageText(cfg.error.messageText, '\n')}`);
  const options = ts.convertCompilerOptionsFromJson(cfg.config.compilerOptions ?? {}, ROOT).options;
  Object.assign(options, { sourceMap: false, declaration: false, inlineSourceMap: false });
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `mara-${rep.bench}-bench-`));
  process.on('exit', () => fs.rmSync(out, { recursive: true, force: true }));
  if (opts.linkNodeModules) fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(out, 'node_modules'), 'dir');
  for (const r of withImports(ts, files)) {
    const file = path.join(ROOT, r);
    const res = ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions: options, fileName: file, reportDiagnostics: true });
    if (res.diagnostics?.length) rep.fail(`${r}: ${ts.flattenDiagnosticMessageText(res.diagnostics[0].messageText, '\n')}`);
    fs.mkdirSync(path.join(out, path.dirname(r)), { recursive: true });
    fs.writeFileSync(path.join(out, r.replace(/\.ts$/, '.js')), res.outputText);
  }
  return out;
}

/**
 * `files` and every file they import by relative path, transitively (relative to ROOT): a bench names its entry
 * points, not a list of files that goes stale when a module gains an import.
 */
function withImports(ts: typeof import('typescript'), files: string[]): string[] {
  const seen = new Set<string>();
  const todo = [...files];
  while (todo.length) {
    const r = path.normalize(todo.pop() as string);
    if (seen.has(r)) continue;
    seen.add(r);
    const info = ts.preProcessFile(fs.readFileSync(path.join(ROOT, r), 'utf8'), true, false);
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const base = path.join(path.dirname(r), fileName);
      const hit = [`${base}.ts`, path.join(base, 'index.ts')].find((c) => fs.existsSync(path.join(ROOT, c)));
      if (hit) todo.push(hit);
    }
  }
  return [...seen];
}

// ---------------------------------------------------------------------------------------------
// Timing
// ---------------------------------------------------------------------------------------------

/** A full GC when node runs with --expose-gc (`npm run bench` does), else nothing. */
export const gc: () => void = (globalThis as { gc?: () => void }).gc ?? (() => {});

/** A monotonic clock in ms (process.hrtime). */
export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

let sink = 0;
/** Feeds a result to the sink, so that the work producing it cannot be optimised away. */
export function keep(x: number): void {
  sink += x;
}
/** What the sink holds (print it at the end of a bench). */
export function sinkTotal(): number {
  return sink;
}

/** Operations per call of a timed loop. */
export const BATCH = 256;

/**
 * One timed round: a GC, then `loop(BATCH)` (which returns a number for the sink) again and again until at least
 * `minMs` elapsed; returns operations (loop iterations) per second.
 */
export function timedRound(loop: (n: number) => number, minMs: number): number {
  gc();
  let ops = 0;
  const t0 = nowMs();
  let t: number;
  do {
    sink += loop(BATCH);
    ops += BATCH;
    t = nowMs();
  } while (t - t0 < minMs);
  return (ops * 1000) / (t - t0);
}

/** Three warm-up rounds of 150 ms, then `rounds` timed rounds of at least `roundMs`: operations per second of each. */
export function timedRounds(loop: (n: number) => number, rounds: number, roundMs: number): number[] {
  for (let r = 0; r < 3; r++) timedRound(loop, 150);
  const runs: number[] = [];
  for (let r = 0; r < rounds; r++) runs.push(timedRound(loop, roundMs));
  return runs;
}

// ---------------------------------------------------------------------------------------------
// Statistics (none of them changes its argument)
// ---------------------------------------------------------------------------------------------

/** The median; of an even count, the mean of the two middle values. NaN for none. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The q-quantile (0..1) interpolated linearly between the closest ranks. NaN for none. */
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/** The q-quantile (0..1) by nearest rank: the smallest value with at least q of all values at or below it. NaN for none. */
export function quantileNearestRank(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

export const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
export const mean = (xs: number[]): number => sum(xs) / xs.length;
/** Rounded to 3 decimals. */
export const round3 = (x: number): number => Math.round(x * 1000) / 1000;
