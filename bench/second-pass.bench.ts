/**
 * The browser's second pass over a screen's SVG (ui/core/second-pass.ts `scrub`) against DOMPurify's SVG profile
 * (issue 13: replace the one by the other if it keeps every hostile case blocked and every real screen intact).
 * `npm run bench -- second-pass`. In Chromium (playwright-core), on a page of a local HTTP server that records
 * every request:
 * - hostile corpus (test/browser/hostile-svgs.ts) RAW, without the server's sanitiser, so the figure is what the
 *   second pass blocks on its own: per case, did anything run (`window.__pwned`), was anything fetched from
 *   /evil, did the drawing's CSS reach the page, is its harmless part (`#safe-N`, `[tag=SAFETEXT]`) intact;
 * - real screens (examples/*.svg, test/fixtures/migration/*.svg) after the server's sanitiser, as the widget
 *   gets them: elements, attributes, bound tags and jump-to kept, serialisation and screenshot identical to no
 *   second pass, and the time of the pass alone (median of 50 after 5 warm-up runs).
 * Variants: `none` (DOMParser only), `scrub` (the widget's pass), `dompurify` (DOMPurify 3, USE_PROFILES svg +
 * svgFilters, IN_PLACE on the parsed document, ADD_ATTR tag and jump-to so the binder still finds its nodes).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { CHROMIUM, CHROMIUM_MISSING, ROOT, ensureBuilt } from '../test/helpers/red-child';
import { openChromium } from '../test/helpers/chromium';
import { hostileCases } from '../test/browser/hostile-svgs';
import { sanitizeSvg } from '../lib/svg/sanitize';
import { reporter } from './common';

const { log, emit } = reporter('second-pass');

// playwright-core's own PNG codec (pngjs), to count the pixels two screenshots differ in
const { PNG } = require('playwright-core/lib/utilsBundle') as { PNG: { sync: { read(b: Buffer): { width: number; height: number; data: Buffer } } } };

/** Pixels (RGBA) that differ between two screenshots of the same size; -1 when the sizes differ. */
function pixelsDiffering(a: Buffer, b: Buffer): number {
  const x = PNG.sync.read(a);
  const y = PNG.sync.read(b);
  if (x.width !== y.width || x.height !== y.height) return -1;
  let n = 0;
  for (let i = 0; i < x.data.length; i += 4) if (x.data.readUInt32BE(i) !== y.data.readUInt32BE(i)) n++;
  return n;
}
const VARIANTS = ['none', 'scrub', 'dompurify'] as const;
const RUNS = 50;

async function main(): Promise<void> {
  if (!fs.existsSync(CHROMIUM)) {
    log(`skipped: ${CHROMIUM_MISSING}`);
    return;
  }
  ensureBuilt();
  const bundle = fs.readFileSync(path.join(ROOT, 'dist', 'ui', 'mara-screen.js'), 'utf8');
  const purify = fs.readFileSync(require.resolve('dompurify/dist/purify.min.js'), 'utf8');
  const requests: string[] = [];
  const page = `<!doctype html><html><head><style>body{margin:0;background:#fff}#box{width:800px;height:400px;position:relative;overflow:hidden}</style></head><body><div id="box"></div>
<script>${bundle}</script><script>${purify}</script><script>
window.pathOf = function pathOf(e) {
  return !e.parentElement || e.parentElement.id === 'box' ? e.localName : pathOf(e.parentElement) + '>' + e.localName + '[' + Array.prototype.indexOf.call(e.parentElement.children, e) + ']';
};
window.secondPass = function (variant, root) {
  if (variant === 'scrub') MaraScreenUI.scrub(root);
  else if (variant === 'dompurify') DOMPurify.sanitize(root, { IN_PLACE: true, USE_PROFILES: { svg: true, svgFilters: true }, ADD_ATTR: ['tag', 'jump-to'] });
};
window.pass = function (variant, text) {
  if (variant === 'scrub') return MaraScreenUI.parseSvg(document, text);
  var parsed = new DOMParser().parseFromString(text, 'image/svg+xml');
  var root = parsed.documentElement;
  if (!root || root.localName !== 'svg' || parsed.getElementsByTagName('parsererror').length) return null;
  secondPass(variant, root);
  return document.importNode(root, true);
};
</script></body></html>`;
  const srv = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(page);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}/`;
  const browser = await openChromium({ width: 1000, height: 600 }, 'mara-bench-second-pass-');
  try {
    const { ctx } = browser;
    // ---- hostile corpus, raw
    const cases = hostileCases(port);
    const blocked: Record<string, number> = { none: 0, scrub: 0, dompurify: 0 };
    const intact: Record<string, number> = { none: 0, scrub: 0, dompurify: 0 };
    for (const [i, c] of cases.entries()) {
      const n = i + 1;
      const row: Record<string, string> = {};
      for (const v of VARIANTS) {
        const p = await ctx.newPage();
        await p.goto(url);
        const before = requests.length;
        const mounted = await p.evaluate(
          ([variant, text, k]) => {
            const svg = (window as unknown as { pass(v: string, t: string): Element | null }).pass(variant, text);
            if (!svg) return false;
            document.getElementById('box')!.appendChild(svg);
            const types = ['mouseover', 'mouseenter', 'mousemove', 'mousedown', 'mouseup', 'click', 'dblclick', 'pointerdown', 'focus', 'focusin', 'keydown'];
            for (const el of Array.from(document.querySelectorAll('#box svg, #box svg *')))
              for (const t of types) el.dispatchEvent(new (t.startsWith('key') ? KeyboardEvent : MouseEvent)(t, { bubbles: true, cancelable: true }));
            for (const a of Array.from(document.querySelectorAll('#box a'))) (a as HTMLElement).click?.();
            return !!document.querySelector(`#box #safe-${k}[tag="SAFE"]`) && !!document.querySelector('#box [tag="SAFETEXT"]');
          },
          [v, c.svg, n] as const,
        );
        await p.waitForTimeout(n === 4 ? 1200 : 200); // animations begin and end
        const r = await p.evaluate(() => {
          const box = document.getElementById('box')!.getBoundingClientRect();
          const svg = document.querySelector('#box svg');
          const sb = svg ? svg.getBoundingClientRect() : null;
          return {
            pwned: (window as unknown as { __pwned?: unknown }).__pwned !== undefined || (top as unknown as { __pwned?: unknown }).__pwned !== undefined,
            pageStyled: getComputedStyle(document.body).backgroundColor !== 'rgb(255, 255, 255)' || getComputedStyle(document.body).display === 'none',
            escaped: !!sb && (sb.width > box.width + 1 || getComputedStyle(svg!).position === 'fixed'),
          };
        });
        const fetched = requests.slice(before).filter((u) => u.includes('/evil'));
        const ok = !r.pwned && !fetched.length && !r.pageStyled && !r.escaped;
        if (ok) blocked[v]++;
        if (mounted) intact[v]++;
        row[v] = ok
          ? mounted
            ? 'blocked'
            : 'blocked, harmless part lost'
          : [r.pwned ? 'RAN' : '', fetched.length ? `FETCHED ${fetched.length}` : '', r.pageStyled ? 'PAGE STYLED' : '', r.escaped ? 'ESCAPED' : '']
              .filter(Boolean)
              .join(' ');
        await p.close();
      }
      log(`${c.name}: ${VARIANTS.map((v) => `${v}=${row[v]}`).join(' | ')}`);
    }
    for (const v of VARIANTS) {
      emit(`hostile cases blocked, raw (${v})`, 'cases', blocked[v], { of: cases.length });
      emit(`hostile cases with harmless part intact (${v})`, 'cases', intact[v], { of: cases.length });
    }
    // ---- real screens, after the server's sanitiser
    const files = [
      ...fs
        .readdirSync(path.join(ROOT, 'examples'))
        .filter((f) => f.endsWith('.svg'))
        .map((f) => path.join('examples', f)),
      ...fs
        .readdirSync(path.join(ROOT, 'test', 'fixtures', 'migration'))
        .filter((f) => f.endsWith('.svg'))
        .map((f) => path.join('test', 'fixtures', 'migration', f)),
    ];
    const p = await ctx.newPage();
    await p.goto(url);
    for (const f of files) {
      const svg = sanitizeSvg(fs.readFileSync(path.join(ROOT, f), 'utf8')).svg;
      const shape: Record<
        string,
        { names: string[]; elements: number; attributes: number; tags: number; jumps: number; styles: number; xml: string; ms: number }
      > = {};
      const shots: Record<string, Buffer> = {};
      for (const v of VARIANTS) {
        shape[v] = await p.evaluate(
          ([variant, text, runs]) => {
            const w = window as unknown as { pass(v: string, t: string): Element | null; secondPass(v: string, root: Element): void };
            // the pass alone, on a freshly parsed copy each time (5 warm-up runs not counted)
            const times: number[] = [];
            for (let k = 0; k < runs + 5; k++) {
              const root = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
              const t0 = performance.now();
              w.secondPass(variant, root);
              if (k >= 5) times.push(performance.now() - t0);
            }
            times.sort((a, b) => a - b);
            const svg = w.pass(variant, text);
            const box = document.getElementById('box')!;
            while (box.firstChild) box.removeChild(box.firstChild);
            svg!.setAttribute('width', '100%');
            svg!.setAttribute('height', '100%');
            box.appendChild(svg!);
            const all = Array.from(svg!.querySelectorAll('*'));
            const path = (window as unknown as { pathOf(e: Element): string }).pathOf;
            return {
              names: [svg!, ...all].flatMap((e) => [path(e), ...Array.from(e.attributes).map((a) => `${path(e)}@${a.name}`)]),
              elements: all.length + 1,
              attributes: [svg!, ...all].reduce((s, e) => s + e.attributes.length, 0),
              tags: all.filter((e) => e.hasAttribute('tag')).length,
              jumps: all.filter((e) => e.hasAttribute('jump-to')).length,
              styles: all.filter((e) => e.localName === 'style').length,
              xml: new XMLSerializer().serializeToString(svg!),
              ms: times[Math.floor(times.length / 2)],
              // (none: the time of an empty call, the floor of this clock)
            };
          },
          [v, svg, RUNS] as const,
        );
        await p.waitForTimeout(100);
        shots[v] = await p.locator('#box').screenshot();
        // the same drawing shot again: tells a real difference from a screenshot that is not reproducible
        if (v === 'none') shots.again = await p.locator('#box').screenshot();
      }
      log(`${f}: two shots of the same DOM equal: ${shots.again.equals(shots.none)}`);
      for (const v of VARIANTS) {
        const s = shape[v];
        const same = s.xml === shape.none.xml;
        const samePixels = shots[v].equals(shots.none);
        const differing = samePixels ? 0 : pixelsDiffering(shots[v], shots.none);
        const kept = new Set(s.names);
        const lost = [...new Set(shape.none.names.filter((x) => !kept.has(x)).map((x) => x.replace(/^.*[>]/, '').replace(/\[\d+\]/g, '')))];
        if (lost.length) log(`${f} ${v} removed: ${lost.slice(0, 12).join(', ')}${lost.length > 12 ? ` … (${lost.length} kinds)` : ''}`);
        log(
          `${f} ${v}: ${s.elements} elements, ${s.attributes} attributes, ${s.tags} tags, ${s.jumps} jump-to, ${s.styles} <style>; same DOM as none: ${same}; same pixels: ${samePixels}${samePixels ? '' : ` (${differing} of 320000 differ)`}; second pass alone, median of ${RUNS}: ${s.ms.toFixed(2)} ms`,
        );
        emit(`${f} second pass median (${v})`, 'ms', +s.ms.toFixed(3), {
          elements: s.elements,
          attributes: s.attributes,
          tags: s.tags,
          jumps: s.jumps,
          sameDom: same,
          samePixels,
          pixelsDiffering: differing,
        });
      }
    }
  } finally {
    await browser.close();
    srv.close();
  }
}

main().catch((e) => {
  process.stderr.write(`[second-pass bench] ${(e as Error).stack}\n`);
  process.exit(1);
});
