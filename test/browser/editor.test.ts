/**
 * The Node-RED editor in Chromium with every example flow deployed (the way Import ▸ Examples brings them):
 * every node and config node of the examples is valid (no "not properly configured" warning); each node
 * type's edit dialog opens with no field marked invalid; the dialogs check what the runtime refuses before
 * deploy (an empty serial path once serial is chosen, an empty host, a device with the master's address,
 * ports out of 1-65535, a command's fields per mode). MARA_SCREENSHOTS=<dir> also saves a picture of each
 * dialog there (the README's list of dialogs).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_MISSING, ROOT, ensureBuilt, freePort, RedChild, startNodeRed } from '../helpers/red-child';
import { openChromium, OpenBrowser } from '../helpers/chromium';

const haveChromium = fs.existsSync(CHROMIUM);
const SHOTS = process.env.MARA_SCREENSHOTS || '';
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const TYPES = Object.keys(pkg['node-red'].nodes);

/** Every example flow, with the simulators and lines moved to free ports (the examples' own are fixed). */
async function exampleFlows(): Promise<Record<string, unknown>[]> {
  const all: Record<string, unknown>[] = [];
  for (const f of fs
    .readdirSync(path.join(ROOT, 'examples'))
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const flow = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', f), 'utf8')) as Record<string, unknown>[];
    const port = String(await freePort());
    for (const n of flow) if (n.type === 'mara-simulator' || n.type === 'mara-line') n.port = port;
    all.push(...flow);
  }
  return all;
}

describe('the editor with the examples', { skip: haveChromium ? false : CHROMIUM_MISSING, timeout: 300_000 }, () => {
  let red: RedChild;
  let page: Page;
  let browser: OpenBrowser | undefined;
  let flows: Record<string, unknown>[] = [];

  /** Opens the edit dialog of node `id` (a config node through its own editor) and waits for its form. */
  const open = async (id: string) => {
    await page.evaluate((nid) => {
      const R = (window as any).RED;
      const n = R.nodes.node(nid);
      if (n._def.category === 'config') R.editor.editConfig('', n.type, n.id);
      else R.editor.edit(n);
    }, id);
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('.red-ui-tray-body form#dialog-form, .red-ui-tray-body form#node-config-dialog-edit-form')].some(
          (f) => (f as HTMLElement).offsetParent !== null,
        ),
      null,
      { timeout: 10_000 },
    );
    // the tray's slide-in (a CSS transition of `right`) has ended, so a screenshot shows the settled dialog
    await page.waitForFunction(
      () => {
        const trays = document.querySelectorAll('.red-ui-tray');
        const tray = trays[trays.length - 1] as HTMLElement | undefined;
        return !!tray && getComputedStyle(tray).right === '0px' && tray.getAnimations({ subtree: true }).length === 0;
      },
      null,
      { timeout: 10_000 },
    );
  };
  const close = async () => {
    await page.evaluate(() => (window as any).RED.tray.close());
    await page.waitForFunction(() => !document.querySelector('.red-ui-tray'), null, { timeout: 10_000 });
  };
  /** ids of the form fields marked invalid in the open dialog. */
  const invalid = () => page.$$eval('.red-ui-tray-body .input-error', (els) => els.map((e) => e.id || e.className));
  const setField = (sel: string, v: string) =>
    page.$eval(
      sel,
      (e, val) => {
        (e as HTMLInputElement).value = val;
        (window as any).$(e).trigger('change');
      },
      v,
    );

  before(async () => {
    ensureBuilt();
    flows = await exampleFlows();
    const files: Record<string, Buffer> = {};
    red = await startNodeRed(flows, files, { editorTheme: { tours: false } });
    browser = await openChromium({ width: 1500, height: 1000 }, 'mara-editor-');
    page = browser.page;
    await page.goto(`${red.url}/`);
    await page.waitForFunction(
      (n) => {
        const R = (window as any).RED;
        return !!R && !!R.nodes && R.nodes.node && !!R.nodes.node(n) && document.querySelector('#red-ui-palette-container');
      },
      String(flows.find((n) => n.z)!.id),
      { timeout: 60_000 },
    );
    if (SHOTS) fs.mkdirSync(SHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await red?.stop();
  });

  it('every node of every example is valid as imported, and every node type of the package is in them', async () => {
    // a string, so the bundler adds no helper the page does not have
    const bad = (await page.evaluate(`(() => {
      const out = [];
      const each = [RED.nodes.eachNode, RED.nodes.eachConfig];
      for (const e of each) e((n) => { if (n.valid === false) out.push(n.type + ' ' + n.id + ': ' + JSON.stringify(n.validationErrors || [])); });
      return out;
    })()`)) as string[];
    assert.deepEqual(bad, []);
    const types = new Set(flows.map((n) => n.type));
    for (const t of TYPES) assert.ok(types.has(t), `an example uses ${t}`);
  });

  it('each node type’s dialog opens with every field valid (and is photographed when asked)', async () => {
    for (const type of TYPES) {
      const node = flows.find((n) => n.type === type)!;
      await open(String(node.id));
      assert.deepEqual(await invalid(), [], `${type} dialog`);
      if (SHOTS)
        await page
          .locator('.red-ui-tray')
          .last()
          .screenshot({ path: path.join(SHOTS, `${type}.png`) });
      await close();
    }
  });

  it('mara line: serial with an empty path, an empty host, a bad port and a device at the master address are refused in the dialog', async () => {
    const line = flows.find((n) => n.type === 'mara-line')!;
    await open(String(line.id));
    await setField('#node-config-input-host', '');
    assert.ok((await invalid()).includes('node-config-input-host'), 'empty host');
    await setField('#node-config-input-host', '127.0.0.1');
    await setField('#node-config-input-port', '70000');
    assert.ok((await invalid()).includes('node-config-input-port'), 'port above 65535');
    await setField('#node-config-input-port', '9761');
    await setField('#node-config-input-serialPath', '');
    assert.ok(!(await invalid()).includes('node-config-input-serialPath'), 'no path needed on TCP');
    await page.selectOption('#node-config-input-transport', 'serial');
    assert.ok((await invalid()).includes('node-config-input-serialPath'), 'serial chosen now, path empty');
    await page.selectOption('#node-config-input-transport', 'tcp');
    await page.fill('#node-config-input-masterAddress', '1'); // the example's device is at 1
    await page.locator('#node-config-input-masterAddress').dispatchEvent('change');
    assert.ok((await page.$$eval('.mara-dev-address.input-error', (e) => e.length)) > 0, 'device address equal to the master');
    await page.fill('#node-config-input-masterAddress', '64');
    await page.locator('#node-config-input-masterAddress').dispatchEvent('change');
    assert.equal(await page.$$eval('.mara-dev-address.input-error', (e) => e.length), 0);
    await close();
  });

  it('mara command: the fields follow the mode, each checked against the runtime’s range', async () => {
    const cmd = flows.find((n) => n.type === 'mara-command')!;
    await open(String(cmd.id));
    await page.selectOption('#node-input-command', 'time');
    assert.equal(await page.isVisible('#node-input-address'), false, 'a time set is a broadcast');
    assert.equal(await page.isVisible('#node-input-port'), false);
    await page.selectOption('#node-input-command', 'control');
    for (const f of ['address', 'port', 'bit', 'state']) assert.ok(await page.isVisible(`#node-input-${f}`), f);
    await setField('#node-input-port', '255');
    assert.ok((await invalid()).includes('node-input-port'));
    await setField('#node-input-port', '3');
    await page.selectOption('#node-input-command', 'raw');
    assert.ok(await page.isVisible('#node-input-cmd'));
    assert.ok(await page.isVisible('#node-input-data'));
    await setField('#node-input-data', '01 0');
    assert.ok((await invalid()).includes('node-input-data'), 'half a byte');
    await setField('#node-input-data', '01 00 0A');
    await setField('#node-input-cmd', '256');
    assert.ok((await invalid()).includes('node-input-cmd'));
    await close();
  });

  it('mara formula: Enter in the Try box evaluates the formula', async () => {
    const fx = flows.find((n) => n.type === 'mara-formula')!;
    await open(String(fx.id));
    await page.fill('#mara-formula-text', '7/2');
    await page.press('#mara-formula-text', 'Enter');
    await page.waitForFunction(() => /3/.test(document.querySelector('#mara-formula-result')?.textContent || ''), null, { timeout: 10_000 });
    assert.match((await page.textContent('#mara-formula-result')) || '', /= 3 +\(integer\)/);
    assert.ok(await page.isVisible('#mara-formula-text'), 'the dialog stays open');
    await close();
  });

  it('mara project: a path outside the user directory is refused; the deployed workbook’s counts are shown', async () => {
    const proj = flows.find((n) => n.type === 'mara-project')!;
    await open(String(proj.id));
    await page.waitForFunction(
      () => /\d+ points, \d+ elements, \d+ formulas, 2 screens/.test(document.querySelector('#mara-project-problems')?.textContent || ''),
      null,
      { timeout: 10_000 },
    );
    for (const bad of ['/etc/passwd', '../x.xlsx', 'a/../../x.xlsx', '']) {
      await setField('#node-config-input-path', bad);
      assert.ok((await invalid()).includes('node-config-input-path'), bad);
    }
    await setField('#node-config-input-path', 'mara-projects/../mara-projects/substation.xlsx');
    assert.ok(!(await invalid()).includes('node-config-input-path'));
    await close();
  });

  it('mara simulator: addresses 0-15, distinct; a TCP port in 1-65535', async () => {
    const sim = flows.find((n) => n.type === 'mara-simulator')!;
    await open(String(sim.id));
    await setField('#node-input-devices', '1,16');
    assert.ok((await invalid()).includes('node-input-devices'));
    await setField('#node-input-devices', '1,1');
    assert.ok((await invalid()).includes('node-input-devices'));
    await setField('#node-input-devices', '1,2');
    await setField('#node-input-port', '0');
    assert.ok((await invalid()).includes('node-input-port'));
    await close();
  });
});
