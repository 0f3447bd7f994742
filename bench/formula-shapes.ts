/**
 * Seeded generator of a formula installation shaped like the real ones (spec hmi §4, examples/substation.xlsx),
 * for bench/formula.bench.ts. Not a bench itself (no `.bench.ts` suffix).
 *
 * Every station (tag scheme of spec §1.1: site(2) level(1) class(3) bay(2)) has a 33 kV level ('2') and a
 * 13.2 kV level ('1'), each with a voltage AI and a bar; 1-2 transformers linking the levels; 0-2 lines on the
 * 33 kV bar, 4-8 feeders on the 13.2 kV bar, and station-wide alarms. The chain of the example workbook
 * gives the graph its depth: 33 kV voltage text → 33 kV bar stroke → 33 kV disconnector stroke → HV
 * transformer stroke → LV transformer stroke → 13.2 kV disconnector stroke → 13.2 kV breaker fill (7 levels);
 * feeders: voltage text → bar → disconnector → breaker fill / lower disconnector (4 levels).
 *
 * Each formula comes in three equivalent forms:
 *  - `text`: the txscada formula, as in the workbooks;
 *  - `hand`: what a programmer would write by hand in JavaScript for that shape: one closure per formula over
 *    its tags, reading the same context objects ({ai, di, eg} keyed by tag), with the semantics that matter
 *    for these inputs (Python int()/float() of texts with their errors, Python str() of a float, eager SI:
 *    both branches computed before the choice, division by zero an error);
 *  - `mathjs`: the same formula in mathjs syntax over a flat scope (`ai_TAG_value`, `eg_TAG_text`…), with the
 *    sheet functions SI, O, int, float, str imported into mathjs (MATHJS_FUNCTIONS) and mathjs's own `sqrt`,
 *    `*`, `/`, `>`, `==`. mathjs has one number type, so `str` formats a float; the int-or-float branch of the
 *    current formula (id 011) is translated as `SI(v, str(x), "0")`.
 *  FILTRAR map-alarm formulas are not generated (see formula.bench.ts).
 */

export interface AiRec {
  value: number;
  escala: number;
  q: number;
}
export interface DiRec {
  value: number;
}
export interface EgRec {
  text: string;
  fill: number | null;
  stroke: number | null;
  mark: number | null;
}
export interface HandCtx {
  ai: Record<string, AiRec>;
  di: Record<string, DiRec>;
  eg: Record<string, EgRec>;
}
export type HandFn = (ctx: HandCtx) => string | number | null;

export interface GenFormula {
  tag: string;
  attr: 'text' | 'fill' | 'stroke';
  text: string;
  row: number;
  shape: Shape;
  hand: HandFn;
  mathjs: string;
}

export type Shape =
  | 'ai-text'
  | 'ai-quality-fill'
  | 'apparent-power-text'
  | 'apparent-power-fill-O'
  | 'current-guard-text'
  | 'bar-stroke'
  | 'disconnector-stroke'
  | 'lower-disconnector-stroke'
  | 'breaker-fill'
  | 'transformer-hv-stroke'
  | 'transformer-lv-stroke'
  | 'di-fill'
  | 'text-int-fill';

export interface Installation {
  points: { tag: string; table: 'ai' | 'di'; escala?: number }[];
  /** Initial point values (DI value; AI value and q). */
  values: ({ table: 'ai'; tag: string; value: number; q: number } | { table: 'di'; tag: string; value: number })[];
  elements: { tag: string; text: string; fill: null; stroke: null; mark: null }[];
  formulas: GenFormula[];
  /** DIs of breakers (class 52B) read by the formulas. */
  breakerDIs: string[];
  stations: number;
}

// ------------------------------------------------------------------ a hand-written runtime

/** Python 2 str() of a float (spec §2.7) as one would write it: 12 significant digits (no half-even tie fix-up). */
export function fstr(x: number): string {
  if (x === 0) return 1 / x < 0 ? '-0.0' : '0.0';
  if (x !== x) return 'nan';
  if (!isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const a = Math.abs(x);
  if (a >= 1e-4 && a < 99999999999.95) {
    const s = x.toPrecision(12); // fixed notation in this range
    if (s.indexOf('.') < 0) return s + '.0';
    let end = s.length;
    while (s.charCodeAt(end - 1) === 48) end--;
    if (s.charCodeAt(end - 1) === 46) end++; // keep one zero after the point
    return s.slice(0, end);
  }
  // exponent form: d[.ddd]e±XX, trailing zeros stripped, at least two exponent digits
  const s = x.toExponential(11);
  const e = s.indexOf('e');
  let m = s.slice(0, e);
  let end = m.length;
  while (m.charCodeAt(end - 1) === 48) end--;
  if (m.charCodeAt(end - 1) === 46) end--;
  m = m.slice(0, end);
  const ex = Number(s.slice(e + 1));
  const ax = Math.abs(ex);
  return `${m}e${ex < 0 ? '-' : '+'}${ax < 10 ? '0' : ''}${ax}`;
}

/** Python int() of an element text: optional whitespace and sign, decimal digits only. */
export function pint(s: string | number): number {
  if (typeof s === 'number') return Math.trunc(s);
  let i = 0;
  let n = s.length;
  while (i < n && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
  while (n > i && (s.charCodeAt(n - 1) === 32 || s.charCodeAt(n - 1) === 9)) n--;
  let neg = false;
  if (i < n && (s.charCodeAt(i) === 45 || s.charCodeAt(i) === 43)) neg = s.charCodeAt(i++) === 45;
  if (i === n) throw new Error(`ValueError: invalid literal for int() with base 10: '${s}'`);
  let v = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) throw new Error(`ValueError: invalid literal for int() with base 10: '${s}'`);
    v = v * 10 + c;
  }
  return neg ? -v : v;
}

/** Python float() of an element text: decimal or exponent notation (not empty, no comma), inf, nan. */
export function pfloat(s: string | number): number {
  if (typeof s === 'number') return s;
  const v = Number(s);
  if (v === v && s.trim() !== '') return v;
  const t = s.trim().toLowerCase();
  if (t === 'nan' || t === '+nan' || t === '-nan') return NaN;
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  throw new Error(`ValueError: could not convert string to float: ${s}`);
}

function div(a: number, b: number): number {
  if (b === 0) throw new Error('ZeroDivisionError: float division by zero');
  return a / b;
}

/** Python truthiness for the values these formulas see (numbers, strings, null). */
const truthy = (v: unknown): boolean => !!v && v === v;

/** The sheet functions as imported into mathjs (same semantics as the hand-written runtime). */
export const MATHJS_FUNCTIONS = {
  SI: (c: unknown, a: unknown, b: unknown) => (truthy(c) ? a : b),
  O: (...xs: unknown[]) => {
    for (const x of xs) if (truthy(x)) return x;
    return null;
  },
  int: (s: string | number) => pint(s),
  float: (s: string | number) => pfloat(s),
  str: (x: unknown) => (typeof x === 'number' ? fstr(x) : typeof x === 'string' ? x : x === null ? 'None' : String(x)),
};

// ------------------------------------------------------------------ shapes

const mj = (table: string, tag: string, attr: string) => `${table}_${tag}_${attr}`;

/** `str(ai.T.value*ai.T.escala)` (id 001). */
function aiText(T: string): Omit<GenFormula, 'tag' | 'attr' | 'row'> {
  return {
    shape: 'ai-text',
    text: `str(ai.${T}.value*ai.${T}.escala)`,
    hand: (ctx) => {
      const r = ctx.ai[T];
      return fstr(r.value * r.escala);
    },
    mathjs: `str(${mj('ai', T, 'value')} * ${mj('ai', T, 'escala')})`,
  };
}

/** `SI(ai.T.q,6,10)` (id 019). */
function aiFill(T: string): Omit<GenFormula, 'tag' | 'attr' | 'row'> {
  return {
    shape: 'ai-quality-fill',
    text: `SI(ai.${T}.q,6,10)`,
    hand: (ctx) => (ctx.ai[T].q ? 6 : 10),
    mathjs: `SI(${mj('ai', T, 'q')}, 6, 10)`,
  };
}

/** `str(RAIZ(PA*PA+PR*PR)*PA.escala)` (id 006). */
function apparentText(P: string, R: string): Omit<GenFormula, 'tag' | 'attr' | 'row'> {
  return {
    shape: 'apparent-power-text',
    text: `str(RAIZ(ai.${P}.value*ai.${P}.value+ai.${R}.value*ai.${R}.value)*ai.${P}.escala)`,
    hand: (ctx) => {
      const p = ctx.ai[P].value;
      const r = ctx.ai[R].value;
      return fstr(Math.sqrt(p * p + r * r) * ctx.ai[P].escala);
    },
    mathjs: `str(sqrt(${mj('ai', P, 'value')} * ${mj('ai', P, 'value')} + ${mj('ai', R, 'value')} * ${mj('ai', R, 'value')}) * ${mj('ai', P, 'escala')})`,
  };
}

/** `SI(O(ai.PR.q,ai.PA.q),6,10)` (id 022). */
function apparentFill(P: string, R: string): Omit<GenFormula, 'tag' | 'attr' | 'row'> {
  return {
    shape: 'apparent-power-fill-O',
    text: `SI(O(ai.${R}.q,ai.${P}.q),6,10)`,
    hand: (ctx) => (ctx.ai[R].q || ctx.ai[P].q ? 6 : 10),
    mathjs: `SI(O(${mj('ai', R, 'q')}, ${mj('ai', P, 'q')}), 6, 10)`,
  };
}

/** `str(si(VV.value,float(eg.SS.text)*PA.escala/((VV.value or 1)*1.73*VV.escala),0))` (id 011). */
function currentText(V: string, S: string, P: string): Omit<GenFormula, 'tag' | 'attr' | 'row'> {
  return {
    shape: 'current-guard-text',
    text: `str(si(ai.${V}.value,float(eg.${S}.text)*ai.${P}.escala/((ai.${V}.value or 1)*1.73*ai.${V}.escala),0))`,
    hand: (ctx) => {
      const vv = ctx.ai[V];
      const v = vv.value;
      const x = div(pfloat(ctx.eg[S].text) * ctx.ai[P].escala, (v || 1) * 1.73 * vv.escala); // both branches first
      return v ? fstr(x) : '0';
    },
    mathjs: `SI(${mj('ai', V, 'value')}, str(float(${mj('eg', S, 'text')}) * ${mj('ai', P, 'escala')} / (O(${mj('ai', V, 'value')}, 1) * 1.73 * ${mj('ai', V, 'escala')})), "0")`,
  };
}

/** `SI(float(eg.V.text)>0.1,c,3)` (id 033). */
function barStroke(V: string, c: number): Omit<GenFormula, 'tag' | 'attr' | 'row'> {
  return {
    shape: 'bar-stroke',
    text: `SI(float(eg.${V}.text)>0.1,${c},3)`,
    hand: (ctx) => (pfloat(ctx.eg[V].text) > 0.1 ? c : 3),
    mathjs: `SI(float(${mj('eg', V, 'text')}) > 0.1, ${c}, 3)`,
  };
}

/** `SI(int(eg.S.text),eg.B.stroke,12)` (id 040). */
function discStroke(S: string, B: string): Omit<GenFormula, 'tag' | 'attr' | 'row'> {
  return {
    shape: 'disconnector-stroke',
    text: `SI(int(eg.${S}.text),eg.${B}.stroke,12)`,
    hand: (ctx) => {
      const c = pint(ctx.eg[S].text);
      const a = ctx.eg[B].stroke;
      return c ? a : 12;
    },
    mathjs: `SI(int(${mj('eg', S, 'text')}), ${mj('eg', B, 'stroke')}, 12)`,
  };
}

/** `SI(di.B.value,si(int(eg.I.text),eg.S.stroke,12),12)` (examples/substation.xlsx, 89I). */
function lowerDiscStroke(B: string, I: string, S: string): Omit<GenFormula, 'tag' | 'attr' | 'row'> {
  return {
    shape: 'lower-disconnector-stroke',
    text: `SI(di.${B}.value,si(int(eg.${I}.text),eg.${S}.stroke,12),12)`,
    hand: (ctx) => {
      const d = ctx.di[B].value;
      const a = pint(ctx.eg[I].text) ? ctx.eg[S].stroke : 12;
      return d ? a : 12;
    },
    mathjs: `SI(${mj('di', B, 'value')}, SI(int(${mj('eg', I, 'text')}), ${mj('eg', S, 'stroke')}, 12), 12)`,
  };
}

/** `SI(di.B.value,si(int(eg.S.text),eg.S.stroke,12),si(int(eg.B.text),6,10))` (id 048). */
function breakerFill(B: string, S: string): Omit<GenFormula, 'tag' | 'attr' | 'row'> {
  return {
    shape: 'breaker-fill',
    text: `SI(di.${B}.value,si(int(eg.${S}.text),eg.${S}.stroke,12),si(int(eg.${B}.text),6,10))`,
    hand: (ctx) => {
      const d = ctx.di[B].value;
      const s = ctx.eg[S];
      const closed = pint(s.text) ? s.stroke : 12;
      const open = pint(ctx.eg[B].text) ? 6 : 10;
      return d ? closed : open;
    },
    mathjs: `SI(${mj('di', B, 'value')}, SI(int(${mj('eg', S, 'text')}), ${mj('eg', S, 'stroke')}, 12), SI(int(${mj('eg', B, 'text')}), 6, 10))`,
  };
}

/** `SI(di.B.value,eg.S.stroke,12)` (examples/substation.xlsx, transformer HV side). */
function trafoHv(B: string, S: string): Omit<GenFormula, 'tag' | 'attr' | 'row'> {
  return {
    shape: 'transformer-hv-stroke',
    text: `SI(di.${B}.value,eg.${S}.stroke,12)`,
    hand: (ctx) => (ctx.di[B].value ? ctx.eg[S].stroke : 12),
    mathjs: `SI(${mj('di', B, 'value')}, ${mj('eg', S, 'stroke')}, 12)`,
  };
}

/** `SI(eg.T.stroke=2,1,12)` (id 057). */
function trafoLv(T: string): Omit<GenFormula, 'tag' | 'attr' | 'row'> {
  return {
    shape: 'transformer-lv-stroke',
    text: `SI(eg.${T}.stroke=2,1,12)`,
    hand: (ctx) => (ctx.eg[T].stroke === 2 ? 1 : 12),
    mathjs: `SI(${mj('eg', T, 'stroke')} == 2, 1, 12)`,
  };
}

/** `SI(di.T.value,a,b)` (id 026). */
function diFill(T: string, a: number, b: number): Omit<GenFormula, 'tag' | 'attr' | 'row'> {
  return {
    shape: 'di-fill',
    text: `SI(di.${T}.value,${a},${b})`,
    hand: (ctx) => (ctx.di[T].value ? a : b),
    mathjs: `SI(${mj('di', T, 'value')}, ${a}, ${b})`,
  };
}

/** `SI(int(eg.T.text),6,3)` (id 035: relay alarm texts written by the event hooks). */
function textIntFill(T: string): Omit<GenFormula, 'tag' | 'attr' | 'row'> {
  return {
    shape: 'text-int-fill',
    text: `SI(int(eg.${T}.text),6,3)`,
    hand: (ctx) => (pint(ctx.eg[T].text) ? 6 : 3),
    mathjs: `SI(int(${mj('eg', T, 'text')}), 6, 3)`,
  };
}

// ------------------------------------------------------------------ the installation

export { mulberry32 } from '../lib/sim/activity';
import { mulberry32 } from '../lib/sim/activity';

/** Real scale factors (EstructuraBDD-v6-23.xls, spec §4) and a current transducer's. */
const ESCALA = { vv33: 0.018374164810690423, vv13: 0.007410498373611789, paE4: 2.075098814229249, paE3: 6.225296442687747, ii: 0.1221001221001221 };

const SITE_LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ';

/** Generates `count` formulas (the last station is cut short when needed). */
export function generate(count: number, seed: number): Installation {
  const rnd = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const chance = (p: number) => rnd() < p;
  const formulas: GenFormula[] = [];
  const escala = new Map<string, number>();
  const aiVals = new Map<string, { value: number; q: number }>();
  const diVals = new Map<string, number>();
  const texts = new Map<string, string>();
  const add = (tag: string, attr: GenFormula['attr'], f: Omit<GenFormula, 'tag' | 'attr' | 'row'>) => {
    formulas.push({ tag, attr, row: formulas.length + 2, ...f });
  };
  const ai = (tag: string, esc: number, kind: 'vv' | 'p' | 'i') => {
    escala.set(tag, esc);
    let value: number;
    if (chance(0.03))
      value = -1; // no frame yet
    else if (kind === 'vv')
      value = chance(0.05) ? 0 : int(1600, 2000); // ~33 kV ± 10 %, sometimes a dead bar
    else value = int(0, 4095);
    aiVals.set(tag, { value, q: chance(0.05) ? 1 : 0 });
  };
  const di = (tag: string, p1: number) => diVals.set(tag, chance(p1) ? 1 : 0);
  const text = (tag: string, p1: number) => texts.set(tag, chance(p1) ? '1' : '0');

  const feeder = (s: string, lvl: string, bay: string) => {
    const S = `${s}${lvl}89S${bay}`;
    const B = `${s}${lvl}52B${bay}`;
    const I = `${s}${lvl}89I${bay}`;
    const T = `${s}${lvl}89T${bay}`;
    const II = `${s}${lvl}II_${bay}`;
    di(B, 0.85);
    di(T, 0.05);
    ai(II, ESCALA.ii, 'i');
    text(S, 0.9);
    text(I, 0.9);
    text(B, 0.1);
    text(`${s}${lvl}51_${bay}`, 0.05);
    text(`${s}${lvl}51N${bay}`, 0.05);
    add(S, 'stroke', discStroke(S, `${s}${lvl}BAR00`));
    add(B, 'fill', breakerFill(B, S));
    add(I, 'stroke', lowerDiscStroke(B, I, S));
    add(`${s}${lvl}51_${bay}`, 'fill', textIntFill(`${s}${lvl}51_${bay}`));
    add(`${s}${lvl}51N${bay}`, 'fill', textIntFill(`${s}${lvl}51N${bay}`));
    add(T, 'fill', diFill(T, 12, 10));
    add(II, 'text', aiText(II));
    add(II, 'fill', aiFill(II));
  };

  let stations = 0;
  for (let st = 0; formulas.length < count; st++) {
    if (st >= SITE_LETTERS.length * 9) throw new Error('too many stations for the site codes');
    const s = `${SITE_LETTERS[Math.floor(st / 9)]}${(st % 9) + 1}`;
    stations++;
    const nT = int(1, 2);
    const nLines = int(0, 2);
    const nFeeders = int(4, 8);
    const paEscala = chance(0.5) ? ESCALA.paE4 : ESCALA.paE3;
    // 33 kV level
    const V2 = `${s}2VV_00`;
    ai(V2, ESCALA.vv33, 'vv');
    add(`${s}2BAR00`, 'stroke', barStroke(V2, 2));
    add(V2, 'text', aiText(V2));
    add(V2, 'fill', aiFill(V2));
    for (let t = 1; t <= nT; t++) {
      const bay = `0${t}`;
      const PA = `${s}2PA_${bay}`;
      const PR = `${s}2PR_${bay}`;
      const SS = `${s}2SS_${bay}`;
      ai(PA, paEscala, 'p');
      ai(PR, paEscala, 'p');
      add(PA, 'text', aiText(PA));
      add(PA, 'fill', aiFill(PA));
      add(PR, 'text', aiText(PR));
      add(PR, 'fill', aiFill(PR));
      add(SS, 'text', apparentText(PA, PR));
      add(SS, 'fill', apparentFill(PA, PR));
      add(`${s}2II_${bay}`, 'text', currentText(V2, SS, PA));
      const S2 = `${s}289S${bay}`;
      const B2 = `${s}252B${bay}`;
      const B1 = `${s}152B${bay}`;
      const S1 = `${s}189S${bay}`;
      di(B2, 0.85);
      di(`${s}264_${bay}`, 0.05);
      di(B1, 0.85);
      text(S2, 0.9);
      text(S1, 0.9);
      text(B2, 0.1);
      text(B1, 0.1);
      text(`${s}251_${bay}`, 0.05);
      text(`${s}151_${bay}`, 0.05);
      add(S2, 'stroke', discStroke(S2, `${s}2BAR00`));
      add(B2, 'fill', breakerFill(B2, S2));
      add(`${s}251_${bay}`, 'fill', textIntFill(`${s}251_${bay}`));
      add(`${s}264_${bay}`, 'fill', diFill(`${s}264_${bay}`, 6, 3));
      add(`${s}2TT_${bay}`, 'stroke', trafoHv(B2, S2));
      add(`${s}1TT_${bay}`, 'stroke', trafoLv(`${s}2TT_${bay}`));
      add(S1, 'stroke', discStroke(S1, `${s}1TT_${bay}`));
      add(B1, 'fill', breakerFill(B1, S1));
      add(`${s}151_${bay}`, 'fill', textIntFill(`${s}151_${bay}`));
    }
    for (let l = 1; l <= nLines; l++) feeder(s, '2', `0${nT + l}`);
    // 13.2 kV level
    const V1 = `${s}1VV_00`;
    ai(V1, ESCALA.vv13, 'vv');
    add(`${s}1BAR00`, 'stroke', barStroke(V1, 1));
    add(V1, 'text', aiText(V1));
    add(V1, 'fill', aiFill(V1));
    for (const c of ['81_00', '27_00']) {
      text(`${s}1${c}`, 0.05);
      add(`${s}1${c}`, 'fill', textIntFill(`${s}1${c}`));
    }
    for (const c of ['CREC00', 'CTS101', 'ATS_00']) {
      di(`${s}${c}`, 0.1);
      add(`${s}${c}`, 'fill', diFill(`${s}${c}`, 6, 3));
    }
    for (let f = 1; f <= nFeeders; f++) feeder(s, '1', String(nT + f).padStart(2, '0'));
  }
  formulas.length = count;

  // points and elements: those the kept formulas read or write
  const refAi = new Set<string>();
  const refDi = new Set<string>();
  const elems = new Set<string>();
  const re = /(di|ai|eg)\.([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)/g;
  for (const f of formulas) {
    elems.add(f.tag);
    for (const m of f.text.matchAll(re)) (m[1] === 'ai' ? refAi : m[1] === 'di' ? refDi : elems).add(m[2]);
  }
  const points: Installation['points'] = [];
  const values: Installation['values'] = [];
  for (const [tag, esc] of escala) {
    if (!refAi.has(tag)) continue;
    points.push({ tag, table: 'ai', escala: esc });
    const v = aiVals.get(tag)!;
    values.push({ table: 'ai', tag, value: v.value, q: v.q });
  }
  for (const [tag, v] of diVals) {
    if (!refDi.has(tag)) continue;
    points.push({ tag, table: 'di' });
    values.push({ table: 'di', tag, value: v });
  }
  const elements = [...elems].map((tag) => ({ tag, text: texts.get(tag) ?? '0', fill: null, stroke: null, mark: null }));
  const breakerDIs = [...refDi].filter((t) => t.slice(3, 6) === '52B');
  return { points, values, elements, formulas, breakerDIs, stations };
}
