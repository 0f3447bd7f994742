/**
 * Dashboard 1 glue: `initController(scope, events)` calls this with the node's id.
 *
 * The dashboard keeps the last update with a `msg` (our snapshot) for each widget; deltas come as separate
 * updates (`{id, delta}`) that never replace it. One listener per widget id lives for the page's lifetime
 * (kept on the dashboard's `events` service, not on window) and merges every delta into that snapshot, so a
 * widget re-created by a dashboard tab switch starts from the current state even for changes that arrived
 * while it was not shown.
 */
import { screenElementId } from '../../lib/hmi/dom-id';
import type { DeltaLike } from '../core/messages';
import { mergeDelta } from '../core/snapshot';
import { Confirmation, MaraScreen, Snapshot, createMaraScreen } from '../core/widget';
import { fitToWidth } from './fit';

/** What the dashboard sends a widget: a snapshot (`msg`), a delta, or a toggle confirmation for this client. */
interface Update {
  id?: unknown;
  msg?: Snapshot | null;
  delta?: DeltaLike;
  confirm?: Confirmation;
}

/** The widget's AngularJS scope, as far as this glue uses it. */
export interface Scope {
  msg?: Snapshot | null;
  send(msg: unknown): void;
  $on(event: '$destroy', fn: () => void): void;
  $watch(expr: 'msg', fn: (m: Snapshot | null | undefined) => void): void;
}

interface Store {
  snap: Snapshot | null;
  views: ((e: Update) => void)[];
}

/** The dashboard's `events` service (its socket's updates); our per-widget stores hang on it. */
export interface Events {
  on(fn: (e: Update | null | undefined) => void): void;
  __maraScreens?: Record<string, Store>;
}

export function attach(scope: Scope, events: Events, cfg: { id?: unknown } | null | undefined): void {
  const id = cfg && typeof cfg.id === 'string' ? cfg.id : '';
  const stores = events.__maraScreens || (events.__maraScreens = {});
  let store = stores[id];
  if (!store) {
    const s: Store = (store = stores[id] = { snap: null, views: [] });
    events.on((e) => {
      if (!e || e.id !== id) return;
      if (e.msg && e.msg.kind === 'mara-screen') s.snap = e.msg;
      else if (e.delta && s.snap) mergeDelta(s.snap, e.delta);
      for (let i = 0; i < s.views.length; i++) s.views[i](e);
    });
  }
  const st = store;
  let app: MaraScreen | null = null;
  let tries = 0;
  let destroyed = false;
  function onUpdate(e: Update): void {
    if (!app) return;
    if (e.msg && e.msg.kind === 'mara-screen') app.snapshot(e.msg);
    else if (e.delta) app.delta(e.delta);
    else if (e.confirm) app.confirmation(e.confirm);
  }
  function start(): void {
    if (destroyed) return;
    // the id the server wrote into the widget's HTML (nodes/ui_mara_screen.ts), by the same rule
    const found = document.getElementById(screenElementId(id));
    if (!found) {
      if (++tries < 100) setTimeout(start, 20);
      return;
    }
    const host: HTMLElement = found;
    let shown: SVGSVGElement | null = null;
    let bar: HTMLElement | null = null;
    let fitQueued = false;
    // at most a few fit → dashboard layout rounds per view or page resize, should the dashboard insist on its size
    let rounds = 0;
    let ownResize = false;
    const refit = () => {
      if (fitQueued) return;
      fitQueued = true;
      (window.requestAnimationFrame || setTimeout)(() => {
        fitQueued = false;
        // the dashboard then lays its groups out again (its own resize handler); the next fit finds nothing to do
        if (destroyed || !shown || rounds >= 4) return;
        if (fitToWidth(host, shown, bar)) {
          rounds++;
          ownResize = true;
          window.dispatchEvent(new Event('resize'));
          ownResize = false;
        }
      });
    };
    // the dashboard sizes the card when it places it (after this widget starts): fit again then
    const card = host.closest ? host.closest('md-card') : null;
    const watch = card && typeof MutationObserver === 'function' ? new MutationObserver(refit) : null;
    if (watch && card) watch.observe(card, { attributes: true, attributeFilter: ['style'] });
    scope.$on('$destroy', () => {
      if (watch) watch.disconnect();
    });
    const a = (app = createMaraScreen(host, {
      doc: document,
      win: window,
      send: (m) => scope.send(m),
      onView: (svg, b) => {
        shown = svg;
        bar = b;
        rounds = 0;
        refit();
      },
    }));
    const onResize = () => {
      if (!ownResize) rounds = 0;
      refit();
    };
    window.addEventListener('resize', onResize);
    scope.$on('$destroy', () => window.removeEventListener('resize', onResize));
    const snap = st.snap || (scope.msg && scope.msg.kind === 'mara-screen' ? scope.msg : null);
    if (snap) {
      st.snap = snap;
      a.snapshot(snap);
    }
  }
  st.views.push(onUpdate);
  // the replayed snapshot may reach the dashboard before the first widget's listener exists: it is then
  // only in the widget's msg (the dashboard keeps the newest update with a msg there)
  scope.$watch('msg', (m) => {
    if (!app || !m || m.kind !== 'mara-screen' || m === st.snap) return;
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
