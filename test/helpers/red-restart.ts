/**
 * A Node-RED child process that can be killed (SIGKILL, SIGTERM) and started again on the same user
 * directory, for the line's restart tests. Uses the checkout's dist/ through a link in
 * <userDir>/node_modules, as test/helpers/red-child.ts does.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, freePort } from './red-child';

export class RedProcess {
  readonly userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mara-restart-'));
  port = 0;
  proc: ChildProcess | null = null;
  private out = '';

  constructor(flows: unknown[]) {
    fs.mkdirSync(path.join(this.userDir, 'node_modules'), { recursive: true });
    fs.symlinkSync(ROOT, path.join(this.userDir, 'node_modules', 'node-red-contrib-mara'), 'dir');
    fs.writeFileSync(
      path.join(this.userDir, 'package.json'),
      JSON.stringify({ name: 'mara-restart', private: true, dependencies: { 'node-red-contrib-mara': 'file:..' } }),
    );
    fs.writeFileSync(path.join(this.userDir, 'flows.json'), JSON.stringify(flows));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  output(): string {
    return this.out;
  }

  /** Starts Node-RED; resolves once its flows have started. */
  async start(): Promise<void> {
    this.port = await freePort();
    const settings = path.join(this.userDir, 'settings.js');
    fs.writeFileSync(
      settings,
      `module.exports = ${JSON.stringify({
        uiHost: '127.0.0.1',
        uiPort: this.port,
        flowFile: 'flows.json',
        credentialSecret: false,
        logging: { console: { level: 'info' } },
        telemetry: { enabled: false },
        diagnostics: { enabled: false },
        externalModules: { autoInstall: false, palette: { allowInstall: false } },
      })};\n`,
    );
    const redJs = require.resolve('node-red/red.js', { paths: [ROOT] });
    const proc = spawn(process.execPath, [redJs, '--userDir', this.userDir, '--settings', settings], { cwd: this.userDir, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    const mark = this.out.length;
    const keep = (b: Buffer) => {
      this.out += b.toString();
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    await this.waitFor(() => /Started flows/.test(this.out.slice(mark)), 60_000, 'Node-RED start');
  }

  /** Kills the process with `signal` and waits for it to exit. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill(signal);
    const t = setTimeout(() => p.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(t);
  }

  /** A full deploy of `flows` through the admin API (every node stopped and started again). */
  async deployFull(flows: unknown[]): Promise<void> {
    const mark = this.out.length;
    const res = await fetch(`${this.url}/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full', 'Node-RED-API-Version': 'v1' },
      body: JSON.stringify(flows),
    });
    if (res.status !== 204 && res.status !== 200) throw new Error(`deploy: HTTP ${res.status} ${await res.text()}`);
    await this.waitFor(() => /Started flows/.test(this.out.slice(mark)), 30_000, 'flows restarted');
  }

  async waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (this.proc && this.proc.exitCode !== null) throw new Error(`Node-RED exited (${this.proc.exitCode}) waiting for ${what}:\n${this.out.slice(-3000)}`);
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${this.out.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async dispose(): Promise<void> {
    await this.kill('SIGTERM');
    fs.rmSync(this.userDir, { recursive: true, force: true });
  }
}
