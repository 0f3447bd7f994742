/**
 * A minimal DOM, enough for the binder, navigator and click logic of the browser bundle (ui/) to run in Node: elements
 * with attributes, childNodes, textContent, style (setProperty/removeProperty with a write log), classList and
 * events. Built from SVG text with the package's own XML parser. Not a general DOM: just what the file uses.
 */
import vm from 'node:vm';
import fs from 'node:fs';
import path from 'node:path';
import { parseXml, XmlElement } from '../../lib/svg/xml';

export const SVG_NS = 'http://www.w3.org/2000/svg';

/** Every style write, in order: [element id or tag, property, value or null for a removal]. */
export type StyleLog = [string, string, string | null][];

export class FakeStyle {
  private props = new Map<string, [string, string]>();
  constructor(
    private readonly owner: FakeElement,
    private readonly log: StyleLog,
  ) {}
  setProperty(name: string, value: string, priority = ''): void {
    this.props.set(name, [value, priority]);
    this.log.push([this.owner.label(), name, value]);
  }
  removeProperty(name: string): string {
    const old = this.getPropertyValue(name);
    this.props.delete(name);
    this.log.push([this.owner.label(), name, null]);
    return old;
  }
  /** The drawing's own inline declarations (`style="fill:#fc0;stroke:none"`), not logged as writes. */
  load(text: string): void {
    for (const d of text.split(';')) {
      const i = d.indexOf(':');
      if (i > 0) this.props.set(d.slice(0, i).trim(), [d.slice(i + 1).trim(), '']);
    }
  }
  getPropertyValue(name: string): string {
    return this.props.get(name)?.[0] ?? '';
  }
  getPropertyPriority(name: string): string {
    return this.props.get(name)?.[1] ?? '';
  }
}

export class FakeClassList {
  private set = new Set<string>();
  add(...c: string[]): void {
    for (const x of c) this.set.add(x);
  }
  remove(...c: string[]): void {
    for (const x of c) this.set.delete(x);
  }
  contains(c: string): boolean {
    return this.set.has(c);
  }
  toArray(): string[] {
    return [...this.set];
  }
}

export class FakeText {
  readonly nodeType = 3;
  parentNode: FakeElement | null = null;
  constructor(public data: string) {}
  get textContent(): string {
    return this.data;
  }
}

type Child = FakeElement | FakeText;

export class FakeAttr {
  constructor(
    public name: string,
    public value: string,
  ) {}
  get localName(): string {
    const i = this.name.indexOf(':');
    return i >= 0 ? this.name.slice(i + 1) : this.name;
  }
}

export class FakeElement {
  readonly nodeType = 1;
  parentNode: FakeElement | null = null;
  childNodes: Child[] = [];
  attributes: FakeAttr[] = [];
  readonly style: FakeStyle;
  readonly classList = new FakeClassList();
  private listeners = new Map<string, ((ev: unknown) => void)[]>();
  textWrites = 0;

  constructor(
    public localName: string,
    public namespaceURI: string | null,
    log: StyleLog,
  ) {
    this.style = new FakeStyle(this, log);
  }
  label(): string {
    return this.getAttribute('id') ?? this.getAttribute('tag') ?? this.localName;
  }
  getAttribute(n: string): string | null {
    const a = this.attributes.find((x) => x.name === n);
    return a ? a.value : null;
  }
  setAttribute(n: string, v: string): void {
    const a = this.attributes.find((x) => x.name === n);
    if (a) a.value = String(v);
    else this.attributes.push(new FakeAttr(n, String(v)));
  }
  hasAttribute(n: string): boolean {
    return this.getAttribute(n) !== null;
  }
  removeAttributeNode(a: FakeAttr): void {
    this.attributes = this.attributes.filter((x) => x !== a);
  }
  get firstChild(): Child | null {
    return this.childNodes[0] ?? null;
  }
  appendChild<T extends Child>(c: T): T {
    if (c.parentNode) c.parentNode.removeChild(c);
    c.parentNode = this;
    this.childNodes.push(c);
    return c;
  }
  removeChild<T extends Child>(c: T): T {
    const i = this.childNodes.indexOf(c);
    if (i >= 0) this.childNodes.splice(i, 1);
    c.parentNode = null;
    return c;
  }
  get textContent(): string {
    return this.childNodes.map((c) => c.textContent).join('');
  }
  set textContent(v: string) {
    for (const c of this.childNodes) c.parentNode = null;
    this.childNodes = [];
    this.textWrites++;
    if (v !== '') this.appendChild(new FakeText(v));
  }
  get children(): FakeElement[] {
    return this.childNodes.filter((c): c is FakeElement => c.nodeType === 1);
  }
  addEventListener(type: string, f: (ev: unknown) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), f]);
  }
  removeEventListener(type: string, f: (ev: unknown) => void): void {
    this.listeners.set(
      type,
      (this.listeners.get(type) ?? []).filter((x) => x !== f),
    );
  }
  /** Elements below (and including) this one, in document order. */
  all(): FakeElement[] {
    const out: FakeElement[] = [];
    const visit = (e: FakeElement) => {
      out.push(e);
      for (const c of e.children) visit(c);
    };
    visit(this);
    return out;
  }
  byId(id: string): FakeElement {
    const e = this.all().find((x) => x.getAttribute('id') === id);
    if (!e) throw new Error(`no element with id ${id}`);
    return e;
  }
}

/** SVG text → fake element tree; `log` receives every style write. */
export function fakeSvg(svg: string, log: StyleLog = []): FakeElement {
  const r = parseXml(svg);
  if (!r.ok) throw new Error(r.error);
  const build = (x: XmlElement): FakeElement => {
    const el = new FakeElement(x.local, x.ns ?? SVG_NS, log);
    for (const a of x.attributes) {
      el.attributes.push(new FakeAttr(a.name, a.value));
      if (a.name === 'style') el.style.load(a.value);
    }
    for (const c of x.children) {
      if (c.kind === 'element') el.appendChild(build(c));
      else if (c.kind === 'text') el.appendChild(new FakeText(c.value));
    }
    return el;
  };
  return build(r.doc.root);
}

/** A window-like object: location.hash, history (back/forward/replaceState) and hashchange events. */
export class FakeWindow {
  private entries: string[] = [''];
  private pos = 0;
  private listeners: (() => void)[] = [];
  readonly location: { hash: string };
  readonly history: { back(): void; forward(): void; replaceState(s: unknown, t: string, h: string): void; state: unknown };

  constructor(initial = '') {
    this.entries = [initial];
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getters below run with `this` = the location object
    const self = this;
    this.location = {
      get hash() {
        return self.entries[self.pos];
      },
      set hash(h: string) {
        const v = h.startsWith('#') || h === '' ? h : `#${h}`;
        if (v === self.entries[self.pos]) return;
        self.entries = self.entries.slice(0, self.pos + 1);
        self.entries.push(v);
        self.pos++;
        self.fire();
      },
    };
    this.history = {
      state: null,
      back() {
        if (self.pos > 0) {
          self.pos--;
          self.fire();
        }
      },
      forward() {
        if (self.pos < self.entries.length - 1) {
          self.pos++;
          self.fire();
        }
      },
      replaceState(_s: unknown, _t: string, h: string) {
        self.entries[self.pos] = h;
      },
    };
  }
  get length(): number {
    return this.entries.length;
  }
  addEventListener(type: string, f: () => void): void {
    if (type === 'hashchange') this.listeners.push(f);
  }
  removeEventListener(type: string, f: () => void): void {
    if (type === 'hashchange') this.listeners = this.listeners.filter((x) => x !== f);
  }
  /** hashchange is asynchronous in browsers; the tests call `settle()` to deliver it. */
  private queued = 0;
  private fire(): void {
    this.queued++;
  }
  settle(): void {
    while (this.queued > 0) {
      this.queued--;
      for (const f of [...this.listeners]) f();
    }
  }
}

/** A requestAnimationFrame that only runs when the test says so. */
export function manualRaf(): { raf: (f: () => void) => number; frames: () => number; run: () => void } {
  let queue: (() => void)[] = [];
  let requested = 0;
  return {
    raf: (f) => {
      queue.push(f);
      return ++requested;
    },
    frames: () => queue.length,
    run: () => {
      const q = queue;
      queue = [];
      for (const f of q) f();
    },
  };
}

/** The bundle the dashboard loads (scripts/build.js makes it from ui/; `npm test` builds first). */
export const UI_FILE = path.resolve(__dirname, '../../dist/ui/mara-screen.js');

/** Evaluates the browser bundle in a fresh context (no DOM globals) and returns its `MaraScreenUI`. */
export function loadUi(): any {
  const ctx = vm.createContext({ setTimeout, clearTimeout });
  vm.runInContext(fs.readFileSync(UI_FILE, 'utf8'), ctx, { filename: UI_FILE });
  return (ctx as { MaraScreenUI?: unknown }).MaraScreenUI;
}
