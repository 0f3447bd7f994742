/** indexScreen: tags, jump-to hot-spots, size and page colour of Inkscape-like screens. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { deadJumpProblems, indexScreen, parseScreenLength, sanitizeSvg } from '../../lib/hmi';

const SCREEN = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape (http://www.inkscape.org/) -->
<svg
   xmlns:dc="http://purl.org/dc/elements/1.1/"
   xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
   xmlns:svg="http://www.w3.org/2000/svg"
   xmlns="http://www.w3.org/2000/svg"
   xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
   xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
   width="297mm"
   height="210mm"
   viewBox="0 0 1052.3622 744.09448"
   version="1.1"
   id="svg2"
   sodipodi:docname="E9.svg">
  <defs id="defs4" />
  <sodipodi:namedview id="base" pagecolor="#000000" bordercolor="#666666" inkscape:zoom="0.35" />
  <metadata id="metadata7"><rdf:RDF><dc:title tag="IGNORED">x</dc:title></rdf:RDF></metadata>
  <g inkscape:label="Capa 1" inkscape:groupmode="layer" id="layer1">
    <g tag="E9289S01" id="g3841" inkscape:label="seccionador">
      <path d="M 0,0 L 10,10" id="path3843" />
      <g tag="E9289S01" id="g3845">
        <path d="M 10,10 L 20,0" id="path3847" />
        <path tag="nopaint" d="M 0,0 H 5" id="path3849" style="stroke:#ff0000" />
      </g>
    </g>
    <rect tag="E9152B04" id="rect5955" width="10" height="10" x="1" y="1" />
    <text tag="E92VV_00" id="text15386-1-0" x="0" y="0"><tspan sodipodi:role="line" id="tspan1">0.00</tspan></text>
    <rect tag="" id="rect_empty" width="1" height="1" />
    <path tag="nopaint" id="path_np" d="M 0,0" />
    <circle jump-to="E1" id="circle1" cx="10" cy="10" r="5" />
    <circle jump-to="E4" tag="E42ETT00" id="circle4" cx="40" cy="10" r="5" />
    <svg:g id="gpref"><svg:rect tag="E9CVV_01" /></svg:g>
  </g>
</svg>
`;

const node = (name: string, id: string | null, index: number, p: string, label: string | null = null) => ({ name, id, index, path: p, label });

describe('indexScreen', () => {
  it('lists tags (nested repeats included, nopaint and empty skipped), jumps, size and page colour', () => {
    const ix = indexScreen(SCREEN);
    assert.deepEqual(ix, {
      tags: [
        { tag: 'E9289S01', node: node('g', 'g3841', 5, '/svg/g[1]/g[1]', 'seccionador') },
        { tag: 'E9289S01', node: node('g', 'g3845', 7, '/svg/g[1]/g[1]/g[1]') },
        { tag: 'E9152B04', node: node('rect', 'rect5955', 10, '/svg/g[1]/rect[1]') },
        { tag: 'E92VV_00', node: node('text', 'text15386-1-0', 11, '/svg/g[1]/text[1]') },
        { tag: 'E42ETT00', node: node('circle', 'circle4', 16, '/svg/g[1]/circle[2]') },
        { tag: 'E9CVV_01', node: node('rect', null, 18, '/svg/g[1]/g[2]/rect[1]') },
      ],
      jumps: [
        { target: 'E1', node: node('circle', 'circle1', 15, '/svg/g[1]/circle[1]') },
        { target: 'E4', node: node('circle', 'circle4', 16, '/svg/g[1]/circle[2]') },
      ],
      width: 297,
      height: 210,
      background: '#000000',
    });
  });

  it('with the known screens, marks each jump dead or alive (exact names, as the screen matches them)', () => {
    const ix = indexScreen(SCREEN, { screens: ['E4', 'e1'] });
    assert.deepEqual(
      ix.jumps.map((j) => [j.target, j.dead]),
      [
        ['E1', true],
        ['E4', false],
      ],
    );
    assert.deepEqual(
      indexScreen(SCREEN, { screens: new Set(['E1', 'E4']) }).jumps.map((j) => j.dead),
      [false, false],
    );
    // without the option no flag at all (the index stays what it was)
    assert.ok(indexScreen(SCREEN).jumps.every((j) => !('dead' in j)));
    assert.deepEqual(indexScreen('<nope', { screens: [] }).jumps, []);
  });

  it('deadJumpProblems: one warning per dead hot-spot, on the screen row, naming the node', () => {
    const screen = { name: 'E9', file: 'E9.svg', row: 4 };
    const ps = deadJumpProblems(screen, indexScreen(SCREEN, { screens: ['E4'] }));
    assert.deepEqual(
      ps.map((p) => [p.sheet, p.row, p.column, p.severity]),
      [['screens', 4, null, 'warning']],
    );
    assert.match(ps[0].message, /screen E9 \(E9\.svg\): hot-spot #circle1 jumps to "E1", which is no screen/);
    // the screens may be given here instead of at indexing
    assert.equal(deadJumpProblems(screen, indexScreen(SCREEN), ['E1', 'E4']).length, 0);
    assert.equal(deadJumpProblems(screen, indexScreen(SCREEN), []).length, 2);
  });

  it('a node with both tag and jump-to shares one node description', () => {
    const ix = indexScreen(SCREEN);
    assert.equal(ix.tags[4].node, ix.jumps[1].node);
  });

  it('gives the same index after sanitising', () => {
    assert.deepEqual(indexScreen(sanitizeSvg(SCREEN).svg), indexScreen(SCREEN));
  });

  it('width/height: decimals truncated, units stripped, viewBox fallback', () => {
    const size = (attrs: string) => {
      const ix = indexScreen(`<svg xmlns="http://www.w3.org/2000/svg" ${attrs}/>`);
      return [ix.width, ix.height];
    };
    assert.deepEqual(size('width="1052.3622" height="744.09448"'), [1052, 744]);
    assert.deepEqual(size('width="1200px" height="800.9px"'), [1200, 800]);
    assert.deepEqual(size('width=" 297mm " height="2.1e2mm"'), [297, 210]);
    assert.deepEqual(size('viewBox="0 0 1052.36,744.09"'), [1052, 744]);
    assert.deepEqual(size('width="100%" height="100%" viewBox="-10 -10 640 480"'), [640, 480]);
    assert.deepEqual(size('width="640" viewBox="0 0 10 20"'), [640, 20]);
    assert.deepEqual(size('width="-5" height="abc"'), [0, 0]);
    assert.deepEqual(size('viewBox="0 0 -1 5"'), [0, 0]);
    assert.deepEqual(size(''), [0, 0]);
    assert.equal(parseScreenLength('297mm'), 297);
    assert.equal(parseScreenLength('0.5'), 0);
    assert.equal(parseScreenLength('12 px'), 12);
    assert.equal(parseScreenLength('12vw'), null);
  });

  it('background: the first namedview pagecolor when it is a plain colour, else null', () => {
    const bg = (nv: string) =>
      indexScreen(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd">${nv}</svg>`).background;
    assert.equal(bg('<sodipodi:namedview pagecolor="#f0ede5"/>'), '#f0ede5');
    assert.equal(bg('<sodipodi:namedview pagecolor=" white "/>'), 'white');
    assert.equal(bg('<sodipodi:namedview pagecolor="#fff"/><sodipodi:namedview pagecolor="#000"/>'), '#fff');
    assert.equal(bg('<sodipodi:namedview pagecolor="red;background:url(http://x)"/>'), null);
    assert.equal(bg('<sodipodi:namedview/>'), null);
    assert.equal(bg('<namedview pagecolor="#fff"/>'), null, 'not the sodipodi element');
    assert.equal(bg(''), null);
    // undeclared but conventional prefix
    assert.equal(indexScreen('<svg><sodipodi:namedview pagecolor="#abcdef"/></svg>').background, '#abcdef');
  });

  it('never throws; garbage gives an empty index', () => {
    const empty = { tags: [], jumps: [], width: 0, height: 0, background: null };
    for (const g of ['', 'not xml', '<svg><g></svg>', '<svg tag="x">', 42, null, undefined, {}, [], Buffer.from('<svg/>')]) {
      assert.deepEqual(indexScreen(g as string), empty);
    }
  });

  it('handles 10 000 nested groups without recursion', () => {
    const depth = 10_000;
    const s = `<svg xmlns="http://www.w3.org/2000/svg">${'<g>'.repeat(depth)}<rect tag="DEEP"/>${'</g>'.repeat(depth)}</svg>`;
    const ix = indexScreen(s);
    assert.equal(ix.tags.length, 1);
    assert.equal(ix.tags[0].node.index, depth + 1);
    assert.equal(ix.tags[0].node.path, `/svg${'/g[1]'.repeat(depth)}/rect[1]`);
  });
});

describe('example screens', () => {
  const read = (f: string) => readFileSync(path.join(__dirname, '../../examples', f), 'utf8');

  it('map.svg: one station symbol jumping to S1, page colour #f0ede5', () => {
    const ix = indexScreen(read('map.svg'));
    assert.deepEqual(
      ix.tags.map((t) => [t.tag, t.node.name]),
      [['S12ETT00', 'circle']],
    );
    assert.deepEqual(
      ix.jumps.map((j) => [j.target, j.node.name, j.node.id]),
      [['S1', 'circle', 'circle1047']],
    );
    assert.equal(ix.jumps[0].node, ix.tags[0].node);
    assert.deepEqual([ix.width, ix.height, ix.background], [1200, 800, '#f0ede5']);
  });

  it('s1.svg: one node per tag, the kinds formulas paint, page colour #000000 (tag set vs the workbook: example-screens.test.ts)', () => {
    const ix = indexScreen(read('s1.svg'));
    const tags = ix.tags.map((t) => t.tag);
    assert.equal(new Set(tags).size, tags.length, 'no tag on two nodes');
    const kind = new Map(ix.tags.map((t) => [t.tag, t.node.name]));
    for (const t of ['S12BAR00', 'S11BAR00', 'S12TT_01', 'S1189S03', 'S1189I06']) assert.equal(kind.get(t), 'g', t);
    for (const t of ['S1152B01', 'S1152B06', 'S1252B02']) assert.equal(kind.get(t), 'rect', t);
    for (const t of ['S12VV_00', 'S11VV_00', 'S11II_03', 'S11II_06']) assert.equal(kind.get(t), 'text', t);
    assert.deepEqual(ix.jumps, []);
    assert.deepEqual([ix.width, ix.height, ix.background], [1200, 800, '#000000']);
  });
});
