/**
 * A real Node-RED (4.1, or the one MARA_NODE_RED_PATH names) in a child process, for the browser tests and the screen benchmark: temporary user
 * directory, free port on 127.0.0.1, Dashboard 1 from this checkout's node_modules (Node-RED scans the
 * node_modules folder it is installed in) and this checkout linked into <userDir>/node_modules (as
 * scripts/start.js does).
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { EXTERNAL_NODE_RED, NODE_RED_DIR } from './node-red-path';

export const ROOT = path.resolve(__dirname, '../..');
export const DIST = path.join(ROOT, 'dist');

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_MISSING = 'chromium not installed: apt-get install chromium';
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Builds dist/ if a source is newer (what `npm test` does before running tests). */
export function ensureBuilt(): void {
  require(path.join(ROOT, 'scripts', 'ensure.js')).ensureBuilt();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

export interface RedChild {
  port: number;
  url: string;
  userDir: string;
  proc: ChildProcess;
  output(): string;
  /** POST /inject/<id> with the given msg properties (each JSON-encoded), as the editor's inject button does. */
  inject(id: string, props?: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts Node-RED with `flows`. `files` are written into the user directory first (relative paths). The
 * checkout is linked into <userDir>/node_modules as scripts/start.js does, so Node-RED loads the package's
 * nodes from dist/ exactly as a user gets them. Resolves once the dashboard answers and the flows have started.
 */
/**
 * Settings that JSON cannot carry (functions, shared objects): `preamble` is JavaScript run at the top of the
 * child's settings.js, `entries` maps setting names to JavaScript expressions (evaluated there, after the preamble).
 */
export interface SettingsCode {
  preamble?: string;
  entries?: Record<string, string>;
}

export async function startNodeRed(
  flows: unknown[],
  files: Record<string, string | Buffer> = {},
  settings: Record<string, unknown> = {},
  code: SettingsCode = {},
): Promise<RedChild> {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mara-red-'));
  fs.mkdirSync(path.join(userDir, 'node_modules'), { recursive: true });
  fs.symlinkSync(ROOT, path.join(userDir, 'node_modules', 'node-red-contrib-mara'), 'dir');
  // Another Node-RED (MARA_NODE_RED_PATH) does not scan this checkout's node_modules: link Dashboard 1 too.
  if (EXTERNAL_NODE_RED) fs.symlinkSync(path.join(ROOT, 'node_modules', 'node-red-dashboard'), path.join(userDir, 'node_modules', 'node-red-dashboard'), 'dir');
  fs.writeFileSync(
    path.join(userDir, 'package.json'),
    JSON.stringify({ name: 'mara-test-userdir', private: true, dependencies: { 'node-red-contrib-mara': 'file:..' } }),
  );
  for (const [rel, data] of Object.entries(files)) {
    const p = path.join(userDir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, data);
  }
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flows, null, 2));
  const port = await freePort();
  const settingsFile = path.join(userDir, 'settings.js');
  const entries = Object.entries(code.entries ?? {}).map(([k, v]) => `${JSON.stringify(k)}: ${v},\n`);
  fs.writeFileSync(
    settingsFile,
    `${code.preamble ?? ''}\nmodule.exports = { ${entries.join('')}...${JSON.stringify(
      {
        uiHost: '127.0.0.1',
        uiPort: port,
        flowFile: 'flows.json',
        credentialSecret: false,
        logging: { console: { level: 'info' } },
        telemetry: { enabled: false },
        diagnostics: { enabled: false },
        externalModules: { autoInstall: false, palette: { allowInstall: false } },
        ...settings,
      },
      null,
      2,
    )} };\n`,
  );
  const redJs = path.join(NODE_RED_DIR, 'red.js');
  const proc = spawn(process.execPath, [redJs, '--userDir', userDir, '--settings', settingsFile], { cwd: userDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (b: Buffer) => {
    out += b.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const child: RedChild = {
    port,
    url,
    userDir,
    proc,
    output: () => out,
    async inject(id, props = {}) {
      const body = {
        __user_inject_props__: Object.entries(props).map(([p, v]) => (typeof v === 'string' ? { p, v, vt: 'str' } : { p, v: JSON.stringify(v), vt: 'json' })),
      };
      const res = await fetch(`${url}/inject/${id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (res.status !== 200) throw new Error(`inject ${id}: HTTP ${res.status}`);
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`Node-RED exited (${proc.exitCode}):\n${out}`);
    try {
      const r = await fetch(`${url}/ui/`);
      // 401: the dashboard is up behind httpNodeAuth
      if ((r.status === 200 || r.status === 401) && /Started flows/.test(out)) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await child.stop();
      throw new Error(`Node-RED did not start within 30 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return child;
}

/** ui_base (dark theme), ui_tab and ui_group nodes of a dashboard; each group names its tab. */
export function dashboardNodes(
  tabs: { id: string; name: string; order: number }[],
  groups: { id: string; name: string; tab: string; width: number; order: number }[],
): Record<string, unknown>[] {
  return [
    {
      id: 'ui-base',
      type: 'ui_base',
      theme: { name: 'theme-dark' },
      site: {
        name: 'Mara SCADA',
        hideToolbar: 'false',
        allowSwipe: 'false',
        lockMenu: 'false',
        allowTempTheme: 'true',
        dateFormat: 'DD/MM/YYYY',
        sizes: { sx: 48, sy: 48, gx: 6, gy: 6, cx: 6, cy: 6, px: 0, py: 0 },
      },
    },
    ...tabs.map((t) => ({ id: t.id, type: 'ui_tab', name: t.name, icon: 'dashboard', order: t.order, disabled: false, hidden: false })),
    ...groups.map((g) => ({ id: g.id, type: 'ui_group', name: g.name, tab: g.tab, order: g.order, disp: false, width: String(g.width), collapse: false })),
  ];
}

/** A function node on tab1 (one output). */
export function functionNode(id: string, func: string, wires: string[][] = [[]], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, type: 'function', z: 'tab1', name: id, func, outputs: 1, noerr: 0, initialize: '', finalize: '', libs: [], x: 400, y: 100, wires, ...extra };
}

/** An inject node on tab1 wired to `target`, fired by `RedChild.inject` with the payload it is given. */
export function injectNode(id: string, target: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    type: 'inject',
    z: 'tab1',
    name: id,
    props: [{ p: 'payload' }],
    repeat: '',
    crontab: '',
    once: false,
    onceDelay: 0.1,
    topic: '',
    payload: '',
    payloadType: 'str',
    x: 100,
    y: 100,
    wires: [[target]],
    ...extra,
  };
}

/** A ui_mara_screen node on tab1: a 24-wide widget in `group`; `fields` override (project, svg, start, wires …). */
export function screenNode(id: string, group: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    type: 'ui_mara_screen',
    z: 'tab1',
    name: '',
    group,
    order: 1,
    width: 24,
    height: 15,
    project: '',
    svg: '',
    start: '',
    qualityClass: 'mara-bad-quality',
    readOnly: false,
    x: 300,
    y: 100,
    wires: [[], []],
    ...fields,
  };
}
