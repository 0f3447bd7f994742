import { tagProblem } from '../lib/project/tag';
import fs from 'node:fs';
import path from 'node:path';
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow, NodeStatus } from 'node-red';
import { indexScreen } from '../lib/hmi/svg-index';
import { sanitizeSvg } from '../lib/svg/sanitize';
import { isValidTag, ScreenDelta, ScreenState, ScreenView } from '../lib/hmi/screen-state';
import { MaraError } from '../lib/mara/errors';
import type { ProjectModel } from '../lib/project/model';
import { MaraProjectNode, runtimeOf } from './shared/project-node';
import { DashboardResolver, defaultDashboardResolver } from './shared/dashboard';
import { mountWidget, throttledWarner, widgetProxy, type DashboardWidget } from './shared/dashboard-widget';
import { ClickGuard } from '../lib/hmi/click-guard';
import { screenElementId } from '../lib/hmi/dom-id';
import { assertRealPathInside } from '../lib/project/user-dir-path';
import { StatusThrottle } from './shared/status';
import { tr } from './shared/i18n';
import { toMaraError } from './shared/errors';

/**
 * ui_mara_screen: a Dashboard 1 widget showing the installation's SVG screens (docs/screens.md §5, docs/screens.md §6). Thin shell:
 * lib/hmi/screen-state.ts keeps the snapshot and deltas, ui/ (bundled into dist/ui/mara-screen.js) does everything in the browser.
 *
 * Snapshot vs delta with Dashboard 1 (node-red-dashboard ui.js `add()`): the widget is registered with a
 * stand-in node (an EventEmitter carrying our id) so flow msgs never reach the dashboard's input handler
 * directly; at most every 250 ms the node feeds the stand-in one msg whose `convert` answers
 * `{update: true, newPoint: delta, updatedValues: snapshot}`. The dashboard then stores
 * `beforeEmit(snapshot)` = `{msg: snapshot}` for replay (the ONE snapshot object, mutated in place, so a
 * reloaded browser always gets the current state) and emits only `beforeEmit(delta)` = `{delta}` — an update
 * without `msg`, so the browser's stored msg stays the snapshot. Structural changes (screens, records) emit
 * the snapshot itself. In the browser one listener per widget lives for the page and merges every delta into
 * that stored snapshot, so a widget re-created by a dashboard tab switch is current too (ui/dashboard1/attach.ts).
 */

interface UiMaraScreenDef extends NodeDef {
  group: string;
  order: number | string;
  width: number | string;
  height: number | string;
  project: string;
  svg: string;
  start: string;
  qualityClass: string;
  readOnly: boolean;
}

type Done = (err?: Error) => void;
type Send = (msg: NodeMessage | (NodeMessage | null)[]) => void;

/** Emissions to the browsers: at most one per this many ms (CONTRIBUTING.md §8: ≤ 4/s). */
const MIN_EMIT_MS = 250;
const DEFAULT_QUALITY_CLASS = 'mara-bad-quality';
const CLASS_RE = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
const BROWSER_TEXTS = ['up', 'upTitle', 'screens', 'confirmTitle', 'confirm', 'change', 'cancel', 'close', 'readOnly', 'waiting', 'badSvg'];

let resolver: DashboardResolver = defaultDashboardResolver;

/** The ids of a sanitised drawing (its attributes are written `id="…"`), for drawings bound by id. */
function idsOf(svg: string): string[] {
  const out: string[] = [];
  const re = /\sid="([^"]{1,64})"/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(svg)) && out.length < 100_000) if (isValidTag(m[1])) out.push(m[1]);
  return out;
}

function register(RED: NodeAPI): void {
  function UiMaraScreen(this: Node, config: UiMaraScreenDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const status = new StatusThrottle(node);
    const projectNode = config.project ? (RED.nodes.getNode(config.project) as MaraProjectNode | null) : null;
    const qualityClass =
      typeof config.qualityClass === 'string' && CLASS_RE.test(config.qualityClass.trim()) ? config.qualityClass.trim() : DEFAULT_QUALITY_CLASS;
    let dashboardReadOnly: boolean;
    try {
      dashboardReadOnly = (RED.settings as unknown as { ui?: { readOnly?: unknown } }).ui?.readOnly === true;
    } catch {
      dashboardReadOnly = false;
    }
    const readOnly = config.readOnly === true || dashboardReadOnly;
    // With a project, the element state is the project's (lib/project/project-runtime.ts): this screen shows what
    // the project's engine says and sends its operator toggles there; no wire from mara-formula is needed.
    const runtime = projectNode ? runtimeOf(projectNode) : null;
    let projectShown = false;
    const texts: Record<string, string> = {};
    for (const k of BROWSER_TEXTS) {
      const key = `ui_mara_screen.ui.${k}`;
      const s = RED._(key);
      if (typeof s === 'string' && s && s !== key) texts[k] = s;
    }
    const warned = new Set<string>();
    const warnOnce = (key: string, m: string) => {
      if (warned.has(key)) return;
      warned.add(key);
      node.warn(m);
    };
    const state = new ScreenState({
      config: {
        qualityClass,
        readOnly,
        start: config.start ? String(config.start) : null,
        ...(Object.keys(texts).length ? { texts } : {}),
        ...(projectNode?.replaceLabels ? { replaceLabels: true } : {}),
      },
      log: (m) => node.warn(m),
    });
    let closed = false;
    let timer: NodeJS.Timeout | null = null;
    let lastEmit = 0;
    let broken: string | null = null;
    let waiting: string | null = null;
    let loadToken = 0;
    let lastRefusal = 0;
    const scopes = new Map<string, string>();
    const screenKeys = new Map<string, { keys: Set<string>; jumps: Set<string>; byId: boolean }>();
    // The click guard's clock: Date.now, or a function the admin's settings.js gives as `uiMaraScreenClock` (the
    // browser tests freeze and advance it; neither a browser nor a flow can set a function there).
    let clock: unknown;
    try {
      clock = (RED.settings as unknown as { uiMaraScreenClock?: unknown }).uiMaraScreenClock;
    } catch {
      clock = undefined;
    }
    const guard = new ClickGuard(typeof clock === 'function' ? { now: clock as () => number } : {});
    const warnThrottled = throttledWarner(node);

    const statusNow = (): NodeStatus | null => {
      if (broken) return null; // its red status stays
      if (waiting) return { fill: 'blue', shape: 'ring', text: waiting };
      const n = state.snapshot.screens.length;
      if (!n) return { fill: 'grey', shape: 'ring', text: tr(RED, 'ui_mara_screen.status.noScreen', {}, 'no screen') };
      const bad = Object.keys(state.snapshot.quality).length;
      const text = n === 1 ? tr(RED, 'ui_mara_screen.status.one', {}, '1 screen') : tr(RED, 'ui_mara_screen.status.many', { n }, '__n__ screens');
      return {
        fill: bad ? 'yellow' : 'green',
        shape: 'dot',
        text: bad
          ? `${text} · ${tr(RED, bad === 1 ? 'ui_mara_screen.status.badOne' : 'ui_mara_screen.status.badMany', { n: bad }, bad === 1 ? '1 bad-quality point' : '__n__ bad-quality points')}`
          : text,
      };
    };
    const show = (now = false) => status.set(statusNow, now);
    const fail = (statusText: string, message: string) => {
      broken = message;
      node.status({ fill: 'red', shape: 'ring', text: statusText });
      node.error(message);
    };

    // ---- the stand-in node the dashboard listens to (see the header comment)
    const proxy = widgetProxy(node, (m) => fromBrowser(m?.frontEnd, typeof m?.socket === 'string' ? m.socket : null));

    const emitDelta = (d: ScreenDelta) => proxy.emit('input', { payload: { delta: d } });
    const flush = () => {
      timer = null;
      if (closed) return;
      const d = state.takeDelta();
      if (!d) return;
      lastEmit = Date.now();
      emitDelta(d);
    };
    const schedule = () => {
      if (timer || closed || !state.hasPending()) return;
      timer = setTimeout(flush, Math.max(0, lastEmit + MIN_EMIT_MS - Date.now()));
    };
    const emitFull = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      state.markFull();
      lastEmit = Date.now();
      proxy.emit('input', { payload: { full: true } });
      show(true);
    };

    // ---- screens
    const makeView = (name: string, description: string, parent: string | null, text: string, source: string): ScreenView | null => {
      // each screen of each widget its own scope: a drawing's style sheet reaches only that drawing
      if (!scopes.has(name)) scopes.set(name, `${node.id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40)}-${scopes.size + 1}`);
      const r = sanitizeSvg(text, { styleScope: scopes.get(name) });
      if (!r.svg) {
        warnOnce(`bad|${name}|${r.removed.join('|')}`, `screen "${name}" (${source}) is not usable SVG: ${r.removed[0] ?? 'empty'}`);
        return null;
      }
      if (r.removed.length) {
        const list = r.removed.slice(0, 20).join('; ');
        const more = r.removed.length > 20 ? ` … and ${r.removed.length - 20} more` : '';
        warnOnce(
          `removed|${name}|${r.removed.join('|')}`,
          `screen "${name}" (${source}): removed ${r.removed.length} unsafe or unsupported item(s): ${list}${more}`,
        );
      }
      const idx = indexScreen(r.svg);
      const byId = idx.tags.length === 0;
      // what a click on this screen may name: its tags (or, for a drawing without tags, its ids) and jump targets
      const keys = new Set<string>(byId ? idsOf(r.svg) : idx.tags.map((t) => t.tag));
      screenKeys.set(name, { keys, jumps: new Set(idx.jumps.map((j) => j.target)), byId });
      return { name, description, parent, svg: r.svg, width: idx.width, height: idx.height, background: idx.background };
    };
    /** Tags the state may hold: the screens' keys and the project's elements (item 10: nothing else is kept). */
    const updateKnown = (views: ScreenView[], elements: readonly { tag: string }[] = []) => {
      const known = new Set<string>();
      for (const v of views) for (const k of screenKeys.get(v.name)?.keys ?? []) known.add(k);
      for (const e of elements) if (isValidTag(e.tag)) known.add(e.tag);
      state.setKnownTags(known);
    };

    const loadProject = async (model: ProjectModel, file: string) => {
      const token = ++loadToken;
      const dir = path.dirname(path.resolve(file));
      const views: ScreenView[] = [];
      for (const s of model.screens) {
        const abs = path.resolve(dir, s.file);
        let inside = abs !== dir && abs.startsWith(dir + path.sep);
        if (inside) {
          try {
            assertRealPathInside(dir, abs);
          } catch {
            inside = false;
          }
        }
        if (!inside) {
          warnOnce(`outside|${s.name}|${s.file}`, `screen "${s.name}": ${s.file} is outside the workbook's folder; not loaded`);
          continue;
        }
        let text: string;
        try {
          text = await fs.promises.readFile(abs, 'utf8');
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code ?? 'error';
          // the code only: the message would show the server's absolute path
          warnOnce(`read|${s.name}|${code}`, `screen "${s.name}": cannot read ${s.file} (${code})`);
          continue;
        }
        if (token !== loadToken || closed) return;
        const v = makeView(s.name, s.description ?? '', s.parent || null, text, s.file);
        if (v) views.push(v);
      }
      if (token !== loadToken || closed) return;
      state.setColours(model.colours.filter((c) => typeof c.css === 'string' && c.css).map((c) => ({ index: c.index, css: c.css as string })));
      state.setScreens(views);
      updateKnown(views, model.elements);
      state.setElements(model.elements, model.formulas);
      projectShown = true;
      if (runtime?.ready) fromRuntime(runtime.snapshot());
      waiting = null;
      emitFull();
    };

    /** Element changes from the project's runtime; tags no screen or element of this widget has are dropped silently. */
    const fromRuntime = (items: readonly unknown[]): boolean => {
      const r = state.applyItems(items);
      state.takeUnknown();
      return r.changed > 0;
    };

    const loadSingle = (text: string): boolean => {
      const name = config.start ? String(config.start) : 'screen';
      const v = makeView(name, config.name || '', null, text, 'node');
      if (!v) return false;
      state.setScreens([v]);
      updateKnown([v]);
      waiting = null;
      emitFull();
      return true;
    };

    // ---- clicks and toggles from the browsers (through the dashboard's front-end handler). Nothing a browser
    // says is taken on trust (issue 10 item 8): the socket id is the server's (stamped by socket.io, see
    // shared/dashboard.ts), every message counts against the client's rate (ClickGuard: 10/s, bursts of 20),
    // a click must come from the screen the client reported showing and name a key of that screen, and a
    // toggle is two steps: the client asks, the server answers that client alone with a one-time token for
    // the value IT computed, and only the token's confirmation changes anything.
    const str = (v: unknown, max = 64): string | null => (typeof v === 'string' && v.length <= max ? v : null);
    const isKeyOf = (screen: string, tag: unknown): tag is string => {
      if (!isValidTag(tag)) return false;
      const k = screenKeys.get(screen);
      if (!k) return false;
      return k.keys.has(tag);
    };
    const reply = (socket: string, data: Record<string, unknown>) => widget?.reply(socket, data);
    function fromBrowser(m: unknown, socket: string | null) {
      if (closed || !m || typeof m !== 'object') return;
      if (!socket) {
        warnThrottled(
          'nosocket',
          'a browser message without a server-verified socket was ignored (is node-red-dashboard 3.x with its own socket.io installed?)',
        );
        return;
      }
      if (!guard.allow(socket)) {
        warnThrottled('rate', `a dashboard client sends more than ${guard.rate} messages per second (bursts of ${guard.burst}): the excess is dropped`);
        return;
      }
      const e = m as { type?: unknown; tag?: unknown; screen?: unknown; jump?: unknown; value?: unknown; token?: unknown };
      if (e.type === 'view') {
        if (state.hasScreen(e.screen)) guard.view(socket, e.screen);
        return;
      }
      const shown = guard.screenOf(socket);
      if (e.type === 'click' || e.type === 'toggle-request') {
        if (!shown || e.screen !== shown) {
          warnThrottled('screen', `a click for a screen the client does not show (${str(e.screen, 64) ?? typeof e.screen}) was ignored`);
          return;
        }
        const tag = isKeyOf(shown, e.tag) ? e.tag : null;
        if (e.tag !== null && e.tag !== undefined && !tag) {
          warnThrottled('tag', `a click on ${str(e.tag, 64) ?? typeof e.tag}, which screen ${shown} does not have, was ignored`);
          return;
        }
        if (e.type === 'click') {
          const rec = tag ? state.snapshot.records[tag] : undefined;
          const jumpOk = (j: unknown): j is string => state.hasScreen(j) && (rec?.j === j || (screenKeys.get(shown)?.jumps.has(j) ?? false));
          if (e.jump !== null && e.jump !== undefined && !jumpOk(e.jump)) {
            warnThrottled('jump', `a jump from ${shown} to ${str(e.jump, 64) ?? typeof e.jump}, which that screen does not offer, was ignored`);
            return;
          }
          const jump = e.jump as string | null | undefined;
          if (jump) node.send([{ topic: tag ?? jump, payload: jump, event: { type: 'jump', tag, screen: shown, target: jump }, socketid: socket }, null]);
          else if (tag) node.send([{ topic: tag, payload: tag, event: { type: 'click', tag, screen: shown }, socketid: socket }, null]);
          return;
        }
        // toggle-request
        if (readOnly) {
          if (Date.now() - lastRefusal > 10_000) node.warn(`read-only: manual change of ${tag ?? '?'} refused`);
          lastRefusal = Date.now();
          reply(socket, { refused: { tag, reason: 'readOnly' } });
          return;
        }
        const tg = tag ? state.toggleOf(tag) : null;
        if (!tag || !tg) {
          warnThrottled('notoggle', `manual change refused: ${tag ?? '?'} has no manual toggle`);
          return;
        }
        const from = state.textOf(tag);
        const to = tg.next(from);
        const { token, expiresInMs } = guard.issue(socket, { tag, value: to, from, screen: shown });
        reply(socket, {
          confirm: {
            token,
            tag,
            screen: shown,
            description: state.snapshot.records[tag]?.d ?? '',
            from,
            to,
            fromLabel: tg.labelOf(from),
            toLabel: tg.labelOf(to),
            expiresInMs,
          },
        });
        return;
      }
      if (e.type === 'toggle') {
        if (readOnly) {
          if (Date.now() - lastRefusal > 10_000) node.warn('read-only: manual change refused');
          lastRefusal = Date.now();
          return;
        }
        const p = guard.redeem(socket, e.token);
        if (!p) {
          warnThrottled('token', 'manual change refused: not confirmed through the server (no, an expired or a used confirmation token)');
          return;
        }
        if (state.textOf(p.tag) !== p.from) {
          warnThrottled('stale', `manual change of ${p.tag} refused: its state changed while the confirmation was open`);
          reply(socket, { refused: { tag: p.tag, reason: 'changed' } });
          return;
        }
        const r = state.toggle(p.tag, p.value);
        if (!r.ok) {
          node.warn(`manual change refused: ${r.message}`);
          return;
        }
        // the project's engine records the writes and re-evaluates what reads them (published back to the screens)
        try {
          runtime?.update([], r.writes, node.id);
        } catch (err) {
          node.warn(`manual change of ${r.tag}: the formulas did not take it: ${(err as Error).message}`);
        }
        schedule();
        show();
        node.send([
          { topic: r.tag, payload: r.value, event: { type: 'toggle', tag: r.tag, screen: p.screen, previous: r.previous }, socketid: socket },
          { topic: r.tag, payload: r.writes },
        ]);
        return;
      }
      const t = str(e.type, 20);
      warnOnce(`front|${t}`, `unknown message from the browser: ${t ?? typeof e.type}`);
    }

    // ---- the dashboard
    const widget: DashboardWidget = mountWidget(RED, node.id, {
      type: 'ui_mara_screen',
      resolver,
      config,
      proxy,
      fail,
      warn: (m) => warnOnce('stamp', m),
      file: 'mara-screen.js',
      global: 'MaraScreenUI',
      format: `<div id="${screenElementId(node.id)}" class="mara-screen"></div>`,
      defaultHeight: 10,
      convert: (value: { delta?: ScreenDelta } | undefined) =>
        value && value.delta ? { update: true, newPoint: value.delta, updatedValues: state.snapshot } : state.snapshot,
      beforeEmit: (_msg: unknown, value: unknown) => (value === state.snapshot ? { msg: state.snapshot } : { delta: value }),
      noDashboardHint: '. Install it beside this package (Manage palette).',
      ignored: 'clicks and toggles',
      onEndSocket: (id) => guard.drop(id),
    });

    // ---- what to show
    if (projectNode) {
      const p = projectNode.project;
      if (!p) {
        if (!broken) node.status({ fill: 'red', shape: 'dot', text: tr(RED, 'ui_mara_screen.status.badProject', {}, 'bad project') });
      } else {
        waiting = tr(RED, 'ui_mara_screen.status.waiting', {}, 'waiting for project');
        emitFull();
        p.subscribe(node.id, ({ model, error }) => {
          if (closed) return;
          if (error && !model.screens.length) {
            if (!broken) node.status({ fill: 'red', shape: 'ring', text: tr(RED, 'ui_mara_screen.status.unreadable', {}, 'project unreadable') });
            return;
          }
          loadProject(model, p.file).catch((e: Error) => node.error(`screens: ${e.message}`));
        });
        // the elements with an unattended alarm blink (docs/screens.md "Blinking"): the project's set, on connect and on change
        projectNode.alarms?.subscribe(node.id, (tags) => {
          if (!closed && state.setAlarms(tags)) schedule();
        });
        runtime?.subscribe(node.id, (e) => {
          // before the screens have loaded nothing is shown: loadProject applies the runtime's whole state then
          if (closed || !projectShown) return;
          const changed = e.kind === 'changes' ? fromRuntime(e.items) : e.kind === 'loaded' ? fromRuntime(runtime.snapshot()) : false;
          if (changed) {
            schedule();
            show();
          }
        });
      }
    } else if (typeof config.svg === 'string' && config.svg.trim()) {
      if (!loadSingle(config.svg)) {
        emitFull();
        if (!broken) node.status({ fill: 'red', shape: 'dot', text: tr(RED, 'ui_mara_screen.status.badSvg', {}, 'bad SVG') });
      }
    } else emitFull();

    node.on('input', (msg: NodeMessageInFlow, _send: Send, done: Done) => {
      try {
        const payload = msg.payload as unknown;
        if (msg.topic === 'screen') {
          const name = typeof payload === 'string' ? payload : String(payload);
          if (!state.forceScreen(name))
            throw new MaraError('EINVAL', `unknown screen ${JSON.stringify(name.slice(0, 64))}; screens: ${state.screenNames().join(', ') || 'none'}`);
          schedule();
          done();
          return;
        }
        if (typeof payload === 'string' && payload.indexOf('<') >= 0) {
          if (projectNode) throw new MaraError('EINVAL', 'SVG text is accepted only without a project (single-SVG mode)');
          if (!loadSingle(payload)) throw new MaraError('EINVAL', 'the SVG text could not be parsed');
          done();
          return;
        }
        let items: unknown[] | null = null;
        if (Array.isArray(payload)) items = payload;
        else if (payload && typeof payload === 'object' && 'tag' in (payload as object)) items = [payload];
        if (!items)
          throw new MaraError(
            'EINVAL',
            'expected payload [{tag, attr, value}] (element changes), [{tag, quality}] (point changes), SVG text, or topic "screen"',
          );
        const badTag = items.find(
          (it) => it && typeof it === 'object' && (it as { tag?: unknown }).tag !== undefined && tagProblem((it as { tag?: unknown }).tag),
        ) as { tag?: unknown } | undefined;
        if (badTag) throw new MaraError('EINVAL', `${tagProblem(badTag.tag)}: nothing applied`);
        const r = state.applyItems(items);
        const unknown = state.takeUnknown();
        if (unknown.count)
          warnThrottled(
            'unknown',
            `ignored ${unknown.count} change(s) of ${unknown.tags.length < 5 ? '' : 'at least '}${unknown.tags.length} tag(s) that no screen or element has (e.g. ${unknown.tags.slice(0, 3).join(', ')}); nothing is kept for them`,
          );
        if (items.length && r.ignored === items.length)
          throw new MaraError('EINVAL', `no usable item: ${r.ignored} item(s) without a valid tag, attr (text, fill, stroke) and value, or quality`);
        if (r.changed) {
          schedule();
          show();
        }
        done();
      } catch (e) {
        done(toMaraError(e));
      }
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      status.dispose();
      projectNode?.project?.unsubscribe(node.id);
      runtime?.unsubscribe(node.id);
      projectNode?.alarms?.unsubscribe(node.id);
      widget.remove();
      proxy.removeAllListeners();
      done();
    });

    // for tests and the benchmark: the state, and a way to emit now
    Object.defineProperty(node, 'maraScreen', { value: { state, flush, emitFull }, enumerable: false });
  }
  RED.nodes.registerType('ui_mara_screen', UiMaraScreen);
}

/** Tests replace how the dashboard is found (e.g. to simulate it missing); no argument restores the default. */
register.setDashboardResolver = (r?: DashboardResolver): void => {
  resolver = r ?? defaultDashboardResolver;
};

export = register;
