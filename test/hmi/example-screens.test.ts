/**
 * The example drawings (examples/*.svg) against the example workbook (examples/substation.xlsx):
 * every graphic element of a screen is bound by exactly one node of its drawing and the drawing binds
 * nothing else (spec hmi §5.1); the drawings pass the sanitiser untouched (§5.7: page colour, size).
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { indexScreen, sanitizeSvg } from '../../lib/hmi';
import type { ScreenIndex } from '../../lib/hmi';
import { load } from '../../lib/project/workbook';
import type { ProjectModel } from '../../lib/project/model';

const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');

/** Equipment classes (tag characters 4–6, spec §1.1) drawn as texts: measurements, titles, bay numbers. */
const TEXT_CLASSES = new Set(['VV_', 'PA_', 'PR_', 'SS_', 'II_', 'TDB', 'TEC', 'NDC', 'TIC', 'TDE', 'TIT']);

const sorted = (xs: Iterable<string>): string[] => [...xs].sort();

describe('example screens match the example workbook', () => {
  let model: ProjectModel;
  const drawings = new Map<string, { raw: string; ix: ScreenIndex }>();

  before(async () => {
    model = (await load(path.join(EXAMPLES, 'substation.xlsx'))).model;
    for (const s of model.screens) {
      const raw = readFileSync(path.join(EXAMPLES, s.file), 'utf8');
      drawings.set(s.name, { raw, ix: indexScreen(raw) });
    }
  });

  it('the workbook lists the two example screens, each with its drawing', () => {
    assert.deepEqual(
      model.screens.map((s) => [s.name, s.file]),
      [
        ['MAP', 'map.svg'],
        ['S1', 's1.svg'],
      ],
    );
    assert.deepEqual(sorted(drawings.keys()), ['MAP', 'S1']);
  });

  it('every drawing passes sanitizeSvg untouched (nothing removed, same index, a fixed point)', () => {
    for (const [name, { raw, ix }] of drawings) {
      const { svg, removed } = sanitizeSvg(raw);
      assert.deepEqual(removed, [], name);
      assert.deepEqual(indexScreen(svg), ix, `${name}: same tags, jumps, size and page colour after sanitising`);
      assert.equal(sanitizeSvg(svg).svg, svg, `${name}: sanitising again changes nothing`);
    }
  });

  it('per screen, the bound tags are exactly the graphic elements of the screen, each on one node', () => {
    for (const [name, { ix }] of drawings) {
      const expected = sorted(model.elements.filter((e) => e.screen === name).map((e) => e.tag));
      const drawn = ix.tags.map((t) => t.tag);
      const unique = sorted(new Set(drawn));
      const missing = expected.filter((t) => !unique.includes(t));
      const extra = unique.filter((t) => !expected.includes(t));
      assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, name);
      assert.deepEqual(unique, expected, name);
      assert.deepEqual(sorted(drawn), unique, `${name}: no tag on more than one node`);
    }
  });

  it('each element is drawn with a node its attributes can paint (§5.3)', () => {
    for (const [name, { ix }] of drawings) {
      const node = new Map(ix.tags.map((t) => [t.tag, t.node.name]));
      for (const e of model.elements.filter((x) => x.screen === name)) {
        const attrs = new Set(model.formulas.filter((f) => f.tag === e.tag).map((f) => f.attr));
        const kind = node.get(e.tag);
        const where = `${name} ${e.tag} (${[...attrs].join(',') || 'no formula'})`;
        if (attrs.has('text') || TEXT_CLASSES.has(e.tag.slice(3, 6))) assert.equal(kind, 'text', where);
        else if (attrs.has('stroke')) assert.equal(kind, 'g', where);
        else if (attrs.has('fill')) assert.ok(kind === 'rect' || kind === 'g' || kind === 'circle', `${where}: ${kind}`);
      }
    }
  });

  it('navigation, size and page colour: the map jumps to S1 from S12ETT00; S1 is a black 1200×800 page', () => {
    const map = drawings.get('MAP')!.ix;
    const s1 = drawings.get('S1')!.ix;
    assert.deepEqual(
      map.jumps.map((j) => [j.target, j.node.name]),
      [['S1', 'circle']],
    );
    assert.equal(map.jumps[0].node, map.tags.find((t) => t.tag === 'S12ETT00')!.node, 'the station symbol is the hot-spot');
    const names = new Set(model.screens.map((s) => s.name));
    for (const ix of [map, s1]) for (const j of ix.jumps) assert.ok(names.has(j.target), j.target);
    assert.deepEqual(s1.jumps, []);
    assert.deepEqual([map.width, map.height, map.background], [1200, 800, '#f0ede5']);
    assert.deepEqual([s1.width, s1.height, s1.background], [1200, 800, '#000000']);
  });
});
