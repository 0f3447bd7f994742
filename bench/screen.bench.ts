/**
 * Operator-screen benchmark (the browser bundle dist/ui/mara-screen.js in Chromium via playwright-core). One JSON line per figure on
 * stdout; progress on stderr.
 *
 * Part 1, binder cost: a generated screen of 2 000 bound elements (half `<rect>`, a quarter `<text>`, a quarter
 * `<g>` of two paths plus a `nopaint` one), 200 changed attributes per update at 10 updates/s through the
 * binder (coalesced to one batch per animation frame). Script time per frame = the binder's rAF callback.
 * The limit: the same writes (same nodes, properties and values, targets looked up beforehand) done by a bare
 * `style.setProperty` / `textContent` loop in a rAF callback, in the same page. The page is cross-origin
 * isolated (COOP/COEP from a local server) so performance.now() has 5 µs resolution instead of 100 µs.
 *
 * Part 2, end-to-end latency: a real Node-RED 4 (child process) with Dashboard 1 and a ui_mara_screen; in the
 * page, a change is POSTed to an inject node wired to the widget (/inject/:id, what the editor's button does)
 * and a MutationObserver sees the node's text change. From the fetch call to the paint: the HTTP request,
 * the inject node, the widget's coalescer (leading edge: an isolated change goes out at once, a stream at most
 * every 250 ms), socket.io, the dashboard client, the binder's animation frame. 100 isolated changes (one
 * every 300 ms) and 100 changes streamed at 10/s (a change that the coalescer merges into a later one counts
 * as shown when that later one is).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_MISSING, ROOT, RedChild, dashboardNodes, ensureBuilt, injectNode, screenNode, startNodeRed } from '../test/helpers/red-child';
import { openChromium } from '../test/helpers/chromium';
import { median, quantileNearestRank, reporter, round3, sum } from './common';

const ELEMENTS = 2000;
const CHANGES = 200;
const RATE_HZ = 10;
const WARMUP_UPDATES = 30;
const UPDATES = 150;
const LATENCY_CHANGES = 100;

const rep = reporter('screen'); // its figures carry no `code` field
const { log, emit } = rep;

const cleanups: (() => Promise<unknown> | unknown)[] = [];
async function cleanup(): Promise<void> {
  for (const f of cleanups.splice(0).reverse()) {
    try {
      await f();
    } catch (e) {
      log(`cleanup: ${(e as Error).message}`);
    }
  }
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void cleanup().finally(() => process.exit(130)));

/** The generated screen: `ELEMENTS` bound nodes on a grid. */
function bigScreen(): string {
  const cols = 50;
  const parts: string[] = [];
  for (let i = 0; i < ELEMENTS; i++) {
    const x = (i % cols) * 24;
    const y = Math.floor(i / cols) * 20;
    const tag = `E${String(i).padStart(4, '0')}`;
    const k = i % 4;
    if (k === 0 || k === 1) parts.push(`<rect tag="${tag}" x="${x}" y="${y}" width="20" height="16" style="fill:#202020;stroke:#555555"/>`);
    else if (k === 2) parts.push(`<text tag="${tag}" x="${x}" y="${y + 14}" style="fill:#ffffff;font-size:10px"><tspan>0.00</tspan></text>`);
    else
      parts.push(
        `<g tag="${tag}"><path d="M${x},${y + 8}h20" style="stroke:#cccccc;stroke-width:3"/><path d="M${x + 10},${y}v16" style="stroke:#cccccc"/><path tag="nopaint" d="M${x},${y}h4" style="stroke:#ff00ff"/></g>`,
      );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${cols * 24}" height="${(ELEMENTS / cols) * 20}">${parts.join('')}</svg>`;
}

/** Serves one cross-origin-isolated page (COOP + COEP) so performance.now() has fine resolution. */
function isolatedServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>screen bench</title></head><body style="margin:0;background:#000"><div id="host" style="position:relative;width:1200px;height:800px"></div></body></html>`;
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html', 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
    res.end(html);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, close: () => new Promise((r) => server.close(() => r())) }),
    ),
  );
}

interface Part1Result {
  binder: number[];
  ingest: number[];
  bare: number[];
  writesPerUpdate: number;
  isolated: boolean;
  frameGaps: number[];
}

async function part1(ctx: BrowserContext): Promise<void> {
  const srv = await isolatedServer();
  cleanups.push(() => srv.close());
  const page = await ctx.newPage();
  await page.goto(srv.url);
  await page.addScriptTag({ content: fs.readFileSync(path.join(ROOT, 'dist', 'ui', 'mara-screen.js'), 'utf8') });
  log(`part 1: ${ELEMENTS} elements, ${CHANGES} changed attributes per update at ${RATE_HZ}/s, ${UPDATES} updates (+${WARMUP_UPDATES} warm-up) per phase`);
  const r = (await page.evaluate(
    async ({ svgText, changes, rateHz, warmup, updates }) => {
      const UI = (window as unknown as { MaraScreenUI: any }).MaraScreenUI;
      const host = document.getElementById('host')!;
      const svg = UI.parseSvg(document, svgText) as SVGSVGElement;
      svg.setAttribute('width', '100%');
      svg.setAttribute('height', '100%');
      host.appendChild(svg);
      // deterministic pseudo-random choices (the same sequence for both phases)
      let seed = 12345;
      const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
      const tags: string[] = [];
      const kinds: string[] = [];
      svg.querySelectorAll('[tag]').forEach((e) => {
        const t = e.getAttribute('tag')!;
        if (t === 'nopaint') return;
        tags.push(t);
        kinds.push(e.localName);
      });
      const palette = ['#ff0000', '#00ff00', '#3366ff', '#ffcc00', '#cc99ff', '#c0c0c0', '#ffffff', '#99cc00'];
      const last = new Map<string, string>();
      /** Update k: `changes` distinct elements, one attribute each, always a new value. */
      const plan = (k: number) => {
        const out: [string, string, string][] = [];
        const used = new Set<number>();
        while (out.length < changes) {
          const i = Math.floor(rnd() * tags.length);
          if (used.has(i)) continue;
          used.add(i);
          const kind = kinds[i];
          if (kind === 'text') out.push([tags[i], 'text', (rnd() * 1000).toFixed(3) + '.' + k]);
          else {
            const attr = kind === 'g' ? 'stroke' : rnd() < 0.5 ? 'fill' : 'stroke';
            const key = tags[i] + attr;
            let v = palette[(k + i) % palette.length];
            if (last.get(key) === v) v = palette[(k + i + 1) % palette.length]; // always a real change
            last.set(key, v);
            out.push([tags[i], attr, v]);
          }
        }
        return out;
      };
      const total = warmup + updates;
      const plans: [string, string, string][][] = [];
      for (let k = 0; k < total; k++) plans.push(plan(k));

      const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
      const frameGaps: number[] = [];

      // a second, identical drawing for the bare loop: both run in the same frames, in alternating order
      const svgB = UI.parseSvg(document, svgText) as SVGSVGElement;
      svgB.setAttribute('width', '100%');
      svgB.setAttribute('height', '100%');
      svgB.style.position = 'absolute';
      svgB.style.left = '0';
      svgB.style.top = '0';
      svgB.style.opacity = '0.5';
      host.appendChild(svgB);
      const targets = new Map<string, { el: Element; paint: Element[] }>();
      for (const t of tags) {
        const el = svgB.querySelector(`[tag="${t}"]`)!;
        const paint = el.localName === 'g' ? Array.from(el.querySelectorAll('path:not([tag="nopaint"]), rect:not([tag="nopaint"])')) : [el];
        targets.set(t, { el, paint });
      }

      const binderTimes: number[] = [];
      const bareTimes: number[] = [];
      const ingestTimes: number[] = [];
      let timing = false;
      const binder = UI.createBinder(svg, {
        raf: (fn: () => void) =>
          requestAnimationFrame(() => {
            const t0 = performance.now();
            fn();
            if (timing) binderTimes.push(performance.now() - t0);
          }),
      });
      const bare = (ops: { t: { el: Element; paint: Element[] }; attr: string; value: string }[], measure: boolean) =>
        requestAnimationFrame(() => {
          const t0 = performance.now();
          for (let i = 0; i < ops.length; i++) {
            const o = ops[i];
            if (o.attr === 'text') o.t.el.textContent = o.value;
            else for (let j = 0; j < o.t.paint.length; j++) (o.t.paint[j] as SVGElement).style.setProperty(o.attr, o.value);
          }
          if (measure) bareTimes.push(performance.now() - t0);
        });
      let lastFrame = -1;
      let watching = true;
      const watch = (t: number) => {
        if (timing && lastFrame > 0) frameGaps.push(t - lastFrame);
        lastFrame = t;
        if (watching) requestAnimationFrame(watch);
      };
      requestAnimationFrame(watch);
      for (let k = 0; k < total; k++) {
        timing = k >= warmup;
        // the bare loop gets the same values, resolved beforehand (display rule applied): only the writes
        const ops = plans[k].map(([tag, attr, value]) => ({ t: targets.get(tag)!, attr, value: attr === 'text' ? UI.displayText(value) : value }));
        if (k % 2) bare(ops, timing);
        const t0 = performance.now();
        for (const [tag, attr, value] of plans[k]) binder.set(tag, attr, value);
        if (timing) ingestTimes.push(performance.now() - t0);
        if (!(k % 2)) bare(ops, timing);
        await wait(1000 / rateHz);
      }
      await wait(100);
      timing = false;
      watching = false;
      const writes = binder.stats.writes;
      return { binder: binderTimes, bare: bareTimes, ingest: ingestTimes, writesPerUpdate: writes / total, isolated: crossOriginIsolated, frameGaps };
    },
    { svgText: bigScreen(), changes: CHANGES, rateHz: RATE_HZ, warmup: WARMUP_UPDATES, updates: UPDATES },
  )) as Part1Result;
  await page.close();
  if (!r.isolated) log('warning: the page is not cross-origin isolated; performance.now() resolution is 100 µs');
  const base = {
    elements: ELEMENTS,
    changesPerUpdate: CHANGES,
    updatesPerSecond: RATE_HZ,
    updates: r.binder.length,
    domWritesPerUpdate: round3(r.writesPerUpdate),
  };
  const mb = median(r.binder);
  const mbare = median(r.bare);
  log(
    `binder frames: ${r.binder.length}, median ${mb.toFixed(3)} ms, p95 ${quantileNearestRank(r.binder, 0.95).toFixed(3)}, max ${Math.max(...r.binder).toFixed(3)}`,
  );
  log(
    `bare loop:     ${r.bare.length}, median ${mbare.toFixed(3)} ms, p95 ${quantileNearestRank(r.bare, 0.95).toFixed(3)}, max ${Math.max(...r.bare).toFixed(3)}`,
  );
  emit('binder script time per frame, median', 'ms', round3(mb), base);
  emit('binder script time per frame, p95', 'ms', round3(quantileNearestRank(r.binder, 0.95)), base);
  emit('binder script time, longest frame', 'ms', round3(Math.max(...r.binder)), base);
  emit('bare write loop per frame, median (the limit)', 'ms', round3(mbare), base);
  emit('bare write loop per frame, p95', 'ms', round3(quantileNearestRank(r.bare, 0.95)), base);
  emit('bare write loop, longest frame', 'ms', round3(Math.max(...r.bare)), base);
  emit('binder / bare ratio, medians', 'x', round3(mb / mbare), { ...base, goal: 1.5 });
  emit('binder / bare ratio, totals', 'x', round3(sum(r.binder) / sum(r.bare)), { ...base, goal: 1.5 });
  emit('binder set() of one update (validation + queueing, outside the frame), median', 'ms', round3(median(r.ingest)), base);
  if (r.frameGaps.length)
    emit('frame interval during binder updates, p95', 'ms', round3(quantileNearestRank(r.frameGaps, 0.95)), {
      ...base,
      note: 'rAF to rAF, includes style, layout and paint',
    });
}

async function part2(ctx: BrowserContext): Promise<void> {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><text tag="L" x="10" y="50" style="fill:#ffffff;font-size:20px">0</text></svg>';
  const flows = [
    { id: 'tab1', type: 'tab', label: 'bench' },
    ...dashboardNodes([{ id: 'ui-tab', name: 'Bench', order: 1 }], [{ id: 'grp', name: 'Bench', tab: 'ui-tab', width: 6, order: 1 }]),
    screenNode('scr', 'grp', { width: 6, height: 4, svg }),
    injectNode('inj', 'scr'),
  ];
  const red: RedChild = await startNodeRed(flows);
  cleanups.push(() => red.stop());
  const page: Page = await ctx.newPage();
  await page.goto(`${red.url}/ui/`);
  await page.waitForSelector('#mara-screen-scr [tag="L"]', { timeout: 20_000 });
  await page.waitForTimeout(500);
  const run = (gapMs: number) =>
    page.evaluate(
      async ({ n, gap, base }) => {
        // change i writes the text "base+i"; its latency is the time until the text shows i or a later change
        // (a stream is coalesced on the server: a change superseded within 250 ms is shown by its successor)
        const el = document.querySelector('#mara-screen-scr [tag="L"]') as SVGElement;
        const out: number[] = new Array(n).fill(-1);
        const t0s: number[] = [];
        let shown = -1;
        const mo = new MutationObserver(() => {
          const v = parseInt(el.textContent || '', 10) - base;
          if (!(v >= 0)) return;
          const now = performance.now();
          for (let i = shown + 1; i <= v && i < n; i++) if (t0s[i] !== undefined && out[i] < 0) out[i] = now - t0s[i];
          if (v > shown) shown = v;
        });
        mo.observe(el, { childList: true, characterData: true, subtree: true });
        for (let i = 0; i < n; i++) {
          const body = JSON.stringify({
            __user_inject_props__: [{ p: 'payload', v: JSON.stringify([{ tag: 'L', attr: 'text', value: String(base + i) }]), vt: 'json' }],
          });
          t0s[i] = performance.now();
          void fetch('/inject/inj', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
          await new Promise((r) => setTimeout(r, gap));
        }
        const until = performance.now() + 3000;
        while (out[n - 1] < 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
        mo.disconnect();
        return out;
      },
      { n: LATENCY_CHANGES, gap: gapMs, base: gapMs * 100000 },
    );
  log(`part 2: ${LATENCY_CHANGES} isolated changes (one per 300 ms) through a real Node-RED`);
  const isolated = await run(300);
  log(`part 2: ${LATENCY_CHANGES} changes streamed at 10/s`);
  const stream = await run(100);
  await page.close();
  for (const [name, xs, extra] of [
    ['isolated changes', isolated, { spacing: '300 ms' }],
    [
      'stream at 10/s',
      stream,
      { spacing: '100 ms', note: 'server coalescing: at most one emission per 250 ms; a change superseded within it counts as shown when its successor is' },
    ],
  ] as const) {
    const got = xs.filter((x) => x >= 0);
    const lost = xs.length - got.length;
    log(
      `${name}: ${got.length} shown, median ${median(got).toFixed(1)} ms, p95 ${quantileNearestRank(got, 0.95).toFixed(1)} ms, max ${Math.max(...got).toFixed(1)} ms${lost ? `, ${lost} never shown` : ''}`,
    );
    const base = { changes: xs.length, shown: got.length, path: 'fetch POST /inject → inject node → ui_mara_screen → socket.io → binder rAF → text', ...extra };
    emit(`input to paint latency, ${name}, median`, 'ms', round3(median(got)), base);
    emit(`input to paint latency, ${name}, p95`, 'ms', round3(quantileNearestRank(got, 0.95)), base);
  }
}

async function main(): Promise<void> {
  if (!fs.existsSync(CHROMIUM)) {
    log(`skipped: ${CHROMIUM_MISSING}`);
    return;
  }
  ensureBuilt();
  const browser = await openChromium({ width: 1280, height: 900 }, 'mara-bench-chromium-');
  cleanups.push(() => browser.close());
  const { ctx } = browser;
  // tsx (esbuild keepNames) wraps named functions in __name(); the functions passed to page.evaluate run in the
  // page, where that helper does not exist
  await ctx.addInitScript({ content: 'window.__name = function (f) { return f; };' });
  await part1(ctx);
  await part2(ctx);
}

main()
  .then(cleanup)
  .catch(async (e) => {
    rep.failed(`${(e as Error).stack ?? e}`);
    await cleanup();
    process.exit(1);
  });
