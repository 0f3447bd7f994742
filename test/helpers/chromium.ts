/** Debian's Chromium driven by playwright-core, in a throw-away profile: one launcher for every browser test. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { trackCoverage } from './browser-coverage';
import { CHROMIUM, CHROMIUM_ARGS } from './red-child';

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
