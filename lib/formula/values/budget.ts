/** The work budget of one evaluation (steps, metered sizes) and the size limits of strings, lists and integers. */
import { limitError, overflow } from '../errors';
import { Runtime, V } from './types';

export function step(rt: Runtime): void {
  if (++rt.steps > rt.maxSteps) throw limitError(`evaluation exceeded ${rt.maxSteps} steps`);
}

/*
 * The work meter. Every operation whose cost grows with its data (building, copying, converting or scanning a
 * string or a list) charges that size to the evaluation's step budget, BEFORE doing the work when the size is
 * known, so that the budget bounds the time and the output of a whole evaluation, not only its lambda calls and
 * iterations (a 1 242-character formula of repetitions and str() of lists used to run 26 s and return 5 MB).
 * The conversions deep in this module have no Runtime argument: the evaluation in progress is `meter`, set by
 * `metered()` around each evaluation (evaluations are synchronous; nested ones restore the outer meter).
 */
let meter: Runtime | null = null;

/** One step per this many characters (a step is a lambda call or an item iterated: about the time of copying or scanning 8 characters). */
export const CHARS_PER_STEP = 8;

/** Runs one evaluation with `rt` as the meter of every size-dependent operation. */
export function metered<T>(rt: Runtime, f: () => T): T {
  const outer = meter;
  meter = rt;
  try {
    return f();
  } finally {
    meter = outer;
  }
}

/** Charges `items` list items (or `chars` characters) of work to the evaluation in progress. */
export function charge(items: number, chars = 0): void {
  const rt = meter;
  if (!rt) return;
  rt.steps += items + Math.ceil(chars / CHARS_PER_STEP);
  if (rt.steps > rt.maxSteps)
    throw limitError(`evaluation exceeded ${rt.maxSteps} steps (its strings and lists count: one step per item or ${CHARS_PER_STEP} characters)`);
}

// ------------------------------------------------------------------ limits of sizes

export const MAX_STR = 1_000_000;
export const MAX_LIST = 1_000_000;
export const MAX_BITS = 4096;
export const BIG_LIMIT = 1n << BigInt(MAX_BITS);
export const SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

export function capStr(s: string): string {
  if (s.length > MAX_STR) throw overflow(`result string too long (more than ${MAX_STR} characters)`);
  charge(0, s.length);
  return s;
}

export function capList(l: V[]): V[] {
  if (l.length > MAX_LIST) throw overflow(`result list too long (more than ${MAX_LIST} items)`);
  charge(l.length);
  return l;
}
