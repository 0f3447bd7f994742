/**
 * Blinking in a real browser: Node-RED (child process) with the example project and its screen widget, Chromium by
 * playwright-core. A protection trip goes into the project's journal as a line would put it there (through the
 * project's own journal hub, reached from a function node), and the page's elements must follow: the protection
 * and its bay breaker blink (a CSS animation on the class the server's alarm set turns on) and are marked (the
 * §6.3 texts, so the formulas paint them red); attending stops the blink. With reduced motion a steady outline
 * replaces the animation; nothing outside the widget is styled by the class.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import {
  CHROMIUM,
  CHROMIUM_MISSING,
  ROOT,
  RedChild,
  dashboardNodes,
  ensureBuilt,
  startNodeRed,
  functionNode,
  injectNode,
  screenNode,
} from '../helpers/red-child';
import { closeDashboard, openDashboard, OpenBrowser } from '../helpers/chromium';

const workbook = require('../../scripts/make-example-workbook.js');

const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) process.stderr.write(`[blink browser test] skipped: ${CHROMIUM_MISSING}\n`);

const W = '#mara-screen-scr';
const HUB = JSON.stringify(path.join(ROOT, 'dist', 'lib', 'journal', 'journal-hub.js'));

/** settings.js of the child: a test helper in the global context that appends to and attends in the project's journal. */
const PREAMBLE = `
const maraHub = require(${HUB});
const maraPath = require('node:path');
let maraSeq = 0;
const maraWith = (f) => {
  const lease = maraHub.acquireJournal(maraPath.join(__dirname, 'mara-journal', 'proj.sqlite'));
  try { return f(lease.hub); } finally { lease.release(); }
};
const maraTest = {
  event(tag, value, severity) {
    const raw = Buffer.alloc(10);
    raw.writeUInt32BE(++maraSeq, 0);
    const time = { year: 2026, month: 12, day: 4, hour: 1, minute: 2, second: 3, fraction: 0 };
    return maraWith((hub) => hub.append({ line: 'L1', device: 1, replyKey: maraSeq + ':blink', receivedAt: Date.now(),
      events: [{ type: 'digital', deviceTime: time, raw, value, quality: 'good', tag, description: tag, stateText: null, severity }] }).ids);
  },
  attendTag(tag) {
    return maraWith((hub) => hub.attend({ filter: { tagPrefix: tag } }, 'operator', Date.now()));
  },
};
`;

function flows(): unknown[] {
  return [
    { id: 'tab1', type: 'tab', label: 'blink' },
    ...dashboardNodes([{ id: 'ui-tab', name: 'Operator', order: 1 }], [{ id: 'grp', name: 'Substation', tab: 'ui-tab', width: 24, order: 1 }]),
    { id: 'proj', type: 'mara-project', name: '', path: 'project/substation.xlsx', dialect: 'txscada', watch: false },
    screenNode('scr', 'grp', { project: 'proj', start: 'S1' }),
    functionNode('event', "global.get('maraTest').event(msg.payload.tag, msg.payload.value, msg.payload.severity); return null;"),
    functionNode('attend', "global.get('maraTest').attendTag(msg.payload); return null;"),
    injectNode('inj-event', 'event'),
    injectNode('inj-attend', 'attend'),
  ];
}

describe('ui_mara_screen blinks unattended alarms in Chromium', { skip: haveChromium ? false : CHROMIUM_MISSING, timeout: 180_000 }, () => {
  let red: RedChild;
  let page: Page;
  let browser: OpenBrowser | undefined;
  const pageErrors: string[] = [];

  /** Waits until the bound node of `tag` has (or has not) the blink class. */
  const waitBlink = (tag: string, on: boolean) =>
    page.waitForFunction(([w, t, o]) => document.querySelector(`${w} [tag="${t}"]`)?.classList.contains('mara-alarm-on') === o, [W, tag, on] as const, {
      timeout: 5000,
    });
  const computed = (sel: string, prop: string) => page.$eval(sel, (e, p) => getComputedStyle(e).getPropertyValue(p), prop);

  before(async () => {
    ensureBuilt();
    const files: Record<string, Buffer> = { 'project/substation.xlsx': workbook.writeXlsx(workbook.exampleSheets()) };
    for (const f of fs.readdirSync(path.join(ROOT, 'examples')).filter((n) => n.endsWith('.svg'))) {
      const svg = fs.readFileSync(path.join(ROOT, 'examples', f));
      files[`project/screens/${f}`] = svg;
      files[`project/${f}`] = svg;
    }
    red = await startNodeRed(flows(), files, {}, { preamble: PREAMBLE, entries: { functionGlobalContext: '{ maraTest }' } });
    browser = await openDashboard(red.url, { viewport: { width: 1366, height: 900 }, ready: `${W} [tag="S1151_05"]`, pageErrors });
    page = browser.page;
  });

  after(() => closeDashboard(browser, red));

  it('a trip blinks the protection and its bay breaker and marks them red; attending stops each', async () => {
    assert.equal(await page.$eval(`${W} [tag="S1151_05"]`, (e) => e.classList.contains('mara-alarm-on')), false);
    await red.inject('inj-event', { payload: { tag: 'S1151_05', value: 1, severity: 3 } });
    await waitBlink('S1151_05', true);
    await waitBlink('S1152B05', true);
    assert.equal(await computed(`${W} [tag="S1151_05"]`, 'animation-name'), 'mara-screen-alarm-blink');
    // the §6.3 mark: text '1' on the relay, so its formula SI(int(eg.S1151_05.text),6,3) paints colour 6 (red) on the group's shapes
    await page.waitForFunction(
      (w) => (document.querySelector(`${w} [tag="S1151_05"] :is(path, rect)`) as SVGElement | null)?.style.getPropertyValue('fill') === 'rgb(255, 0, 0)',
      W,
      {
        timeout: 5000,
      },
    );
    // a feeder breaker alarm of another bay blinks on its own
    await red.inject('inj-event', { payload: { tag: 'S1152B04', value: 0, severity: 1 } });
    await waitBlink('S1152B04', true);
    await red.inject('inj-attend', { payload: 'S1151_05' });
    await waitBlink('S1151_05', false);
    assert.equal(await computed(`${W} [tag="S1151_05"]`, 'animation-name'), 'none');
    // the breaker's blink came from the trip, now attended; its mark stays until its own event is attended
    await waitBlink('S1152B05', false);
    assert.equal(await page.$eval(`${W} [tag="S1152B04"]`, (e) => e.classList.contains('mara-alarm-on')), true);
    await red.inject('inj-attend', { payload: 'S1152B04' });
    await waitBlink('S1152B04', false);
  });

  it('reduced motion: a steady outline instead of the animation; the class styles nothing outside the widget', async () => {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await red.inject('inj-event', { payload: { tag: 'S1151_03', value: 1, severity: 3 } });
    await waitBlink('S1151_03', true);
    const sel = `${W} [tag="S1151_03"]`;
    assert.equal(await computed(sel, 'animation-name'), 'none');
    assert.equal(await computed(sel, 'outline-style'), 'solid');
    await page.emulateMedia({ reducedMotion: 'no-preference' });
    assert.equal(await computed(sel, 'animation-name'), 'mara-screen-alarm-blink');
    // an element of the page outside the widget with the same class: not styled
    const outside = await page.evaluate(() => {
      const d = document.createElement('div');
      d.className = 'mara-alarm-on';
      document.body.appendChild(d);
      const s = getComputedStyle(d);
      const r = [s.animationName, s.outlineStyle];
      d.remove();
      return r;
    });
    assert.deepEqual(outside, ['none', 'none']);
    // a reloaded page gets the blinking set at once (it is in the snapshot)
    await page.reload();
    await page.waitForSelector(`${W} [tag="S1151_03"].mara-alarm-on`, { timeout: 20_000 });
    await red.inject('inj-attend', { payload: 'S1151_03' });
    await waitBlink('S1151_03', false);
    assert.deepEqual(pageErrors, []);
  });
});
