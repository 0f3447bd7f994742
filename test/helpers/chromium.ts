/** Debian's Chromium driven by playwright-core, in a throw-away profile: one launcher for every browser test. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './red-child';

export interface OpenBrowser {
  ctx: BrowserContext;
  page: Page;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

export async function openChromium(viewport: { width: number; height: number }, prefix = 'mara-chromium-'): Promise<OpenBrowser> {
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
  const userData = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const ctx = await chromium.launchPersistentContext(userData, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: false, viewport });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  return {
    ctx,
    page,
    close: async () => {
      await ctx.close().catch(() => undefined);
      fs.rmSync(userData, { recursive: true, force: true });
    },
  };
}
