/**
 * The widget's browser code counted by c8 from the Chromium runs. Dashboard 1 does not load dist/ui/mara-screen.js
 * by URL: the node sends the file's text inside an initController, which the dashboard evaluates
 * (`eval('(' + initController + ')')`), so Chromium sees an anonymous script with the bundle somewhere inside. We
 * take V8's precise coverage of each page (Playwright's page.coverage), find the scripts that hold the bundle, shift
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

/**
 * Collects the coverage of every page of `ctx` (those opened later too) when `dir` is set (NODE_V8_COVERAGE: c8 is
 * collecting); `flush()` writes what the pages still open have gathered, and a page closed by a test writes its own
 * first. A no-op without `dir`.
 */
export function trackCoverage(ctx: BrowserContext, dir: string | undefined, bundleFile = UI_BUNDLE): { flush(): Promise<void> } {
  if (!dir) return { flush: async () => undefined };
  const started = new Map<Page, Promise<void>>();
  const save = async (page: Page): Promise<void> => {
    const start = started.get(page);
    if (!start) return;
    started.delete(page);
    await start;
    const entries = await page.coverage.stopJSCoverage();
    const result = bundleCoverage(entries, fs.readFileSync(bundleFile, 'utf8'), pathToFileURL(bundleFile).href);
    if (!result.length) return;
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `coverage-chromium-${process.pid}-${Date.now()}-${++written}.json`), JSON.stringify({ result }));
  };
  const track = (page: Page): void => {
    // sent before the test's next command (goto), so the bundle's evaluation is always seen
    started.set(page, page.coverage.startJSCoverage({ resetOnNavigation: false, reportAnonymousScripts: true }));
    const close = page.close.bind(page);
    page.close = async (options) => {
      await save(page).catch(() => undefined);
      return close(options);
    };
  };
  for (const p of ctx.pages()) track(p);
  ctx.on('page', track);
  return { flush: async () => void (await Promise.all([...started.keys()].map((p) => save(p).catch(() => undefined)))) };
}
