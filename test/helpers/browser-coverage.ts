/**
 * The widget's browser code counted by c8 from the Chromium runs. Dashboard 1 does not load dist/ui/mara-screen.js
 * by URL: the node sends the file's text inside an initController, which the dashboard evaluates
 * (`eval('(' + initController + ')')`), so Chromium sees an anonymous script with the bundle somewhere inside. We
 * take V8's precise coverage of each page (a CDP session of its own), find the scripts that hold the bundle, shift
 * their ranges to the bundle's own offsets and write them as a V8 coverage file into NODE_V8_COVERAGE, under the
 * bundle's file: URL; c8 reads every coverage-*.json there and maps the bundle to ui/**.ts by its source map
 * (development builds only, scripts/build.js).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';

export const UI_BUNDLE = path.resolve(__dirname, '../../dist/ui/mara-screen.js');

export interface CoverageRange {
  startOffset: number;
  endOffset: number;
  count: number;
}
export interface FunctionCoverage {
  functionName: string;
  ranges: CoverageRange[];
  isBlockCoverage: boolean;
}
/** An entry of Playwright's stopJSCoverage (V8's ScriptCoverage plus the script's source). */
export interface BrowserScriptCoverage {
  scriptId: string;
  url: string;
  source?: string;
  functions: FunctionCoverage[];
}
export interface ScriptCoverage {
  scriptId: string;
  url: string;
  functions: FunctionCoverage[];
}

/**
 * The coverage of `bundle` (the file's text) found in `entries`, as scripts of the file `fileUrl`: every script
 * whose source holds the bundle has its ranges shifted by where the bundle starts and clipped to the bundle (the
 * wrapper around it, `(function (scope, events) {` … `})`, is not ours). Scripts without the bundle are left out.
 */
export function bundleCoverage(entries: readonly BrowserScriptCoverage[], bundle: string, fileUrl: string): ScriptCoverage[] {
  const out: ScriptCoverage[] = [];
  if (!bundle) return out;
  for (const e of entries) {
    const at = typeof e.source === 'string' ? e.source.indexOf(bundle) : -1;
    if (at < 0) continue;
    const end = at + bundle.length;
    const functions: FunctionCoverage[] = [];
    for (const f of e.functions) {
      const ranges: CoverageRange[] = [];
      for (const r of f.ranges) {
        if (r.endOffset <= at || r.startOffset >= end) continue;
        ranges.push({ startOffset: Math.max(r.startOffset, at) - at, endOffset: Math.min(r.endOffset, end) - at, count: r.count });
      }
      // a function's first range is the function itself: when it lies outside the bundle, so do its blocks
      if (ranges.length && f.ranges[0] && f.ranges[0].endOffset > at && f.ranges[0].startOffset < end) {
        functions.push({ functionName: f.functionName, ranges, isBlockCoverage: f.isBlockCoverage });
      }
    }
    out.push({ scriptId: e.scriptId, url: fileUrl, functions });
  }
  return out;
}

let written = 0;

/** V8's precise coverage of one page, through its own CDP session; only long scripts not loaded from a .js file have their source fetched. */
async function startPage(ctx: BrowserContext, page: Page, minLength: number): Promise<() => Promise<BrowserScriptCoverage[]>> {
  const session = await ctx.newCDPSession(page);
  const sources = new Map<string, Promise<string | undefined>>();
  // the bundle is never served as a file: Dashboard 1 evaluates it (url ''), the tests inline it; skipping the
  // rest (the dashboard's and the editor's libraries) keeps the cost of coverage small
  session.on('Debugger.scriptParsed', (e) => {
    if ((e.length ?? 0) < minLength || /\.js(?:[?#]|$)/.test(e.url)) return;
    sources.set(
      e.scriptId,
      session.send('Debugger.getScriptSource', { scriptId: e.scriptId }).then(
        (r) => r.scriptSource,
        () => undefined,
      ),
    );
  });
  await Promise.all([
    session.send('Profiler.enable'),
    session.send('Profiler.startPreciseCoverage', { callCount: true, detailed: true }),
    session.send('Debugger.enable'),
    session.send('Debugger.setSkipAllPauses', { skip: true }),
  ]);
  return async () => {
    const { result } = await session.send('Profiler.takePreciseCoverage');
    const out: BrowserScriptCoverage[] = [];
    for (const e of result) {
      const source = await sources.get(e.scriptId);
      if (source !== undefined) out.push({ scriptId: e.scriptId, url: e.url, source, functions: e.functions });
    }
    await session.detach().catch(() => undefined);
    return out;
  };
}

/**
 * Collects the coverage of every page of `ctx` (those opened later too) when `dir` is set (NODE_V8_COVERAGE: c8 is
 * collecting); `flush()` writes what the pages still open have gathered, and a page closed by a test writes its own
 * first; `ready()` waits until the pages open so far are being counted. A no-op without `dir`.
 */
export function trackCoverage(ctx: BrowserContext, dir: string | undefined, bundleFile = UI_BUNDLE): { ready(): Promise<void>; flush(): Promise<void> } {
  if (!dir) return { ready: async () => undefined, flush: async () => undefined };
  const bundle = fs.readFileSync(bundleFile, 'utf8');
  const started = new Map<Page, Promise<() => Promise<BrowserScriptCoverage[]>>>();
  const save = async (page: Page): Promise<void> => {
    const stop = started.get(page);
    if (!stop) return;
    started.delete(page);
    const result = bundleCoverage(await (await stop)(), bundle, pathToFileURL(bundleFile).href);
    if (!result.length) return;
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `coverage-chromium-${process.pid}-${Date.now()}-${++written}.json`), JSON.stringify({ result }));
  };
  const track = (page: Page): void => {
    started.set(page, startPage(ctx, page, bundle.length));
    const close = page.close.bind(page);
    page.close = async (options) => {
      await save(page).catch(() => undefined);
      return close(options);
    };
  };
  for (const p of ctx.pages()) track(p);
  ctx.on('page', track);
  const ready = async (): Promise<void> => void (await Promise.all(started.values()));
  // a page a test opens is counted from its first script: newPage resolves once its coverage has started
  const newPage = ctx.newPage.bind(ctx);
  ctx.newPage = async () => {
    const page = await newPage();
    await ready();
    return page;
  };
  return {
    ready,
    flush: async () => void (await Promise.all([...started.keys()].map((p) => save(p).catch(() => undefined)))),
  };
}
