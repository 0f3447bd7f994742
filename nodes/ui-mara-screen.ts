import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { indexScreen } from '../lib/hmi/svg-index';
import { sanitizeSvg } from '../lib/hmi/svg-sanitize';
import { isValidTag, ScreenDelta, ScreenState, ScreenView } from '../lib/hmi/screen-state';
import { MaraError } from '../lib/mara/errors';
import type { ProjectModel } from '../lib/points/model';
import type { MaraProjectNode } from './shared/project-service';
import { DashboardApi, DashboardResolver, defaultDashboardResolver, initControllerSource } from './shared/dashboard';
import { StatusThrottle } from './shared/status';
import { tr } from './shared/i18n';
import { toMaraError } from './shared/errors';

/**
 * ui-mara-screen: a Dashboard 1 widget showing the installation's SVG screens (spec hmi §5, §6). Thin shell:
 * lib/hmi/screen-state.ts keeps the snapshot and deltas, ui/mara-screen.js does everything in the browser.
 *
 * Snapshot vs delta with Dashboard 1 (node-red-dashboard ui.js `add()`): the widget is registered with a
 * stand-in node (an EventEmitter carrying our id) so flow msgs never reach the dashboard's input handler
 * directly; at most every 250 ms the node feeds the stand-in one msg whose `convert` answers
 * `{update: true, newPoint: delta, updatedValues: snapshot}`. The dashboard then stores
 * `beforeEmit(snapshot)` = `{msg: snapshot}` for replay (the ONE snapshot object, mutated in place, so a
 * reloaded browser always gets the current state) and emits only `beforeEmit(delta)` = `{delta}` — an update
 * without `msg`, so the browser's stored msg stays the snapshot. Structural changes (screens, records) emit
 * the snapshot itself. In the browser one listener per widget lives for the page and merges every delta into
 * that stored snapshot, so a widget re-created by a dashboard tab switch is current too (ui/mara-screen.js).
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

/** Emissions to the browsers: at most one per this many ms (conventions §8: ≤ 4/s). */
const MIN_EMIT_MS = 250;
const DEFAULT_QUALITY_CLASS = 'mara-bad-quality';
const CLASS_RE = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
const BROWSER_TEXTS = ['up', 'upTitle', 'screens', 'confirmTitle', 'confirm', 'change', 'cancel', 'close', 'readOnly', 'waiting', 'badSvg'];

let resolver: DashboardResolver = defaultDashboardResolver;

function domId(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]/g, '_');
}

function register(RED: NodeAPI): void {
  function UiMaraScreen(this: Node, config: UiMaraScreenDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const status = new StatusThrottle(node);
    const projectNode = config.project ? (RED.nodes.getNode(config.project) as MaraProjectNode | null) : null;
    const qualityClass = typeof config.qualityClass === 'string' && CLASS_RE.test(config.qualityClass.trim()) ? config.qualityClass.trim() : DEFAULT_QUALITY_CLASS;
    let dashboardReadOnly = false;
    try {
      dashboardReadOnly = (RED.settings as unknown as { ui?: { readOnly?: unknown } }).ui?.readOnly === true;
    } catch {
      dashboardReadOnly = false;
    }
    const readOnly = config.readOnly === true || dashboardReadOnly;
    const texts: Record<string, string> = {};
    for (const k of BROWSER_TEXTS) {
      const key = `ui-mara-screen.ui.${k}`;
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
      config: { qualityClass, readOnly, start: config.start ? String(config.start) : null, ...(Object.keys(texts).length ? { texts } : {}) },
      log: (m) => node.warn(m),
    });
    let closed = false;
    let timer: NodeJS.Timeout | null = null;
    let lastEmit = 0;
    let remover: (() => void) | null = null;
    let broken: string | null = null;
    let waiting: string | null = null;
    let loadToken = 0;
    let lastRefusal = 0;

    const show = (now = false) => {
      if (broken) return;
      if (waiting) return status.set({ fill: 'blue', shape: 'ring', text: waiting }, now);
      const n = state.snapshot.screens.length;
      if (!n) return status.set({ fill: 'grey', shape: 'ring', text: tr(RED, 'ui-mara-screen.status.noScreen', {}, 'no screen') }, now);
      const bad = Object.keys(state.snapshot.quality).length;
      const text = n === 1 ? tr(RED, 'ui-mara-screen.status.one', {}, '1 screen') : tr(RED, 'ui-mara-screen.status.many', { n }, '__n__ screens');
      status.set({ fill: bad ? 'yellow' : 'green', shape: 'dot', text: bad ? `${text} · ${tr(RED, bad === 1 ? 'ui-mara-screen.status.badOne' : 'ui-mara-screen.status.badMany', { n: bad }, bad === 1 ? '1 bad-quality point' : '__n__ bad-quality points')}` : text }, now);
    };
    const fail = (statusText: string, message: string) => {
      broken = message;
      node.status({ fill: 'red', shape: 'ring', text: statusText });
      node.error(message);
    };

    // ---- the stand-in node the dashboard listens to (see the header comment)
    const proxy = Object.assign(new EventEmitter(), {
      id: node.id,
      type: node.type,
      z: (node as unknown as { z?: string }).z,
      _wireCount: 0,
      warn: (m: unknown) => node.warn(m),
      error: (m: unknown) => node.error(m),
      send: (m: { frontEnd?: unknown; socketid?: unknown }) => fromBrowser(m?.frontEnd, m?.socketid),
    });

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
      const r = sanitizeSvg(text);
      if (!r.svg) {
        warnOnce(`bad|${name}|${r.removed.join('|')}`, `screen "${name}" (${source}) is not usable SVG: ${r.removed[0] ?? 'empty'}`);
        return null;
      }
      if (r.removed.length) {
        const list = r.removed.slice(0, 20).join('; ');
        const more = r.removed.length > 20 ? ` … and ${r.removed.length - 20} more` : '';
        warnOnce(`removed|${name}|${r.removed.join('|')}`, `screen "${name}" (${source}): removed ${r.removed.length} unsafe or unsupported item(s): ${list}${more}`);
      }
      const idx = indexScreen(r.svg);
      return { name, description, parent, svg: r.svg, width: idx.width, height: idx.height, background: idx.background };
    };

    const loadProject = async (model: ProjectModel, file: string) => {
      const token = ++loadToken;
      const dir = path.dirname(path.resolve(file));
      const views: ScreenView[] = [];
      for (const s of model.screens) {
        const abs = path.resolve(dir, s.file);
        if (abs !== dir && !abs.startsWith(dir + path.sep)) {
          warnOnce(`outside|${s.name}|${s.file}`, `screen "${s.name}": ${s.file} is outside the workbook's folder; not loaded`);
          continue;
        }
        let text: string;
        try {
          text = await fs.promises.readFile(abs, 'utf8');
        } catch (e) {
          warnOnce(`read|${s.name}|${(e as Error).message}`, `screen "${s.name}": cannot read ${s.file}: ${(e as Error).message}`);
          continue;
        }
        if (token !== loadToken || closed) return;
        const v = makeView(s.name, s.description ?? '', s.parent || null, text, s.file);
        if (v) views.push(v);
      }
      if (token !== loadToken || closed) return;
      state.setColours(model.colours.filter((c) => typeof c.css === 'string' && c.css).map((c) => ({ index: c.index, css: c.css as string })));
      state.setScreens(views);
      state.setElements(model.elements);
      waiting = null;
      emitFull();
    };

    const loadSingle = (text: string): boolean => {
      const name = config.start ? String(config.start) : 'screen';
      const v = makeView(name, config.name || '', null, text, 'node');
      if (!v) return false;
      state.setScreens([v]);
      waiting = null;
      emitFull();
      return true;
    };

    // ---- clicks and toggles from the browsers (through the dashboard's front-end handler)
    const str = (v: unknown, max = 64): string | null => (typeof v === 'string' && v.length <= max ? v : null);
    function fromBrowser(m: unknown, socketid: unknown) {
      if (closed || !m || typeof m !== 'object') return;
      const e = m as { type?: unknown; tag?: unknown; screen?: unknown; jump?: unknown; value?: unknown };
      const tag = isValidTag(e.tag) ? e.tag : null;
      const screen = state.hasScreen(e.screen) ? e.screen : null;
      const extra = typeof socketid === 'string' ? { socketid } : {};
      if (e.type === 'click') {
        const jump = state.hasScreen(e.jump) ? (e.jump as string) : null;
        if (jump) node.send([{ topic: tag ?? jump, payload: jump, event: { type: 'jump', tag, screen, target: jump }, ...extra }, null]);
        else if (tag) node.send([{ topic: tag, payload: tag, event: { type: 'click', tag, screen }, ...extra }, null]);
        return;
      }
      if (e.type === 'toggle') {
        if (readOnly) {
          if (Date.now() - lastRefusal > 10_000) node.warn(`read-only: manual change of ${tag ?? '?'} refused`);
          lastRefusal = Date.now();
          return;
        }
        const r = state.toggle(tag, e.value);
        if (!r.ok) {
          node.warn(`manual change refused: ${r.message}`);
          return;
        }
        schedule();
        show();
        node.send([
          { topic: r.tag, payload: r.value, event: { type: 'toggle', tag: r.tag, screen, previous: r.previous }, ...extra },
          { topic: r.tag, payload: r.writes },
        ]);
        return;
      }
      const t = str(e.type, 20);
      warnOnce(`front|${t}`, `unknown message from the browser: ${t ?? typeof e.type}`);
    }

    // ---- the dashboard
    let api: DashboardApi | null = null;
    try {
      api = resolver(RED);
    } catch (e) {
      fail(tr(RED, 'ui-mara-screen.status.noDashboard', {}, 'no dashboard'), `node-red-dashboard (Dashboard 1) is not available: ${(e as Error).message}. Install it beside this package (Manage palette).`);
    }
    let controller: string | null = null;
    if (api) {
      try {
        controller = initControllerSource('mara-screen.js', 'MaraScreenUI', { id: node.id });
      } catch (e) {
        fail(tr(RED, 'ui-mara-screen.status.badInstall', {}, 'bad install'), `cannot read the widget's browser code (ui/mara-screen.js): ${(e as Error).message}`);
      }
    }
    const group = config.group ? (RED.nodes.getNode(config.group) as (Node & { config?: { width?: number | string } }) | null) : null;
    if (api && controller && !group) fail(tr(RED, 'ui-mara-screen.status.noGroup', {}, 'no group'), 'no dashboard group: choose a group (ui_group) in the node');
    if (api && controller && group) {
      const width = Number(config.width) || Number(group.config?.width) || 6;
      const height = Number(config.height) || 10;
      try {
        const r = api.addWidget({
          node: proxy,
          order: Number(config.order) || 0,
          group: config.group,
          width,
          height,
          format: `<div id="mara-screen-${domId(node.id)}" class="mara-screen"></div>`,
          templateScope: 'local',
          emitOnlyNewValues: false,
          forwardInputMessages: false,
          storeFrontEndInputAsState: false,
          persistantFrontEndValue: true,
          convert: (value: { delta?: ScreenDelta } | undefined) =>
            value && value.delta ? { update: true, newPoint: value.delta, updatedValues: state.snapshot } : state.snapshot,
          beforeEmit: (_msg: unknown, value: unknown) => (value === state.snapshot ? { msg: state.snapshot } : { delta: value }),
          convertBack: (value: unknown) => value,
          beforeSend: (_toSend: unknown, original: { msg?: unknown; socketid?: unknown } | undefined) => ({
            frontEnd: original?.msg,
            socketid: original?.socketid,
          }),
          initController: controller,
        });
        remover = typeof r === 'function' ? r : null;
        if (!remover) fail(tr(RED, 'ui-mara-screen.status.noGroup', {}, 'no group'), 'the dashboard did not accept the widget (is the group on a tab?)');
      } catch (e) {
        fail(tr(RED, 'ui-mara-screen.status.noDashboard', {}, 'no dashboard'), `the dashboard refused the widget: ${(e as Error).message}`);
      }
    }

    // ---- what to show
    if (projectNode) {
      const p = projectNode.project;
      if (!p) {
        if (!broken) node.status({ fill: 'red', shape: 'dot', text: tr(RED, 'ui-mara-screen.status.badProject', {}, 'bad project') });
      } else {
        waiting = tr(RED, 'ui-mara-screen.status.waiting', {}, 'waiting for project');
        emitFull();
        p.subscribe(node.id, ({ model, error }) => {
          if (closed) return;
          if (error && !model.screens.length) {
            if (!broken) node.status({ fill: 'red', shape: 'ring', text: tr(RED, 'ui-mara-screen.status.unreadable', {}, 'project unreadable') });
            return;
          }
          loadProject(model, p.file).catch((e: Error) => node.error(`screens: ${e.message}`));
        });
      }
    } else if (typeof config.svg === 'string' && config.svg.trim()) {
      if (!loadSingle(config.svg)) {
        emitFull();
        if (!broken) node.status({ fill: 'red', shape: 'dot', text: tr(RED, 'ui-mara-screen.status.badSvg', {}, 'bad SVG') });
      }
    } else emitFull();

    node.on('input', (msg: NodeMessageInFlow, _send: Send, done: Done) => {
      try {
        const payload = msg.payload as unknown;
        if (msg.topic === 'screen') {
          const name = typeof payload === 'string' ? payload : String(payload);
          if (!state.forceScreen(name)) throw new MaraError('EINVAL', `unknown screen ${JSON.stringify(name.slice(0, 64))}; screens: ${state.screenNames().join(', ') || 'none'}`);
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
        if (!items) throw new MaraError('EINVAL', 'expected payload [{tag, attr, value}] (element changes), [{tag, quality}] (point changes), SVG text, or topic "screen"');
        const r = state.applyItems(items);
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
      try {
        remover?.();
      } catch {
        /* the dashboard is going away too */
      }
      remover = null;
      proxy.removeAllListeners();
      done();
    });

    // for tests and the benchmark: the state, and a way to emit now
    Object.defineProperty(node, 'maraScreen', { value: { state, flush, emitFull }, enumerable: false });
  }
  RED.nodes.registerType('ui-mara-screen', UiMaraScreen);
}

/** Tests replace how the dashboard is found (e.g. to simulate it missing); no argument restores the default. */
register.setDashboardResolver = (r?: DashboardResolver): void => {
  resolver = r ?? defaultDashboardResolver;
};

export = register;
