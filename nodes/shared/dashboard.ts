import fs from 'node:fs';
import path from 'node:path';
import type { NodeAPI } from 'node-red';

/** What we use of node-red-dashboard (Dashboard 1): `require('node-red-dashboard')(RED).addWidget`. */
export interface DashboardApi {
  addWidget(options: Record<string, unknown>): (() => void) | undefined;
  /** `io.to(data.socketid).emit(event, data)` (all clients when `data.socketid` is absent). */
  emitSocket?(event: string, data: Record<string, unknown>): void;
  /** The dashboard's event bus: `newsocket` / `endsocket` (socket id, address). */
  ev?: { on(e: string, f: (...a: unknown[]) => void): void; removeListener(e: string, f: (...a: unknown[]) => void): void };
  /** The folder of the node-red-dashboard copy in use. */
  dir?: string;
}
export type DashboardResolver = (RED: NodeAPI) => DashboardApi;

/**
 * The dashboard API, resolved lazily (CONTRIBUTING.md §8): `RED.require` first (the runtime's own instance of the
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
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the user's install, not our dependency: found at run time, or its absence reported
  if (typeof mod !== 'function') mod = require('node-red-dashboard');
  if (typeof mod !== 'function') throw new Error('node-red-dashboard does not export an initialiser');
  const api = (mod as (r: NodeAPI) => DashboardApi)(RED);
  if (!api || typeof api.addWidget !== 'function') throw new Error('node-red-dashboard has no addWidget (Dashboard 1 >= 2.10 needed)');
  // the package's main exposes only addWidget; sending to one client and the socket events live in its ui.js,
  // loaded from the same folder (the same module instance the main uses)
  const out: DashboardApi = { addWidget: (o) => api.addWidget(o) };
  try {
    const main = Object.values(require.cache).find((m) => m && m.exports === mod);
    const dir = main ? path.dirname(main.filename) : path.dirname(require.resolve('node-red-dashboard'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a file of the dashboard's own install, found by path at run time
    const ui = (require(path.join(dir, 'ui.js')) as (r: NodeAPI) => Partial<DashboardApi>)(RED);
    if (ui && typeof ui.emitSocket === 'function') out.emitSocket = ui.emitSocket.bind(ui);
    if (ui && ui.ev && typeof ui.ev.on === 'function') out.ev = ui.ev;
    out.dir = dir;
  } catch {
    // an unexpected layout: the widget then ignores browser messages (it says so once)
  }
  return out;
};

const sources = new Map<string, string>();

/**
 * Browser code of a widget, read once from `ui/<file>` next to the compiled nodes: `dist/ui/` in the package
 * (scripts/build.js bundles it there), the checkout's `dist/ui/` when the nodes run from source (tests).
 * Throws when missing.
 */
export function browserSource(file: string): string {
  let s = sources.get(file);
  if (s === undefined) {
    const up = path.join(__dirname, '..', '..');
    s = fs.readFileSync(path.basename(up) === 'dist' ? path.join(up, 'ui', file) : path.join(up, 'dist', 'ui', file), 'utf8');
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

/**
 * Where the server's own socket id of a browser message is kept: a symbol (JSON, hence a browser, cannot make one).
 * Dashboard 1 hands a widget only the client's payload, whose `socketid` the client chose itself
 * (node-red-dashboard ui.js: `socket.on('update-value', ev.emit.bind(ev, 'update-value'))`), so the widget could
 * not know which client spoke. {@link stampSocketIds} makes socket.io record it on every incoming
 * `update-value` payload before the dashboard sees it.
 */
export const SOCKET_ID = Symbol.for('node-red-contrib-mara.socketId');

/**
 * Where the handshake request of the socket a browser message came by is kept (same stamp as {@link SOCKET_ID}): its
 * headers (a Basic `authorization` the browser resends) and a `user` a dashboard `ioMiddleware` may have set.
 */
export const SOCKET_REQUEST = Symbol.for('node-red-contrib-mara.socketRequest');

const STAMPED = Symbol.for('node-red-contrib-mara.stamped');

/**
 * Patches (once per socket.io copy) `Socket.prototype.dispatch` of the socket.io the dashboard uses, so each
 * `update-value` payload carries the real socket id under {@link SOCKET_ID}. Returns false when that socket.io
 * cannot be found or has no `dispatch` (the widget then refuses clicks: it cannot tell clients apart).
 */
export function stampSocketIds(RED: NodeAPI, dashboardDir?: string): boolean {
  const bases = new Set<string>([__dirname, process.cwd()]);
  const userDir = (RED.settings as unknown as { userDir?: unknown }).userDir;
  if (typeof userDir === 'string') bases.add(userDir);
  let ok = false;
  const dirs = new Set<string>();
  if (dashboardDir) dirs.add(dashboardDir);
  for (const base of bases) {
    try {
      dirs.add(path.dirname(require.resolve('node-red-dashboard/package.json', { paths: [base] })));
    } catch {
      /* not there */
    }
  }
  for (const dash of dirs) {
    let io: string;
    try {
      io = require.resolve('socket.io', { paths: [dash] });
    } catch {
      continue;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- socket.io as the dashboard resolved it, found by path at run time
    const Socket = (require(io) as { Socket?: { prototype: Record<string | symbol, unknown> } }).Socket;
    const proto = Socket?.prototype;
    if (!proto || typeof proto.dispatch !== 'function') continue;
    if (!proto[STAMPED]) {
      const dispatch = proto.dispatch as (this: { id?: unknown; request?: unknown }, event: unknown[]) => unknown;
      proto.dispatch = function (this: { id?: unknown; request?: unknown }, event: unknown[]) {
        const data = Array.isArray(event) ? event[1] : null;
        if (Array.isArray(event) && event[0] === 'update-value' && data && typeof data === 'object' && typeof this.id === 'string') {
          Object.defineProperty(data, SOCKET_ID, { value: this.id, enumerable: false });
          Object.defineProperty(data, SOCKET_REQUEST, { value: this.request ?? null, enumerable: false });
        }
        return dispatch.call(this, event);
      };
      proto[STAMPED] = true;
    }
    ok = true;
  }
  return ok;
}
