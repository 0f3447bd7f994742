/**
 * The formula language (spec hmi §2, §4): the worked examples in both dialects, error categories,
 * Python 2 operator semantics, lambdas, references and compile errors.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FormulaError, compile, evaluate, functionsMarkdown, pyStr } from '../../lib/formula';
import type { Dialect, EvalResult, FormulaContext } from '../../lib/formula';
import { isTrustedContext, trustContext } from '../../lib/formula/context';

// ------------------------------------------------------------------ helpers

/** Scale factors of EstructuraBDD-v6-23.xls (spec §4). */
const ESCALA: Record<string, number> = {
  E42VV_00: 0.018374164810690423,
  E41VV_07: 0.007410498373611789,
  E4CVV_01: 0.04369334498914595,
  E42PA_02: 2.075098814229249,
  E32PA_01: 6.225296442687747,
};

interface Inputs {
  ai?: Record<string, { value?: number; q?: number }>;
  di?: Record<string, number>;
  eg?: Record<string, { text?: string; fill?: number | null; stroke?: number | null; mark?: number | null }>;
}

/** A full context: every AI has its real scale factor (1.0 when §4 gives none). */
function ctx(i: Inputs): FormulaContext {
  const ai: NonNullable<FormulaContext['ai']> = {};
  for (const [tag, v] of Object.entries(i.ai ?? {})) ai[tag] = { value: v.value ?? -1, q: v.q ?? 0, escala: ESCALA[tag] ?? 1 };
  const di: NonNullable<FormulaContext['di']> = {};
  for (const [tag, v] of Object.entries(i.di ?? {})) di[tag] = { value: v };
  const eg: NonNullable<FormulaContext['eg']> = {};
  for (const [tag, v] of Object.entries(i.eg ?? {})) eg[tag] = { text: '0', fill: null, stroke: null, mark: null, ...v };
  return { ai, di, eg };
}

function run(text: string, context: FormulaContext = {}, dialect: Dialect = 'txscada'): EvalResult {
  let f;
  try {
    f = compile(text, { dialect });
  } catch (e) {
    if (e instanceof FormulaError) return { ok: false, error: e.category, message: e.message };
    throw e;
  }
  return f.evaluate(context);
}

type Want = { value: unknown; type: string } | { error: string };

function check(r: EvalResult, want: Want, label: string): void {
  if ('error' in want) {
    assert.equal(r.ok, false, `${label}: expected error ${want.error}, got ${JSON.stringify(r)}`);
    assert.equal((r as { error: string }).error, want.error, `${label}: ${JSON.stringify(r)}`);
  } else {
    assert.deepEqual(r, { ok: true, value: want.value, type: want.type }, label);
  }
}

const S = (value: string): Want => ({ value, type: 'string' });
const I = (value: number): Want => ({ value, type: 'integer' });
const F = (value: number): Want => ({ value, type: 'float' });
const B = (value: boolean): Want => ({ value, type: 'bool' });
const NUL: Want = { value: null, type: 'null' };
const E = (error: string): Want => ({ error });

// ------------------------------------------------------------------ §4 worked examples

const F001 = 'str(ai.E42VV_00.value*ai.E42VV_00.escala)';
const F006 = 'str(RAIZ(ai.E42PA_02.value*ai.E42PA_02.value+ai.E42PR_02.value*ai.E42PR_02.value)*ai.E42PA_02.escala)';
const F011 = 'str(si(ai.E42VV_00.value,float(eg.E42SS_02.text)*ai.E42PA_02.escala/((ai.E42VV_00.value or 1)*1.73*ai.E42VV_00.escala),0))';
const F015 = 'str(si(ai.E42VV_00.value,float(eg.E42SS_02.text)*ai.E42PA_02.escala/(ai.E42VV_00.value*1.73*ai.E42VV_00.escala),0))';
const F017 = 'str(int(RAIZ(ai.E32PA_01.value*ai.E32PA_01.value+ai.E32PR_01.value*ai.E32PR_01.value)*ai.E32PA_01.escala/57.1))';
const F019 = 'SI(ai.E42VV_00.q,6,10)';
const F022 = 'SI(O(ai.E42PR_02.q,ai.E42PA_02.q),6,10)';
const F026 = 'SI(di.E4CREC01.value,6,3)';
const F029 = 'SI(float(eg.E4CVV_01.text)>100,5,3)';
const F033 = 'SI(float(eg.E42VV_00.text)>0.1,2,3)';
const F035 = 'SI(int(eg.E4289T01.text),12,10)';
const F040 = 'SI(int(eg.E4289S01.text),eg.E42BAR00.stroke,12)';
const F046 = 'SI(di.E4252B05.value),eg.E4289I05.stroke,12)';
const F048 = 'SI(di.E4152B04.value,si(int(eg.E4189S04.text),eg.E4189S04.stroke,12),si(int(eg.E4152B04.text),6,10))';
const F057 = 'SI(eg.E4189S01.stroke=2,1,3)';
const F062 = 'SI(SUMA(APLICAR(lambda e: int(e.text), FILTRAR(lambda x: x.mark = 1, eg))),6,11)';
const F067 = 'SUMA(APLICAR(lambda e: int(e.text), FILTRAR(lambda x: x.mark == 1, eg))';
const F069 = 'SI(eg.E4CREC01.text,6,3)';
const F074 = 'str(ai.E42VV_00.value/2)';
const F076 = 'SI(ai.E42VV_00.value>=1,1,0)';
const F077 = 'FLOAT(ai.E42VV_00.value*ai.E42VV_00.escala)';

/** Map elements for 062/063: marked E?ETT-style alarm texts plus unmarked elements with any text. */
const MAP = (texts: string[]) => {
  const eg: Inputs['eg'] = { E4XTIT00: { text: 'Trelew', mark: null }, E42BAR00: { text: '', stroke: 2 } };
  texts.forEach((t, i) => (eg![`E4CREC0${i}`] = { text: t, mark: 1 }));
  return eg;
};

interface Case {
  id: string;
  f: string;
  in: Inputs;
  want: Want;
  /** The excel dialect's result when it differs ('same' otherwise). */
  excel: Want | 'same';
}

const CASES: Case[] = [
  { id: '001', f: F001, in: { ai: { E42VV_00: { value: 1796 } } }, want: S('33.0'), excel: S('33') },
  { id: '002', f: F001, in: { ai: { E42VV_00: { value: 3413 } } }, want: S('62.7110244989'), excel: S('62.7110244988864') },
  { id: '006', f: F006, in: { ai: { E42PA_02: { value: 1000 }, E42PR_02: { value: 300 } } }, want: S('2166.46676568'), excel: S('2166.46676568302') },
  { id: '010', f: F006, in: { ai: { E42PA_02: { value: -1 }, E42PR_02: { value: -1 } } }, want: S('2.93463288635'), excel: S('2.93463288634733') },
  {
    id: '011',
    f: F011,
    in: { ai: { E42VV_00: { value: 1796 }, E42PA_02: { value: 0 } }, eg: { E42SS_02: { text: '2166.47' } } },
    want: S('78.7465287802'),
    excel: E('syntax'), // 'or' is not an operator of the excel dialect
  },
  {
    id: '012',
    f: F011,
    in: { ai: { E42VV_00: { value: 0 }, E42PA_02: { value: 0 } }, eg: { E42SS_02: { text: '2166.47' } } },
    want: S('0'),
    excel: E('syntax'),
  },
  // eager SI: the unused branch still runs float('abc'); the excel dialect's SI is lazy
  {
    id: '014',
    f: F011,
    in: { ai: { E42VV_00: { value: 0 }, E42PA_02: { value: 0 } }, eg: { E42SS_02: { text: 'abc' } } },
    want: E('conversion'),
    excel: E('syntax'),
  },
  {
    id: '015',
    f: F015,
    in: { ai: { E42VV_00: { value: 0 }, E42PA_02: { value: 0 } }, eg: { E42SS_02: { text: '0.0' } } },
    want: E('division-by-zero'),
    excel: S('0'),
  },
  { id: '017', f: F017, in: { ai: { E32PA_01: { value: 1000 }, E32PR_01: { value: 300 } } }, want: S('113'), excel: 'same' },
  { id: '019', f: F019, in: { ai: { E42VV_00: { value: 1796, q: 0 } } }, want: I(10), excel: 'same' },
  { id: '020', f: F019, in: { ai: { E42VV_00: { value: 1796, q: 1 } } }, want: I(6), excel: 'same' },
  { id: '022', f: F022, in: { ai: { E42PR_02: { q: 0 }, E42PA_02: { q: 0 } } }, want: I(10), excel: 'same' },
  { id: '026', f: F026, in: { di: { E4CREC01: 1 } }, want: I(6), excel: 'same' },
  { id: '027', f: F026, in: { di: { E4CREC01: 0 } }, want: I(3), excel: 'same' },
  { id: '028', f: F026, in: { di: { E4152B04: 1 } }, want: E('unknown-reference'), excel: 'same' },
  { id: '029', f: F029, in: { eg: { E4CVV_01: { text: '124.220179804' } } }, want: I(5), excel: 'same' },
  { id: '031', f: F029, in: { eg: { E4CVV_01: { text: '' } } }, want: E('conversion'), excel: 'same' },
  { id: '033', f: F033, in: { eg: { E42VV_00: { text: '0.1' } } }, want: I(3), excel: 'same' },
  { id: '035', f: F035, in: { eg: { E4289T01: { text: '1' } } }, want: I(12), excel: 'same' },
  { id: '037', f: F035, in: { eg: { E4289T01: { text: ' 1 ' } } }, want: I(12), excel: 'same' },
  // Python int('1.0') fails; the excel dialect's int is Excel's ENTERO, which reads the text as a number
  { id: '038', f: F035, in: { eg: { E4289T01: { text: '1.0' } } }, want: E('conversion'), excel: I(12) },
  { id: '040', f: F040, in: { eg: { E4289S01: { text: '1' }, E42BAR00: { stroke: 2 } } }, want: I(2), excel: 'same' },
  { id: '041', f: F040, in: { eg: { E4289S01: { text: '0' }, E42BAR00: { stroke: 2 } } }, want: I(12), excel: 'same' },
  { id: '042', f: F040, in: { eg: { E4289S01: { text: '1' }, E42BAR00: { stroke: null } } }, want: NUL, excel: 'same' },
  { id: '046', f: F046, in: {}, want: E('syntax'), excel: 'same' },
  {
    id: '048',
    f: F048,
    in: { di: { E4152B04: 1 }, eg: { E4189S04: { text: '1', stroke: 1 }, E4152B04: { text: '0' } } },
    want: I(1),
    excel: 'same',
  },
  { id: '050', f: F048, in: { di: { E4152B04: 0 }, eg: { E4189S04: { text: '1', stroke: 1 }, E4152B04: { text: '1' } } }, want: I(6), excel: 'same' },
  { id: '051', f: F048, in: { di: { E4152B04: 0 }, eg: { E4189S04: { text: '1', stroke: 1 }, E4152B04: { text: '0' } } }, want: I(10), excel: 'same' },
  { id: '052', f: F048, in: { di: { E4152B04: 1 }, eg: { E4189S04: { text: '1', stroke: 1 }, E4152B04: { text: '' } } }, want: E('conversion'), excel: I(1) },
  { id: '057', f: F057, in: { eg: { E4189S01: { stroke: 2 } } }, want: I(1), excel: 'same' },
  { id: '059', f: F057, in: { eg: { E4189S01: { stroke: null } } }, want: I(3), excel: 'same' },
  // the excel dialect has no lambdas (its counterpart is SUMAR.SI.ELEMENTOS, tested below)
  { id: '062', f: F062, in: { eg: MAP(['0', '0', '0']) }, want: I(11), excel: E('syntax') },
  { id: '063', f: F062, in: { eg: MAP(['0', '1', '0']) }, want: I(6), excel: E('syntax') },
  { id: '067', f: F067, in: { eg: MAP(['0']) }, want: E('syntax'), excel: E('syntax') },
  // the string '0' is truthy in Python; the excel dialect refuses a text condition
  { id: '069', f: F069, in: { eg: { E4CREC01: { text: '0' } } }, want: I(6), excel: E('type') },
  { id: '074', f: F074, in: { ai: { E42VV_00: { value: 7 } } }, want: S('3'), excel: S('3.5') },
  { id: '076', f: F076, in: { ai: { E42VV_00: { value: 7 } } }, want: E('syntax'), excel: I(1) },
  // FLOAT is Python formatting in txscada; in the excel dialect FLOAT is float() (a number)
  { id: '077', f: F077, in: { ai: { E42VV_00: { value: 1796 } } }, want: S('33.000'), excel: F(33) },
];

describe('§4 worked examples, txscada dialect', () => {
  for (const c of CASES) {
    it(`hmi-${c.id}: ${c.f.length > 60 ? c.f.slice(0, 57) + '…' : c.f}`, () => check(run(c.f, ctx(c.in)), c.want, c.id));
  }

  it('hmi-010 also holds with the AI defaults (a missing value reads -1)', () => {
    check(run(F006, { ai: { E42PA_02: { escala: ESCALA.E42PA_02 }, E42PR_02: {} } }), S('2.93463288635'), '010 defaults');
  });

  it('display strings of §4 come from str() of the float (001 is the float 33.0)', () => {
    const r = run('ai.E42VV_00.value*ai.E42VV_00.escala', ctx({ ai: { E42VV_00: { value: 1796 } } }));
    assert.deepEqual(r, { ok: true, value: 33, type: 'float' });
    assert.equal(pyStr((r as { value: number }).value, 'float'), '33.0');
  });
});

/** A copy of a context made the way the engine makes its own (null-prototype tables, data records). */
function engineLike(c: FormulaContext): FormulaContext {
  const out: Record<string, unknown> = {};
  for (const [t, table] of Object.entries(c)) {
    const copy: Record<string, unknown> = Object.create(null);
    for (const [tag, rec] of Object.entries(table as Record<string, object>)) copy[tag] = { ...rec };
    out[t] = copy;
  }
  return out as FormulaContext;
}

describe('§4 worked examples on a trusted (engine-made) context', () => {
  for (const dialect of ['txscada', 'excel'] as const) {
    it(`${dialect}: same results as on an untrusted copy`, () => {
      for (const c of CASES) {
        const plain = ctx(c.in);
        const trusted = trustContext(engineLike(plain));
        assert.ok(isTrustedContext(trusted) && !isTrustedContext(plain));
        assert.deepEqual(run(c.f, trusted, dialect), run(c.f, plain, dialect), `${c.id} ${dialect}`);
        assert.deepEqual(run(c.f, trusted, dialect), run(c.f, engineLike(plain), dialect), `${c.id} ${dialect} (same shape, untrusted)`);
      }
    });
  }
});

describe('§4 worked examples, excel dialect', () => {
  for (const c of CASES) {
    const want = c.excel === 'same' ? c.want : c.excel;
    it(`hmi-${c.id}${c.excel === 'same' ? '' : ' (differs)'}`, () => check(run(c.f, ctx(c.in), 'excel'), want, `${c.id} excel`));
  }
  it('the map alarm without a lambda: SUMAR.SI.ELEMENTOS / CONTAR.SI.ELEMENTOS', () => {
    check(run('SI(SUMAR.SI.ELEMENTOS(1),6,11)', ctx({ eg: MAP(['0', '0', '0']) }), 'excel'), I(11), 'all 0');
    check(run('SI(SUMAR.SI.ELEMENTOS(1),6,11)', ctx({ eg: MAP(['0', '1', '0']) }), 'excel'), I(6), 'one 1');
    check(run('SI(CONTAR.SI.ELEMENTOS(1);6;11)', ctx({ eg: MAP(['0', '2', '1']) }), 'excel'), I(6), 'semicolons');
    check(run('CONTAR.SI.ELEMENTOS(1)', ctx({ eg: MAP(['0', '2', '1', '', ' 0.0 ']) }), 'excel'), I(2), 'count of non-zero texts');
    check(run('SUMAR.SI.ELEMENTOS(1)', ctx({ eg: MAP(['0', '2', '1']) }), 'excel'), I(3), 'sum');
    check(run('countelements(1)', ctx({ eg: MAP(['x']) }), 'excel'), E('conversion'), 'non-numeric text');
    check(run('COUNTELEMENTS(7)', ctx({ eg: MAP(['x']) }), 'excel'), I(0), 'no element with that mark');
    assert.deepEqual(compile('CONTAR.SI.ELEMENTOS(1)', { dialect: 'excel' }).references, [{ table: 'eg', tag: null, attr: null }]);
  });
});

// ------------------------------------------------------------------ error categories

describe('error categories (spec §2.9)', () => {
  const cases: [string, string, FormulaContext?][] = [
    ['syntax', 'SI(1,2'],
    ['syntax', '1 == 1'],
    ['syntax', '1 >= 1'],
    ['syntax', '1 <= 1'],
    ['syntax', '1 != 1'],
    ['syntax', '1 if 1 else 2'],
    ['syntax', '[1, 2]'],
    ['syntax', '7 // 2'],
    ['syntax', 'x is None'],
    ['syntax', 'f(a==1)'],
    ['unknown-reference', 'foo(1)'],
    ['unknown-reference', 'Si(1,2,3)'],
    ['unknown-reference', 'AI.X.value', { ai: { X: { value: 1 } } }],
    ['unknown-reference', 'di.X.q', { di: { X: { value: 1 } } }],
    ['unknown-reference', 'di.X.text', { di: { X: { value: 1 } } }],
    ['unknown-reference', 'di.X.colbak', { di: { X: { value: 1 } } }],
    ['unknown-reference', 'eg.X.colbak', { eg: { X: { text: '1' } } }],
    ['unknown-reference', 'ai.X.unit', { ai: { X: { value: 1 } } }],
    ['unknown-reference', 'eg.E4A89S01.stroke', { eg: { E4A89S01x: { text: '1' } } }],
    ['unknown-reference', 'sv.X.value', {}],
    ['unknown-reference', 'len(1)'],
    ['unknown-reference', '(1).real'],
    ['conversion', "int('')"],
    ['conversion', "int('1.0')"],
    ['conversion', "int('ES')"],
    ['conversion', "float('')"],
    ['conversion', "float('3,45')"],
    ['conversion', "int(float('nan'))"],
    ['division-by-zero', '1/0'],
    ['division-by-zero', '1.0/0'],
    ['division-by-zero', '1/0.0'],
    ['division-by-zero', '5 % 0'],
    ['division-by-zero', '5.5 % 0.0'],
    ['division-by-zero', '0 ** -1'],
    ['math-domain', 'RAIZ(-1)'],
    ['math-domain', '(-8) ** 0.5'],
    ['math-domain', '10.0 ** 400'],
    ['math-domain', "int(float('inf'))"],
    ['type', 'int(None)'],
    ['type', "1 + '1'"],
    ['type', "'1' + 1"],
    ['type', '5(1)'],
    ['type', 'SI(1, 2)'],
    ['type', 'RAIZ(1, 2)'],
    ['type', "'a' < 1"],
    ['type', 'None > 0'],
    ['type', "-'a'"],
    ['type', 'APLICAR(int, eg)', { eg: {} }],
    ['type', 'SUMA(5)'],
    ['type', "SUMA(APLICAR(str, '12'))"],
    ['type', 'eg', { eg: {} }],
    ['type', 'eg.X', { eg: { X: {} } }],
    ['type', 'lambda x: x'],
  ];
  for (const [cat, f, c] of cases) {
    it(`${cat}: ${f}`, () => check(run(f, c ?? {}), E(cat), f));
  }

  it('messages look like Python exceptions', () => {
    assert.deepEqual(run('1/0'), { ok: false, error: 'division-by-zero', message: 'ZeroDivisionError: integer division or modulo by zero' });
    assert.deepEqual(run("int('1.0')"), { ok: false, error: 'conversion', message: "ValueError: invalid literal for int() with base 10: '1.0'" });
    assert.deepEqual(run('foo'), { ok: false, error: 'unknown-reference', message: "NameError: name 'foo' is not defined" });
    assert.match((run('RAIZ(-4)') as { message: string }).message, /^ValueError: negative number cannot be raised to a fractional power$/);
    assert.match((run('SI(1,2)') as { message: string }).message, /^TypeError: SI\(\) takes exactly 3 arguments \(2 given\)$/);
    assert.match((run('di.X.value', { di: {} }) as { message: string }).message, /^AttributeError: di has no tag 'X'/);
  });

  it('errors come in evaluation order (left to right, callee before arguments)', () => {
    check(run("1/0 + int('x')"), E('division-by-zero'), 'left first');
    check(run("int('x') + 1/0"), E('conversion'), 'left first 2');
    check(run('foo(1/0)'), E('unknown-reference'), 'callee first');
    check(run('RAIZ(1/0, 2)'), E('division-by-zero'), 'arguments before the arity check');
    check(run('1 < 0 < 1/0'), B(false), 'chains short-circuit');
    check(run('0 and 1/0'), I(0), 'and short-circuits');
    check(run('1 or 1/0'), I(1), 'or short-circuits');
    check(run('SI(1, 2, 1/0)'), E('division-by-zero'), 'SI is eager');
    check(run('O(1, 1/0)'), E('division-by-zero'), 'O is eager');
  });
});

// ------------------------------------------------------------------ operators

describe('operator semantics (Python 2, spec §2.5)', () => {
  const table: [string, Want][] = [
    ['7/2', I(3)],
    ['-7/2', I(-4)],
    ['7/-2', I(-4)],
    ['-7/-2', I(3)],
    ['7.0/2', F(3.5)],
    ['7/2.0', F(3.5)],
    ['-7 % 3', I(2)],
    ['7 % -3', I(-2)],
    ['-7 % -3', I(-1)],
    ['7.5 % -2', F(-0.5)],
    ['-0.0 % 5', F(0)],
    ['6 % 3', I(0)],
    ['-2 ** 2', I(-4)],
    ['(-2) ** 2', I(4)],
    ['2 ** -1', F(0.5)],
    ['2 ** 3 ** 2', I(512)],
    ['2 ** 10', I(1024)],
    ['2.0 ** 3', F(8)],
    ['0 ** 0', I(1)],
    ['-2 ** -2', F(-0.25)],
    ['1 + 2.0', F(3)],
    ['3 * 1.0', F(3)],
    ['True + True', I(2)],
    ['True / 2', I(0)],
    ['-True', I(-1)],
    ['+True', I(1)],
    ["'ab' + 'cd'", S('abcd')],
    ["'ab' * 3", S('ababab')],
    ["3 * 'ab'", S('ababab')],
    ["'ab' * -1", S('')],
    ["'%.2f' % 3.14159", S('3.14')],
    ["'%05d' % -42", S('-0042')],
    ['1 < 2 < 3', B(true)],
    ['1 < 3 < 2', B(false)],
    ['3 > 2 = 2', B(true)],
    ['1 = 1 <> 2', B(true)],
    ['5 and 0', I(0)],
    ['5 and 7', I(7)],
    ['0 and 7', I(0)],
    ["0 or 'x'", S('x')],
    ['0 or None', NUL],
    ["'' or 0.0", F(0)],
    ['not 5', B(false)],
    ['not 0', B(true)],
    ["not '0'", B(false)],
    ['not not None', B(false)],
    ['not 1 = 2', B(true)],
    ['abs(-2)', I(2)],
    ['abs(-2.5)', F(2.5)],
    ['min(3, 1, 2)', I(1)],
    ['max(3, 1.5)', I(3)],
    ["max('12')", S('2')],
    ['min(True, 1)', B(true)],
    ['round(2.5)', F(3)],
    ['round(-2.5)', F(-3)],
    ['round(0.5)', F(1)],
    ['round(2.675, 2)', F(2.67)],
    ['round(1234.5, -1)', F(1230)],
    ['round(7)', F(7)],
    ['int(-2.7)', I(-2)],
    ['int(2.7)', I(2)],
    ["int(' 1 ')", I(1)],
    ["int('- 5')", I(-5)],
    ["int('ff', 16)", I(255)],
    ['int(True)', I(1)],
    ["float(' 2.5 ')", F(2.5)],
    ["float('1e3')", F(1000)],
    ["float('inf')", F(Infinity)],
    ["float('-inf') < 0", B(true)],
    ['float(3)', F(3)],
    ['str(None)', S('None')],
    ['str(True)', S('True')],
    ['str(7)', S('7')],
    ['str(0.1)', S('0.1')],
    ['str(-0.0)', S('-0.0')],
    ['str(2 ** 70)', S('1180591620717411303424')],
    ['str(12345678901234567890 + 1)', S('12345678901234567891')],
    ['str(1e16)', S('1e+16')],
    ['O()', NUL],
    ['O(0, None, 3, 4)', I(3)],
    ['RAIZ(0)', F(0)],
    ['RAIZ(9)', F(3)],
    ['RAIZ(True)', F(1)],
    ["SUMA(APLICAR(int, FILTRAR(None, APLICAR(str, FILTRAR(lambda c: c <> 'x', '1x2')))))", I(3)],
    ['SUMA(FILTRAR(lambda x: 0, APLICAR(int, "12")))', I(0)],
    ['APLICAR(None, "ab")', { value: ['a', 'b'], type: 'list' }],
    ['FILTRAR(lambda c: c <> "b", "abc")', S('ac')],
    ['APLICAR(lambda x: x * 1.5, APLICAR(int, "12"))', { value: [1.5, 3], type: 'list' }],
    ['.5 + 5. + 1e3 + 1E-1', F(1005.6)],
    ["'a=b'", S('a==b')], // compat: the original doubles every '=' of the text, inside strings too
    ['"it\'s"', S("it's")],
    ["'\\x41\\n'", S('A\n')],
  ];
  for (const [f, want] of table) it(f, () => check(run(f), want, f));

  it('integer-ness is tracked separately from the value', () => {
    check(run('6 / 2'), I(3), 'int');
    check(run('6 / 2.0'), F(3), 'float');
    check(run('str(6 / 2.0)'), S('3.0'), 'str of float');
    check(run('str(6 / 2)'), S('3'), 'str of int');
  });

  it('large integers stay exact (Python longs)', () => {
    check(run('str(9007199254740993 * 3)'), S('27021597764222979'), 'beyond 2^53');
    check(run('str(-(2 ** 64) / 3)'), S('-6148914691236517206'), 'floor division of a long');
    check(run('str((2 ** 64 + 1) % 7)'), S(String((2n ** 64n + 1n) % 7n)), 'modulo of a long');
    check(run('2 ** 10000'), E('math-domain'), 'capped at 4096 bits');
  });
});

describe('truthiness (spec §2.4)', () => {
  const falsy = ['0', '0.0', '-0.0', "''", 'None', 'False', 'FILTRAR(None, "")', 'APLICAR(int, "")'];
  const truthy = ['1', '-1', '0.1', "'0'", "' '", 'True', "float('nan')", 'APLICAR(int, "0")', 'int', '(lambda x: x)'];
  for (const f of falsy) it(`${f} is falsy`, () => check(run(`SI(${f}, 1, 2)`), I(2), f));
  for (const f of truthy) it(`${f} is truthy`, () => check(run(`SI(${f}, 1, 2)`), I(1), f));
  it('a record is truthy', () => check(run('SI(eg.X, 1, 2)', { eg: { X: { text: '0' } } }), I(1), 'record'));
});

describe('comparisons (spec §2.5)', () => {
  const table: [string, Want][] = [
    ['2 = 2.0', B(true)],
    ['True = 1', B(true)],
    ['False = 0.0', B(true)],
    ['True < 2', B(true)],
    ["1 = '1'", B(false)],
    ["'1' <> 1", B(true)],
    ['None = None', B(true)],
    ['None = 0', B(false)],
    ["None = ''", B(false)],
    ['None <> False', B(true)],
    ["'a' < 'b'", B(true)],
    ["'B' < 'a'", B(true)],
    ["'ab' < 'abc'", B(true)],
    ["'\u00e9' > 'z'", B(true)],
    ["float('nan') = float('nan')", B(false)],
    ["float('nan') <> float('nan')", B(true)],
    ["float('nan') < 1", B(false)],
    ['9007199254740993 = 9007199254740992.0', B(false)], // exact int/float comparison
    ['9007199254740992 = 9007199254740992.0', B(true)],
    ['APLICAR(int, "12") = APLICAR(float, "12")', B(true)],
    ['APLICAR(int, "12") < APLICAR(int, "13")', B(true)],
    ["'5' > 3", E('type')], // fix: Python 2 orders unrelated types
    ['None < 1', E('type')],
    ['APLICAR(int, "1") < 1', E('type')],
  ];
  for (const [f, want] of table) it(f, () => check(run(f), want, f));

  it('eg attributes compare like the sheets expect', () => {
    const c = ctx({ eg: { A: { stroke: 2 }, B: { stroke: null }, C: { text: '0' } } });
    check(run('eg.A.stroke = 2', c), B(true), 'int');
    check(run('eg.B.stroke = 2', c), B(false), 'null');
    check(run('eg.B.stroke = None', c), B(true), 'null = None');
    check(run("eg.C.text = '0'", c), B(true), 'text');
    check(run('eg.C.text = 0', c), B(false), 'text vs number');
  });
});

// ------------------------------------------------------------------ lambdas

describe('lambdas (spec §2.6, hmi-086)', () => {
  it('a lambda sees its parameter and int, float, str and the extensions', () => {
    check(run('(lambda x: x + 1)(2)'), I(3), 'call');
    check(run("APLICAR(lambda t: int(t) * 2, '123')"), { value: [2, 4, 6], type: 'list' }, 'map');
    check(run("APLICAR(lambda t: str(float(t)), '12')"), { value: ['1.0', '2.0'], type: 'list' }, 'float, str');
    check(run('APLICAR(lambda x: abs(min(x, max(x, round(x)))), APLICAR(int, "5"))'), { value: [5], type: 'list' }, 'extensions');
    check(run('(lambda x: lambda y: x * 10 + y)(4)(2)'), I(42), 'nested lambdas see the enclosing parameter');
    check(run('(lambda int: int + 1)(1)'), I(2), 'a parameter shadows a builtin');
  });

  it('a lambda body cannot reach ai, di, eg or the sheet functions (hmi-086)', () => {
    const c = ctx({ ai: { X: { value: 1 } }, di: { Y: 1 }, eg: { Z: { text: '1', mark: 1 } } });
    for (const body of [
      'ai.X.value',
      'di.Y.value',
      'eg.Z.text',
      'SI(x, 1, 2)',
      'si(x, 1, 2)',
      'O(x)',
      'RAIZ(x)',
      'SUMA(x)',
      'FLOAT(x)',
      'FILTRAR(None, eg)',
      'APLICAR(int, x)',
    ]) {
      const f = `SUMA(APLICAR(lambda x: ${body}, FILTRAR(lambda e: e.mark = 1, eg)))`;
      const r = run(f, c);
      check(r, E('unknown-reference'), body);
      assert.match((r as { message: string }).message, /^NameError: global name '\w+' is not defined$/, body);
      assert.ok(
        compile(f).warnings.some((w) => w.category === 'unknown-reference'),
        `warning for ${body}`,
      );
    }
  });

  it('a lambda parameter named like a table is the parameter', () => {
    const c = ctx({ eg: { A: { text: '3', mark: 1 }, B: { text: '4', mark: 2 } } });
    check(run('SUMA(APLICAR(lambda eg: int(eg.text), FILTRAR(lambda ai: ai.mark = 1, eg)))', c), I(3), 'shadowing');
    assert.deepEqual(compile('SUMA(APLICAR(lambda eg: int(eg.text), FILTRAR(lambda ai: ai.mark = 1, eg)))').references, [
      { table: 'eg', tag: null, attr: null },
    ]);
  });

  it('FILTRAR over a table iterates its records in insertion order with their attributes', () => {
    const c: FormulaContext = { eg: { B: { text: '2', mark: 1, fill: 3 }, A: { text: '1', mark: 1 }, C: { text: '5', mark: 2 } } };
    check(run('APLICAR(lambda e: e.text, FILTRAR(lambda x: x.mark = 1, eg))', c), { value: ['2', '1'], type: 'list' }, 'order');
    check(run('APLICAR(lambda e: e.fill, FILTRAR(lambda x: x.mark = 1, eg))', c), { value: [3, null], type: 'list' }, 'defaults');
    check(run('SUMA(APLICAR(lambda a: a.value * a.escala, FILTRAR(None, ai)))', { ai: { P: { value: 2, escala: 0.5, q: 0 } } }), F(1), 'ai records');
    check(run('APLICAR(lambda e: e.colbak, FILTRAR(None, eg))', c), E('unknown-reference'), 'unknown attribute of a record');
  });

  it('wrong arity, recursion and work limits', () => {
    check(run('(lambda x: x)(1, 2)'), E('type'), 'arity');
    check(run('(lambda x: x)()'), E('type'), 'arity 0');
    const omega = run('(lambda f: f(f))(lambda f: f(f))');
    check(omega, E('type'), 'unbounded recursion');
    assert.match((omega as { message: string }).message, /RuntimeError: maximum recursion depth exceeded/);
    // exponential work with a base case: bounded by the step budget
    const fib = '(lambda f: f(f))(lambda f: lambda n: n < 2 and 1 or f(f)(n - 1) + f(f)(n - 2))';
    check(run(`${fib}(10)`), I(89), 'small recursion works');
    const big = compile(`${fib}(60)`, { maxSteps: 50_000 }).evaluate({});
    check(big, E('type'), 'work budget');
    assert.match((big as { message: string }).message, /exceeded 50000 steps/);
  });
});

// ------------------------------------------------------------------ references

describe('references (spec §3.3 item 1)', () => {
  it('table.TAG.attr in first-appearance order, deduplicated', () => {
    assert.deepEqual(compile(F011).references, [
      { table: 'ai', tag: 'E42VV_00', attr: 'value' },
      { table: 'eg', tag: 'E42SS_02', attr: 'text' },
      { table: 'ai', tag: 'E42PA_02', attr: 'escala' },
      { table: 'ai', tag: 'E42VV_00', attr: 'escala' },
    ]);
    assert.deepEqual(compile(F048).references, [
      { table: 'di', tag: 'E4152B04', attr: 'value' },
      { table: 'eg', tag: 'E4189S04', attr: 'text' },
      { table: 'eg', tag: 'E4189S04', attr: 'stroke' },
      { table: 'eg', tag: 'E4152B04', attr: 'text' },
    ]);
  });

  it('a bare table is a wildcard reference', () => {
    assert.deepEqual(compile(F062).references, [{ table: 'eg', tag: null, attr: null }]);
    assert.deepEqual(compile('SI(di.X.value, SUMA(APLICAR(lambda e: int(e.text), FILTRAR(None, eg))), 0)').references, [
      { table: 'di', tag: 'X', attr: 'value' },
      { table: 'eg', tag: null, attr: null },
    ]);
  });

  it('a record used as a value has attr null; unknown attributes are still references (and warnings)', () => {
    assert.deepEqual(compile('SI(eg.A, 1, 2)').references, [{ table: 'eg', tag: 'A', attr: null }]);
    const f = compile('di.X.q + sv.S.value');
    assert.deepEqual(f.references, [
      { table: 'di', tag: 'X', attr: 'q' },
      { table: 'sv', tag: 'S', attr: 'value' },
    ]);
    assert.deepEqual(
      f.warnings.map((w) => [w.category, w.column]),
      [['unknown-reference', 6]],
    );
  });

  it('nothing inside strings; the excel dialect has the same references', () => {
    assert.deepEqual(compile("'ai.X.value'").references, []);
    assert.deepEqual(compile(F057, { dialect: 'excel' }).references, compile(F057).references);
  });
});

// ------------------------------------------------------------------ compile errors

describe('compile errors: FormulaError with category and column', () => {
  const cases: [string, number, RegExp][] = [
    [F046, 22, /unexpected ','.*check the parentheses/],
    ['SI(O(ai.E42PR_01.q,ai.E42PA_01.q,E42VV_00.q),0,4', 49, /missing '\)' for the '\(' at column 3/],
    [F067, 62, /'=='/],
    [F076, 21, /'>='/],
    ['SI(a <= b, 1, 2)', 6, /'<='/],
    ['a != b', 3, /'!='.*'<>'/],
    ['010 + 1', 1, /leading zero/],
    ['1 + 2)', 6, /unexpected '\)'/],
    ['(1 + 2', 7, /missing '\)'/],
    ['1 +', 4, /unexpected end of formula/],
    ['', 1, /unexpected end of formula/],
    ['   ', 4, /unexpected end of formula/],
    ["'abc", 1, /unterminated string/],
    ['1 2', 3, /unexpected number/],
    ['a[0]', 2, /unexpected character '\['/],
    ['x if y else z', 3, /'if' is not supported/],
    ['1 = not 2', 5, /'not' cannot appear here/],
    ['1 + lambda x: x', 5, /'lambda' cannot appear here/],
    ['lambda: 1', 7, /exactly one parameter/],
    ['lambda x, y: 1', 9, /exactly one parameter/],
    ['(1, 2)', 3, /tuples/],
    ['ai.if.value', 4, /Python keyword/],
    ['1e', 1, /invalid number/],
    ['0x10', 1, /invalid number/],
    ['2 ^ 3', 3, /'\*\*'/],
    ['a & b', 3, /'&'/],
    ['7 // 2', 3, /'\/\/'/],
    ['f(1,,2)', 5, /unexpected ','/],
  ];
  for (const [text, column, re] of cases) {
    it(`${JSON.stringify(text)} → column ${column}`, () => {
      assert.throws(
        () => compile(text),
        (e: unknown) => {
          assert.ok(e instanceof FormulaError);
          assert.equal(e.code, 'EFORMULA');
          assert.equal(e.category, 'syntax');
          assert.equal(e.column, column, e.message);
          assert.match(e.message, /^SyntaxError: /);
          assert.match(e.message, re);
          assert.match(e.message, new RegExp(`\\(column ${column}\\)$`));
          return true;
        },
      );
    });
  }

  it('Python accepts one trailing comma in a call', () => check(run('SI(1, 2, 3,)'), I(2), 'trailing comma'));
  it('whitespace, tabs and line breaks are insignificant', () => check(run('SI(\n  1,\t2,\r\n 3 )'), I(2), 'ws'));

  it('names are not compile errors: evaluate reports them, warnings list them', () => {
    const f = compile('SI(Foo(1), eg.X.colbak, raiz(4))');
    assert.deepEqual(
      f.warnings.map((w) => [w.category, w.column]),
      [
        ['unknown-reference', 4],
        ['unknown-reference', 17],
        ['unknown-reference', 25],
      ],
    );
    assert.match(f.warnings[2].message, /case-sensitive: RAIZ/);
    check(f.evaluate({ eg: { X: {} } }), E('unknown-reference'), 'evaluate');
    assert.deepEqual(
      compile('SI(1, 2)').warnings.map((w) => w.category),
      ['type'],
    );
    assert.deepEqual(compile(F048).warnings, []);
  });

  it('evaluate() wraps compile errors', () => {
    assert.deepEqual(evaluate('1 +', {}).ok, false);
    assert.equal((evaluate('1 +', {}) as { error: string }).error, 'syntax');
    assert.deepEqual(evaluate('1 + 1', {}), { ok: true, value: 2, type: 'integer' });
  });
});

// ------------------------------------------------------------------ excel dialect

describe('excel dialect', () => {
  const X = (f: string, c: FormulaContext = {}) => run(f, c, 'excel');
  const table: [string, Want][] = [
    ['7/2', F(3.5)],
    ['6/2', F(3)],
    ['2^10', I(1024)],
    ['-2^2', I(4)],
    ['2^-1', F(0.5)],
    ['2^3^2', I(64)],
    ['1 >= 1', B(true)],
    ['1 <= 0', B(false)],
    ['1 <> 2', B(true)],
    ['"a" & "b"', S('ab')],
    ['"v=" & 1/3', S('v=0.333333333333333')],
    ['1 & 2 + 3', S('15')],
    ['"x" & TRUE & NULO', S('xTRUE')],
    ['"x" & 1E20 & "|" & 1E-10 & "|" & 0.5', S('x1E+20|1E-10|0.5')],
    ['"1" + 2', I(3)],
    ['TRUE + 1', I(2)],
    ['NULL + 1', I(1)],
    ['"a" + 1', E('conversion')],
    ['1/0', E('division-by-zero')],
    ['MOD(5, 0)', E('division-by-zero')],
    ['MOD(-7, 3)', I(2)],
    ['RESIDUO(7.5, 2)', F(1.5)],
    ['SI(1 > 0, "yes", 1/0)', S('yes')],
    ['IF(0, 1/0, "no")', S('no')],
    ['si(0, 1)', B(false)],
    ['SI("TRUE", 1, 2)', I(1)],
    ['SI("0", 1, 2)', E('type')],
    ['SI.ERROR(1/0, -1)', I(-1)],
    ['IFERROR(VALOR("abc"), 0)', I(0)],
    ['iferror(5, 1/0)', I(5)],
    ['SI.ERROR(ai.NOPE.value, 0)', I(0)],
    ['Y(1, TRUE, "VERDADERO")', B(true)],
    ['AND(1, 0)', B(false)],
    ['O(0, 0)', B(false)],
    ['OR(0, 2)', B(true)],
    ['NO(0)', B(true)],
    ['not(1)', B(false)],
    ['REDONDEAR(2.675, 2)', F(2.68)],
    ['ROUND(-2.5)', F(-3)],
    ['ROUND(1234.5, -2)', F(1200)],
    ['ROUND(5, 2)', I(5)],
    ['ABS(-3)', I(3)],
    ['MIN(3, "1", NULL, 2)', I(1)],
    ['MAX(1.5, 2)', I(2)],
    ['SUMA(1, 2, "3")', I(6)],
    ['SUM(0.1, 0.2)', F(0.1 + 0.2)],
    ['RAIZ(16)', F(4)],
    ['SQRT(-1)', E('math-domain')],
    ['VALOR("1,234.5")', F(1234.5)],
    ['VALUE("50%")', F(0.5)],
    ['VALOR("")', E('conversion')],
    ['ENTERO(-2.5)', I(-3)],
    ['INT("7.9")', I(7)],
    ['STR(7/2)', S('3.5')],
    ['str(33.0)', S('33')],
    ['CONCATENAR("a", 1, TRUE)', S('a1TRUE')],
    ['TEXTO(1234.5678, "#,##0.00")', S('1,234.57')],
    ['TEXTO(1234.5, "0")', S('1235')],
    ['TEXTO(2.5, "0")', S('3')],
    ['TEXTO(-2.5, "0")', S('-3')],
    ['TEXTO(0.256, "0.0%")', S('25.6%')],
    ['TEXTO(0.5, "0%")', S('50%')],
    ['TEXTO(33, "0.00")', S('33.00')],
    ['TEXTO(1234567, "#,##0")', S('1,234,567')],
    ['TEXTO(12345.678, "0.00E+00")', S('1.23E+04')],
    ['TEXTO(0.00012, "0.0E+00")', S('1.2E-04')],
    ['TEXTO(1.5, "0.0#")', S('1.5')],
    ['TEXTO(-0.001, "0.00")', S('0.00')],
    ['TEXTO(62.71102449888642, "0.00 ""kV""")', S('62.71 kV')],
    ['TEXT(2.5, "General")', S('2.5')],
    ['TEXTO("12", "0.0")', S('12.0')],
    ['TEXTO(1, "dd/mm/yyyy")', E('type')],
    ['FOO(1)', E('unknown-reference')],
    ['SUMA', E('unknown-reference')],
    ['SI(1)', E('type')],
    ['10^400', E('math-domain')],
    ['1.0E300 * 1E300', E('math-domain')],
    ["'it''s'", S("it's")],
    ['"a=b"', S('a=b')],
    ['007 + 1', I(8)],
  ];
  for (const [f, want] of table) it(f, () => check(X(f), want, f));

  it('syntax: hints for ==, !=, **, %, chains, and/or/not, lambdas', () => {
    const cases: [string, RegExp][] = [
      ['1 == 1', /'='/],
      ['1 != 1', /'<>'/],
      ['2 ** 3', /'\^'/],
      ['7 % 2', /MOD/],
      ['1 < 2 < 3', /chained comparisons/],
      ['x and y', /Y\(a, b\)/],
      ['lambda x: 1', /no lambdas/],
      ['eg.X.text(1)', /only functions can be called/],
    ];
    for (const [f, re] of cases) {
      assert.throws(
        () => compile(f, { dialect: 'excel' }),
        (e: unknown) => e instanceof FormulaError && e.category === 'syntax' && re.test(e.message),
        f,
      );
    }
  });

  it('table references are unchanged; function names are case-insensitive', () => {
    const c = ctx({ ai: { E42VV_00: { value: 1796 } } });
    check(X('Redondear(ai.E42VV_00.value*ai.E42VV_00.escala; 1)', c), F(33), 'case-insensitive');
    check(X('AI.E42VV_00.value', c), E('unknown-reference'), 'tables are lower-case');
  });
});

describe('FUNCTIONS.md', () => {
  it('is the output of functionsMarkdown()', () => {
    const md = fs.readFileSync(path.join(__dirname, '../../lib/formula/FUNCTIONS.md'), 'utf8');
    assert.equal(md, functionsMarkdown() + '\n');
  });
});
