/** Debian's Chromium driven by playwright-core, in a throw-away profile: one launcher for every browser test. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { trackCoverage } from './browser-coverage';
import { CHROMIUM, CHROMIUM_ARGS, type RedChild } from './red-child';

export interface OpenBrowser {
  ctx: BrowserContext;
  page: Page;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/**
 * `coverageDir`: where the pages' coverage of the widget's bundle goes (test/helpers/browser-coverage.ts); by default
 * NODE_V8_COVERAGE, set when c8 runs the suite, so the Chromium runs count in `npm test`'s coverage. `bundleFile`:
 * which widget's bundle is counted (dist/ui/mara-screen.js by default).
 */
export async function openChromium(
  viewport: { width: number; height: number },
  prefix = 'mara-chromium-',
  coverageDir = process.env.NODE_V8_COVERAGE,
  bundleFile?: string,
): Promise<OpenBrowser> {
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
  const userData = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const ctx = await chromium.launchPersistentContext(userData, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: false, viewport });
  const coverage = trackCoverage(ctx, coverageDir, bundleFile);
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  await coverage.ready();
  return {
    ctx,
    page,
    close: async () => {
      await coverage.flush();
      await ctx.close().catch(() => undefined);
      fs.rmSync(userData, { recursive: true, force: true });
    },
  };
}

/** tsx names the functions declared inside page functions with a `__name` helper the page does not have. */
export const NAME_SHIM = 'window.__name = window.__name || function (f) { return f; }';

export interface DashboardPage {
  viewport: { width: number; height: number };
  /** What shows once the widget has started (waited for up to 20 s). */
  ready: string;
  /** Where the page's uncaught errors go. */
  pageErrors: string[];
  /** Below the Node-RED url; `/ui/` by default. */
  path?: string;
  bundleFile?: string;
  /** The `__name` shim ({@link NAME_SHIM}); on by default. */
  nameShim?: boolean;
  /** Init scripts, listeners, journal contents: what must be in place before the page loads. */
  prepare?: (b: OpenBrowser) => Promise<void> | void;
}

/** Chromium on the dashboard of a running Node-RED (the browser tests' common start); closed again if it fails. */
export async function openDashboard(url: string, o: DashboardPage): Promise<OpenBrowser> {
  const b = await openChromium(o.viewport, 'mara-chromium-', process.env.NODE_V8_COVERAGE, o.bundleFile);
  try {
    if (o.nameShim !== false) await b.ctx.addInitScript(NAME_SHIM);
    b.page.on('pageerror', (e) => o.pageErrors.push(e.message));
    await o.prepare?.(b);
    await b.page.goto(`${url}${o.path ?? '/ui/'}`);
    await b.page.waitForSelector(o.ready, { timeout: 20_000 });
    return b;
  } catch (e) {
    await b.close();
    throw e;
  }
}

/**
 * The browser tests' end: the browser closed, Node-RED stopped, its whole log on stderr with MARA_DEBUG_RED; with
 * `errors`, its `[error]` lines (but those `expected` matches) on stderr too.
 */
export async function closeDashboard(browser: OpenBrowser | undefined, red: RedChild | undefined, errors?: { expected?: RegExp }): Promise<void> {
  await browser?.close();
  if (!red) return;
  const log = red.output();
  await red.stop();
  if (process.env.MARA_DEBUG_RED) process.stderr.write(log);
  if (!errors) return;
  const unexpected = log.split('\n').filter((l) => /\[error\]/.test(l) && !errors.expected?.test(l));
  if (unexpected.length) process.stderr.write(`Node-RED errors:\n${unexpected.join('\n')}\n`);
}
