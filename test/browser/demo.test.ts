/**
 * The demo flow itself (examples/substation-demo.json) in a real Node-RED and Chromium:
 * simulator → line → poll → points → formulas → screen. A DI flipped in the simulator must change
 * the breaker's fill within one poll interval plus 500 ms. A protection trip reaches the project's journal (the
 * line names the project) and comes back as the §6.3 marks and the blink of the relay and its breaker.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_MISSING, ROOT, ensureBuilt, freePort, RedChild, startNodeRed } from '../helpers/red-child';
import { openChromium, OpenBrowser } from '../helpers/chromium';

const haveChromium = fs.existsSync(CHROMIUM);
const POLL_S = 1;

/** The shipped demo flow, on free ports, without random activity (the test flips the DIs). */
async function demoFlow(): Promise<unknown[]> {
  const flow = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'substation-demo.json'), 'utf8')) as Record<string, unknown>[];
  const port = String(await freePort());
  for (const n of flow) {
    if (n.type === 'mara-simulator') Object.assign(n, { port, activity: false });
    if (n.type === 'mara-line') Object.assign(n, { port, devices: [{ address: 1, name: 'S1 comaster', pollInterval: POLL_S, timeout: 1000, retries: 3 }] });
  }
  // a second inject into the simulator that the test can drive with any payload
  const sim = flow.find((n) => n.type === 'mara-simulator')!;
  flow.push({
    id: 'test-sim-in',
    type: 'inject',
    z: sim.z,
    props: [{ p: 'payload' }],
    payload: '',
    payloadType: 'str',
    repeat: '',
    once: false,
    wires: [[sim.id]],
  });
  return flow;
}

describe('the demo flow in Chromium', { skip: haveChromium ? false : CHROMIUM_MISSING, timeout: 180_000 }, () => {
  let red: RedChild;
  let page: Page;
  let browser: OpenBrowser | undefined;

  const fillOf = (tag: string) =>
    page.evaluate((t) => (document.querySelector(`[tag="${t}"]`) as SVGElement | null)?.style.getPropertyValue('fill') ?? null, tag);
  const flip = (di: number, on: boolean) => red.inject('test-sim-in', { payload: { di: { [di]: on ? 1 : 0 } } });

  before(async () => {
    ensureBuilt();
    const files: Record<string, Buffer> = { 'mara-projects/substation.xlsx': fs.readFileSync(path.join(ROOT, 'examples', 'substation.xlsx')) };
    for (const f of fs.readdirSync(path.join(ROOT, 'examples')).filter((n) => n.endsWith('.svg')))
      files[`mara-projects/${f}`] = fs.readFileSync(path.join(ROOT, 'examples', f));
    red = await startNodeRed(await demoFlow(), files);
    browser = await openChromium({ width: 1400, height: 950 });
    page = browser.page;
    // tsx names the functions declared inside page functions with a `__name` helper the page does not have
    await browser.ctx.addInitScript('window.__name = window.__name || function (f) { return f; }');
    await page.goto(`${red.url}/ui/`);
    await page.waitForSelector('[tag="S1152B03"]', { timeout: 20_000 });
  });

  after(async () => {
    await browser?.close();
    await red?.stop();
  });

  it('shows the live substation: energised bars and closed breakers from the initial field state', async () => {
    // the flow's "initial field state" inject closes the breakers and sets 33 kV / 13.2 kV
    await page.waitForFunction(
      () => (document.querySelector('[tag="S1152B03"]') as SVGElement | null)?.style.getPropertyValue('fill') === 'rgb(255, 204, 0)',
      null,
      { timeout: 10_000 },
    );
    const bar = await page.evaluate(() => {
      const g = document.querySelector('[tag="S12BAR00"]');
      const p = g?.querySelector('path, rect') as SVGElement | null;
      return p?.style.getPropertyValue('stroke') ?? null;
    });
    assert.equal(bar, 'rgb(204, 153, 255)', 'the 33 kV bar is violet (energised)');
    const volts = await page.evaluate(() => document.querySelector('[tag="S12VV_00"]')?.textContent);
    assert.equal(volts, '33.00');
  });

  it('a DI flipped in the simulator changes the breaker fill within one poll interval + 500 ms', async () => {
    const latencies: number[] = [];
    for (let i = 0; i < 6; i++) {
      const open = i % 2 === 0;
      const want = open ? 'rgb(0, 0, 0)' : 'rgb(255, 204, 0)'; // open: 10 (black); closed and energised: 1 (ochre)
      const t0 = Date.now();
      await flip(16, !open); // DI 16 = S1152B03, the feeder 3 breaker
      await page.waitForFunction((w) => (document.querySelector('[tag="S1152B03"]') as SVGElement | null)?.style.getPropertyValue('fill') === w, want, {
        timeout: POLL_S * 1000 + 500,
      });
      latencies.push(Date.now() - t0);
    }
    assert.equal(await fillOf('S1152B03'), 'rgb(255, 204, 0)');
    process.stderr.write(`[demo browser test] simulator DI → breaker fill: ${latencies.join(', ')} ms (poll interval ${POLL_S} s)\n`);
  });

  it('a reload shows the current state at once', async () => {
    await flip(20, false); // feeder 4 breaker opens
    await page.waitForFunction(
      () => (document.querySelector('[tag="S1152B04"]') as SVGElement | null)?.style.getPropertyValue('fill') === 'rgb(0, 0, 0)',
      null,
      { timeout: POLL_S * 1000 + 500 },
    );
    await page.reload();
    await page.waitForSelector('[tag="S1152B04"]', { timeout: 10_000 });
    // painted from the server snapshot with the first frame, not after the next change
    assert.equal(await fillOf('S1152B04'), 'rgb(0, 0, 0)');
    assert.equal(await fillOf('S1152B03'), 'rgb(255, 204, 0)');
  });

  it('a protection trip in the simulator marks and blinks the relay and its bay breaker (spec §6.3)', async () => {
    await red.inject('test-sim-in', { payload: { di: { 17: 1, 16: 0 } } }); // S1151_03 trips, S1152B03 opens
    await page.waitForFunction(
      () => {
        const shape = (t: string) => {
          const e = document.querySelector(`[tag="${t}"]`) as SVGElement | null;
          return { e, p: (e && (e.matches('path, rect') ? e : e.querySelector('path, rect'))) as SVGElement | null };
        };
        const relay = shape('S1151_03');
        const breaker = shape('S1152B03');
        return (
          relay.p?.style.getPropertyValue('fill') === 'rgb(255, 0, 0)' &&
          breaker.p?.style.getPropertyValue('fill') === 'rgb(255, 0, 0)' &&
          !!relay.e?.classList.contains('mara-alarm-on') &&
          !!breaker.e?.classList.contains('mara-alarm-on')
        );
      },
      null,
      { timeout: POLL_S * 1000 + 2000 },
    );
  });
});
