/**
 * Issue 10, boundaries, in a real Node-RED 4 (child process, no adminAuth) and Chromium:
 * - item 6: a page served from another 127.0.0.1 port tries to replace the live workbook and to use the formula
 *   try box (fetch with and without CORS, HTML form posts): every attempt fails and the workbook is unchanged;
 * - item 7: the project's S1 drawing carries a <style> aimed at the page (hide the confirmation text, relabel
 *   and swap its buttons, hide the navigation bar, repaint the page); the page is not restyled, the drawing's
 *   own rules still apply inside it, and the confirmation dialog stays readable and correct even under hostile
 *   page CSS: Cancel sends nothing, Change sends the toggle;
 * - item 8: a hostile client on the dashboard's own socket.io (the page's `io`) sends toggles without the
 *   server's confirmation, clicks for unknown tags and screens it does not show, a forged socket id, and
 *   2 000 clicks: nothing unconfirmed reaches the flow, msgs carry the server's socket id, the flood is capped.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { CHROMIUM, CHROMIUM_MISSING, ROOT, RedChild, dashboardNodes, ensureBuilt, startNodeRed, functionNode, screenNode } from '../helpers/red-child';
import { openChromium, OpenBrowser } from '../helpers/chromium';
import { exampleDrawings } from '../helpers/examples';
import { waitUntil } from '../helpers/wait-until';
import { CLICK_BURST } from '../../lib/hmi/click-guard';

const workbook = require('../../scripts/make-example-workbook.js');

const haveChromium = fs.existsSync(CHROMIUM);
const W = '#mara-screen-scr';
const BLADE = `${W} [tag="S1189S03"] path`;

/** What the issue's drawing did to the page: aimed at the dialog as the widget drew it, and at the page. */
const HOSTILE_CSS = [
  '.mara-dialog-text, .mara-dialog p, p { visibility: hidden !important; display: none !important }',
  '.mara-dialog button, button { font-size: 0 !important }',
  '.mara-dialog button:first-child::after, button::after { content: "Change to Abierto"; font-size: 14px }',
  '.mara-dialog button.mara-primary::after { content: "Cancel"; font-size: 14px }',
  '.mara-buttons { flex-direction: row-reverse !important }',
  '.mara-bar { display: none !important }',
  'md-toolbar, .md-toolbar-tools { display: none !important }',
  '.evil-mark { fill: #00ff00 }',
].join('\n');

const OUTS_FN = (port: number) =>
  `const a = global.get('outs') || []; a.push({ port: ${port}, topic: msg.topic, payload: msg.payload, event: msg.event, socketid: msg.socketid }); global.set('outs', a); return null;`;

function flows(): unknown[] {
  return [
    { id: 'tab1', type: 'tab', label: 'screens' },
    ...dashboardNodes([{ id: 'ui-tab', name: 'Operator', order: 1 }], [{ id: 'grp', name: 'Substation', tab: 'ui-tab', width: 24, order: 1 }]),
    { id: 'proj', type: 'mara-project', name: '', path: 'mara-projects/substation.xlsx', dialect: 'txscada', watch: false },
    screenNode('scr', 'grp', { project: 'proj', start: 'S1', wires: [['outs1'], ['outs2']] }),
    functionNode('outs1', OUTS_FN(1)),
    functionNode('outs2', OUTS_FN(2)),
    // dashboard clients coming and going (port 0): a closed socket is the marker that the server is done with it
    { id: 'ctl', type: 'ui_ui_control', z: 'tab1', name: '', events: 'all', x: 100, y: 400, wires: [['outs0']] },
    functionNode('outs0', OUTS_FN(0)),
    // the click guard's clock (frozen; settings.js `uiMaraScreenClock`): POST {ms} advances it
    {
      id: 'clock-in',
      type: 'http in',
      z: 'tab1',
      name: '',
      url: '/test/clock',
      method: 'post',
      upload: false,
      swaggerDoc: '',
      x: 100,
      y: 500,
      wires: [['clock-fn']],
    },
    functionNode('clock-fn', "msg.payload = { now: global.get('maraTestClock').advance(Number(msg.payload && msg.payload.ms) || 0) }; return msg;", [
      ['outs-res'],
    ]),
    {
      id: 'outs-in',
      type: 'http in',
      z: 'tab1',
      name: '',
      url: '/test/outs',
      method: 'get',
      upload: false,
      swaggerDoc: '',
      x: 100,
      y: 300,
      wires: [['outs-get']],
    },
    functionNode('outs-get', "msg.payload = global.get('outs') || []; global.set('outs', []); return msg;", [['outs-res']]),
    { id: 'outs-res', type: 'http response', z: 'tab1', name: '', statusCode: '', headers: {}, x: 500, y: 300, wires: [] },
  ];
}

/** The attacking site: its page tries every way a browser lets a page write to another origin. */
function attackPage(red: string): string {
  const upload = `${red}/mara/project/upload?name=substation.xlsx`;
  return `<!doctype html><html><body>
<iframe name="sink1"></iframe><iframe name="sink2"></iframe><iframe name="sink3"></iframe>
<form id="f1" method="POST" enctype="text/plain" action="${upload}" target="sink1"><input name="x" value="y"></form>
<form id="f2" method="POST" enctype="multipart/form-data" action="${upload}" target="sink2"><input name="x" value="y"></form>
<form id="f3" method="POST" action="${red}/mara/formula/try" target="sink3"><input name="formula" value="str(1)"></form>
<script>
(async () => {
  const out = {};
  const attempt = async (name, url, init) => {
    try {
      const r = await fetch(url, init);
      out[name] = r.type === 'opaque' ? 'opaque' : r.status;
    } catch (e) {
      out[name] = 'blocked';
    }
  };
  await attempt('text/plain no-cors', ${JSON.stringify(upload)}, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '0123456789abcdef' });
  await attempt('octet-stream cors', ${JSON.stringify(upload)}, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'x-mara-upload': '1' }, body: '{"points":[],"elements":[{"tag":"X"}]}' });
  await attempt('try form no-cors', ${JSON.stringify(`${red}/mara/formula/try`)}, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'formula=str(1)' });
  await attempt('try json cors', ${JSON.stringify(`${red}/mara/formula/try`)}, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"formula":"str(1)"}' });
  await attempt('reload cors', ${JSON.stringify(`${red}/mara/project/proj/reload`)}, { method: 'POST' });
  navigator.sendBeacon(${JSON.stringify(upload)}, new Blob(['0123456789abcdef'], { type: 'text/plain' }));
  for (const f of ['f1', 'f2', 'f3']) document.getElementById(f).submit();
  window.__results = out;
})();
</script></body></html>`;
}

describe('boundaries in Chromium (issue 10 items 6, 7, 8)', { skip: haveChromium ? false : CHROMIUM_MISSING, timeout: 300_000 }, () => {
  let red: RedChild;
  let ctx: BrowserContext;
  let page: Page;
  let browser: OpenBrowser | undefined;
  let site: http.Server;
  let siteUrl = '';
  const pageErrors: string[] = [];
  let xlsx: Buffer;
  /** Dashboard sockets the server has closed (ui_control's "lost"), from what {@link outs} read. */
  const lost = new Set<string>();
  /** The widget's outputs (ports 1 and 2) since the last call. */
  const outs = async (): Promise<{ port: number; topic: string; payload: any; event: any; socketid?: string }[]> => {
    const all = (await (await fetch(`${red.url}/test/outs`)).json()) as { port: number; topic: string; payload: any; event: any; socketid?: string }[];
    for (const m of all) if (m.port === 0 && m.payload === 'lost' && m.socketid) lost.add(m.socketid);
    return all.filter((m) => m.port !== 0);
  };
  /** Outputs read until `enough(all read so far)` holds (bounded only for a failure). */
  const outsUntil = async (enough: (o: Awaited<ReturnType<typeof outs>>) => boolean, what: string, o: Awaited<ReturnType<typeof outs>> = []) => {
    await waitUntil(async () => enough((o = o.concat(await outs()))), what);
    return o;
  };
  const advanceClock = async (ms: number) => {
    const r = await fetch(`${red.url}/test/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ms }) });
    assert.equal(r.status, 200);
  };
  const points = async (): Promise<number> => ((await (await fetch(`${red.url}/mara/project/proj/problems`)).json()) as any).counts.points;

  before(async () => {
    ensureBuilt();
    xlsx = workbook.writeXlsx(workbook.exampleSheets());
    const files: Record<string, string | Buffer> = { 'mara-projects/substation.xlsx': xlsx };
    for (const f of exampleDrawings()) {
      let svg = fs.readFileSync(path.join(ROOT, 'examples', f), 'utf8');
      if (f === 's1.svg')
        svg = svg.replace(
          /<\/svg>\s*$/,
          `<style type="text/css">${HOSTILE_CSS}</style><rect class="evil-mark" id="evil-mark" x="0" y="0" width="6" height="6"/></svg>`,
        );
      files[`mara-projects/${f}`] = svg;
    }
    // the click guard's clock stands still unless the test advances it, so the rate limit's counts are exact
    red = await startNodeRed(
      flows(),
      files,
      {},
      {
        preamble: 'let maraNow = Date.now();\nconst maraTestClock = { now: () => maraNow, advance: (ms) => (maraNow += ms) };',
        entries: { uiMaraScreenClock: 'maraTestClock.now', functionGlobalContext: '{ maraTestClock }' },
      },
    );
    site = http.createServer((req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(attackPage(red.url));
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', () => r()));
    siteUrl = `http://127.0.0.1:${(site.address() as { port: number }).port}/`;
    browser = await openChromium({ width: 1366, height: 900 });
    ({ ctx, page } = browser);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await waitUntil(async () => (await points().catch(() => 0)) > 0, 'the project to load its workbook');
  });

  after(async () => {
    await browser?.close();
    await new Promise<void>((r) => (site ? site.close(() => r()) : r()));
    if (red) {
      if (process.env.MARA_DEBUG_RED) process.stderr.write(red.output());
      await red.stop();
    }
  });

  it('a page of another origin cannot replace the workbook nor use the try box (item 6)', async () => {
    const before = await points();
    assert.ok(before > 20);
    const attacker = await ctx.newPage();
    // every request the page sent to Node-RED that has had its answer (or was refused by the browser)
    const settled: string[] = [];
    const track = (r: Request) => {
      if (r.url().startsWith(`${red.url}/`) && r.method() === 'POST') settled.push(`${r.resourceType()} ${new URL(r.url()).pathname}`);
    };
    attacker.on('requestfinished', track);
    attacker.on('requestfailed', track);
    try {
      await attacker.goto(siteUrl);
      await attacker.waitForFunction(() => !!(window as any).__results, undefined, { timeout: 10_000 });
      // the forms and the beacon are not awaited by the page: the server has answered all nine attempts
      await waitUntil(() => settled.length >= 9, 'answers to the 5 fetches, 3 forms and the beacon', 10_000).catch((e) => {
        throw new Error(`${(e as Error).message}: ${JSON.stringify(settled)}`);
      });
      const results = await attacker.evaluate(() => (window as any).__results);
      process.stderr.write(`[boundaries] cross-origin attempts: ${JSON.stringify(results)}\n`);
      // Node-RED 4.1 answers every CORS preflight (Access-Control-Allow-Origin: *), so our guard must refuse (403);
      // Node-RED 5 no longer does, so the browser itself blocks the request. Either way nothing got through.
      for (const k of ['octet-stream cors', 'try json cors', 'reload cors'])
        assert.ok(
          results[k] === 403 || results[k] === 'blocked',
          `${k}: ${JSON.stringify(results[k])} (expected 403 from our guard, or blocked by the browser)`,
        );
    } finally {
      await attacker.close();
    }
    const file = path.join(red.userDir, 'mara-projects', 'substation.xlsx');
    assert.deepEqual(fs.readFileSync(file), xlsx, 'the workbook is unchanged');
    assert.ok(!fs.existsSync(`${file}.bak`), 'nothing was stored at all');
    const r = await fetch(`${red.url}/mara/project/proj/reload`, { method: 'POST' });
    assert.equal(r.status, 200);
    assert.equal(await points(), before, 'the project still has its points');
  });

  it("the drawing's style sheet restyles only the drawing (item 7)", async () => {
    await page.goto(`${red.url}/ui/#!/0?mara-screen=S1`);
    await page.waitForSelector(`${W} [tag="S1189S03"]`, { timeout: 20_000 });
    const look = await page.evaluate((w) => {
      const bar = document.querySelector(`${w} .mara-bar`) as HTMLElement;
      const mark = document.querySelector(`${w} #evil-mark`) as SVGElement;
      return {
        bar: getComputedStyle(bar).display,
        toolbar: getComputedStyle(document.querySelector('md-toolbar') as Element).display,
        mark: getComputedStyle(mark).fill,
      };
    }, W);
    assert.notEqual(look.bar, 'none', 'the navigation bar is not hidden');
    assert.notEqual(look.toolbar, 'none', "the dashboard's toolbar is not hidden");
    assert.equal(look.mark, 'rgb(0, 255, 0)', "the drawing's own rule applies inside the drawing");
  });

  /** Opens the toggle dialog and checks it reads right and nothing covers its buttons. */
  const openAndCheck = async () => {
    // a click event, not a pointer: the page CSS below hides the whole page, the dialog must still show
    await page.locator(BLADE).nth(2).dispatchEvent('click');
    const dialog = page.locator('.mara-dialog-host .mara-dialog');
    await dialog.waitFor({ timeout: 3000 });
    const seen = await dialog.evaluate((d) => {
      const text = d.querySelector('.mara-dialog-text') as HTMLElement;
      const buttons = Array.from(d.querySelectorAll('button')) as HTMLElement[];
      const root = d.getRootNode() as ShadowRoot;
      return {
        text: text.textContent,
        textVisible: text.checkVisibility({ opacityProperty: true, visibilityProperty: true }) && parseFloat(getComputedStyle(text).fontSize) >= 10,
        buttons: buttons.map((b) => ({
          label: b.textContent,
          after: getComputedStyle(b, '::after').content,
          fontSize: parseFloat(getComputedStyle(b).fontSize),
          hit: (() => {
            const r = b.getBoundingClientRect();
            return root.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === b;
          })(),
        })),
        order: buttons.map((b) => Math.round(b.getBoundingClientRect().x)),
      };
    });
    assert.match(seen.text ?? '', /^S1189S03 Seccionador barra alimentador 3 — change (Cerrado to Abierto|Abierto to Cerrado)\?$/);
    assert.ok(seen.textVisible, 'the question is visible');
    assert.deepEqual(
      seen.buttons.map((b) => b.label),
      ['Cancel', seen.text!.includes('to Abierto') ? 'Change to Abierto' : 'Change to Cerrado'],
    );
    for (const b of seen.buttons) {
      assert.ok(b.after === 'none' || b.after === 'normal', `no generated label on ${b.label}: ${b.after}`);
      assert.ok(b.fontSize >= 10, `${b.label} is readable`);
      assert.ok(b.hit, `${b.label} is what a click at its centre hits`);
    }
    assert.ok(seen.order[0] < seen.order[1], 'Cancel comes first');
    return dialog;
  };

  it('the confirmation dialog stays readable and correct under hostile drawing and page CSS; Cancel sends nothing (items 7, 8)', async () => {
    await outs();
    let dialog = await openAndCheck();
    await dialog.locator('button', { hasText: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 2000 });
    // the same rules, and worse, as page CSS (another widget's template): the dialog is out of their reach
    await page.addStyleTag({
      content: `${HOSTILE_CSS}\ndialog, div, p, button { display: none !important; visibility: hidden !important; opacity: 0 !important; font-size: 0 !important } *::after, *::before { content: "Cancel" !important }`,
    });
    dialog = await openAndCheck();
    await dialog.locator('button', { hasText: 'Cancel' }).click();
    // the next click is the marker: what a Cancel sent would reach the server before it
    dialog = await openAndCheck();
    let o = await outsUntil((a) => a.filter((m) => m.event?.type === 'click').length >= 3, 'the third click');
    assert.deepEqual(
      o.map((m) => m.event?.type),
      ['click', 'click', 'click'],
      'the clicks reach the server, no toggle',
    );
    await dialog.locator('button', { hasText: /^Change to/ }).click();
    o = await outsUntil((a) => a.some((m) => m.event?.type === 'toggle') && a.some((m) => m.port === 2), 'the toggle and its writes', o);
    const toggle = o.find((m) => m.event?.type === 'toggle');
    assert.ok(toggle, JSON.stringify(o));
    assert.equal(toggle.payload, '0');
    await page.reload();
  });

  it("a hostile client on the dashboard's own socket reaches nothing it should not (item 8)", async () => {
    await page.goto(`${red.url}/ui/#!/0?mara-screen=S1`);
    await page.waitForSelector(`${W} [tag="S1189S03"]`, { timeout: 20_000 });
    assert.deepEqual(await outs(), [], 'nothing left in flight from the test before');
    const before = await page.$eval(`${W} [tag="S1189I03"]`, (t) => t.textContent);
    await page.reload(); // no page CSS left from the test before
    await page.waitForSelector(`${W} [tag="S1189S03"]`, { timeout: 20_000 });
    await page.evaluate('window.__name = window.__name || function (f) { return f; }'); // tsx names functions
    // the hostile client: its own socket on the dashboard's socket.io, kept on window between the steps
    const id = await page.evaluate(async () => {
      const io = (window as any).io;
      const s = io({ path: '/ui/socket.io' });
      await new Promise((r) => s.on('connect', r));
      const w = window as any;
      w.__evil = { s, confirms: [] as unknown[] };
      w.__evil.send = (msg: unknown, socketid: unknown = 'forged-id') => s.emit('update-value', { id: 'scr', msg, socketid });
      s.on('update-value', (e: any) => {
        if (e && e.confirm) w.__evil.confirms.push(e.confirm);
      });
      const send = w.__evil.send;
      // before reporting any screen
      send({ type: 'click', tag: 'S1152B01', screen: 'S1' });
      // the toggle that existed only in the browser, and a guessed token
      send({ type: 'toggle', tag: 'S1189S03', value: '0', screen: 'S1' });
      send({ type: 'toggle', token: 'AAAAAAAAAAAAAAAAAAAAAAAA' });
      send({ type: 'view', screen: 'MAP' });
      // a screen it does not show, tags that do not exist, a jump MAP does not offer
      send({ type: 'click', tag: 'S1152B01', screen: 'S1' });
      send({ type: 'click', tag: 'NOSUCHTAG', screen: 'MAP' });
      send({ type: 'click', tag: '__proto__', screen: 'MAP' });
      send({ type: 'click', tag: null, screen: 'MAP', jump: 'NOWHERE' });
      send({ type: 'toggle-request', tag: 'S1189S03', screen: 'MAP' });
      // the marker: a click it may make; once it is out, the server has judged everything above
      send({ type: 'view', screen: 'S1' });
      send({ type: 'click', tag: 'S1152B02', screen: 'S1' });
      return s.id as string;
    });
    const first = await outsUntil((a) => a.length > 0, 'the marker click');
    assert.deepEqual(
      first.map((m) => [m.port, m.event?.type, m.topic, m.socketid === id]),
      [[1, 'click', 'S1152B02', true]],
      'nothing before the marker reached the flow',
    );
    await advanceClock(10_000); // the bucket refills: the next part starts with a full one
    const report = await page.evaluate(() => {
      const e = (window as any).__evil;
      e.send({ type: 'view', screen: 'S1' });
      e.send({ type: 'click', tag: 'S1152B01', screen: 'S1' }, 'someone-else');
      const t0 = performance.now();
      for (let i = 0; i < 2000; i++) e.send({ type: 'click', tag: 'S1152B01', screen: 'S1' });
      const ms = performance.now() - t0;
      e.s.close(); // after the queued clicks; once the server has closed it, it takes nothing more from this socket
      return { ms, confirms: e.confirms.length };
    });
    const o = await outsUntil(() => lost.has(id), 'the server to close the hostile socket');
    assert.ok(
      o.every((m) => m.port === 1 && m.event?.type === 'click' && m.topic === 'S1152B01'),
      JSON.stringify(o.slice(0, 5)),
    );
    assert.ok(
      o.every((m) => m.socketid === id),
      'the server socket id, never the one the client wrote',
    );
    // the clock stands still: the full bucket takes the view and CLICK_BURST - 1 clicks, every other message is dropped
    assert.equal(o.length, CLICK_BURST - 1, `${o.length} msgs from 2 001 clicks (sent in ${report.ms.toFixed(0)} ms)`);
    assert.equal(report.confirms, 0, 'no confirmation was offered for a screen it does not show');
    assert.equal(await page.$eval(`${W} [tag="S1189I03"]`, (t) => t.textContent), before, 'no toggle happened');
    process.stderr.write(`[boundaries] hostile client: 2 001 clicks → ${o.length} msgs, 0 toggles\n`);
    assert.deepEqual(pageErrors, []);
  });
});
