/**
 * Simulator → page latency (`npm run bench -- demo-latency`): the shipped demo flow in a real Node-RED
 * and Chromium, a DI flipped in the simulator 100 times, timed until the breaker's fill changes in the
 * page. The poll interval (here 100 ms) is part of the path: a change waits for the next poll.
 * stdout: one JSON line per figure.
 */
import fs from 'node:fs';
import path from 'node:path';
import { median, quantile, reporter } from './common';
import { CHROMIUM, ROOT, ensureBuilt, freePort, startNodeRed } from '../test/helpers/red-child';
import { openChromium } from '../test/helpers/chromium';

const rep = reporter('demo-latency');
const POLL_MS = 100;
const CHANGES = 100;

async function main(): Promise<void> {
  if (!fs.existsSync(CHROMIUM)) {
    rep.log('chromium not installed: apt-get install chromium (no figures)');
    return;
  }
  ensureBuilt();
  const flow = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'substation-demo.json'), 'utf8')) as Record<string, unknown>[];
  const port = String(await freePort());
  for (const n of flow) {
    if (n.type === 'mara-simulator') Object.assign(n, { port, activity: false });
    if (n.type === 'mara-line') Object.assign(n, { port, devices: [{ address: 1, name: 'S1', pollInterval: POLL_MS / 1000, timeout: 1000, retries: 3 }] });
  }
  const sim = flow.find((n) => n.type === 'mara-simulator')!;
  flow.push({
    id: 'bench-sim-in',
    type: 'inject',
    z: sim.z,
    props: [{ p: 'payload' }],
    payload: '',
    payloadType: 'str',
    repeat: '',
    once: false,
    wires: [[sim.id]],
  });
  const files: Record<string, Buffer> = { 'mara-projects/substation.xlsx': fs.readFileSync(path.join(ROOT, 'examples', 'substation.xlsx')) };
  for (const f of fs.readdirSync(path.join(ROOT, 'examples')).filter((n) => n.endsWith('.svg')))
    files[`mara-projects/${f}`] = fs.readFileSync(path.join(ROOT, 'examples', f));
  const red = await startNodeRed(flow, files);
  const browser = await openChromium({ width: 1400, height: 950 });
  try {
    const { page } = browser;
    await page.goto(`${red.url}/ui/`);
    await page.waitForSelector('[tag="S1152B03"]', { timeout: 20_000 });
    await page.waitForFunction(
      () => (document.querySelector('[tag="S1152B03"]') as SVGElement | null)?.style.getPropertyValue('fill') === 'rgb(255, 204, 0)',
      null,
      { timeout: 10_000 },
    );
    const ms: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const open = i % 2 === 0;
      const want = open ? 'rgb(0, 0, 0)' : 'rgb(255, 204, 0)';
      const t0 = performance.now();
      await red.inject('bench-sim-in', { payload: { di: { 16: open ? 0 : 1 } } });
      await page.waitForFunction((w) => (document.querySelector('[tag="S1152B03"]') as SVGElement | null)?.style.getPropertyValue('fill') === w, want, {
        timeout: 5000,
        polling: 'raf',
      });
      ms.push(performance.now() - t0);
    }
    const extra = { n: CHANGES, pollMs: POLL_MS, path: 'inject → simulator DI → poll (TCP) → points → formula → screen → Chromium paint' };
    rep.emit('simulator change to page, median', 'ms', Math.round(median(ms) * 10) / 10, extra);
    rep.emit('simulator change to page, p95', 'ms', Math.round(quantile(ms, 0.95) * 10) / 10, extra);
    rep.emit('simulator change to page, max', 'ms', Math.round(Math.max(...ms) * 10) / 10, extra);
  } finally {
    await browser.close();
    await red.stop();
  }
}

main().catch((e) => rep.fail(String((e as Error)?.stack ?? e)));
