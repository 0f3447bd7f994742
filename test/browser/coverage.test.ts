/**
 * The browser tests' coverage of the widget's bundle (test/helpers/browser-coverage.ts): the pure shift of V8's
 * ranges from the script that holds the bundle to the bundle file, and the real Chromium writing a coverage file
 * that c8 can read (the bundle's file: URL, ranges inside the file, counts of what ran).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHROMIUM, CHROMIUM_MISSING, ensureBuilt } from '../helpers/red-child';
import { openChromium } from '../helpers/chromium';
import { bundleCoverage, ScriptCoverage, UI_BUNDLE } from '../helpers/browser-coverage';

const URL_OF = 'file:///x/dist/ui/mara-screen.js';

describe('bundleCoverage: V8 ranges of the script that holds the bundle, as ranges of the bundle file', () => {
  const bundle = 'var B=function(){return 1};';
  const before = '(function (scope, events) {\n';
  const source = before + bundle + '\n;B();})';
  const at = before.length;

  it('shifts and clips to the bundle, keeps the counts, drops what lies outside', () => {
    const out = bundleCoverage(
      [
        {
          scriptId: '7',
          url: '',
          source,
          functions: [
            { functionName: '', ranges: [{ startOffset: 0, endOffset: source.length, count: 1 }], isBlockCoverage: true },
            {
              functionName: 'B',
              ranges: [
                { startOffset: at + 6, endOffset: at + 26, count: 3 },
                { startOffset: at + 17, endOffset: at + 25, count: 0 },
              ],
              isBlockCoverage: true,
            },
            // the wrapper's own call after the bundle: not in the file
            { functionName: 'after', ranges: [{ startOffset: at + bundle.length + 1, endOffset: source.length, count: 1 }], isBlockCoverage: false },
          ],
        },
        { scriptId: '8', url: 'http://127.0.0.1:1880/ui/js/app.min.js', source: 'angular', functions: [] },
        { scriptId: '9', url: '', functions: [] },
      ],
      bundle,
      URL_OF,
    );
    assert.deepEqual(out, [
      {
        scriptId: '7',
        url: URL_OF,
        functions: [
          { functionName: '', ranges: [{ startOffset: 0, endOffset: bundle.length, count: 1 }], isBlockCoverage: true },
          {
            functionName: 'B',
            ranges: [
              { startOffset: 6, endOffset: 26, count: 3 },
              { startOffset: 17, endOffset: 25, count: 0 },
            ],
            isBlockCoverage: true,
          },
        ],
      },
    ]);
  });

  it('a function whose own range lies outside the bundle goes with all its blocks', () => {
    const out = bundleCoverage(
      [
        {
          scriptId: '1',
          url: '',
          source,
          functions: [
            {
              functionName: 'outer',
              ranges: [
                { startOffset: at + bundle.length + 1, endOffset: source.length, count: 1 },
                { startOffset: at + 2, endOffset: at + 4, count: 0 },
              ],
              isBlockCoverage: true,
            },
          ],
        },
      ],
      bundle,
      URL_OF,
    );
    assert.deepEqual(out, [{ scriptId: '1', url: URL_OF, functions: [] }]);
  });

  it('nothing without the bundle, or with an empty one', () => {
    assert.deepEqual(bundleCoverage([{ scriptId: '1', url: '', source: 'other', functions: [] }], bundle, URL_OF), []);
    assert.deepEqual(bundleCoverage([{ scriptId: '1', url: '', source, functions: [] }], '', URL_OF), []);
  });
});

describe('openChromium writes the coverage of the bundle for c8', { skip: fs.existsSync(CHROMIUM) ? false : CHROMIUM_MISSING, timeout: 60_000 }, () => {
  it('one file per page (a page a test closes too), under the bundle file: URL, with the counts of what ran', async () => {
    ensureBuilt();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mara-cov-'));
    try {
      const bundle = fs.readFileSync(UI_BUNDLE, 'utf8');
      // the bundle inside a function, as Dashboard 1 evaluates the initController that carries it
      const content = `window.__mara = (function () {\n${bundle}\n;return MaraScreenUI.parseHashScreen('#mara-screen=E4');})();`;
      const browser = await openChromium({ width: 400, height: 300 }, 'mara-cov-chromium-', dir);
      let other;
      try {
        await browser.page.addScriptTag({ content });
        assert.equal(await browser.page.evaluate(() => (window as unknown as { __mara: unknown }).__mara), 'E4');
        other = await browser.ctx.newPage();
        await other.addScriptTag({ content });
        await other.close();
        assert.equal(fs.readdirSync(dir).length, 1, 'the page closed by the test wrote its coverage first');
      } finally {
        await browser.close();
      }
      const files = fs.readdirSync(dir).filter((f) => /^coverage-.*\.json$/.test(f));
      assert.equal(files.length, 2);
      for (const f of files) {
        const { result } = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { result: ScriptCoverage[] };
        assert.equal(result.length, 1);
        assert.equal(result[0]!.url, pathToFileURL(UI_BUNDLE).href);
        for (const fn of result[0]!.functions)
          for (const r of fn.ranges) assert.ok(r.startOffset >= 0 && r.endOffset <= bundle.length && r.startOffset < r.endOffset, JSON.stringify(r));
        const fn = (name: string) => result[0]!.functions.find((x) => x.functionName === name);
        assert.equal(fn('parseHashScreen')?.ranges[0]!.count, 1, 'called once');
        assert.equal(fn('buildHash')?.ranges[0]!.count ?? 0, 0, 'never called');
        const whole = result[0]!.functions.find((x) => x.ranges[0]!.startOffset === 0 && x.ranges[0]!.endOffset === bundle.length);
        assert.ok(whole && whole.ranges[0]!.count >= 1, 'the bundle ran: its top level is counted');
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
