/**
 * The screen widget, framework-free: a bar (up, screen menu), the view holding the current screen's `<svg>`,
 * clicks, dialogs. It knows the snapshot/delta messages of lib/hmi/screen-state.ts and a `send` callback; the
 * dashboard glue (ui/dashboard1/) connects those to a dashboard. It never uses innerHTML, eval or new
 * Function: SVG text becomes DOM through DOMParser (which runs nothing), is scrubbed once more here
 * (ui/core/second-pass.ts), and data only reaches the page through the binder (ui/core/binder.ts).
 *
 * Colours arrive resolved (the server maps table indexes to CSS, docs/screens.md §5.3); null means "back to the drawing".
 */
import { normaliseCssColour } from '../../lib/hmi/colours';
import type { DeltaLike, RecordLike } from './messages';
import { Binder, RafLike, createBinder, isBadQuality, safeClassName } from './binder';
import { decideClick, findClickTarget } from './click';
import { createDialogs } from './dialog';
import { walk } from './dom';
import { WindowLike, createNavigator, screenOrder } from './navigator';
import { parseSvg } from './second-pass';
import { SnapshotLike, mergeDelta } from './snapshot';
import { screenCss } from './styles';
import { DEFAULT_TEXTS, TextKey, formatText } from './texts';

/** A screen as the snapshot carries it (lib/hmi/screen-state.ts ScreenView); checked on arrival. */
interface ScreenEntry {
  name: string;
  description?: string;
  parent?: string | null;
  svg: string;
  width?: number;
  height?: number;
  background?: string | null;
}

/** The snapshot as it arrives: nothing in it is trusted to have its declared shape. */
export interface Snapshot extends SnapshotLike {
  kind?: unknown;
  config?: { qualityClass?: unknown; readOnly?: unknown; start?: string | null; texts?: Record<string, unknown>; replaceLabels?: unknown } | null;
  screens?: ScreenEntry[];
  hasRecords?: boolean;
  records?: Record<string, RecordLike>;
}

export interface Confirmation {
  token?: unknown;
  tag?: unknown;
  screen?: unknown;
  description?: unknown;
  fromLabel?: unknown;
  toLabel?: unknown;
}

export interface ScreenOptions {
  send?: (msg: Record<string, unknown>) => void;
  doc?: Document;
  win?: (WindowLike & Window) | null;
  raf?: RafLike;
  /** SVG text → svg element (default: DOMParser and the second pass). */
  parse?: (text: string) => SVGSVGElement | null;
  /** Called after each render with the shown svg (null: none) and the bar. */
  onView?: (svg: SVGSVGElement | null, bar: HTMLElement) => void;
}

export interface MaraScreen {
  snapshot(snap: Snapshot): void;
  delta(d: DeltaLike): void;
  confirmation(c: Confirmation): void;
  current(): string | null;
  go(name: string): boolean;
  up(): boolean;
  binder(): Binder | null;
  dispose(): void;
}

interface CachedView {
  svgText: string;
  svg: SVGSVGElement | null;
  binder: Binder | null;
}
interface ShownView extends CachedView {
  svg: SVGSVGElement;
  binder: Binder;
}

/** Inline, !important: a drawing's root cannot leave the widget (position:fixed, z-index, transforms). */
const ROOT_STYLE = [
  ['position', 'absolute'],
  ['left', '0'],
  ['top', '0'],
  ['right', 'auto'],
  ['bottom', 'auto'],
  ['width', '100%'],
  ['height', '100%'],
  ['display', 'block'],
  ['z-index', 'auto'],
  ['transform', 'none'],
  ['margin', '0'],
  ['visibility', 'visible'],
  ['opacity', '1'],
];

/**
 * @param container the widget's element
 */
export function createMaraScreen(container: HTMLElement, o: ScreenOptions): MaraScreen {
  const doc: Document = o.doc || (container.ownerDocument as Document);
  const send = o.send || (() => {});
  const parse = o.parse || ((text: string) => parseSvg(doc, text));
  let store: Snapshot | null = null;
  let screens: Record<string, ScreenEntry> = Object.create(null);
  const cache: Record<string, CachedView> = Object.create(null);
  let view: ShownView | null = null;
  let disposed = false;

  function el(name: string, cls?: string, text?: string): HTMLElement {
    const e = doc.createElement(name);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function t(key: TextKey): string {
    const texts = store && store.config && store.config.texts;
    return texts && typeof texts[key] === 'string' ? (texts[key] as string) : DEFAULT_TEXTS[key];
  }
  const dialogs = createDialogs(doc, container, el);

  container.classList.add('mara-screen');
  while (container.firstChild) container.removeChild(container.firstChild);
  const style = el('style');
  container.appendChild(style);
  const bar = el('div', 'mara-bar');
  const upBtn = el('button', 'mara-up') as HTMLButtonElement;
  upBtn.type = 'button';
  const menu = el('select', 'mara-menu') as HTMLSelectElement;
  bar.appendChild(upBtn);
  bar.appendChild(menu);
  container.appendChild(bar);
  const holder = el('div', 'mara-view');
  // paint containment: nothing drawn inside (even position:fixed, filters, huge strokes) shows outside the view
  holder.style.setProperty('contain', 'paint', 'important');
  holder.style.setProperty('isolation', 'isolate', 'important');
  holder.style.setProperty('overflow', 'hidden', 'important');
  container.appendChild(holder);
  const message = el('div', 'mara-message', DEFAULT_TEXTS.waiting);
  holder.appendChild(message);
  let styledFor: string | null = null;

  function restyle(): void {
    const cls = (store && store.config && safeClassName(store.config.qualityClass)) || 'mara-bad-quality';
    if (cls !== styledFor) {
      style.textContent = screenCss(cls);
      styledFor = cls;
    }
  }
  restyle();

  const nav = createNavigator({
    win: o.win || null,
    exists: (n) => !!screens[n],
    parentOf: (n) => {
      const p = screens[n] ? screens[n].parent : null;
      return p && p !== n && screens[p] ? p : null;
    },
    show: render,
  });

  function readOnly(): boolean {
    return !!(store && store.config && store.config.readOnly);
  }

  // ---- rendering
  function screenView(name: string): CachedView {
    const s = screens[name];
    const c = cache[name];
    if (c && c.svgText === s.svg) return c;
    if (c && c.binder) c.binder.dispose();
    const svg = parse(s.svg);
    if (!svg) {
      cache[name] = { svgText: s.svg, svg: null, binder: null };
      return cache[name];
    }
    // docs/screens.md §5.7: viewBox from the root's size, aspect kept; the container takes the page colour
    if (!svg.getAttribute('viewBox') && (s.width as number) > 0 && (s.height as number) > 0) svg.setAttribute('viewBox', '0 0 ' + s.width + ' ' + s.height);
    svg.setAttribute('preserveAspectRatio', 'xMaxYMid meet');
    svg.setAttribute('width', '100%');
    svg.setAttribute('height', '100%');
    // the drawing stays in its box whatever its own style says (issue 10 item 7)
    ROOT_STYLE.forEach((d) => svg.style.setProperty(d[0], d[1], 'important'));
    const binder = createBinder(svg, { raf: o.raf, qualityClass: store && store.config && store.config.qualityClass, keepLabel });
    svg.addEventListener('click', (ev) => onClick(name, binder, ev));
    const shown: ShownView = { svgText: s.svg, svg, binder };
    cache[name] = shown;
    markClickable(shown);
    return shown;
  }

  /** `value` is the tag's static workbook text (record `s`) and the project does not replace drawing labels. */
  function keepLabel(key: string, value: unknown): boolean {
    const st = store as Snapshot;
    const r = st.records && st.records[key];
    return !!(r && typeof r.s === 'string') && r.s === String(value) && !(st.config && st.config.replaceLabels);
  }

  function markClickable(c: ShownView): void {
    const st = store as Snapshot;
    const recs = st.records || {};
    c.binder.keys().forEach((k) => {
      const r = recs[k];
      if (r || !st.hasRecords) (c.binder.node(k) as Element).classList.add('mara-clickable');
    });
    // a hot-spot to a screen that does not exist gets no pointer: clicking it does nothing (issue 12 item 8)
    walk(c.svg, (n) => {
      const to = n.getAttribute('jump-to');
      if (!to) return;
      if (Object.prototype.hasOwnProperty.call(screens, to)) n.classList.add('mara-clickable');
      else n.classList.remove('mara-clickable');
    });
  }

  function render(name: string): void {
    dialogs.close();
    const s = screens[name];
    const c = screenView(name);
    const st = store as Snapshot;
    while (holder.firstChild) holder.removeChild(holder.firstChild);
    holder.style.background = s.background && normaliseCssColour(String(s.background)) !== null ? s.background : '';
    if (!c.svg) {
      message.textContent = t('badSvg');
      holder.appendChild(message);
      view = null;
    } else {
      holder.appendChild(c.svg);
      view = c as ShownView;
      view.binder.applyAll(st.state, st.quality);
      view.binder.setAlarms(st.alarms);
    }
    send({ type: 'view', screen: name }); // the server accepts clicks only from the screen a client shows
    if (o.onView) o.onView(c.svg, bar);
    upBtn.disabled = !(s.parent && screens[s.parent] && s.parent !== name);
    menu.value = name;
  }

  function buildMenu() {
    while (menu.firstChild) menu.removeChild(menu.firstChild);
    const list = screenOrder(Object.keys(screens).map((n) => screens[n]));
    list.forEach((s) => {
      const opt = el(
        'option',
        '',
        new Array(s.depth + 1).join('\u00a0\u00a0') + s.name + (s.description ? ' \u2014 ' + s.description : ''),
      ) as HTMLOptionElement;
      opt.value = s.name;
      menu.appendChild(opt);
    });
    menu.title = t('screens');
    upBtn.textContent = t('up');
    upBtn.title = t('upTitle');
    bar.style.display = list.length > 1 ? '' : 'none';
    return list;
  }

  upBtn.addEventListener('click', () => nav.up());
  menu.addEventListener('change', () => nav.go(menu.value));

  // ---- clicks (docs/screens.md §6.5)
  function onClick(screenName: string, binder: Binder, ev: Event): void {
    if (disposed || !store) return;
    const st = store;
    const root = ev.currentTarget as Node | null;
    ev.preventDefault(); // local <a href="#id"> links must not rewrite the page's hash
    const found = findClickTarget(
      ev.target as Node | null,
      root,
      (k) => {
        if (!k || k === 'nopaint') return false;
        // binding by id: every node has one, so only ids the data knows about are clickable
        return binder.bindBy === 'tag' || !!(st.records && st.records[k]) || !!(st.state && st.state[k]);
      },
      binder.bindBy,
    );
    if (!found) return;
    const key = found.key;
    ev.stopPropagation();
    const rec = key && st.records ? st.records[key] : null;
    const d = decideClick({
      key,
      record: rec || null,
      jumpTo: found.jumpTo,
      readOnly: readOnly(),
      hasRecords: !!st.hasRecords,
      screenExists: (x) => !!screens[x],
    });
    send({ type: 'click', tag: key, screen: screenName, jump: d.action === 'jump' ? d.target : null });
    if (d.action === 'toggle') confirmToggle(key as string, screenName);
    else if (d.action === 'jump') nav.go(d.target);
    else if (d.action === 'info') info(key as string, rec, d.readOnly);
  }

  /**
   * A toggle is confirmed with the server (issue 10 item 8): the click asks, the server answers this client
   * alone with what it will change and a one-time token (`confirmation`), the dialog shows the server's
   * words, and only "Change" sends the token back. Cancel, Escape or another screen send nothing.
   */
  function confirmToggle(key: string, screenName: string): void {
    send({ type: 'toggle-request', tag: key, screen: screenName });
  }

  function confirmation(c: Confirmation): void {
    if (disposed || !store || !c || typeof c !== 'object') return;
    if (typeof c.token !== 'string' || typeof c.tag !== 'string' || c.screen !== nav.current()) return;
    const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 200) : '');
    const vars = { tag: c.tag, description: str(c.description), from: str(c.fromLabel), to: str(c.toLabel) };
    const token = c.token;
    dialogs.open(
      t('confirmTitle'),
      [formatText(t('confirm'), vars).replace(/\s+/g, ' ').trim()],
      [
        { label: t('cancel') },
        {
          label: formatText(t('change'), vars),
          primary: true,
          run: () => send({ type: 'toggle', token }),
        },
      ],
    );
  }

  function info(key: string, rec: RecordLike | null, ro?: boolean): void {
    const lines = [key + (rec && rec.d ? ' \u2014 ' + rec.d : '')];
    if (ro) lines.push(t('readOnly'));
    dialogs.open(key, lines, [{ label: t('close'), primary: true }]);
  }

  // ---- data
  function snapshot(snap: Snapshot): void {
    if (disposed || !snap || snap.kind !== 'mara-screen' || snap === store) return;
    store = snap;
    if (!store.state) store.state = {};
    if (!store.quality) store.quality = {};
    if (!store.records) store.records = {};
    restyle();
    const next: Record<string, ScreenEntry> = Object.create(null);
    (store.screens || []).forEach((s) => {
      if (s && typeof s.name === 'string' && typeof s.svg === 'string') next[s.name] = s;
    });
    screens = next; // before markClickable: a jump is clickable only to a screen of this snapshot
    Object.keys(cache).forEach((n) => {
      const c = cache[n];
      if (!next[n] || next[n].svg !== c.svgText) {
        if (c.binder) c.binder.dispose();
        delete cache[n];
      } else if (c.svg) markClickable(c as ShownView);
    });
    const list = buildMenu();
    nav.invalidate();
    if (!list.length) {
      while (holder.firstChild) holder.removeChild(holder.firstChild);
      message.textContent = t('waiting');
      holder.appendChild(message);
      view = null;
      return;
    }
    const start = store.config ? store.config.start : null;
    const fallback = store.screen && screens[store.screen] ? store.screen : start && screens[start] ? start : list[0].name;
    nav.start(fallback);
  }

  function delta(d: DeltaLike): void {
    if (disposed || !store || !d) return; // before the first snapshot: the snapshot that follows is current
    const touched = mergeDelta(store, d);
    if (view && view.binder) {
      const b = view.binder;
      const state = d.state as Record<string, Record<string, unknown>>;
      touched.forEach((tag) => {
        const ch = state[tag];
        Object.keys(ch).forEach((attr) => b.set(tag, attr, ch[attr]));
      });
      const q = d.quality || {};
      Object.keys(q).forEach((tag) => b.setQuality(tag, isBadQuality(q[tag])));
      if (Array.isArray(d.alarms)) b.setAlarms(store.alarms);
    }
    if (d.screen && typeof d.screen.name === 'string' && screens[d.screen.name]) nav.go(d.screen.name);
  }

  return {
    snapshot,
    delta,
    confirmation,
    current: () => nav.current(),
    go: (n) => nav.go(n),
    up: () => nav.up(),
    binder: () => (view ? view.binder : null),
    dispose() {
      disposed = true;
      dialogs.close();
      nav.dispose();
      Object.keys(cache).forEach((n) => {
        const b = cache[n].binder;
        if (b) b.dispose();
      });
    },
  };
}
