/**
 * A migrated installation on the screen, in Chromium (issue 12 items 5, 8, 10): the migration workbook with
 * drawings made here (multi-line and accented labels under static `eg` texts, an empty label, a jump to a screen
 * that does not exist) beside the example substation, at 1280×720 and 1920×1080. Screenshots go to /tmp/shots/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_MISSING, ROOT, RedChild, dashboardNodes, ensureBuilt, startNodeRed, injectNode, screenNode } from '../helpers/red-child';
import { openDashboard, OpenBrowser } from '../helpers/chromium';
import { waitUntil } from '../helpers/wait-until';

const workbook = require('../../scripts/make-example-workbook.js');

const haveChromium = fs.existsSync(CHROMIUM);
const SHOTS = '/tmp/shots';
const MIG = '#mara-screen-mig';
const SUB = '#mara-screen-sub';

/** The station drawing: labels drawn as Inkscape lines (tspans), with accents, under static workbook texts. */
const M1 = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" width="800" height="300" viewBox="0 0 800 300">
  <rect x="0" y="0" width="800" height="300" style="fill:#20303a"/>
  <rect tag="M1152B01" id="b1" x="10" y="10" width="20" height="20"/>
  <path tag="M1189S01" id="s1" d="M 50,10 L 70,30" style="stroke:#c0c0c0"/>
  <text tag="M1TXT001" id="t1" x="200" y="80" style="font-size:20px;fill:#ffffff"><tspan id="t1a" sodipodi:role="line" x="200" y="80">Entre</tspan><tspan id="t1b" sodipodi:role="line" x="200" y="104">Ríos</tspan></text>
  <text tag="M12ETT00" id="t2" x="200" y="160" style="font-size:20px;fill:#ffffff"></text>
  <text tag="M1CYC_A" id="t3" x="400" y="80" style="font-size:20px;fill:#ffffff"><tspan id="t3a" x="400" y="80">Línea</tspan><tspan id="t3b" x="400" y="104">Salida</tspan></text>
  <text x="10" y="290" style="font-size:14px;fill:#ffffff">Estación M1 · Señalización</text>
</svg>
`;

function flows(): unknown[] {
  const screen = (id: string, group: string, project: string) => screenNode(id, group, { height: 12, project });
  return [
    { id: 'tab1', type: 'tab', label: 'screens' },
    ...dashboardNodes(
      [
        { id: 'ui-mig', name: 'Migrated', order: 1 },
        { id: 'ui-sub', name: 'Substation', order: 2 },
      ],
      [
        { id: 'g-mig', name: 'Migrated', tab: 'ui-mig', width: 24, order: 1 },
        { id: 'g-sub', name: 'Substation', tab: 'ui-sub', width: 24, order: 1 },
      ],
    ),
    { id: 'p-mig', type: 'mara-project', name: '', path: 'mig/migration.xlsx', dialect: 'txscada', watch: false },
    { id: 'p-sub', type: 'mara-project', name: '', path: 'sub/substation.xlsx', dialect: 'txscada', watch: false },
    screen('mig', 'g-mig', 'p-mig'),
    screen('sub', 'g-sub', 'p-sub'),
    injectNode('inj-mig', 'mig'),
  ];
}

describe('a migrated installation in Chromium (issue 12 items 5, 8, 10)', { skip: haveChromium ? false : CHROMIUM_MISSING, timeout: 300_000 }, () => {
  let red: RedChild;
  let page: Page;
  let browser: OpenBrowser | undefined;
  const pageErrors: string[] = [];

  const text = (sel: string) => page.$eval(sel, (e) => e.textContent);
  const showScreen = async (sel: string, name: string) => {
    await page.selectOption(`${sel} select.mara-menu`, name);
    await page.waitForFunction(
      ([s, n]) => (document.querySelector(`${s} select.mara-menu`) as HTMLSelectElement | null)?.value === n && !!document.querySelector(`${s} svg`),
      [sel, name] as const,
      { timeout: 5000 },
    );
  };

  before(async () => {
    ensureBuilt();
    fs.mkdirSync(SHOTS, { recursive: true });
    const drawings = workbook.migrationDrawings() as Record<string, string>;
    const files: Record<string, string | Buffer> = {
      'mig/migration.xlsx': workbook.writeXlsx(workbook.migrationSheets()),
      'mig/map.svg': drawings['map.svg'],
      'mig/m1.svg': M1,
      'sub/substation.xlsx': workbook.writeXlsx(workbook.exampleSheets()),
    };
    // the example drawings lie beside its workbook (as the screens sheet names them)
    for (const f of fs.readdirSync(path.join(ROOT, 'examples')).filter((n) => n.endsWith('.svg')))
      files[`sub/${f}`] = fs.readFileSync(path.join(ROOT, 'examples', f));
    red = await startNodeRed(flows(), files);
    browser = await openDashboard(red.url, { viewport: { width: 1280, height: 720 }, path: '/ui/#!/0', ready: `${MIG} svg`, pageErrors, nameShim: false });
    page = browser.page;
  });

  after(async () => {
    await browser?.close();
    if (red) await red.stop();
  });

  it('a jump to a screen that does not exist gets no pointer; one that exists does (item 8)', async () => {
    await showScreen(MIG, 'MAP');
    const dead = await page.$eval(`${MIG} #st9`, (e) => [e.classList.contains('mara-clickable'), getComputedStyle(e).cursor]);
    const live = await page.$eval(`${MIG} #st1`, (e) => [e.classList.contains('mara-clickable'), getComputedStyle(e).cursor]);
    assert.deepEqual(dead, [false, 'auto']);
    assert.deepEqual(live, [true, 'pointer']);
    assert.equal(await text(`${MIG} svg text`), 'Entre Ríos', 'an accented drawing text as drawn');
  });

  it("static eg texts leave the drawing's labels (lines and accents) alone; an empty label shows the workbook text (item 5)", async () => {
    await showScreen(MIG, 'M1');
    await page.waitForFunction((s) => document.querySelector(`${s} #t2`)?.textContent === '0', MIG, { timeout: 5000 });
    // M1TXT001's workbook text is "E9": the two-line label "Entre / Ríos" stays, line by line
    assert.deepEqual(await page.$$eval(`${MIG} #t1 > tspan`, (ts) => ts.map((t) => [t.id, t.textContent])), [
      ['t1a', 'Entre'],
      ['t1b', 'Ríos'],
    ]);
    await page.screenshot({ path: path.join(SHOTS, 'migrated-m1-1280x720.png') });
  });

  it('a live text written into a multi-line label keeps its lines, positions and accents (item 5)', async () => {
    await red.inject('inj-mig', { payload: [{ tag: 'M1CYC_A', attr: 'text', value: 'Línea 2\nSalida Norte' }] });
    await page.waitForFunction((s) => document.querySelector(`${s} #t3b`)?.textContent === 'Salida Norte', MIG, { timeout: 5000 });
    const lines = await page.$$eval(`${MIG} #t3 > tspan`, (ts) => ts.map((t) => [t.textContent, t.getAttribute('x'), t.getAttribute('y')]));
    assert.deepEqual(lines, [
      ['Línea 2', '400', '80'],
      ['Salida Norte', '400', '104'],
    ]);
    // a one-line text goes on the first line; the second is emptied, not removed
    await red.inject('inj-mig', { payload: [{ tag: 'M1CYC_A', attr: 'text', value: 'Fuera de servicio' }] });
    await page.waitForFunction((s) => document.querySelector(`${s} #t3a`)?.textContent === 'Fuera de servicio', MIG, { timeout: 5000 });
    assert.equal(await page.$$eval(`${MIG} #t3 > tspan`, (ts) => ts.length), 2);
    assert.equal(await text(`${MIG} #t3b`), '');
  });

  for (const size of [
    { width: 1280, height: 720 },
    { width: 1920, height: 1080 },
  ]) {
    it(`at ${size.width}×${size.height}: both screens fit the width, keep the drawing's aspect, nothing cut (item 10)`, async () => {
      await page.setViewportSize(size);
      for (const [sel, tab, screenName, file] of [
        [MIG, 0, 'M1', 'migrated-m1'],
        [SUB, 1, 'MAP', 'substation-map'],
        [SUB, 1, 'S1', 'substation-s1'],
      ] as const) {
        await page.goto(`${red.url}/ui/#!/${tab}`);
        await page.waitForSelector(`${sel} svg`, { timeout: 20_000 });
        if (screenName) await showScreen(sel, screenName);
        const measure = () =>
          page.$eval(sel, (host) => {
            const svg = host.querySelector('svg')!;
            const r = svg.getBoundingClientRect();
            const vb = svg.viewBox.baseVal;
            const s = svg.getScreenCTM()!;
            // the drawing's own box on the page (meet: the viewBox scaled to fit, aspect kept)
            const shown = { w: vb.width * s.a, h: vb.height * s.d, x: s.e, y: s.f };
            return {
              vw: document.documentElement.clientWidth,
              vh: window.innerHeight,
              box: { x: r.x, y: r.y, w: r.width, h: r.height },
              shown,
              aspect: vb.width / vb.height,
              scale: s.a,
            };
          });
        /** What the checks below require: nothing cut, most of the width, the drawing's aspect, the whole height. */
        const fits = (g: { vw: number; box: { x: number; h: number }; shown: { x: number; w: number; h: number }; aspect: number }) =>
          g.shown.x + g.shown.w <= g.vw + 1 &&
          g.shown.w >= 0.8 * (g.vw - g.box.x) &&
          Math.abs(g.shown.w / g.shown.h - g.aspect) < 0.01 &&
          g.box.h >= g.shown.h - 1;
        // the dashboard lays its cards out after the widget appears, and again after the widget fits the drawing: wait
        // until it fits (bounded); if it never does, the checks below say how it is wrong
        await waitUntil(async () => fits(await measure()), 'the drawing to fit its card', 5000).catch(() => undefined);
        // and it stays so: measured again two frames later
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        const m = await measure();
        await page.screenshot({ path: path.join(SHOTS, `${file}-${size.width}x${size.height}.png`), fullPage: true });
        // nothing cut on the right, the drawing uses most of the width, its aspect is the drawing's
        assert.ok(m.shown.x + m.shown.w <= m.vw + 1, `${file}: right edge ${m.shown.x + m.shown.w} within the page ${m.vw}`);
        assert.ok(m.shown.w >= 0.8 * (m.vw - m.box.x), `${file}: the drawing fills the width (${m.shown.w} of ${m.vw - m.box.x})`);
        assert.ok(Math.abs(m.shown.w / m.shown.h - m.aspect) < 0.01, `${file}: aspect kept`);
        assert.ok(m.box.h >= m.shown.h - 1, `${file}: the whole height shown`);
      }
    });
  }

  it('no page errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
