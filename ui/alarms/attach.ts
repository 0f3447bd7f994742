/**
 * Dashboard 1 glue of the alarm widget: `initController(scope, events)` calls this with the node's id. The
 * dashboard keeps the newest update with a `msg` (our snapshot) per widget and replays it on connect and
 * reload; replies for this client alone come as updates without `msg`. One listener per widget id lives for the
 * page (on the dashboard's `events` service), so a widget re-created by a tab switch starts from the newest snapshot.
 */
import { alarmsElementId } from '../../lib/hmi/alarm-rows';
import { createAlarmWidget, type AlarmReply, type AlarmSnapshot, type AlarmWidget } from './widget';

interface Update extends AlarmReply {
  id?: unknown;
  msg?: AlarmSnapshot | null;
}

export interface Scope {
  msg?: AlarmSnapshot | null;
  send(msg: unknown): void;
  $on(event: '$destroy', fn: () => void): void;
  $watch(expr: 'msg', fn: (m: AlarmSnapshot | null | undefined) => void): void;
}

interface Store {
  snap: AlarmSnapshot | null;
  views: ((e: Update) => void)[];
}

export interface Events {
  on(fn: (e: Update | null | undefined) => void): void;
  __maraAlarms?: Record<string, Store>;
}

const isSnap = (m: unknown): m is AlarmSnapshot => !!m && typeof m === 'object' && (m as { kind?: unknown }).kind === 'mara-alarms';

export function attach(scope: Scope, events: Events, cfg: { id?: unknown } | null | undefined): void {
  const id = cfg && typeof cfg.id === 'string' ? cfg.id : '';
  const stores = events.__maraAlarms || (events.__maraAlarms = {});
  let store = stores[id];
  if (!store) {
    const s: Store = (store = stores[id] = { snap: null, views: [] });
    events.on((e) => {
      if (!e || e.id !== id) return;
      if (isSnap(e.msg)) s.snap = e.msg;
      for (let i = 0; i < s.views.length; i++) s.views[i](e);
    });
  }
  const st = store;
  let app: AlarmWidget | null = null;
  let tries = 0;
  let destroyed = false;
  function onUpdate(e: Update): void {
    if (!app) return;
    if (isSnap(e.msg)) app.snapshot(e.msg);
    else app.reply(e);
  }
  function start(): void {
    if (destroyed) return;
    const host = document.getElementById(alarmsElementId(id));
    if (!host) {
      if (++tries < 100) setTimeout(start, 20);
      return;
    }
    app = createAlarmWidget(host, { doc: document, win: window, send: (m) => scope.send(m) });
    const snap = st.snap || (isSnap(scope.msg) ? scope.msg : null);
    if (snap) {
      st.snap = snap;
      app.snapshot(snap);
    }
  }
  st.views.push(onUpdate);
  scope.$watch('msg', (m) => {
    if (!app || !isSnap(m) || m === st.snap) return;
    st.snap = m;
    app.snapshot(m);
  });
  scope.$on('$destroy', () => {
    destroyed = true;
    const i = st.views.indexOf(onUpdate);
    if (i >= 0) st.views.splice(i, 1);
    if (app) app.dispose();
  });
  start();
}
