/** The project's problem list at the admin endpoint: the workbook's problems and every formula problem, in full. */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '../helpers/pipe';
import { helper } from '../helpers/red';
import projectNode = require('../../nodes/mara-project');
import formulaNode = require('../../nodes/mara-formula');

// The test helper has no userDir: paths resolve against the working directory (the checkout).
const WORKBOOK = 'test/fixtures/migration/migration.xlsx';

describe('mara-project problems endpoint', () => {
  before(() => new Promise<void>((r) => helper.startServer(() => r())));
  after(() => new Promise<void>((r) => helper.stopServer(() => r())));
  afterEach(() => helper.unload());

  it('lists the workbook problems and every formula problem with row, target and severity', async () => {
    await helper.load([projectNode], [{ id: 'proj', type: 'mara-project', path: WORKBOOK, dialect: 'txscada', watch: false }]);
    await until(() => ((helper.getNode('proj') as any).project?.version ?? 0) > 0, 10000, 'workbook loaded');
    const res = await helper.request().get('/mara/project/proj/problems').expect(200);
    const ps: any[] = res.body.problems;
    const formula = ps.filter((p) => p.source === 'formula');
    assert.ok(formula.some((p) => p.category === 'syntax' && p.row === 3 && p.tag === 'M1152B01' && p.severity === 'error'));
    assert.ok(formula.some((p) => p.category === 'unknown-reference' && p.row === 5));
    assert.ok(formula.some((p) => p.category === 'cycle' && p.row === 6) && formula.some((p) => p.category === 'cycle' && p.row === 7));
    const workbook = ps.filter((p) => p.source === 'workbook');
    assert.equal(workbook.length, (helper.getNode('proj') as any).project.problems.length);
    assert.ok(workbook.some((p) => p.sheet === 'eg' && p.column === 'screen' && /unknown screen GENERAL/.test(p.message)));
    // the map's hot-spot to the missing screen E9, from the drawing, at import
    const dead = workbook.filter((p) => p.sheet === 'screens' && /jumps to "E9", which is no screen/.test(p.message));
    assert.deepEqual(
      dead.map((p) => [p.row, p.severity]),
      [[2, 'warning']],
    );
  });

  it('lists what fails in the running mara-formula nodes: row, target, attribute, message and the value kept', async () => {
    await helper.load(
      [projectNode, formulaNode],
      [
        { id: 't', type: 'tab' },
        { id: 'proj', type: 'mara-project', path: WORKBOOK, dialect: 'txscada', watch: false },
        { id: 'frm', type: 'mara-formula', z: 't', project: 'proj', wires: [[]] },
      ],
    );
    await until(() => ((helper.getNode('frm') as any).engine?.size ?? 0) > 0, 10000, 'formulas loaded');
    const res = await helper.request().get('/mara/project/proj/problems').expect(200);
    const rt: any[] = res.body.problems.filter((p: any) => p.source === 'runtime');
    assert.deepEqual(
      rt.map((p) => [p.row, p.tag, p.attr, p.category, p.lastValue]),
      [
        [5, 'M1189S01', 'stroke', 'unknown-reference', null],
        [8, 'M1DIV0', 'text', 'division-by-zero', '7'],
      ],
    );
    assert.match(rt[1].message, /M1DIV0\.text fails when evaluated: division-by-zero: .*; it keeps "7"/);
    assert.ok(rt.every((p) => p.sheet === 'formulas' && p.severity === 'error' && typeof p.formula === 'string'));
    // a formula waiting for a point never read is not a failure
    assert.ok(!rt.some((p) => p.category === 'no-value'));
  });

  it('offers the workbook COMasters (host, port, enabled, IED addresses) to the mara-line dialog', async () => {
    await helper.load([projectNode], [{ id: 'proj', type: 'mara-project', path: WORKBOOK, dialect: 'txscada', watch: false }]);
    await until(() => ((helper.getNode('proj') as any).project?.version ?? 0) > 0, 10000, 'workbook loaded');
    const res = await helper.request().get('/mara/project/proj/comasters').expect(200);
    assert.deepEqual(
      res.body.comasters.map((c: any) => [c.id, c.host, c.port, c.enabled, c.addresses]),
      [
        ['1', '10.0.0.1', 9761, false, [1]],
        ['2', '10.0.0.2', 9761, true, [1]],
        ['3', '10.0.0.3', 4001, true, [1, 2, 3]],
      ],
    );
    await helper.request().get('/mara/project/nope/comasters').expect(404);
  });
});
