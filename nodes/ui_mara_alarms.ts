import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import type { JournalHub } from '../lib/journal/journal-hub';
import type { JournalQuery } from '../lib/journal/types';
import { parseAlarmRequest, type AlarmRequest } from '../lib/hmi/alarm-requests';
import { alarmsElementId, DEFAULT_BANNER_ROWS, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, toRow, type AlarmRow } from '../lib/hmi/alarm-rows';
import { ClickGuard } from '../lib/hmi/click-guard';
import { DashboardResolver, defaultDashboardResolver, SOCKET_ID, SOCKET_REQUEST } from './shared/dashboard';
import { mountWidget, throttledWarner, widgetProxy, type DashboardWidget } from './shared/dashboard-widget';
import { dashboardUsers } from './shared/dashboard-user';
import { journalOf } from './shared/project-journal';
import type { MaraProjectNode } from './shared/project-node';
import { StatusThrottle } from './shared/status';
import { tr } from './shared/i18n';

/**
 * ui_mara_alarms: the alarm banner or the event journal of a project, with attend and the horn, as a Dashboard 1
 * widget (docs/alarms.md). Thin shell: the project's JournalHub (lib/journal/journal-hub.ts) stores and publishes,
 * lib/hmi/alarm-*.ts hold the rules both sides share, ui/alarms/ (bundled into dist/ui/mara-alarms.js) draws.
 *
 * Every client gets one snapshot (banner rows, horn state, the journal's newest page), replayed by the dashboard on
 * connect and reload (`persistantFrontEndValue`), re-sent to all whenever the journal publishes a change (at most
 * every 250 ms), so clients stay in step. A client's own journal page (filters, paging) is answered to that
 * client alone. Nothing a browser sends is trusted: the socket id and handshake come from socket.io
 * (shared/dashboard.ts), each request is rate limited and validated whole (lib/hmi/alarm-requests.ts), attend and
 * silence need a user the server checked (shared/dashboard-user.ts) and are refused in read-only mode.
 */

interface UiMaraAlarmsDef extends NodeDef {
  group: string;
  order: number | string;
  width: number | string;
  height: number | string;
  project: string;
  mode: string;
  rows: number | string;
  pageSize: number | string;
  readOnly: boolean;
  horn: boolean;
  anonymous: boolean;
}

/** Emissions to the browsers: at most one per this many ms (CONTRIBUTING.md §8: ≤ 4/s). */
const MIN_EMIT_MS = 250;
const ANONYMOUS = 'anonymous';
/** Journal pages a client may ask per second (bursts of PAGE_BURST), and all clients together. */
const PAGES_PER_S = 2;
const PAGE_BURST = 6;
const PAGES_PER_S_ALL = 20;
const BROWSER_TEXTS = [
  'banner',
  'none',
  'confirmTitle',
  'confirm',
  'confirmMany',
  'attend',
  'close',
  'colDate',
  'colTag',
  'colDesc',
  'colAttend',
  'colBy',
  'unattended',
  'from',
  'to',
  'tagPrefix',
  'type',
  'anyType',
  'unattendedOnly',
  'apply',
  'newest',
  'older',
  'newer',
  'attendSelected',
  'attendShown',
  'attendAll',
  'silence',
  'soundOff',
  'soundOn',
  'sounding',
  'silenced',
  'readOnly',
  'noUser',
  'refused',
  'user',
  'noJournal',
];

interface AlarmSnapshot {
  kind: 'mara-alarms';
  rev: number;
  config: { mode: 'banner' | 'journal'; rows: number; pageSize: number; readOnly: boolean; horn: boolean; texts?: Record<string, string> };
  banner: AlarmRow[];
  horn: { sounding: boolean; unattended: number; silencedBy: string | null; silencedAt: number | null };
  latest: { rows: AlarmRow[]; next: number | null } | null;
  error: string | null;
}

let resolver: DashboardResolver = defaultDashboardResolver;

const intIn = (v: unknown, lo: number, hi: number, dflt: number): number => {
  const n = Number(v);
  return Number.isInteger(n) && n >= lo && n <= hi ? n : dflt;
};

function register(RED: NodeAPI): void {
  function UiMaraAlarms(this: Node, config: UiMaraAlarmsDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const status = new StatusThrottle(node);
    const settings = RED.settings as unknown as Record<string, unknown>;
    const setting = (k: string): unknown => {
      try {
        return settings[k];
      } catch {
        return undefined; // RED.settings throws for a setting that is not there
      }
    };
    const projectNode = config.project ? (RED.nodes.getNode(config.project) as MaraProjectNode | null) : null;
    const hub: JournalHub | null = journalOf(projectNode);
    const mode = config.mode === 'journal' ? 'journal' : 'banner';
    const rows = intIn(config.rows, 1, 20, DEFAULT_BANNER_ROWS);
    const pageSize = intIn(config.pageSize, 5, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE);
    const ui = setting('ui') as { readOnly?: unknown } | undefined;
    const dashboardReadOnly = ui?.readOnly === true;
    const readOnly = config.readOnly === true || dashboardReadOnly;
    const hornOn = config.horn !== false;
    const anonymous = config.anonymous === true;
    // the attend clock: Date.now, or a function the admin's settings.js gives (the browser tests freeze it)
    const clockSetting = setting('uiMaraAlarmsClock');
    const now: () => number = typeof clockSetting === 'function' ? (clockSetting as () => number) : Date.now;
    const users = dashboardUsers({ httpNodeAuth: setting('httpNodeAuth'), adminAuth: setting('adminAuth') });
    const guard = new ClickGuard({ now });
    // a filtered journal page can cost a query of up to ~0.1 s on 10^6 rows (docs/alarms.md): fewer per client, and
    // a budget for all clients together (sockets are cheap to open)
    const pageGuard = new ClickGuard({ now, rate: PAGES_PER_S, burst: PAGE_BURST });
    const pageBudget = new ClickGuard({ now, rate: PAGES_PER_S_ALL, burst: PAGES_PER_S_ALL, maxClients: 1 });
    const texts: Record<string, string> = {};
    for (const k of BROWSER_TEXTS) {
      const key = `ui_mara_alarms.ui.${k}`;
      const s = RED._(key);
      if (typeof s === 'string' && s && s !== key) texts[k] = s;
    }
    let closed = false;
    let broken = false;
    let timer: NodeJS.Timeout | null = null;
    let lastEmit = 0;
    let snapshot: AlarmSnapshot = build(0);
    const warnThrottled = throttledWarner(node);

    function build(rev: number): AlarmSnapshot {
      const cfg = { mode, rows, pageSize, readOnly, horn: hornOn, ...(Object.keys(texts).length ? { texts } : {}) } as AlarmSnapshot['config'];
      const empty = { sounding: false, unattended: 0, silencedBy: null, silencedAt: null };
      if (!hub) return { kind: 'mara-alarms', rev, config: cfg, banner: [], horn: empty, latest: null, error: 'noJournal' };
      try {
        const banner = hub.store.query({ unattendedOnly: true, limit: rows }).records.map(toRow);
        const h = hub.store.horn();
        const latest = mode === 'journal' ? hub.store.query({ limit: pageSize }) : null;
        return {
          kind: 'mara-alarms',
          rev,
          config: cfg,
          banner,
          horn: { sounding: hornOn && h.sounding, unattended: h.unattended, silencedBy: h.silencedBy, silencedAt: h.silencedAt },
          latest: latest ? { rows: latest.records.map(toRow), next: latest.next } : null,
          error: null,
        };
      } catch (e) {
        warnThrottled('query', `journal: ${(e as Error).message}`);
        return { kind: 'mara-alarms', rev, config: cfg, banner: [], horn: empty, latest: null, error: 'journal' };
      }
    }

    const statusNow = () => {
      if (broken) return null;
      if (snapshot.error) return { fill: 'red' as const, shape: 'ring' as const, text: tr(RED, 'ui_mara_alarms.status.noJournal', {}, 'no journal') };
      const n = snapshot.horn.unattended;
      const text = tr(RED, 'ui_mara_alarms.status.unattended', { n }, '__n__ unattended');
      return { fill: n ? ('yellow' as const) : ('green' as const), shape: snapshot.horn.sounding ? ('ring' as const) : ('dot' as const), text };
    };
    const fail = (statusText: string, message: string) => {
      broken = true;
      node.status({ fill: 'red', shape: 'ring', text: statusText });
      node.error(message);
    };

    // ---- the stand-in node the dashboard listens to (as ui_mara_screen: flow msgs never reach the dashboard)
    const proxy = widgetProxy(
      node,
      (m) =>
        void fromBrowser(m?.frontEnd, typeof m?.socket === 'string' ? m.socket : null, m?.request).catch((e: Error) =>
          node.warn(`alarm request failed: ${e.message}`),
        ),
    );
    const emitNow = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (closed) return;
      snapshot = build(snapshot.rev + 1);
      lastEmit = Date.now();
      proxy.emit('input', { payload: snapshot });
      status.set(statusNow);
    };
    const schedule = () => {
      if (timer || closed) return;
      timer = setTimeout(emitNow, Math.max(0, lastEmit + MIN_EMIT_MS - Date.now()));
    };

    const reply = (socket: string, data: Record<string, unknown>) => widget?.reply(socket, data);
    const userOf = async (request: unknown): Promise<string | null> => (await users(request)) ?? (anonymous ? ANONYMOUS : null);

    async function fromBrowser(m: unknown, socket: string | null, request: unknown): Promise<void> {
      if (closed || !m || typeof m !== 'object') return;
      if (!socket) {
        warnThrottled('nosocket', 'a browser message without a server-verified socket was ignored (node-red-dashboard 3.x with its own socket.io expected)');
        return;
      }
      if (!guard.allow(socket)) {
        warnThrottled('rate', `a dashboard client sends more than ${guard.rate} messages per second (bursts of ${guard.burst}): the excess is dropped`);
        return;
      }
      const p = parseAlarmRequest(m);
      if (!p.ok) {
        warnThrottled('bad', `a browser request was refused: ${p.reason}`);
        reply(socket, { refused: { reason: 'invalid' } });
        return;
      }
      try {
        await handle(p.request, socket, request);
      } catch (e) {
        // the journal failed (storage): nothing changed; the client is told, the admin sees why
        warnThrottled('journal', `journal: ${(e as Error).message}`);
        reply(socket, { refused: { reason: 'journal' } });
      }
    }

    async function handle(r: AlarmRequest, socket: string, request: unknown): Promise<void> {
      if (r.type === 'hello') {
        const user = await userOf(request);
        reply(socket, { who: { user, canAttend: !readOnly && !!user && !!hub } });
        return;
      }
      if (!hub) {
        reply(socket, { refused: { reason: 'noJournal' } });
        return;
      }
      if (r.type === 'page') {
        if (!pageGuard.allow(socket) || !pageBudget.allow('*')) {
          warnThrottled('pages', `journal pages asked faster than ${PAGES_PER_S}/s per client or ${PAGES_PER_S_ALL}/s in all: refused`);
          reply(socket, { refused: { reason: 'busy', req: r.req } });
          return;
        }
        const q: JournalQuery = { ...r.filter, limit: pageSize };
        if (r.beforeId !== null) q.beforeId = r.beforeId;
        if (r.afterId !== null) q.afterId = r.afterId;
        const page = hub.store.query(q);
        const list = page.records.map(toRow);
        // a newer page comes oldest first: shown newest first like every other
        if (r.afterId !== null) list.reverse();
        reply(socket, { page: { req: r.req, rows: list, next: page.next, beforeId: r.beforeId, afterId: r.afterId } });
        return;
      }
      if (readOnly) {
        warnThrottled('readonly', `read-only: ${r.type} refused`);
        reply(socket, { refused: { reason: 'readOnly' } });
        return;
      }
      const user = await userOf(request);
      if (closed) return;
      if (!user) {
        warnThrottled('nouser', `${r.type} refused: the dashboard client is not signed in (httpNodeAuth, or a user set by ui.ioMiddleware)`);
        reply(socket, { refused: { reason: 'noUser' } });
        return;
      }
      const at = now();
      if (r.type === 'silence') {
        const h = hub.silence(user, at);
        node.send({ topic: 'silence', payload: { user, at, horn: h }, socketid: socket } as NodeMessage);
        return;
      }
      const ids = r.type === 'attend' ? hub.attend({ ids: r.ids }, user, at) : hub.attend({ filter: {} }, user, at);
      reply(socket, { attended: { count: ids.length } });
      if (ids.length) node.send({ topic: 'attend', payload: { ids, user, at }, socketid: socket } as NodeMessage);
    }

    // ---- the dashboard
    // Dashboard 1 in read-only mode (`ui.readOnly`) drops every browser message before a widget sees it; this
    // widget's requests then come straight from the dashboard's bus, so a viewer can still page the journal
    // (attend and silence stay refused: `readOnly` is true)
    const onReadOnlyValue = (d: unknown) => {
      const m = d as ({ id?: unknown; msg?: unknown } & { [SOCKET_ID]?: unknown; [SOCKET_REQUEST]?: unknown }) | null;
      if (!m || typeof m !== 'object' || m.id !== node.id) return;
      proxy.send({ frontEnd: m.msg, socket: m[SOCKET_ID], request: m[SOCKET_REQUEST] });
    };
    const widget: DashboardWidget = mountWidget(RED, node.id, {
      type: 'ui_mara_alarms',
      resolver,
      config,
      proxy,
      fail,
      warn: (m) => node.warn(m),
      file: 'mara-alarms.js',
      global: 'MaraAlarmsUI',
      format: `<div id="${alarmsElementId(node.id)}" class="mara-alarms"></div>`,
      defaultHeight: mode === 'banner' ? rows + 1 : 10,
      convert: (value: unknown) => value,
      beforeEmit: (_msg: unknown, value: unknown) => ({ msg: value }),
      withRequest: true,
      ignored: 'requests',
      onEndSocket: (id) => {
        guard.drop(id);
        pageGuard.drop(id);
      },
    });
    const api = widget.api;
    if (api && dashboardReadOnly) api.ev?.on('update-value', onReadOnlyValue);

    if (!hub && !broken) {
      const why = projectNode?.journalError?.message ?? (projectNode ? 'the project has no journal' : 'no project chosen');
      node.warn(`no journal: ${why}`);
    }
    hub?.subscribe(node.id, () => schedule());
    emitNow();

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      status.dispose();
      hub?.unsubscribe(node.id);
      widget.remove();
      api?.ev?.removeListener('update-value', onReadOnlyValue);
      proxy.removeAllListeners();
      done();
    });

    // for tests: the current snapshot, and a way to emit now
    Object.defineProperty(node, 'maraAlarms', { value: { snapshot: () => snapshot, emitNow, fromBrowser }, enumerable: false });
  }
  RED.nodes.registerType('ui_mara_alarms', UiMaraAlarms);
}

/** Tests replace how the dashboard is found; no argument restores the default. */
register.setDashboardResolver = (r?: DashboardResolver): void => {
  resolver = r ?? defaultDashboardResolver;
};

export = register;
