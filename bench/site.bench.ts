/**
 * Site shape (`npm run bench -- site`): a real Node-RED (child process) serving a site built the natural way,
 * one chain per line (mara-line → mara-poll → mara-points → mara-formula → screen), for 1, 8 and 32 lines of 8
 * IEDs polled every second, one ui_mara_screen bound to the project and 5 dashboard clients. Figures per size:
 * CPU % of one core, RSS and heap of the Node-RED process, and its event-loop delay (monitorEventLoopDelay,
 * started by the settings file inside that process), over a measured window after a warm-up.
 *
 * The site: every IED is the example's (examples/substation.xlsx): its 46 points (6 SV, 32 DI, 8 AI), its 70
 * elements, and 20 of its formulas (the 8 measurements' text and fill, both bars, a feeder's disconnector and
 * breaker), renamed per line and IED; a JSON workbook (lib/points/workbook-json.ts), one screen per line (the
 * example's S1 drawing, renamed for the line's first IED). 32 lines: 11 776 points, 5 120 formulas.
 * The simulated IEDs (lib/link/simulator.ts, one TCP server per line on 127.0.0.1, with activity: breakers
 * toggling, currents drifting) run in this process, not in the measured one.
 * The dashboard clients speak socket.io's wire protocol (engine.io 4 over a WebSocket, the `ws` package that
 * Node-RED itself depends on: no socket.io-client is installed): they connect, ask for the replay as the
 * dashboard's page does, answer pings and count what they receive. No browser renders.
 *
 * The flow is the one each build's demo shows: mara-points feeds the formula node and the screen (quality);
 * mara-formula feeds the screen only in a build whose screens need that wire (no lib/project/project-runtime.js:
 * before the project owned the element state); MARA_SITE_WIRED=1/0 forces it. MARA_SITE_PERSIST=1 turns the lines'
 * persistence on (off by default): each reply then goes to the line's journal before it is acknowledged, or, in a
 * build from before the journal, to its state file (write + rename), so two runs compare the two.
 *
 * MARA_SITE_PACKAGE=<checkout> measures another build of the package (its dist/, built beforehand), e.g. the
 * code before a change in a `git worktree`; MARA_SITE_LINES=1,8 picks sizes; MARA_SITE_WINDOW_S the window.
 * MARA_SITE_PROFILE=<dir> records a CPU profile of the Node-RED process over each measured window (the inspector's
 * sampling profiler, started and stopped by the settings file) into <dir>/site-<lines>-lines.cpuprofile; the
 * profiler costs a little CPU itself, so take the figures from a run without it.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { load } from '../lib/project/workbook';
import type { ProjectModel } from '../lib/project/model';
import { MaraSimulator } from '../lib/sim/simulator';
import { startActivity } from '../lib/sim/activity';
import { dashboardNodes, ensureBuilt, freePort } from '../test/helpers/red-child';
import { NODE_RED_DIR } from '../test/helpers/node-red-path';
import { ROOT, reporter, round3 } from './common';

const rep = reporter('site');
const IEDS = 8;
const CLIENTS = 5;
const POLL_S = 1;
const WARMUP_S = 15;
const WINDOW_S = Number(process.env.MARA_SITE_WINDOW_S) || 30;
const SIZES = (process.env.MARA_SITE_LINES ?? '1,8,32')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const PACKAGE = path.resolve(process.env.MARA_SITE_PACKAGE || ROOT);
/** The lines' persistence (MARA_SITE_PERSIST=1): the journal, or the state file of an older build. */
const PERSIST = process.env.MARA_SITE_PERSIST === '1';
/** mara-formula → screen wires: MARA_SITE_WIRED=1/0, else only for a build whose screens need them (no project runtime). */
const WIRED = process.env.MARA_SITE_WIRED
  ? process.env.MARA_SITE_WIRED === '1'
  : !fs.existsSync(path.join(PACKAGE, 'dist', 'lib', 'project', 'project-runtime.js'));
/** Formulas kept per IED (element.attr of the example's IED). */
const FORMULAS = new Set([
  ...['S12VV_00', 'S11VV_00', 'S12PA_00', 'S12PR_00', 'S11II_03', 'S11II_04', 'S11II_05', 'S11II_06'].flatMap((t) => [`${t}.text`, `${t}.fill`]),
  'S12BAR00.stroke',
  'S11BAR00.stroke',
  'S1189S03.stroke',
  'S1152B03.fill',
]);

const cleanups: (() => Promise<unknown> | unknown)[] = [];
async function cleanup(): Promise<void> {
  for (const f of cleanups.splice(0).reverse()) {
    try {
      await f();
    } catch (e) {
      rep.log(`cleanup: ${(e as Error).message}`);
    }
  }
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void cleanup().finally(() => process.exit(130)));

const prefix = (line: number, ied: number) => `L${String(line).padStart(2, '0')}D${ied}`;
/** The example's tags start with its site `S1`: each IED's copy takes its own prefix. */
const rename = (tag: string, p: string) => (tag.startsWith('S1') ? p + tag.slice(2) : tag);

/** The site's workbook (a JSON model) and its drawings. */
function siteModel(example: ProjectModel, lines: number, ports: number[], svg: string): { model: Record<string, unknown[]>; files: Record<string, string> } {
  const m: Record<string, unknown[]> = {
    comasters: [],
    devices: [],
    points: [],
    elements: [],
    formulas: [],
    screens: [],
    colours: example.colours,
    eventTexts: example.eventTexts,
  };
  const files: Record<string, string> = {};
  for (let l = 1; l <= lines; l++) {
    m.comasters.push({ id: String(l), host: '127.0.0.1', port: ports[l - 1], enabled: true });
    m.screens.push({ name: `L${l}`, file: `line${l}.svg`, description: `line ${l}`, prefix: prefix(l, 1), parent: null });
    files[`mara-projects/line${l}.svg`] = svg.split('="S1').join(`="${prefix(l, 1)}`);
    for (let i = 1; i <= IEDS; i++) {
      const p = prefix(l, i);
      const device = String((l - 1) * IEDS + i);
      m.devices.push({ id: device, comaster: String(l), offset: i, address: i, svCount: 6, diCount: 4, aiCount: 8 });
      for (const pt of example.points) m.points.push({ ...pt, tag: rename(pt.tag, p), device, comaster: String(l) });
      for (const e of example.elements)
        m.elements.push({
          ...e,
          tag: rename(e.tag, p),
          screen: i === 1 ? `L${l}` : '',
          onClickJump: null,
          linkedTextChange: (e.linkedTextChange ?? []).map((t) => rename(t, p)),
        });
      for (const f of example.formulas) {
        if (!FORMULAS.has(`${f.tag}.${f.attr}`)) continue;
        m.formulas.push({ tag: rename(f.tag, p), attr: f.attr, text: f.text.replace(/\b(ai|di|eg|sv)\.S1/g, `$1.${p}`) });
      }
    }
  }
  return { model: m, files };
}

function siteFlow(lines: number, ports: number[]): Record<string, unknown>[] {
  const z = 'site-tab';
  const flow: Record<string, unknown>[] = [
    { id: z, type: 'tab', label: 'site' },
    { id: 'proj', type: 'mara-project', name: 'site', path: 'mara-projects/site.json', dialect: 'txscada', watch: false, replaceLabels: false },
    ...dashboardNodes([{ id: 'ui-tab', name: 'Site', order: 1 }], [{ id: 'ui-grp', name: 'Screens', tab: 'ui-tab', width: 26, order: 1 }]),
    {
      id: 'scr',
      type: 'ui_mara_screen',
      z,
      name: 'site',
      group: 'ui-grp',
      order: 1,
      width: '26',
      height: '17',
      project: 'proj',
      svg: '',
      start: 'L1',
      qualityClass: 'mara-bad-quality',
      readOnly: false,
      wires: [[], []],
    },
  ];
  for (let l = 1; l <= lines; l++) {
    const id = (k: string) => `${k}${l}`;
    flow.push(
      {
        id: id('line'),
        type: 'mara-line',
        name: `line ${l}`,
        transport: 'tcp',
        host: '127.0.0.1',
        port: String(ports[l - 1]),
        serialPath: '',
        baud: '9600',
        dataBits: '8',
        parity: 'none',
        stopBits: '1',
        masterAddress: '64',
        devices: Array.from({ length: IEDS }, (_, k) => ({ address: k + 1, name: `IED ${k + 1}`, pollInterval: POLL_S, timeout: 1000, retries: 3 })),
        pehInterval: '60',
        pehOnConnect: true,
        utc: false,
        maxQueue: '100',
        persist: PERSIST,
        project: '',
        comaster: '',
        projectPoll: 'direct',
      },
      { id: id('poll'), type: 'mara-poll', z, name: '', line: id('line'), wires: [[id('pts')], [id('pts')]] },
      {
        id: id('pts'),
        type: 'mara-points',
        z,
        name: '',
        project: 'proj',
        comaster: String(l),
        line: id('line'),
        poll: 'direct',
        points: [],
        wires: [[id('frm'), 'scr']],
      },
      // the flow each build's demo shows: wired to the screen where the screen needs it (before the project owned
      // the element state), not where the screen shows the project's state itself
      { id: id('frm'), type: 'mara-formula', z, name: '', project: 'proj', dialect: 'txscada', formulas: [], wires: [WIRED ? ['scr'] : []] },
    );
  }
  return flow;
}

/** Runs in the Node-RED process (the settings file): event-loop delay, CPU and memory, asked for over IPC. */
const MONITOR = `
const { monitorEventLoopDelay } = require('node:perf_hooks');
const h = monitorEventLoopDelay({ resolution: 10 });
h.enable();
let cpu0 = process.cpuUsage();
let t0 = process.hrtime.bigint();
let rssMax = 0;
setInterval(() => { rssMax = Math.max(rssMax, process.memoryUsage.rss()); }, 250).unref();
// MARA_SITE_PROFILE=<dir>: a CPU profile of the measured window (reset → stats)
const profileDir = process.env.MARA_SITE_PROFILE;
const session = profileDir ? new (require('node:inspector').Session)() : null;
if (session) { session.connect(); session.post('Profiler.enable'); session.post('Profiler.setSamplingInterval', { interval: 1000 }); }
process.on('message', (m) => {
  if (m === 'reset') {
    if (session) session.post('Profiler.start');
    h.reset(); cpu0 = process.cpuUsage(); t0 = process.hrtime.bigint(); rssMax = 0; process.send({ reset: true }); return;
  }
  if (m !== 'stats') return;
  const c = process.cpuUsage(cpu0);
  const wallUs = Number(process.hrtime.bigint() - t0) / 1000;
  const mem = process.memoryUsage();
  global.gc(); // after the CPU figure: what stays live (the heap) and what the process keeps (its RSS)
  const live = process.memoryUsage();
  const send = (r) => {
    if (!session) return process.send(r);
    // after the figures: the profile is written by the measured process, outside the window
    session.post('Profiler.stop', (err, p) => {
      if (!err) {
        const fs = require('node:fs');
        fs.mkdirSync(profileDir, { recursive: true });
        fs.writeFileSync(require('node:path').join(profileDir, 'site-' + process.env.MARA_SITE_LINES_NOW + '-lines.cpuprofile'), JSON.stringify(p.profile));
      }
      process.send(r);
    });
  };
  send({ cpuPct: (100 * (c.user + c.system)) / wallUs, wallS: wallUs / 1e6, rss: mem.rss, rssMax: Math.max(rssMax, mem.rss), heapUsed: mem.heapUsed,
    heapLive: live.heapUsed, rssAfterGc: live.rss,
    // the histogram holds the time between the monitor's 10 ms ticks: the delay is what exceeds 10 ms
    eld: { mean: Math.max(0, h.mean / 1e6 - 10), p50: Math.max(0, h.percentile(50) / 1e6 - 10), p99: Math.max(0, h.percentile(99) / 1e6 - 10), max: Math.max(0, h.max / 1e6 - 10) } });
});
`;

interface Stats {
  cpuPct: number;
  wallS: number;
  rss: number;
  rssMax: number;
  heapUsed: number;
  heapLive: number;
  rssAfterGc: number;
  eld: { mean: number; p50: number; p99: number; max: number };
}

async function startRed(
  lines: number,
  flow: unknown[],
  files: Record<string, string>,
): Promise<{ url: string; port: number; ask<T>(m: string): Promise<T>; output(): string; stop(): Promise<void> }> {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mara-site-'));
  fs.mkdirSync(path.join(userDir, 'node_modules'), { recursive: true });
  fs.symlinkSync(PACKAGE, path.join(userDir, 'node_modules', 'node-red-contrib-mara'), 'dir');
  fs.writeFileSync(
    path.join(userDir, 'package.json'),
    JSON.stringify({ name: 'mara-site-bench', private: true, dependencies: { 'node-red-contrib-mara': 'file:..' } }),
  );
  for (const [rel, data] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(userDir, rel)), { recursive: true });
    fs.writeFileSync(path.join(userDir, rel), data);
  }
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flow));
  const port = await freePort();
  const settings = {
    uiHost: '127.0.0.1',
    uiPort: port,
    flowFile: 'flows.json',
    credentialSecret: false,
    logging: { console: { level: 'warn' } },
    telemetry: { enabled: false },
    diagnostics: { enabled: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false } },
  };
  const settingsFile = path.join(userDir, 'settings.js');
  fs.writeFileSync(settingsFile, `${MONITOR}\nmodule.exports = ${JSON.stringify(settings, null, 2)};\n`);
  const proc: ChildProcess = spawn(process.execPath, ['--expose-gc', path.join(NODE_RED_DIR, 'red.js'), '--userDir', userDir, '--settings', settingsFile], {
    cwd: userDir,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, MARA_SITE_LINES_NOW: String(lines) },
  });
  let out = '';
  const keep = (b: Buffer) => {
    out += b.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    fs.rmSync(userDir, { recursive: true, force: true });
  };
  const ask = <T>(m: string) =>
    new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no answer to ${m}`)), 10_000);
      proc.once('message', (r) => {
        clearTimeout(t);
        resolve(r as T);
      });
      proc.send(m);
    });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`Node-RED exited (${proc.exitCode}):\n${out}`);
    try {
      const r = await fetch(`${url}/mara/project/proj/comasters`);
      if (r.status === 200 && ((await r.json()) as { comasters: unknown[] }).comasters.length > 0) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Node-RED did not load the site within 120 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, port, ask, output: () => out, stop };
}

/** One HTTP request to the dashboard's socket.io endpoint (long-polling transport): the body. */
function polling(port: number, query: string, body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: `/ui/socket.io/?EIO=4&transport=polling${query}`,
        method: body === undefined ? 'GET' : 'POST',
        headers: body === undefined ? {} : { 'content-type': 'text/plain;charset=UTF-8' },
      },
      (res) => {
        let s = '';
        res.on('data', (c: Buffer) => (s += c.toString()));
        res.on('end', () => (res.statusCode === 200 ? resolve(s) : reject(new Error(`socket.io ${res.statusCode}: ${s.slice(0, 200)}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A dashboard client on socket.io's wire protocol (engine.io 4): the long-polling handshake and namespace
 * connect, then the upgrade to a WebSocket, as a browser does (Dashboard 1 refuses a WebSocket without the
 * handshake); then it asks for the replay as the dashboard page does, answers pings and counts what it gets.
 */
async function dashboardClient(port: number): Promise<{ messages: () => number; bytes: () => number; close(): void }> {
  const WebSocket = require('ws') as typeof import('ws');
  const open = await polling(port, '');
  const sid = (JSON.parse(open.slice(open.indexOf('{'))) as { sid: string }).sid;
  await polling(port, `&sid=${sid}`, '40');
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ui/socket.io/?EIO=4&transport=websocket&sid=${sid}`);
    let messages = 0;
    let bytes = 0;
    const t = setTimeout(() => reject(new Error('dashboard client: no connection within 10 s')), 10_000);
    ws.on('error', reject);
    ws.on('open', () => ws.send('2probe'));
    ws.on('message', (data: Buffer) => {
      const s = data.toString();
      bytes += data.length;
      if (s === '3probe') {
        ws.send('5'); // upgrade done
        ws.send('42["ui-replay-state"]'); // what the dashboard page asks for first
        clearTimeout(t);
        resolve({ messages: () => messages, bytes: () => bytes, close: () => ws.close() });
        return;
      }
      if (s === '2') return ws.send('3'); // ping → pong
      if (s.startsWith('42')) messages++;
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(lines: number, example: ProjectModel, svg: string): Promise<void> {
  const sims: MaraSimulator[] = [];
  const stops: (() => void)[] = [];
  const ports: number[] = [];
  for (let l = 1; l <= lines; l++) {
    const sim = new MaraSimulator(
      Array.from({ length: IEDS }, (_, k) => ({ address: k + 1, di: new Array(4).fill(0), ai: new Array(8).fill(0), sv: new Array(6).fill(0) })),
    );
    ports.push(await sim.listenTcp({ host: '127.0.0.1', port: 0 }));
    for (const d of sim.devices) stops.push(startActivity(d, { intervalMs: 1000, seed: l * 100 + d.address, dis: [16, 20, 24, 28] }));
    sims.push(sim);
  }
  const closeSims = async () => {
    for (const s of stops) s();
    await Promise.all(sims.map((s) => s.close()));
  };
  cleanups.push(closeSims);
  const { model, files } = siteModel(example, lines, ports, svg);
  files['mara-projects/site.json'] = JSON.stringify(model);
  const t0 = Date.now();
  const red = await startRed(lines, siteFlow(lines, ports), files);
  cleanups.push(red.stop);
  rep.log(`${lines} line(s): Node-RED up with the site loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s; warm-up ${WARMUP_S} s`);
  const clients: Awaited<ReturnType<typeof dashboardClient>>[] = [];
  for (let c = 0; c < CLIENTS; c++) clients.push(await dashboardClient(red.port));
  cleanups.push(() => clients.forEach((c) => c.close()));
  await sleep(WARMUP_S * 1000);
  const polled = sims.reduce((n, s) => n + s.stats.framesIn, 0);
  await red.ask('reset');
  const m0 = clients.map((c) => c.messages());
  const b0 = clients.map((c) => c.bytes());
  const f0 = sims.reduce((n, s) => n + s.stats.framesIn, 0);
  await sleep(WINDOW_S * 1000);
  const s = await red.ask<Stats>('stats');
  const frames = sims.reduce((n, x) => n + x.stats.framesIn, 0) - f0;
  const msgs = clients.map((c, i) => c.messages() - m0[i]);
  const kb = clients.map((c, i) => (c.bytes() - b0[i]) / 1024);
  if (!polled || !frames) rep.failed(`${lines} line(s): the simulators saw no poll (${polled} before the window, ${frames} in it)`);
  if (Math.min(...msgs) === 0) rep.failed(`${lines} line(s): a dashboard client received nothing in the window`);
  const extra = {
    lines,
    ieds: lines * IEDS,
    points: model.points.length,
    formulas: model.formulas.length,
    elements: model.elements.length,
    clients: CLIENTS,
    pollS: POLL_S,
    windowS: round3(s.wallS),
    package: path.relative(ROOT, PACKAGE) || '.',
    formulaToScreen: WIRED,
    persist: PERSIST,
  };
  rep.emit('cpu, % of one core', '%', round3(s.cpuPct), extra);
  rep.emit('rss at the end of the window', 'MB', round3(s.rss / 1048576), extra);
  rep.emit('rss, max in the window', 'MB', round3(s.rssMax / 1048576), extra);
  rep.emit('heap used', 'MB', round3(s.heapUsed / 1048576), extra);
  rep.emit('heap live (after a full GC at the end)', 'MB', round3(s.heapLive / 1048576), extra);
  rep.emit('rss after that GC', 'MB', round3(s.rssAfterGc / 1048576), extra);
  rep.emit('event-loop delay, mean', 'ms', round3(s.eld.mean), extra);
  rep.emit('event-loop delay, p99', 'ms', round3(s.eld.p99), extra);
  rep.emit('event-loop delay, max', 'ms', round3(s.eld.max), extra);
  rep.emit('polls answered per second', '1/s', round3(frames / s.wallS), { ...extra, asked: (lines * IEDS) / POLL_S });
  // CPU per poll is steadier than CPU % on a loaded machine, where a starved process answers fewer polls
  rep.emit('cpu per poll answered', 'ms', round3(((s.cpuPct / 100) * 1000) / (frames / s.wallS)), extra);
  rep.emit('socket.io msgs per client per second, min', '1/s', round3(Math.min(...msgs) / s.wallS), { ...extra, kBps: round3(Math.min(...kb) / s.wallS) });
  await cleanup();
}

async function main(): Promise<void> {
  if (PACKAGE === ROOT) ensureBuilt();
  if (!fs.existsSync(path.join(PACKAGE, 'dist', 'nodes', 'mara-formula.js'))) rep.fail(`${PACKAGE} has no dist/: run npm run build there`);
  const { model: example, problems } = await load(path.join(ROOT, 'examples', 'substation.xlsx'));
  if (problems.length) rep.fail(`the example workbook: ${problems[0].message}`);
  const svg = fs.readFileSync(path.join(ROOT, 'examples', 's1.svg'), 'utf8');
  for (const lines of SIZES) await measure(lines, example, svg);
}

main().catch(async (e) => {
  await cleanup();
  rep.fail(String((e as Error)?.stack ?? e));
});
