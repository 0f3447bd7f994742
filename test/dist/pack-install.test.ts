/**
 * The package as a palette user gets it: `npm pack` of the sources (prepack builds dist/), the tarball
 * installed into a fresh Node-RED user directory the way the palette manager does (`npm install
 * --omit=dev --engine-strict <tgz>`, beside node-red-dashboard, from the npm cache when it holds them), then
 * a real Node-RED (the one under test: 4.1, or MARA_NODE_RED_PATH) started on it with the substation
 * example as imported from Import ▸ Examples: every node type registers, nothing is logged as an error,
 * the example finds its workbook and screens, and the Import menu lists the examples without an empty folder.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../helpers/red-child';
import { NODE_RED_DIR } from '../helpers/node-red-path';

const ROOT = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const TYPES = Object.keys(pkg['node-red'].nodes);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const DASHBOARD = `node-red-dashboard@${JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'node-red-dashboard', 'package.json'), 'utf8')).version}`;
/** What `npm pack` needs from a clean clone; node_modules is linked, not installed again. */
const SOURCES = ['lib', 'nodes', 'ui', 'icons', 'scripts', 'examples', 'docs', 'bin', 'package.json', 'tsconfig.json', 'README.md', 'LICENSE', 'CHANGELOG.md'];

function npm(args: string[], cwd: string): string {
  return execFileSync(NPM, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' }, timeout: 600_000 });
}

describe('pack, install as the palette manager does, start Node-RED', { timeout: 900_000 }, () => {
  let work = '';
  let tgz = '';
  let entries: string[] = [];
  let userDir = '';
  let red: ChildProcess | null = null;
  let log = '';
  let url = '';

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'mara-pack-'));
    const src = path.join(work, 'src');
    for (const s of SOURCES) if (fs.existsSync(path.join(ROOT, s))) fs.cpSync(path.join(ROOT, s), path.join(src, s), { recursive: true });
    // no package-lock.json: scripts/ensure.js then sees nothing to install and never touches the linked folder
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(src, 'node_modules'), 'dir');
    const out = npm(['pack', '--json', '--pack-destination', work], src);
    const info = JSON.parse(out.slice(out.search(/^\[\s*\{/m)))[0]; // after the prepack script's own output
    tgz = path.join(work, info.filename);
    entries = info.files.map((f: { path: string }) => f.path);

    userDir = path.join(work, 'user');
    fs.mkdirSync(userDir);
    fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', description: 'A Node-RED Project', version: '0.0.1', private: true }));
    npm(['install', '--omit=dev', '--engine-strict', '--prefer-offline', '--no-audit', '--no-fund', '--save', tgz, DASHBOARD], userDir);

    const port = await freePort();
    const flow = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'substation-demo.json'), 'utf8')) as Record<string, unknown>[];
    const simPort = String(await freePort());
    for (const n of flow) if (n.type === 'mara-simulator' || n.type === 'mara-line') n.port = simPort;
    fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flow));
    fs.writeFileSync(
      path.join(userDir, 'settings.js'),
      `module.exports = ${JSON.stringify({ uiHost: '127.0.0.1', uiPort: port, flowFile: 'flows.json', credentialSecret: false, telemetry: { enabled: false }, diagnostics: { enabled: false }, logging: { console: { level: 'info' } } })};\n`,
    );
    red = spawn(process.execPath, [path.join(NODE_RED_DIR, 'red.js'), '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], { cwd: userDir, stdio: ['ignore', 'pipe', 'pipe'] });
    red.stdout!.on('data', (b: Buffer) => (log += b.toString()));
    red.stderr!.on('data', (b: Buffer) => (log += b.toString()));
    url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    // started, and the example's workbook loaded (or failed: both are logged by mara-project)
    while (!(/Started flows/.test(log) && /workbook (loaded|.*error)/i.test(log))) {
      if (red.exitCode !== null) throw new Error(`Node-RED exited (${red.exitCode}):\n${log}`);
      if (Date.now() > deadline) throw new Error(`Node-RED did not start within 60 s:\n${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  after(async () => {
    if (red && red.exitCode === null) {
      const exited = new Promise((r) => red!.once('exit', r));
      red.kill('SIGTERM');
      await exited;
    }
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('the tarball holds the built code, editor files, icons, locales, examples and the README screenshot; no maps, stamp or node typings', () => {
    for (const file of Object.values(pkg['node-red'].nodes) as string[]) {
      assert.ok(entries.includes(file), file);
      assert.ok(entries.includes(file.replace(/\.js$/, '.html')), file);
    }
    for (const t of TYPES) {
      assert.ok(entries.includes(`dist/nodes/locales/en-US/${t}.json`), `${t} messages`);
      assert.ok(entries.includes(`dist/nodes/locales/en-US/${t}.html`), `${t} help`);
    }
    for (const icon of fs.readdirSync(path.join(ROOT, 'icons'))) assert.ok(entries.includes(`dist/nodes/icons/${icon}`), icon);
    for (const f of fs.readdirSync(path.join(ROOT, 'examples'))) assert.ok(entries.includes(`examples/${f}`), f);
    assert.ok(entries.includes(pkg.main) && entries.includes(pkg.types), 'library entry and its typings');
    assert.ok(entries.includes('dist/ui/mara-screen.js'));
    assert.ok(entries.includes('bin/mara-sim.js'));
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const m of readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)) if (!/^https:/.test(m[1])) assert.ok(entries.includes(m[1]), `README image ${m[1]}`);
    assert.deepEqual(entries.filter((e) => /\.map$|\.build-stamp$|^dist\/nodes\/.*\.d\.ts$|^(test|bench)\//.test(e)), []);
  });

  it('every node type registers in Node-RED with no error, from the installed package', async () => {
    const res = await fetch(`${url}/nodes`, { headers: { accept: 'application/json' } });
    assert.equal(res.status, 200);
    const sets = ((await res.json()) as { module: string; types: string[]; enabled: boolean; err?: string }[]).filter((s) => s.module === pkg.name);
    assert.deepEqual(sets.filter((s) => s.err).map((s) => `${s.types}: ${s.err}`), []);
    assert.deepEqual(sets.flatMap((s) => s.types).sort(), [...TYPES].sort());
    assert.ok(sets.every((s) => s.enabled));
    assert.ok(fs.realpathSync(path.join(userDir, 'node_modules', pkg.name)).startsWith(fs.realpathSync(userDir)), 'installed, not linked');
  });

  it('the substation example finds its workbook and screens (copied on first deploy) and logs no error or warning', async () => {
    assert.match(log, /copied mara-projects\/substation\.xlsx, mara-projects\/map\.svg, mara-projects\/s1\.svg/);
    assert.match(log, /workbook loaded: \d+ points, \d+ elements, \d+ formulas, 2 screens, 0 problem/);
    for (const f of ['substation.xlsx', 'map.svg', 's1.svg']) assert.ok(fs.existsSync(path.join(userDir, 'mara-projects', f)), f);
    // the test moved the simulator and the line to a free port, which the line rightly reports as not the workbook's COMaster
    const moved = /the workbook's COMaster 1 is 127\.0\.0\.1:9761 with devices 1; this line runs 127\.0\.0\.1:\d+ with devices 1/;
    const bad = log.split('\n').filter((l) => /\[(error|warn)\]/.test(l) && !/Projects disabled|Using unencrypted credentials/.test(l) && !moved.test(l));
    assert.deepEqual(bad, []);
  });

  it('Import ▸ Examples lists the example flows and no empty folder', async () => {
    const res = await fetch(`${url}/library/examples/flows/${pkg.name}`, { headers: { accept: 'application/json' } });
    assert.equal(res.status, 200);
    const list = (await res.json()) as ({ fn: string } | string)[];
    const flows = fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
    assert.deepEqual(list.map((e) => (typeof e === 'string' ? `dir:${e}` : e.fn)).sort(), flows.sort());
  });
});
