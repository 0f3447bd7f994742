/** The incremental formula engine: dependency order, propagation, write rule, errors (spec hmi §3.3). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compile } from '../../lib/formula';
import { EngineFormula, FormulaEngine } from '../../lib/formula/engine';

const engine = (dialect: 'txscada' | 'excel' = 'txscada') => new FormulaEngine({ compile, dialect });
const F = (row: number, tag: string, attr: 'text' | 'fill' | 'stroke', text: string): EngineFormula => ({ row, tag, attr, text });

/** The chain of spec §3.2: voltage text → bar stroke → disconnector stroke → breaker fill (rows reversed on purpose). */
const CHAIN = [
  F(2, 'E4152B04', 'fill', 'SI(di.E4152B04.value,si(int(eg.E4189S04.text),eg.E4189S04.stroke,12),si(int(eg.E4152B04.text),6,10))'),
  F(3, 'E4189S04', 'stroke', 'SI(int(eg.E4189S04.text),eg.E42BAR00.stroke,12)'),
  F(4, 'E42BAR00', 'stroke', 'SI(float(eg.E42VV_00.text)>0.1,2,3)'),
  F(5, 'E42VV_00', 'text', 'str(ai.E42VV_00.value*ai.E42VV_00.escala)'),
];
const CHAIN_MODEL = {
  points: [
    { tag: 'E42VV_00', table: 'ai' as const, escala: 0.018374164810690423 },
    { tag: 'E4152B04', table: 'di' as const },
  ],
  elements: [
    { tag: 'E42VV_00', text: '0' },
    { tag: 'E42BAR00', text: '' },
    { tag: 'E4189S04', text: '1' },
    { tag: 'E4152B04', text: '0' },
  ],
  formulas: CHAIN,
};

describe('FormulaEngine', () => {
  it('settles a four-level chain in one propagation, whatever the row order (the original needed four frames)', () => {
    const e = engine();
    assert.deepEqual(
      e.load(CHAIN_MODEL).filter((p) => p.severity === 'error'),
      [],
    );
    e.fullPass();
    const changes = e.update([
      { table: 'ai', tag: 'E42VV_00', value: 1796 },
      { table: 'di', tag: 'E4152B04', value: 1 },
    ]);
    assert.deepEqual(
      changes.map((c) => [c.tag, c.attr, c.value]),
      [
        ['E42VV_00', 'text', '33.0'],
        ['E42BAR00', 'stroke', 2],
        ['E4189S04', 'stroke', 2],
        ['E4152B04', 'fill', 2],
      ],
    );
    // the voltage drops: the colours follow in the same step
    const off = e.update([{ table: 'ai', tag: 'E42VV_00', value: 0 }]);
    assert.deepEqual(
      off.map((c) => [c.tag, c.attr, c.value]),
      [
        ['E42VV_00', 'text', '0.0'],
        ['E42BAR00', 'stroke', 3],
        ['E4189S04', 'stroke', 3],
        ['E4152B04', 'fill', 3],
      ],
    );
  });

  it('only re-evaluates dependants and emits only real changes', () => {
    const e = engine();
    e.load(CHAIN_MODEL);
    e.fullPass();
    e.update([{ table: 'ai', tag: 'E42VV_00', value: 1796 }]);
    assert.deepEqual(e.update([{ table: 'ai', tag: 'E42VV_00', value: 1796 }]), [], 'same value: nothing');
    assert.deepEqual(
      e.update([{ table: 'ai', tag: 'E42VV_00', value: 1797 }]).map((c) => c.tag),
      ['E42VV_00'],
      'text changes, colours do not',
    );
  });

  it('an error keeps the previous value, records it, and the other formulas still run', () => {
    const e = engine();
    e.load({
      points: [{ tag: 'V', table: 'ai', escala: 1 }],
      elements: [
        { tag: 'T', text: '1' },
        { tag: 'X', text: '0' },
      ],
      formulas: [F(2, 'X', 'fill', 'SI(int(eg.T.text),6,10)'), F(3, 'X', 'text', 'str(ai.V.value*2)')],
    });
    e.fullPass();
    assert.equal(e.element('X')!.fill, 6);
    e.setElement('T', 'text', 'abc');
    const changes = e.update([{ table: 'ai', tag: 'V', value: 21 }]);
    assert.deepEqual(
      changes.map((c) => [c.tag, c.attr, c.value]),
      [
        ['T', 'text', 'abc'],
        ['X', 'text', '42'],
      ],
    );
    assert.equal(e.element('X')!.fill, 6, 'previous value kept');
    assert.deepEqual(
      e.errors().map((x) => [x.tag, x.attr, x.category]),
      [['X', 'fill', 'conversion']],
    );
    assert.deepEqual(e.errorCounts(), { waiting: 0, failing: 1 }, 'what errors() lists, counted');
    e.setElement('T', 'text', '0');
    e.propagate();
    assert.equal(e.element('X')!.fill, 10);
    assert.deepEqual(e.errors(), [], 'error cleared by the next success');
    assert.deepEqual(e.errorCounts(), { waiting: 0, failing: 0 });
  });

  it('applies the write rule: str() for text, integral numbers or None for colours', () => {
    const e = engine();
    e.load({
      points: [{ tag: 'V', table: 'ai', escala: 0.5 }],
      elements: [{ tag: 'A' }],
      formulas: [F(2, 'A', 'text', 'ai.V.value*ai.V.escala'), F(3, 'A', 'fill', 'ai.V.value*1.0'), F(4, 'A', 'stroke', 'O(0, 0)')],
    });
    e.update([{ table: 'ai', tag: 'V', value: 4 }]);
    e.fullPass();
    assert.deepEqual(e.element('A'), { text: '2.0', fill: 4, stroke: null, mark: null });
    e.update([{ table: 'ai', tag: 'V', value: 3 }]);
    assert.equal(e.element('A')!.text, '1.5');
    assert.equal(e.element('A')!.fill, 3);
    e.load({ points: [], elements: [{ tag: 'B' }], formulas: [F(2, 'B', 'fill', "'red'"), F(3, 'B', 'text', 'None')] });
    e.fullPass();
    assert.deepEqual(
      e.errors().map((x) => [x.attr, x.category]),
      [
        ['fill', 'type'],
        ['text', 'type'],
      ],
    );
  });

  it('reports syntax errors with row and column, unknown references and cycles as warnings', () => {
    const e = engine();
    const problems = e.load({
      points: [],
      elements: [{ tag: 'A' }, { tag: 'B' }, { tag: 'C' }],
      formulas: [
        F(7, 'A', 'fill', 'SI(di.E4252B05.value),eg.E4289I05.stroke,12)'),
        F(8, 'B', 'fill', 'SI(eg.C.fill,1,2)'),
        F(9, 'C', 'fill', 'SI(eg.B.fill,1,2)'),
        F(10, 'A', 'text', 'str(ai.NOPE.value)'),
        F(11, 'A', 'colbak' as 'fill', '1'), // an attribute the engine does not know, on purpose
      ],
    });
    const syntax = problems.find((p) => p.row === 7)!;
    assert.equal(syntax.category, 'syntax');
    assert.equal(syntax.severity, 'error');
    assert.ok(typeof syntax.column === 'number' && syntax.column > 0);
    assert.ok(problems.some((p) => p.row === 10 && p.category === 'unknown-reference' && p.severity === 'warning'));
    const cyc = problems.filter((p) => p.category === 'cycle');
    assert.deepEqual(cyc.map((p) => p.row).sort(), [8, 9]);
    assert.match(cyc[0].message, /row 8.*row 9/);
    assert.ok(
      problems.some((p) => p.row === 11 && p.severity === 'error'),
      'unknown attribute rejected',
    );
    e.fullPass(); // the cycle still evaluates, in row order
    assert.equal(e.element('B')!.fill, 2);
  });

  it('runs the map-alarm formula (FILTRAR over every element) when a marked text changes', () => {
    const e = engine();
    e.load({
      points: [],
      elements: [{ tag: 'S1151_01', text: '0', mark: 1 }, { tag: 'S1151_02', text: '0', mark: 1 }, { tag: 'OTHER', text: '5' }, { tag: 'S12ETT00' }],
      formulas: [F(2, 'S12ETT00', 'fill', 'SI(SUMA(APLICAR(lambda e: int(e.text), FILTRAR(lambda x: x.mark = 1, eg))),6,11)')],
    });
    e.fullPass();
    assert.equal(e.element('S12ETT00')!.fill, 11);
    assert.deepEqual(
      e.update([], [{ tag: 'S1151_02', attr: 'text', value: '1' }]).map((c) => [c.tag, c.value]),
      [
        ['S1151_02', '1'],
        ['S12ETT00', 6],
      ],
    );
    assert.deepEqual(
      e.update([], [{ tag: 'OTHER', attr: 'text', value: '7' }]).map((c) => c.tag),
      ['OTHER'],
      'unmarked: colour unchanged',
    );
  });

  it('"try this formula" evaluates with overrides and leaves the state alone', () => {
    const e = engine();
    e.load(CHAIN_MODEL);
    e.fullPass();
    const r = e.tryFormula('str(ai.E42VV_00.value*ai.E42VV_00.escala)', { 'ai.E42VV_00.value': 3413 });
    assert.deepEqual(r, { ok: true, value: '62.7110244989', type: 'string' });
    assert.equal(e.point('ai', 'E42VV_00')!.value, undefined, 'state untouched (no frame yet: no value)');
    assert.deepEqual(e.tryFormula('SI(eg.NEW.text,1,2)', { 'eg.NEW.text': '0' }), { ok: true, value: 1, type: 'integer' });
    assert.equal(e.tryFormula('SI(1,2', {}).ok, false);
  });

  it('the excel dialect: lazy IF, true division, & concatenation', () => {
    const e = engine('excel');
    e.load({
      points: [{ tag: 'V', table: 'ai', escala: 1 }],
      elements: [{ tag: 'A' }],
      formulas: [F(2, 'A', 'text', 'IF(ai.V.value<>0, 10/ai.V.value, "no voltage") & ""'), F(3, 'A', 'fill', 'IF(ai.V.value>=4, 6, 10)')],
    });
    e.update([{ table: 'ai', tag: 'V', value: 0 }]);
    e.fullPass();
    assert.deepEqual(e.element('A'), { text: 'no voltage', fill: 10, stroke: null, mark: null });
    e.update([{ table: 'ai', tag: 'V', value: 4 }]);
    assert.deepEqual([e.element('A')!.text, e.element('A')!.fill], ['2.5', 6]);
  });

  describe('a point never read has no value (spec hmi §1.2 fix: no made-up -1)', () => {
    it('before any point arrives nothing computed from points gets a value; its formulas report no-value; every dependant is invalid', () => {
      const e = engine();
      e.load(CHAIN_MODEL);
      // the original read -1 / 0: text "-0.0183…", a dead bar (3), an open breaker (10), all as good data
      assert.deepEqual(e.fullPass(), [], 'no made-up element value');
      assert.deepEqual(e.element('E42VV_00'), { text: null, fill: null, stroke: null, mark: null });
      assert.equal(e.element('E42BAR00')!.stroke, null);
      assert.equal(e.element('E4152B04')!.fill, null);
      assert.deepEqual(
        e.errors().map((x) => [x.tag, x.category]),
        [
          ['E42VV_00', 'no-value'],
          ['E42BAR00', 'no-value'],
          ['E4189S04', 'no-value'],
          ['E4152B04', 'no-value'],
        ],
      );
      assert.deepEqual(e.errorCounts(), { waiting: 4, failing: 0 });
      const q = new Map(e.takeQualityChanges().map((c) => [c.tag, c.quality]));
      assert.deepEqual(
        [...q],
        [
          ['E42VV_00', 'invalid'],
          ['E42BAR00', 'invalid'],
          ['E4189S04', 'invalid'],
          ['E4152B04', 'invalid'],
        ],
      );
      assert.deepEqual(e.takeQualityChanges(), [], 'reported once');
    });

    it('values arrive: results follow, quality follows the inputs; the breaker waits for its own DI (eager SI reads it)', () => {
      const e = engine();
      e.load(CHAIN_MODEL);
      e.fullPass();
      e.takeQualityChanges();
      const ch = e.update([{ table: 'ai', tag: 'E42VV_00', value: 1796, q: 0, quality: 'good' }]);
      assert.deepEqual(
        ch.map((c) => [c.tag, c.attr, c.value]),
        [
          ['E42VV_00', 'text', '33.0'],
          ['E42BAR00', 'stroke', 2],
          ['E4189S04', 'stroke', 2],
        ],
      );
      assert.equal(e.element('E4152B04')!.fill, null, 'still no value: its DI was never read');
      assert.deepEqual(e.takeQualityChanges(), [
        { tag: 'E42VV_00', quality: 'good' },
        { tag: 'E42BAR00', quality: 'good' },
        { tag: 'E4189S04', quality: 'good' },
      ]);
      e.update([{ table: 'di', tag: 'E4152B04', value: 1, quality: 'good' }]);
      assert.equal(e.element('E4152B04')!.fill, 2);
      assert.deepEqual(e.takeQualityChanges(), [{ tag: 'E4152B04', quality: 'good' }]);
      assert.deepEqual(e.errors(), []);
    });

    it('a point going invalid (device offline) keeps its value and makes every element computed from it invalid', () => {
      const e = engine();
      e.load(CHAIN_MODEL);
      e.update([
        { table: 'ai', tag: 'E42VV_00', value: 1796, q: 0 },
        { table: 'di', tag: 'E4152B04', value: 1 },
      ]);
      e.takeQualityChanges();
      // what mara-points sends on offline: the last value, q = 1, quality invalid
      const ch = e.update([
        { table: 'ai', tag: 'E42VV_00', value: 1796, q: 1, quality: 'invalid' },
        { table: 'di', tag: 'E4152B04', value: 1, q: 1, quality: 'invalid' },
      ]);
      assert.deepEqual(ch, [], 'values unchanged');
      assert.deepEqual(
        e
          .takeQualityChanges()
          .map((c) => [c.tag, c.quality])
          .sort(),
        [
          ['E4152B04', 'invalid'],
          ['E4189S04', 'invalid'],
          ['E42BAR00', 'invalid'],
          ['E42VV_00', 'invalid'],
        ],
      );
      e.update([{ table: 'ai', tag: 'E42VV_00', value: 1796, q: 0, quality: 'good' }]);
      // the breaker's own DI is still invalid: it stays grey; the chain above it is good again
      assert.deepEqual(
        e
          .takeQualityChanges()
          .map((c) => [c.tag, c.quality])
          .sort(),
        [
          ['E4189S04', 'good'],
          ['E42BAR00', 'good'],
          ['E42VV_00', 'good'],
        ],
      );
    });

    it('an element without formulas has the quality of the point with its tag; static elements are good', () => {
      const e = engine();
      e.load({
        points: [{ tag: 'D', table: 'di' }],
        elements: [
          { tag: 'D', text: '0' },
          { tag: 'TITLE', text: 'BAR 33 KV' },
        ],
        formulas: [],
      });
      e.fullPass();
      assert.deepEqual(e.qualities(), [
        { tag: 'D', quality: 'invalid' },
        { tag: 'TITLE', quality: 'good' },
      ]);
      e.update([{ table: 'di', tag: 'D', value: 0 }]);
      assert.deepEqual(e.takeQualityChanges(), [
        { tag: 'D', quality: 'good' },
        { tag: 'TITLE', quality: 'good' },
      ]);
    });

    it('a reloaded engine given points() starts from the last known values, not from nothing', () => {
      const a = engine();
      a.load(CHAIN_MODEL);
      a.update([
        { table: 'ai', tag: 'E42VV_00', value: 1796, q: 0 },
        { table: 'di', tag: 'E4152B04', value: 1 },
      ]);
      const b = engine();
      b.load(CHAIN_MODEL);
      b.update(b.points().concat(a.points()));
      b.fullPass();
      assert.deepEqual(b.elements(), a.elements());
      assert.deepEqual(b.qualities(), a.qualities());
      assert.deepEqual(b.errors(), []);
    });

    it('a formula that reads a never-read point through "try" says so', () => {
      const e = engine();
      e.load(CHAIN_MODEL);
      const r = e.tryFormula('str(ai.E42VV_00.value)');
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.error, 'no-value');
    });
  });

  it('property: any sequence of incremental updates reaches the state of a full pass', () => {
    const N_IN = 4;
    const N_OUT = 8;
    // a random acyclic graph: output k may read inputs and outputs < k
    const formulaArb = (k: number) =>
      fc
        .tuple(
          fc.integer({ min: 0, max: N_IN - 1 }),
          fc.integer({ min: 0, max: Math.max(0, k - 1) }),
          fc.integer({ min: 0, max: 3 }),
          fc.integer({ min: 1, max: 5 }),
        )
        .map(([i, j, shape, c]) => {
          const inp = `ai.I${i}.value`;
          const out = k > 0 ? `int(eg.O${j}.text)` : '0';
          return [`str(${inp}+${c})`, `str(${out}*${c}+${inp})`, `str(SI(${inp}%2,${out},${c}))`, `str(${inp}/${c}-${out})`][shape];
        });
    const arb = fc.record({
      formulas: fc.tuple(...Array.from({ length: N_OUT }, (_, k) => formulaArb(k))),
      rows: fc.shuffledSubarray(
        Array.from({ length: N_OUT }, (_, k) => k),
        { minLength: N_OUT, maxLength: N_OUT },
      ),
      updates: fc.array(fc.tuple(fc.integer({ min: 0, max: N_IN - 1 }), fc.integer({ min: -5, max: 50 })), { minLength: 1, maxLength: 30 }),
    });
    fc.assert(
      fc.property(arb, ({ formulas, rows, updates }) => {
        const model = {
          points: Array.from({ length: N_IN }, (_, i) => ({ tag: `I${i}`, table: 'ai' as const, escala: 1 })),
          elements: Array.from({ length: N_OUT }, (_, k) => ({ tag: `O${k}`, text: '0' })),
          formulas: formulas.map((text, k) => F(rows[k] + 2, `O${k}`, 'text', text)),
        };
        const inc = engine();
        inc.load(model);
        inc.fullPass();
        const final = new Map<number, number>();
        for (const [i, v] of updates) {
          inc.update([{ table: 'ai', tag: `I${i}`, value: v }]);
          final.set(i, v);
        }
        const full = engine();
        full.load(model);
        for (const [i, v] of final) full.setPoint({ table: 'ai', tag: `I${i}`, value: v });
        full.fullPass();
        assert.deepEqual(inc.elements(), full.elements());
      }),
      { numRuns: 300, seed: 0x5eed0e01 },
    );
  });
});
