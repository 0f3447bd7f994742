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
import { attachGlue, snapshotKind, type GlueEvents, type GlueScope, type GlueUpdate } from '../core/attach';
import type { DeltaLike } from '../core/messages';
import { mergeDelta } from '../core/snapshot';
import { Confirmation, MaraScreen, Snapshot, createMaraScreen } from '../core/widget';
import { fitToWidth } from './fit';

/** What the dashboard sends a widget: a snapshot (`msg`), a delta, or a toggle confirmation for this client. */
interface Update extends GlueUpdate<Snapshot> {
  delta?: DeltaLike;
  confirm?: Confirmation;
}

/** The widget's AngularJS scope, as far as this glue uses it. */
export type Scope = GlueScope<Snapshot>;

/** The dashboard's `events` service (its socket's updates); our per-widget stores hang on it. */
export interface Events extends GlueEvents<Update> {
  __maraScreens?: Record<string, unknown>;
}

const isSnap = snapshotKind<Snapshot>('mara-screen');

export function attach(scope: Scope, events: Events, cfg: { id?: unknown } | null | undefined): void {
  attachGlue<Snapshot, Update, MaraScreen>(scope, events, cfg, {
    key: '__maraScreens',
    isSnap,
    // the id the server wrote into the widget's HTML (nodes/ui_mara_screen.ts), by the same rule
    elementId: screenElementId,
    keep: (snap, e) => {
      if (e.delta) mergeDelta(snap, e.delta);
    },
    create: (host, destroyed) => {
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
          if (destroyed() || !shown || rounds >= 4) return;
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
      const a = createMaraScreen(host, {
        doc: document,
        win: window,
        send: (m) => scope.send(m),
        onView: (svg, b) => {
          shown = svg;
          bar = b;
          rounds = 0;
          refit();
        },
      });
      const onResize = () => {
        if (!ownResize) rounds = 0;
        refit();
      };
      window.addEventListener('resize', onResize);
      scope.$on('$destroy', () => window.removeEventListener('resize', onResize));
      return a;
    },
    update: (app, e) => {
      if (e.delta) app.delta(e.delta);
      else if (e.confirm) app.confirmation(e.confirm);
    },
  });
}
