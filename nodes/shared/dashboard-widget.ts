import { EventEmitter } from 'node:events';
import type { Node, NodeAPI } from 'node-red';
import { DashboardApi, DashboardResolver, initControllerSource, SOCKET_ID, SOCKET_REQUEST, stampSocketIds } from './dashboard';
import { tr } from './i18n';

/** Warnings about what browsers or msgs send: at most one per kind every 10 s, with the count in between. */
export function throttledWarner(node: Pick<Node, 'warn'>): (kind: string, m: string) => void {
  const noisy = new Map<string, { last: number; count: number }>();
  return (kind, m) => {
    const n = noisy.get(kind) ?? { last: -Infinity, count: 0 };
    noisy.set(kind, n);
    n.count++;
    const t = Date.now();
    if (t - n.last < 10_000) return;
    node.warn(n.count > 1 ? `${m} (${n.count} such since the last warning)` : m);
    n.last = t;
    n.count = 0;
  };
}

/** What a widget's `beforeSend` hands its stand-in node: the client's message and what socket.io stamped on it. */
export interface FromBrowser {
  frontEnd?: unknown;
  socket?: unknown;
  request?: unknown;
}

/**
 * The stand-in node the dashboard listens to: flow msgs never reach the dashboard, only what the widget emits on
 * it; what browsers send comes back through its `send`.
 */
export function widgetProxy(node: Node, send: (m: FromBrowser) => void) {
  return Object.assign(new EventEmitter(), {
    id: node.id,
    type: node.type,
    z: (node as unknown as { z?: string }).z,
    _wireCount: 0,
    warn: (m: unknown) => node.warn(m),
    error: (m: unknown) => node.error(m),
    send,
  });
}

export interface WidgetOptions {
  /** The node type, the prefix of its status texts (`<type>.status.noDashboard` …). */
  type: string;
  resolver: DashboardResolver;
  config: { group?: string; order?: unknown; width?: unknown; height?: unknown };
  proxy: EventEmitter;
  /** Red status and one error; the widget is then not mounted. */
  fail: (statusText: string, message: string) => void;
  warn: (m: string) => void;
  /** The bundle in dist/ui/ and the global it defines. */
  file: string;
  global: string;
  /** The element the browser code finds its widget by. */
  format: string;
  defaultHeight: number;
  convert: (value: never) => unknown;
  beforeEmit: (msg: unknown, value: unknown) => unknown;
  /** Also pass the socket's handshake request on (for the dashboard user). */
  withRequest?: boolean;
  /** Appended to the "not available" error. */
  noDashboardHint?: string;
  /** What the admin is told is lost when socket.io cannot be reached. */
  ignored: string;
  /** A client went away. */
  onEndSocket: (id: string) => void;
}

export interface DashboardWidget {
  api: DashboardApi | null;
  /** `update-value` to one client (nothing when the dashboard cannot send to one, or is going away). */
  reply(socket: string, data: Record<string, unknown>): void;
  /** On close: the widget off its group, the socket listener off the bus. */
  remove(): void;
}

/**
 * Mounts a Dashboard 1 widget (CONTRIBUTING.md §8): the dashboard resolved, socket ids stamped, the browser code as
 * its initController, `addWidget` on the node's group. Each failure is a red status and one error, never a throw.
 */
export function mountWidget(RED: NodeAPI, nodeId: string, o: WidgetOptions): DashboardWidget {
  const status = (k: string, fallback: string) => tr(RED, `${o.type}.status.${k}`, {}, fallback);
  let api: DashboardApi | null = null;
  let remover: (() => void) | null = null;
  try {
    api = o.resolver(RED);
  } catch (e) {
    o.fail(status('noDashboard', 'no dashboard'), `node-red-dashboard (Dashboard 1) is not available: ${(e as Error).message}${o.noDashboardHint ?? ''}`);
  }
  let controller: string | null = null;
  const onEndSocket = (id: unknown) => {
    if (typeof id === 'string') o.onEndSocket(id);
  };
  if (api) {
    if (!api.emitSocket || !stampSocketIds(RED, api.dir))
      o.warn(`cannot reach the dashboard's socket.io (node-red-dashboard 3.x expected): ${o.ignored} from browsers will be ignored`);
    api.ev?.on('endsocket', onEndSocket);
    try {
      controller = initControllerSource(o.file, o.global, { id: nodeId });
    } catch (e) {
      o.fail(status('badInstall', 'bad install'), `cannot read the widget's browser code (dist/ui/${o.file}): ${(e as Error).message}`);
    }
  }
  const c = o.config;
  const group = c.group ? (RED.nodes.getNode(c.group) as (Node & { config?: { width?: number | string } }) | null) : null;
  if (api && controller && !group) o.fail(status('noGroup', 'no group'), 'no dashboard group: choose a group (ui_group) in the node');
  if (api && controller && group) {
    try {
      const r = api.addWidget({
        node: o.proxy,
        order: Number(c.order) || 0,
        group: c.group,
        width: Number(c.width) || Number(group.config?.width) || 6,
        height: Number(c.height) || o.defaultHeight,
        format: o.format,
        templateScope: 'local',
        emitOnlyNewValues: false,
        forwardInputMessages: false,
        storeFrontEndInputAsState: false,
        persistantFrontEndValue: true,
        convert: o.convert,
        beforeEmit: o.beforeEmit,
        convertBack: (value: unknown) => value,
        // the client's own `socketid` is never used: only what socket.io stamped on the payload
        beforeSend: (_toSend: unknown, original: ({ msg?: unknown } & { [SOCKET_ID]?: unknown; [SOCKET_REQUEST]?: unknown }) | undefined): FromBrowser => ({
          frontEnd: original?.msg,
          socket: original?.[SOCKET_ID],
          ...(o.withRequest ? { request: original?.[SOCKET_REQUEST] } : {}),
        }),
        initController: controller,
      });
      remover = typeof r === 'function' ? r : null;
      if (!remover) o.fail(status('noGroup', 'no group'), 'the dashboard did not accept the widget (is the group on a tab?)');
    } catch (e) {
      o.fail(status('noDashboard', 'no dashboard'), `the dashboard refused the widget: ${(e as Error).message}`);
    }
  }
  return {
    api,
    reply: (socket, data) => {
      try {
        api?.emitSocket?.('update-value', { id: nodeId, socketid: socket, ...data });
      } catch {
        /* the dashboard is going away */
      }
    },
    remove: () => {
      try {
        remover?.();
      } catch {
        /* the dashboard is going away too */
      }
      remover = null;
      api?.ev?.removeListener('endsocket', onEndSocket);
    },
  };
}
