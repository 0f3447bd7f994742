/**
 * The browser bundle (dist/ui/mara-screen.js, built from ui/) outside the browser: the file is evaluated in a
 * `vm` context (no DOM globals) and its binder, navigator and click logic run against a small fake DOM
 * (test/helpers/fake-dom.ts). The rules it shares with the server (display text, attribute allowlist, toggle
 * shape) are lib/hmi's own code, bundled: tested in test/hmi, and here only through what the binder does.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { FakeElement, FakeWindow, StyleLog, UI_FILE, fakeSvg, loadUi, manualRaf } from '../helpers/fake-dom';

const ui = loadUi();
/** Values made in the vm context have that context's prototypes: compare their JSON form. */
const plain = <T>(x: T): T => JSON.parse(JSON.stringify(x));

const SCREEN = `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50">
  <g tag="A" id="outer">
    <g tag="A" id="inner"><path id="pA1" d="M0 0"/></g>
    <rect id="rA2" style="fill:#123456"/>
    <text id="tA3">label</text>
    <path id="pNo" tag="nopaint"/>
    <g tag="nopaint" id="gNo"><rect id="rNo"/></g>
    <g id="plain"><rect id="rA4"/><circle id="cA5"/></g>
  </g>
  <text tag="A" id="laterA">x</text>
  <rect tag="B" id="rectB" style="fill:#ffcc00;stroke:#ffffff"/>
  <text tag="T" id="textT"><tspan id="tsp">0.00</tspan></text>
  <circle tag="C" id="circleC"/>
</svg>`;

function setup(svg = SCREEN, opts: Record<string, unknown> = {}) {
  const log: StyleLog = [];
  const root = fakeSvg(svg, log);
  const r = manualRaf();
  const binder = ui.createBinder(root, { raf: r.raf, ...opts });
  return { root, log, raf: r, binder };
}

describe('binder: binding', () => {
  it('binds each tag to the first node in document order', () => {
    const { binder, root } = setup();
    assert.equal(binder.bindBy, 'tag');
    assert.equal(binder.node('A'), root.byId('outer'));
    assert.equal(binder.node('B'), root.byId('rectB'));
    assert.deepEqual(plain(binder.keys()).sort(), ['A', 'B', 'C', 'T']);
    assert.equal(binder.has('nopaint'), false);
  });

  it('falls back to ids when the screen has no tag attribute at all', () => {
    const { binder, root, raf } = setup('<svg xmlns="http://www.w3.org/2000/svg"><rect id="r1"/><g id="g1"><path id="p1"/></g><rect id="r1"/></svg>');
    assert.equal(binder.bindBy, 'id');
    assert.equal(binder.node('r1'), root.all()[1]); // the first of the two r1
    assert.ok(binder.set('g1', 'fill', '#ff0000'));
    raf.run();
    assert.equal(root.byId('p1').style.getPropertyValue('fill'), '#ff0000');
  });

  it('a screen whose only tags are "nopaint" binds by id too', () => {
    const { binder } = setup('<svg xmlns="http://www.w3.org/2000/svg"><rect id="r1" tag="nopaint"/></svg>');
    assert.equal(binder.bindBy, 'id');
  });
});

describe('binder: painting (spec §5.3)', () => {
  it('paints a group on its descendant path/rect, skipping nopaint, texts, circles and the groups themselves', () => {
    const { binder, root, raf, log } = setup();
    binder.set('A', 'fill', '#FF0000');
    raf.run();
    const painted = log.filter((l) => l[1] === 'fill').map((l) => l[0]);
    assert.deepEqual(painted, ['pA1', 'rA2', 'rA4']);
    assert.equal(root.byId('rNo').style.getPropertyValue('fill'), '');
    assert.equal(root.byId('pNo').style.getPropertyValue('fill'), '');
    assert.equal(root.byId('outer').style.getPropertyValue('fill'), '');
    assert.equal(root.byId('laterA').style.getPropertyValue('fill'), '', 'only the first node of a tag is painted');
    assert.equal(root.byId('rA2').style.getPropertyValue('fill'), '#ff0000', 'colours are lower-cased');
  });

  it('paints a non-group node itself, stroke as well as fill', () => {
    const { binder, root, raf } = setup();
    binder.set('C', 'stroke', 'red');
    binder.set('T', 'fill', '#f00');
    raf.run();
    assert.equal(root.byId('circleC').style.getPropertyValue('stroke'), 'red');
    assert.equal(root.byId('textT').style.getPropertyValue('fill'), '#f00');
  });

  it('null gives the drawing its own colour back (inline value restored, or the property removed)', () => {
    const { binder, root, raf } = setup();
    binder.set('B', 'fill', '#ff0000');
    binder.set('C', 'fill', '#00ff00');
    binder.set('A', 'fill', '#0000ff');
    raf.run();
    assert.equal(root.byId('rectB').style.getPropertyValue('fill'), '#ff0000');
    binder.set('B', 'fill', null);
    binder.set('C', 'fill', null);
    binder.set('A', 'fill', null);
    raf.run();
    assert.equal(root.byId('rectB').style.getPropertyValue('fill'), '#ffcc00');
    assert.equal(root.byId('circleC').style.getPropertyValue('fill'), '');
    assert.equal(root.byId('rA2').style.getPropertyValue('fill'), '#123456');
    assert.equal(root.byId('pA1').style.getPropertyValue('fill'), '');
  });

  it('text replaces the content with the display rule, null restores the original children', () => {
    const { binder, root, raf } = setup();
    const t = root.byId('textT');
    const tspan = root.byId('tsp');
    binder.set('T', 'text', '62.7110244989');
    raf.run();
    assert.equal(t.textContent, '62.71');
    assert.equal(t.children.length, 0);
    binder.set('T', 'text', 'Barra 33.0 kV');
    raf.run();
    assert.equal(t.textContent, 'Barra 33.0 kV');
    binder.set('T', 'text', null);
    raf.run();
    assert.equal(t.children[0], tspan);
    assert.equal(t.textContent, '0.00');
  });

  it('text on a group or a shape is ignored (never wipes a drawing)', () => {
    const { binder, root, raf } = setup();
    assert.equal(binder.set('A', 'text', 'boom'), false);
    assert.equal(binder.set('B', 'text', 'boom'), false);
    raf.run();
    assert.equal(root.byId('tA3').textContent, 'label');
  });

  it('refuses attributes off the allowlist and values that are not plain colours', () => {
    const { binder, raf, log } = setup();
    for (const [attr, value] of [
      ['onclick', 'x'],
      ['href', '#a'],
      ['style', 'fill:red'],
      ['class', 'x'],
      ['transform', 'scale(2)'],
      ['fill', 'url(http://evil/x)'],
      ['fill', 'red;background:url(x)'],
      ['stroke', 'expression(alert(1))'],
      ['opacity', 'calc(1)'],
    ] as const)
      assert.equal(binder.set('C', attr, value), false, `${attr}=${value}`);
    assert.equal(binder.set('C', 'opacity', '0.5'), true);
    raf.run();
    assert.deepEqual(log, [['circleC', 'opacity', '0.5']]);
  });
});

describe('binder: writes', () => {
  it('writes only attributes whose value changed', () => {
    const { binder, raf, log } = setup();
    binder.set('B', 'fill', '#ff0000');
    binder.set('B', 'stroke', '#00ff00');
    raf.run();
    assert.equal(log.length, 2);
    binder.set('B', 'fill', '#ff0000'); // same
    binder.set('B', 'stroke', '#0000ff'); // changed
    raf.run();
    assert.deepEqual(log.slice(2), [['rectB', 'stroke', '#0000ff']]);
    binder.set('B', 'fill', '#FF0000'); // same after normalisation
    raf.run();
    assert.equal(log.length, 3);
    binder.applyAll({ B: { fill: '#ff0000', stroke: '#0000ff' } }, {});
    raf.run();
    assert.equal(log.length, 3, 'applyAll with the current state writes nothing');
    binder.applyAll({}, {});
    raf.run();
    assert.deepEqual(
      log.slice(3).map((l) => [l[1], l[2]]),
      [
        ['fill', '#ffcc00'],
        ['stroke', '#ffffff'],
      ],
      'absent = back to the drawing',
    );
  });

  it('coalesces writes to one batch per animation frame, last value wins', () => {
    const { binder, raf, log, root } = setup();
    for (let i = 0; i < 50; i++) {
      binder.set('B', 'fill', i % 2 ? '#ff0000' : '#00ff00');
      binder.set('T', 'text', String(i));
    }
    assert.equal(raf.frames(), 1, 'one frame requested');
    assert.equal(log.length, 0, 'nothing written before the frame');
    raf.run();
    assert.deepEqual(log, [['rectB', 'fill', '#ff0000']]);
    assert.equal(root.byId('textT').textContent, '49');
    assert.equal(root.byId('textT').textWrites, 1);
    assert.equal(raf.frames(), 0);
    binder.set('C', 'fill', 'blue');
    assert.equal(raf.frames(), 1, 'a new change asks for a new frame');
  });

  it('a value set and set back before the frame writes nothing', () => {
    const { binder, raf, log } = setup();
    binder.set('B', 'fill', '#ff0000');
    raf.run();
    binder.set('B', 'fill', '#00ff00');
    binder.set('B', 'fill', '#ff0000');
    raf.run();
    assert.equal(log.length, 1);
  });

  it('unknown tags are ignored and schedule nothing', () => {
    const { binder, raf } = setup();
    assert.equal(binder.set('NOPE', 'fill', 'red'), false);
    assert.equal(binder.setQuality('NOPE', true), false);
    assert.equal(raf.frames(), 0);
  });

  it('dispose stops pending writes', () => {
    const { binder, raf, log } = setup();
    binder.set('B', 'fill', 'red');
    binder.dispose();
    raf.run();
    assert.equal(log.length, 0);
  });
});

describe('binder: quality', () => {
  it('marks a node whose quality is not good with the configured class, and unmarks it', () => {
    const { binder, root, raf } = setup(SCREEN, { qualityClass: 'stale-value' });
    binder.setQuality('B', true);
    binder.setQuality('A', true);
    raf.run();
    assert.ok(root.byId('rectB').classList.contains('stale-value'));
    assert.ok(root.byId('outer').classList.contains('stale-value'), 'the bound node carries the class; CSS reaches its children');
    binder.setQuality('B', false);
    raf.run();
    assert.equal(root.byId('rectB').classList.contains('stale-value'), false);
  });

  it('applyAll marks from a quality map; a bad class name falls back to the default', () => {
    const { binder, root, raf } = setup(SCREEN, { qualityClass: 'x"><script>' });
    binder.applyAll({}, { C: 'invalid', B: 'good' });
    raf.run();
    assert.ok(root.byId('circleC').classList.contains('mara-bad-quality'));
    assert.equal(root.byId('rectB').classList.contains('mara-bad-quality'), false);
  });
});

describe('binder: alarms (blinking)', () => {
  it('puts the alarm class on the bound nodes of the alarm tags and takes it off the others', () => {
    const { binder, root, raf } = setup();
    assert.equal(binder.setAlarms(['B', 'A', 'NOPE', 7, '__proto__']), 2);
    raf.run();
    assert.ok(root.byId('rectB').classList.contains('mara-alarm-on'));
    assert.ok(root.byId('outer').classList.contains('mara-alarm-on'), 'the bound node (first of its tag) blinks; CSS reaches its children');
    assert.equal(root.byId('inner').classList.contains('mara-alarm-on'), false);
    assert.equal(root.byId('circleC').classList.contains('mara-alarm-on'), false);
    assert.equal(binder.setAlarms(['B']), 1);
    raf.run();
    assert.equal(root.byId('outer').classList.contains('mara-alarm-on'), false);
    assert.ok(root.byId('rectB').classList.contains('mara-alarm-on'));
    const writes = binder.stats.writes;
    binder.setAlarms(['B']);
    raf.run();
    assert.equal(binder.stats.writes, writes, 'no change, no write');
    binder.setAlarms(null);
    raf.run();
    assert.equal(root.byId('rectB').classList.contains('mara-alarm-on'), false);
  });

  it('a drawing cannot make a node blink: the class it carries is removed', () => {
    // (the fake DOM's classList does not read the class attribute: the drawing's classes are added to it)
    const root = fakeSvg(`<svg xmlns="http://www.w3.org/2000/svg"><rect tag="B" id="b"/><rect id="free"/></svg>`);
    root.byId('b').classList.add('x');
    root.byId('b').classList.add('mara-alarm-on');
    root.byId('free').classList.add('mara-alarm-on');
    ui.scrub(root);
    assert.equal(root.byId('free').classList.contains('mara-alarm-on'), false);
    assert.ok(root.byId('b').classList.contains('x'));
    const bound = fakeSvg(`<svg xmlns="http://www.w3.org/2000/svg"><rect tag="B" id="b"/></svg>`);
    bound.byId('b').classList.add('mara-alarm-on');
    ui.createBinder(bound, { raf: manualRaf().raf });
    assert.equal(bound.byId('b').classList.contains('mara-alarm-on'), false);
  });

  it("the alarm list of a delta replaces the snapshot's", () => {
    const snap: Record<string, unknown> = { state: {}, quality: {}, alarms: ['A'] };
    ui.mergeDelta(snap, { seq: 3, alarms: ['B', 'C'] });
    assert.deepEqual(plain(snap.alarms), ['B', 'C']);
    ui.mergeDelta(snap, { seq: 4, state: {} });
    assert.deepEqual(plain(snap.alarms), ['B', 'C'], 'a delta without alarms leaves them');
  });
});

describe('pure helpers', () => {
  it('click decision follows §6.5: toggle, then jump, then info', () => {
    const exists = (n: string) => n === 'E4' || n === 'TW';
    const tog = {
      d: 'Seccionador',
      t: [
        ['1', 'Cerrado'],
        ['0', 'Abierto'],
      ],
      j: 'E4',
    };
    assert.deepEqual(plain(ui.decideClick({ key: 'X', record: tog, hasRecords: true, screenExists: exists })), { action: 'toggle', options: tog.t });
    assert.deepEqual(plain(ui.decideClick({ key: 'X', record: tog, readOnly: true, hasRecords: true, screenExists: exists })), {
      action: 'info',
      readOnly: true,
    });
    assert.deepEqual(plain(ui.decideClick({ key: 'X', record: { d: '', j: 'E4' }, jumpTo: 'TW', hasRecords: true, screenExists: exists })), {
      action: 'jump',
      target: 'E4',
    });
    assert.deepEqual(plain(ui.decideClick({ key: 'X', record: { d: '' }, jumpTo: 'TW', hasRecords: true, screenExists: exists })), {
      action: 'jump',
      target: 'TW',
    });
    assert.deepEqual(plain(ui.decideClick({ key: null, record: null, jumpTo: 'TW', hasRecords: true, screenExists: exists })), {
      action: 'jump',
      target: 'TW',
    });
    assert.deepEqual(plain(ui.decideClick({ key: 'X', record: { d: 'desc' }, jumpTo: 'NOWHERE', hasRecords: true, screenExists: exists })), { action: 'info' });
    assert.deepEqual(
      plain(ui.decideClick({ key: 'X', record: null, hasRecords: true, screenExists: exists })),
      { action: 'none' },
      'no record in a project: nothing',
    );
    assert.deepEqual(plain(ui.decideClick({ key: 'X', record: null, hasRecords: false, screenExists: exists })), { action: 'info' }, 'single SVG: info');
    assert.deepEqual(
      plain(ui.decideClick({ key: 'X', record: { d: '', t: [['1']] }, hasRecords: true, screenExists: exists })),
      { action: 'info' },
      'malformed toggle ignored',
    );
  });

  it('a click is handled once, on the innermost bound node (or jump-to hot-spot)', () => {
    const root = fakeSvg(`<svg xmlns="http://www.w3.org/2000/svg">
      <g tag="S" id="outer"><g tag="S" id="mid"><g id="plain"><path id="leaf"/><path id="np" tag="nopaint"/></g></g></g>
      <g jump-to="E4" id="hot"><circle id="dot"/></g><rect id="free"/></svg>`);
    const isKey = (k: string | null) => !!k && k !== 'nopaint';
    const hit = (id: string) => {
      const f = ui.findClickTarget(root.byId(id), root, isKey, 'tag');
      return f && { id: f.node.getAttribute('id'), key: f.key, jumpTo: f.jumpTo };
    };
    assert.deepEqual(hit('leaf'), { id: 'mid', key: 'S', jumpTo: null });
    assert.deepEqual(hit('np'), { id: 'mid', key: 'S', jumpTo: null }, 'nopaint is not a tag');
    assert.deepEqual(hit('dot'), { id: 'hot', key: null, jumpTo: 'E4' });
    assert.equal(hit('free'), null);
  });

  it('URL hash: reads and writes mara-screen bare and inside the dashboard route', () => {
    assert.equal(ui.parseHashScreen('#mara-screen=E4'), 'E4');
    assert.equal(ui.parseHashScreen('#!/0?socketid=x&mara-screen=Sub%20A'), 'Sub A');
    assert.equal(ui.parseHashScreen('#!/0'), null);
    assert.equal(ui.parseHashScreen('#xmara-screen=E4'), null);
    assert.equal(ui.parseHashScreen('#mara-screen=%E0%A4%A'), null, 'bad escapes');
    assert.equal(ui.buildHash('', 'E4'), '#mara-screen=E4');
    assert.equal(ui.buildHash('#mara-screen=TW', 'E4'), '#mara-screen=E4');
    assert.equal(ui.buildHash('#!/0', 'E 4'), '#!/0?mara-screen=E%204');
    assert.equal(ui.buildHash('#!/1?a=b', 'E4'), '#!/1?a=b&mara-screen=E4');
    assert.equal(ui.buildHash('#!/1?mara-screen=TW&a=b', 'E4'), '#!/1?mara-screen=E4&a=b');
  });

  it('screen menu in tree order (by parent, then name)', () => {
    const order = ui.screenOrder([
      { name: 'E4', parent: 'TW' },
      { name: 'TW', parent: null },
      { name: 'E1', parent: 'TW' },
      { name: 'E41', parent: 'E4' },
      { name: 'ORPHAN', parent: 'GONE' },
    ]);
    assert.deepEqual(
      plain(order).map((s: { name: string; depth: number }) => `${s.depth}:${s.name}`),
      ['0:ORPHAN', '0:TW', '1:E1', '1:E4', '2:E41'],
    );
  });

  it('deltas merge into the snapshot in place', () => {
    const snap = { state: { A: { text: '1', fill: '#fff' } }, quality: { B: 'invalid' }, seq: 1, screen: null };
    const touched = ui.mergeDelta(snap, {
      seq: 2,
      state: { A: { fill: null }, C: { stroke: '#000' } },
      quality: { B: null, D: 'questionable' },
      screen: { name: 'E4' },
    });
    assert.deepEqual(plain(touched), ['A', 'C']);
    assert.deepEqual(JSON.parse(JSON.stringify(snap)), {
      state: { A: { text: '1' }, C: { stroke: '#000' } },
      quality: { D: 'questionable' },
      seq: 2,
      screen: 'E4',
    });
  });

  it('formatText fills placeholders with plain strings only', () => {
    assert.equal(
      ui.formatText('{tag} {description} — change {from} to {to}?', { tag: 'T', description: '<b>x</b>', from: 'A', to: 'B' }),
      'T <b>x</b> — change A to B?',
    );
    assert.equal(ui.formatText('{missing}', {}), '{missing}');
  });

  it('scrub removes what runs or fetches', () => {
    const root = fakeSvg(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink" onload="p()">
      <script id="s">p()</script><rect id="r" onclick="p()" ONMOUSEOVER="p()" style="fill:url(http://e/x)"/>
      <a id="a" href="javascript:p()"><text id="t">x</text></a><use id="u" x:href="http://e/x.svg#a"/>
      <use id="ok" x:href="#r"/><animate id="an" attributeName="href"/><set id="st" attributeName="onclick"/>
      <foreignObject id="fo"/><image id="img" href="data:image/png;base64,AAAA"/><image id="img2" href="data:image/svg+xml;base64,AA"/>
    </svg>`);
    ui.scrub(root);
    const ids = root
      .all()
      .map((e: FakeElement) => e.getAttribute('id'))
      .filter(Boolean);
    assert.deepEqual(ids, ['r', 'a', 't', 'u', 'ok', 'img', 'img2']);
    assert.equal(root.getAttribute('onload'), null);
    assert.deepEqual(
      root.byId('r').attributes.map((a) => a.name),
      ['id'],
    );
    assert.equal(root.byId('a').getAttribute('href'), null);
    assert.equal(root.byId('u').getAttribute('x:href'), null);
    assert.equal(root.byId('ok').getAttribute('x:href'), '#r');
    assert.equal(root.byId('img').getAttribute('href'), 'data:image/png;base64,AAAA');
    assert.equal(root.byId('img2').getAttribute('href'), null);
  });
});

describe('navigation', () => {
  const screens: Record<string, { parent: string | null }> = { TW: { parent: null }, E4: { parent: 'TW' }, E41: { parent: 'E4' } };
  const base = (shown: string[]) => ({
    exists: (n: string) => n in screens,
    parentOf: (n: string) => screens[n]?.parent ?? null,
    show: (n: string) => shown.push(n),
  });

  it('keeps its own stack without a window: go, back, forward, up', () => {
    const shown: string[] = [];
    const nav = ui.createNavigator(base(shown));
    nav.start('TW');
    assert.equal(nav.go('E4'), true);
    assert.equal(nav.go('E41'), true);
    assert.equal(nav.go('NOPE'), false);
    assert.equal(nav.back(), true);
    assert.equal(nav.current(), 'E4');
    assert.equal(nav.back(), true);
    assert.equal(nav.current(), 'TW');
    assert.equal(nav.back(), false, 'nothing before the start');
    assert.equal(nav.forward(), true);
    assert.equal(nav.current(), 'E4');
    nav.go('E41');
    assert.equal(nav.forward(), false, 'a new step drops the forward entries');
    assert.equal(nav.up(), true);
    assert.equal(nav.current(), 'E4');
    nav.up();
    assert.equal(nav.up(), false, 'the root has no parent');
    assert.deepEqual(shown, ['TW', 'E4', 'E41', 'E4', 'TW', 'E4', 'E41', 'E4', 'TW']);
  });

  it('with a window: the hash carries the screen, back/forward fire hashchange', () => {
    const shown: string[] = [];
    const win = new FakeWindow('#!/0');
    const nav = ui.createNavigator({ ...base(shown), win });
    nav.start('TW');
    assert.equal(win.location.hash, '#!/0?mara-screen=TW', 'the start screen replaces the entry');
    assert.equal(win.length, 1);
    nav.go('E4');
    win.settle();
    assert.equal(win.location.hash, '#!/0?mara-screen=E4');
    nav.go('E41');
    win.settle();
    win.history.back();
    win.settle();
    assert.equal(nav.current(), 'E4');
    win.history.back();
    win.settle();
    assert.equal(nav.current(), 'TW');
    win.history.forward();
    win.settle();
    assert.equal(nav.current(), 'E4');
    assert.deepEqual(shown, ['TW', 'E4', 'E41', 'E4', 'TW', 'E4']);
    nav.dispose();
    win.history.forward();
    win.settle();
    assert.equal(nav.current(), 'E4', 'disposed: no more hash listening');
  });

  it('the URL wins at start; an unknown screen in the URL falls back', () => {
    const shown: string[] = [];
    const nav = ui.createNavigator({ ...base(shown), win: new FakeWindow('#mara-screen=E41') });
    assert.equal(nav.start('TW'), 'E41');
    const nav2 = ui.createNavigator({ ...base([]), win: new FakeWindow('#mara-screen=GONE') });
    assert.equal(nav2.start('TW'), 'TW');
  });
});

describe('the file', () => {
  it('is plain browser script: no imports, eval, Function, innerHTML or DOM access at load', () => {
    const src = fs.readFileSync(UI_FILE, 'utf8');
    const code = src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    for (const bad of [
      /^\s*import\b/m,
      /\bimport\s*\(/,
      /\brequire\(/,
      /\beval\(/,
      /new Function/,
      /innerHTML/,
      /outerHTML/,
      /insertAdjacentHTML/,
      /document\.write/,
      /\?\./,
      /\?\?/,
    ])
      assert.equal(bad.test(code), false, String(bad));
    assert.ok(loadUi(), 'evaluates without window/document');
  });
});

describe('binder: drawing labels (issue 12 item 5)', () => {
  const LABELS = `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50">
  <text tag="L" id="lab"><tspan id="l1" x="1" y="10">Entre</tspan><tspan id="l2" x="1" y="20">Ríos</tspan></text>
  <text tag="E" id="empty"></text>
</svg>`;

  it('a text written into a label of lines goes line by line; null gives the drawn lines back', () => {
    const { binder, root, raf } = setup(LABELS);
    binder.set('L', 'text', 'Línea 2\nSalida Norte\nOeste');
    raf.run();
    assert.deepEqual([root.byId('l1').textContent, root.byId('l2').textContent], ['Línea 2', 'Salida Norte Oeste']);
    assert.equal(root.byId('lab').children.length, 2);
    binder.set('L', 'text', 'E.Rios');
    raf.run();
    assert.deepEqual([root.byId('l1').textContent, root.byId('l2').textContent], ['E.Rios', '']);
    binder.set('L', 'text', null);
    raf.run();
    assert.deepEqual([root.byId('l1').textContent, root.byId('l2').textContent], ['Entre', 'Ríos']);
  });

  it('keepLabel: a static text leaves a label that has text, fills an empty one, and never blocks a live value', () => {
    const keep = (_k: string, v: unknown) => v === 'E.Rios' || v === '0';
    const { binder, root, raf } = setup(LABELS, { keepLabel: keep });
    assert.equal(binder.set('L', 'text', 'E.Rios'), false);
    binder.set('E', 'text', '0');
    raf.run();
    assert.equal(root.byId('lab').textContent, 'EntreRíos');
    assert.equal(root.byId('empty').textContent, '0');
    binder.set('L', 'text', 'abierto');
    raf.run();
    assert.equal(root.byId('l1').textContent, 'abierto');
    // once a live value shows, the static one is written like any other
    assert.equal(binder.set('L', 'text', 'E.Rios'), true);
  });
});
