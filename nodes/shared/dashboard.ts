import fs from 'node:fs';
import path from 'node:path';
import type { NodeAPI } from 'node-red';

/** What we use of node-red-dashboard (Dashboard 1): `require('node-red-dashboard')(RED).addWidget`. */
export interface DashboardApi {
  addWidget(options: Record<string, unknown>): (() => void) | undefined;
}
export type DashboardResolver = (RED: NodeAPI) => DashboardApi;

/**
 * The dashboard API, resolved lazily (conventions §8): `RED.require` first (the runtime's own instance of the
 * module, the one its ui_base node uses), then a plain `require` (the test helper does not resolve dev
 * dependencies through RED.require). Throws when neither works; callers turn that into a status and one error.
 */
export const defaultDashboardResolver: DashboardResolver = (RED) => {
  let mod: unknown = null;
  try {
    const r = (RED as unknown as { require?: (id: string) => unknown }).require;
    if (typeof r === 'function') mod = r('node-red-dashboard');
  } catch {
    mod = null;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (typeof mod !== 'function') mod = require('node-red-dashboard');
  if (typeof mod !== 'function') throw new Error('node-red-dashboard does not export an initialiser');
  const api = (mod as (r: NodeAPI) => DashboardApi)(RED);
  if (!api || typeof api.addWidget !== 'function') throw new Error('node-red-dashboard has no addWidget (Dashboard 1 >= 2.10 needed)');
  return api;
};

const sources = new Map<string, string>();

/**
 * Browser code of a widget, read once from `ui/<file>` next to the compiled nodes: `dist/ui/` in the package
 * (scripts/build.js copies it), `ui/` when the nodes run from source (tests). Throws when missing.
 */
export function browserSource(file: string): string {
  let s = sources.get(file);
  if (s === undefined) {
    s = fs.readFileSync(path.join(__dirname, '..', '..', 'ui', file), 'utf8');
    sources.set(file, s);
  }
  return s;
}

/**
 * A dashboard `initController` (sent to the browser as source text and evaluated there by the dashboard):
 * the browser file as the function body, then `<global>.attach(scope, events, cfg)`. `cfg` is JSON.
 */
export function initControllerSource(file: string, global: string, cfg: Record<string, unknown>): string {
  if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(global)) throw new Error(`bad global name ${global}`);
  return `function (scope, events) {\n${browserSource(file)}\n;${global}.attach(scope, events, ${JSON.stringify(cfg)});\n}`;
}
