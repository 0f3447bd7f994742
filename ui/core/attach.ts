/**
 * What the Dashboard 1 glue of every widget shares: `initController(scope, events)` calls it with the node's id.
 * The dashboard keeps the newest update with a `msg` (a snapshot) per widget and replays it on connect and reload.
 * One listener per widget id lives for the page (on the dashboard's `events` service, not on window), so a widget
 * re-created by a tab switch starts from the newest snapshot.
 */

/** The widget's AngularJS scope, as far as the glue uses it. */
export interface GlueScope<S> {
  msg?: S | null;
  send(msg: unknown): void;
  $on(event: '$destroy', fn: () => void): void;
  $watch(expr: 'msg', fn: (m: S | null | undefined) => void): void;
}

/** An update the dashboard hands the glue: for one widget `id`, with a snapshot as its `msg` or not. */
export interface GlueUpdate<S> {
  id?: unknown;
  msg?: S | null;
}

/** The dashboard's `events` service (its socket's updates); the per-widget stores hang on it. */
export interface GlueEvents<U> {
  on(fn: (e: U | null | undefined) => void): void;
}

/** Tells a widget's snapshot by its `kind`. */
export const snapshotKind =
  <S>(kind: string) =>
  (m: unknown): m is S =>
    !!m && typeof m === 'object' && (m as { kind?: unknown }).kind === kind;

interface Store<S, U> {
  snap: S | null;
  views: ((e: U) => void)[];
}

/** What one kind of widget tells the glue. */
export interface GlueSpec<S, U, A> {
  /** Where the stores hang on `events` (one property per kind of widget). */
  key: string;
  isSnap(m: unknown): m is S;
  /** The element the server wrote into the widget's HTML, by the same rule. */
  elementId(id: string): string;
  /** The page-lifetime listener's share of an update that is not a snapshot (e.g. merge a delta into `snap`). */
  keep?(snap: S, e: U): void;
  /** The widget on its element; `destroyed` says whether the scope has gone. */
  create(host: HTMLElement, destroyed: () => boolean): A;
  /** An update that is not a snapshot, for a shown widget. */
  update(app: A, e: U): void;
}

export function attachGlue<S, U extends GlueUpdate<S>, A extends { snapshot(s: S): void; dispose(): void }>(
  scope: GlueScope<S>,
  events: GlueEvents<U>,
  cfg: { id?: unknown } | null | undefined,
  spec: GlueSpec<S, U, A>,
): void {
  const id = cfg && typeof cfg.id === 'string' ? cfg.id : '';
  const holder = events as unknown as Record<string, Record<string, Store<S, U>> | undefined>;
  const stores = holder[spec.key] || (holder[spec.key] = {});
  let store = stores[id];
  if (!store) {
    const s: Store<S, U> = (store = stores[id] = { snap: null, views: [] });
    events.on((e) => {
      if (!e || e.id !== id) return;
      if (spec.isSnap(e.msg)) s.snap = e.msg;
      else if (spec.keep && s.snap) spec.keep(s.snap, e);
      for (let i = 0; i < s.views.length; i++) s.views[i](e);
    });
  }
  const st = store;
  let app: A | null = null;
  let tries = 0;
  let destroyed = false;
  function onUpdate(e: U): void {
    if (!app) return;
    if (spec.isSnap(e.msg)) app.snapshot(e.msg);
    else spec.update(app, e);
  }
  function start(): void {
    if (destroyed) return;
    const host = document.getElementById(spec.elementId(id));
    if (!host) {
      if (++tries < 100) setTimeout(start, 20);
      return;
    }
    const a = (app = spec.create(host, () => destroyed));
    const snap = st.snap || (spec.isSnap(scope.msg) ? scope.msg : null);
    if (snap) {
      st.snap = snap;
      a.snapshot(snap);
    }
  }
  st.views.push(onUpdate);
  // the replayed snapshot may reach the dashboard before the first widget's listener exists: it is then
  // only in the widget's msg (the dashboard keeps the newest update with a msg there)
  scope.$watch('msg', (m) => {
    if (!app || !spec.isSnap(m) || m === st.snap) return;
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
