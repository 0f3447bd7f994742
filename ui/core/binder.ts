/**
 * Binder: state → DOM for one screen's `<svg>`. Nodes are bound by their `tag` attribute (or by `id` when the
 * drawing has no tag at all; first node per key in document order either way). Writes are coalesced per
 * animation frame and only changed values are written, through `textContent`, `style.setProperty` of
 * allowlisted properties with checked values (lib/hmi/safe-attr.ts), and `classList`.
 *
 * Text display rule (docs/screens.md §5.6) is applied HERE, at paint time: the server keeps the element's raw
 * text (a toggle compares it with its keys, formulas read it), the browser shows `displayText(raw)`.
 */
import { normaliseCssColour } from '../../lib/hmi/colours';
import { isSafeAttributeName, isSafeAttributeValue } from '../../lib/hmi/safe-attr';
import { displayText } from '../../lib/hmi/text';
import { localNameOf, walk } from './dom';
import { ALARM_CLASS } from './styles';

export type BindBy = 'tag' | 'id';
export type RafLike = (fn: () => void) => unknown;

export interface BinderOptions {
  raf?: RafLike;
  qualityClass?: unknown;
  bindBy?: unknown;
  /** True when `value` is a static workbook text that leaves a drawing label that has text alone (issue 12 item 5). */
  keepLabel?: (key: string, value: unknown) => boolean;
}

export interface Binder {
  bindBy: BindBy;
  size(): number;
  has(key: string): boolean;
  node(key: string): Element | null;
  keys(): string[];
  keyOf(el: Element | null): string | null;
  set(key: string, attr: string, value: unknown): boolean;
  setQuality(key: string, bad: unknown): boolean;
  /** Blinks the bound nodes of `tags` (the other bound nodes stop); returns how many blink. Only indexed keys are touched. */
  setAlarms(tags: unknown): number;
  applyAll(state?: Record<string, Record<string, unknown>> | null, quality?: Record<string, string> | null): void;
  flush(): number;
  pending(): number;
  stats: { writes: number; flushes: number };
  dispose(): void;
}

/** Of the allowlisted names, the ones the binder writes as CSS properties (class/transform never from data). */
export function isStyleProperty(name: unknown): name is string {
  return isSafeAttributeName(name) && name !== 'class' && name !== 'transform';
}

/** The CSS value to write for `prop`, or null when the value is not plain: colours canonical (lower case). */
export function safeCssValue(prop: string, value: unknown): string | null {
  if (typeof value !== 'string') return null;
  if (prop === 'fill' || prop === 'stroke') return normaliseCssColour(value);
  return isSafeAttributeValue(prop, value) ? value.trim() : null;
}

const CLASS_RE = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
export function safeClassName(name: unknown): string | null {
  return typeof name === 'string' && CLASS_RE.test(name) ? name : null;
}

export function isBadQuality(q: unknown): boolean {
  return !!q && q !== 'good';
}

function hasRealTag(el: Element): boolean {
  const t = el.getAttribute('tag');
  return !!t && t !== 'nopaint';
}

/** 'tag' if any node carries a real `tag` attribute, else 'id' (screens drawn without tags). */
export function detectBindBy(root: Element): BindBy {
  let found = false;
  walk(root, (el) => {
    if (found) return false;
    if (hasRealTag(el)) found = true;
    return !found;
  });
  return found ? 'tag' : 'id';
}

const TEXT_ELEMENTS: Record<string, true> = { text: true, tspan: true, textPath: true, flowPara: true, flowSpan: true, title: true };

function defaultRaf(fn: () => void): unknown {
  if (typeof requestAnimationFrame === 'function') return requestAnimationFrame(fn);
  return setTimeout(fn, 16);
}

const UNSET: unique symbol = Symbol('unset');
type Want<T> = T | typeof UNSET;
type Memo = [string, string][];

/** One fixed-shape record per bound node: what is wanted (UNSET = nothing pending), what is applied. */
class Entry {
  group: boolean;
  textual: boolean;
  targets: Element[] | null = null;
  queued = false;
  wText: Want<string | null> = UNSET;
  wFill: Want<string | null> = UNSET;
  wStroke: Want<string | null> = UNSET;
  wBad: Want<boolean> = UNSET;
  wAlarm: Want<boolean> = UNSET;
  wOther: Record<string, string | null> | null = null;
  aText: string | undefined = undefined;
  aFill: string | undefined = undefined;
  aStroke: string | undefined = undefined;
  aOther: Record<string, string> | null = null;
  origFill: Memo | null = null;
  origStroke: Memo | null = null;
  origOther: Record<string, Memo> | null = null;
  origChildren: ChildNode[] | null = null;
  origText: string | null = null;
  lines: Element[] | null = null;
  lineTexts: (string | null)[] | null = null;
  bad = false;
  alarm = false;
  constructor(
    readonly node: Element,
    name: string,
  ) {
    this.group = name === 'g';
    this.textual = TEXT_ELEMENTS[name] === true;
  }
}

const styleOf = (el: Element): CSSStyleDeclaration => (el as SVGElement).style;

/**
 * @param root the screen's `<svg>` element
 */
export function createBinder(root: Element, o: BinderOptions = {}): Binder {
  const raf = o.raf || defaultRaf;
  const qualityClass = safeClassName(o.qualityClass) || 'mara-bad-quality';
  const bindBy: BindBy = o.bindBy === 'tag' || o.bindBy === 'id' ? o.bindBy : detectBindBy(root);
  const index: Record<string, Entry> = Object.create(null);
  let count = 0;
  let pending: Entry[] = [];
  let scheduled = false;
  let disposed = false;
  const stats = { writes: 0, flushes: 0 };

  walk(root, (el) => {
    const key = el.getAttribute(bindBy);
    if (!key || key === 'nopaint' || index[key]) return;
    el.classList.remove(ALARM_CLASS); // only the data blinks a node
    index[key] = new Entry(el, localNameOf(el));
    count++;
  });

  /** Paint targets: the node, or for a `<g>` every descendant path/rect outside `tag="nopaint"` (docs/screens.md §5.1, docs/screens.md §5.3). */
  function targetsOf(e: Entry): Element[] {
    if (e.targets) return e.targets;
    if (!e.group) return (e.targets = [e.node]);
    const list: Element[] = [];
    walk(e.node, (el) => {
      if (el !== e.node && el.getAttribute('tag') === 'nopaint') return false;
      const n = localNameOf(el);
      if (n === 'path' || n === 'rect') list.push(el);
    });
    return (e.targets = list);
  }

  /** Writes `css` (null: the drawing's own inline value back, or none) on every target; `memo` keeps the originals. */
  function writeStyle(e: Entry, prop: string, css: string | null, memo: Memo): void {
    const ts = targetsOf(e);
    for (let i = 0; i < ts.length; i++) {
      const st = styleOf(ts[i]);
      if (memo[i] === undefined) memo[i] = [st.getPropertyValue(prop), st.getPropertyPriority(prop)];
      if (css === null) {
        if (memo[i][0]) st.setProperty(prop, memo[i][0], memo[i][1]);
        else st.removeProperty(prop);
      } else st.setProperty(prop, css);
      stats.writes++;
    }
  }

  /** The drawing's own text of a label (before any write), trimmed. */
  function ownText(e: Entry): boolean {
    if (e.origText === null) e.origText = String(e.node.textContent || '').trim();
    return e.origText !== '';
  }

  /** The label's lines: its direct `<tspan>` children (Inkscape writes one per line), or none. */
  function linesOf(el: Element): Element[] {
    const out: Element[] = [];
    for (let i = 0; i < el.childNodes.length; i++) {
      const n = el.childNodes[i];
      if (n.nodeType === 1 && localNameOf(n as Element) === 'tspan') out.push(n as Element);
    }
    return out;
  }

  function writeText(e: Entry, value: string | null): void {
    const el = e.node;
    if (!e.origChildren) {
      if (e.origText === null) e.origText = String(el.textContent || '').trim();
      e.origChildren = [];
      for (let j = 0; j < el.childNodes.length; j++) e.origChildren.push(el.childNodes[j]);
      // a label drawn as lines (two or more tspans, as Inkscape writes them) keeps them: line n of a text goes
      // into tspan n (its position and style), the rest on the last line; a one-line text on the first line
      const lines = linesOf(el);
      if (lines.length > 1) {
        e.lines = lines;
        e.lineTexts = lines.map((t) => t.textContent);
      }
    }
    if (e.lines) {
      const parts = value === null ? (e.lineTexts as (string | null)[]) : String(value).split('\n');
      for (let k = 0; k < e.lines.length; k++) {
        e.lines[k].textContent = value === null ? parts[k] : k < parts.length ? (k === e.lines.length - 1 ? parts.slice(k).join(' ') : parts[k]) : '';
      }
      stats.writes++;
      return;
    }
    if (value === null) {
      while (el.firstChild) el.removeChild(el.firstChild);
      for (let i = 0; i < e.origChildren.length; i++) el.appendChild(e.origChildren[i]);
      stats.writes++;
      return;
    }
    el.textContent = value;
    stats.writes++;
  }

  function applyOne(e: Entry): void {
    e.queued = false;
    if (e.wText !== UNSET) {
      const v = e.wText;
      e.wText = UNSET;
      if (v !== (e.aText === undefined ? null : e.aText)) {
        e.aText = v === null ? undefined : v;
        writeText(e, v);
      }
    }
    if (e.wFill !== UNSET) {
      const v = e.wFill;
      e.wFill = UNSET;
      if (v !== (e.aFill === undefined ? null : e.aFill)) {
        e.aFill = v === null ? undefined : v;
        writeStyle(e, 'fill', v, e.origFill || (e.origFill = []));
      }
    }
    if (e.wStroke !== UNSET) {
      const v = e.wStroke;
      e.wStroke = UNSET;
      if (v !== (e.aStroke === undefined ? null : e.aStroke)) {
        e.aStroke = v === null ? undefined : v;
        writeStyle(e, 'stroke', v, e.origStroke || (e.origStroke = []));
      }
    }
    if (e.wOther) {
      const w = e.wOther;
      e.wOther = null;
      for (const prop in w) {
        const v = w[prop];
        const applied = e.aOther || (e.aOther = Object.create(null) as Record<string, string>);
        if (v === (prop in applied ? applied[prop] : null)) continue;
        if (v === null) delete applied[prop];
        else applied[prop] = v;
        const memos = e.origOther || (e.origOther = Object.create(null) as Record<string, Memo>);
        writeStyle(e, prop, v, memos[prop] || (memos[prop] = []));
      }
    }
    if (e.wBad !== UNSET) {
      const v = e.wBad;
      e.wBad = UNSET;
      if (v !== e.bad) {
        e.bad = v;
        if (v) e.node.classList.add(qualityClass);
        else e.node.classList.remove(qualityClass);
        stats.writes++;
      }
    }
  }

  function applyAlarm(e: Entry): void {
    if (e.wAlarm === UNSET) return;
    const v = e.wAlarm;
    e.wAlarm = UNSET;
    if (v === e.alarm) return;
    e.alarm = v;
    if (v) e.node.classList.add(ALARM_CLASS);
    else e.node.classList.remove(ALARM_CLASS);
    stats.writes++;
  }

  function flush(): number {
    scheduled = false;
    if (disposed) return 0;
    const before = stats.writes;
    const list = pending;
    pending = [];
    for (let i = 0; i < list.length; i++) {
      applyOne(list[i]);
      applyAlarm(list[i]);
    }
    stats.flushes++;
    return stats.writes - before;
  }

  function mark(e: Entry): void {
    if (!e.queued) {
      e.queued = true;
      pending.push(e);
    }
    if (!scheduled && !disposed) {
      scheduled = true;
      raf(flush);
    }
  }

  /** Wants `attr` of `key` to be `value` (text: raw text; fill/stroke: CSS colour; null: the drawing's). */
  function set(key: string, attr: string, value: unknown): boolean {
    const e = index[key];
    if (!e) return false;
    const none = value === null || value === undefined;
    if (attr === 'text') {
      if (!e.textual) return false;
      // a static workbook text (no formula, no point, no toggle drives it) leaves a drawing label that has text
      // alone, unless the project asks for the workbook's texts (issue 12 item 5)
      // (only while the drawing's text shows: a live value written since is replaced as usual)
      if (!none && o.keepLabel && e.aText === undefined && o.keepLabel(key, value) && ownText(e)) return false;
      e.wText = none ? null : displayText(value);
    } else if (isStyleProperty(attr)) {
      let v: string | null;
      if (none) v = null;
      else {
        v = safeCssValue(attr, String(value));
        if (v === null) return false;
      }
      if (attr === 'fill') e.wFill = v;
      else if (attr === 'stroke') e.wStroke = v;
      else (e.wOther || (e.wOther = Object.create(null) as Record<string, string | null>))[attr] = v;
    } else return false;
    mark(e);
    return true;
  }

  function setQuality(key: string, bad: unknown): boolean {
    const e = index[key];
    if (!e) return false;
    e.wBad = !!bad;
    mark(e);
    return true;
  }

  /** The keys to blink: the strings of `tags` that this screen indexed (looked up in the index, never used as selectors). */
  function setAlarms(tags: unknown): number {
    const want: Record<string, true> = Object.create(null);
    if (Array.isArray(tags)) for (let i = 0; i < tags.length && i < 100000; i++) if (typeof tags[i] === 'string' && index[tags[i]]) want[tags[i]] = true;
    let n = 0;
    Object.keys(index).forEach((key) => {
      const e = index[key];
      const on = want[key] === true;
      if (on) n++;
      if (on === (e.wAlarm === UNSET ? e.alarm : e.wAlarm)) return;
      e.wAlarm = on;
      mark(e);
    });
    return n;
  }

  /** Everything at once (screen entry, snapshot): attributes absent from `state` go back to the drawing. */
  function applyAll(state?: Record<string, Record<string, unknown>> | null, quality?: Record<string, string> | null): void {
    const st = state || {};
    const qs = quality || {};
    Object.keys(index).forEach((key) => {
      const s = Object.prototype.hasOwnProperty.call(st, key) ? st[key] : null;
      const e = index[key];
      const attrs: Record<string, true> = Object.create(null);
      if (e.aText !== undefined) attrs.text = true;
      if (e.aFill !== undefined) attrs.fill = true;
      if (e.aStroke !== undefined) attrs.stroke = true;
      if (e.aOther) Object.keys(e.aOther).forEach((a) => (attrs[a] = true));
      if (s) Object.keys(s).forEach((a) => (attrs[a] = true));
      Object.keys(attrs).forEach((a) => {
        set(key, a, s && s[a] !== undefined ? s[a] : null);
      });
      const q = Object.prototype.hasOwnProperty.call(qs, key) ? qs[key] : null;
      if (q || e.bad) setQuality(key, isBadQuality(q));
    });
  }

  return {
    bindBy,
    size: () => count,
    has: (key) => !!index[key],
    node: (key) => (index[key] ? index[key].node : null),
    keys: () => Object.keys(index),
    keyOf: (el) => (el && el.getAttribute ? el.getAttribute(bindBy) : null),
    set,
    setQuality,
    setAlarms,
    applyAll,
    flush,
    pending: () => pending.length,
    stats,
    dispose() {
      disposed = true;
      for (let i = 0; i < pending.length; i++) pending[i].queued = false;
      pending = [];
    },
  };
}
