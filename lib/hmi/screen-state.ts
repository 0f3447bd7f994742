/**
 * Server-side state of an operator-screen widget (docs/screens.md §5, docs/screens.md §6): the screens to show, the element records
 * clicks need, and a snapshot of every element attribute and point quality, with the changes since the last
 * emission collected as a delta. No Node-RED, no dashboard: the ui_mara_screen node (Dashboard 1) wraps it, and a
 * Dashboard 2 widget can reuse it as is.
 *
 * The snapshot is ONE object, mutated in place: whoever stores it for replay (Dashboard 1 keeps the reference)
 * always replays the current state; deltas carry absolute values, so a delta that reaches a client after a
 * snapshot that already contains it changes nothing.
 *
 * Values in the snapshot are what the browser paints: `text` the element's raw text (the browser applies the
 * display rule of docs/screens.md §5.6), `fill`/`stroke` a CSS colour (table indexes resolved with `colourCss`, strict CSS
 * colours accepted), absent = the drawing's own. Quality: only tags whose quality is not good are listed.
 */
import { isTag } from '../project/tag';
import { colourCss, ColourTable, DEFAULT_COLOUR_TABLE } from './colours';
import { parseToggle, Toggle } from './toggle';

export type ScreenAttr = 'text' | 'fill' | 'stroke';
export const SCREEN_ATTRS: readonly ScreenAttr[] = ['text', 'fill', 'stroke'];

/** One screen as the browser gets it: sanitised SVG text plus what docs/screens.md §5.7 needs. */
export interface ScreenView {
  name: string;
  description: string;
  parent: string | null;
  svg: string;
  width: number;
  height: number;
  background: string | null;
}

/** What a click needs to know about an element: description, toggle options, jump target. */
export interface ScreenRecord {
  d: string;
  /** Toggle options `[[key, label], [key, label]]` (docs/screens.md §6.4). */
  t?: [[string, string], [string, string]];
  /** Screen to open on click (`on_click_jump`). */
  j?: string;
  /** The element's static workbook text (nothing computes it): not painted over a drawing label with text. */
  s?: string;
}

export interface ScreenConfig {
  qualityClass: string;
  readOnly: boolean;
  start: string | null;
  texts?: Record<string, string>;
  /** The project asks for the workbook's static texts over the drawing's labels (mara-project option). */
  replaceLabels?: boolean;
}

export type AttrValues = { text?: string; fill?: string; stroke?: string };

export interface ScreenSnapshot {
  kind: 'mara-screen';
  v: 1;
  seq: number;
  config: ScreenConfig;
  screens: ScreenView[];
  /** True in project mode: tags without a record show no dialog. */
  hasRecords: boolean;
  records: Record<string, ScreenRecord>;
  state: Record<string, AttrValues>;
  quality: Record<string, string>;
  /** Screen every client was switched to by a `screen` msg, or null. */
  screen: string | null;
  /** Tags of the elements with an unattended alarm (the browser blinks them), sorted; absent = none. */
  alarms?: string[];
}

export interface ScreenDelta {
  seq: number;
  state?: Record<string, Partial<Record<ScreenAttr, string | null>>>;
  quality?: Record<string, string | null>;
  screen?: { name: string };
  /** The whole new list of alarm tags, when it changed. */
  alarms?: string[];
}

/** An element as the project model has it (lib/project/model.ts Element), or a subset of it. */
export interface ElementLike {
  tag: string;
  description?: string;
  text?: string | number | null;
  fill?: number | string | null;
  stroke?: number | string | null;
  screen?: string;
  disabled?: boolean;
  onClickJump?: string | null;
  onClickTextToggle?: string | null;
  linkedTextChange?: string[];
}

export type ToggleResult =
  { ok: true; tag: string; previous: string; value: string; writes: { tag: string; attr: 'text'; value: string }[] } | { ok: false; message: string };

const MAX_TEXT = 1000;
/** Distinct tags kept before the screens are known (item 10: state is bounded). */
export const MAX_UNKNOWN_TAGS = 10_000;
const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** Tags: the one grammar of lib/project/tag.ts (what the sanitiser lets through, no __proto__ & co). */
export function isValidTag(tag: unknown): tag is string {
  return isTag(tag);
}

/** Quality of a point change: `quality` (good / questionable / invalid / bad / uncertain / stale) or `q` (0 = good). */
export function qualityOf(item: { quality?: unknown; q?: unknown }): string | null {
  if (typeof item.quality === 'string' && /^[a-z]{1,16}$/.test(item.quality)) return item.quality;
  if (typeof item.q === 'number') return item.q === 0 ? 'good' : 'invalid';
  return null;
}

const QUALITY_RANK = new Map([
  ['good', 0],
  ['questionable', 1],
]);

/** The worse of two qualities (absent = good; anything but good / questionable counts as invalid). */
export function worseQuality(a: string | undefined, b: string | undefined): string {
  const ra = a === undefined ? 0 : (QUALITY_RANK.get(a) ?? 2);
  const rb = b === undefined ? 0 : (QUALITY_RANK.get(b) ?? 2);
  return (ra >= rb ? a : b) ?? 'good';
}

/** An object keyed by tag: no prototype, so no tag reads an inherited member (it serialises like `{}`). */
function tagKeyed<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

export class ScreenState {
  readonly snapshot: ScreenSnapshot;
  private colours: ColourTable;
  private readonly log: (m: string) => void;
  private toggles = new Map<string, Toggle>();
  private linked = new Map<string, string[]>();
  private disabled = new Set<string>();
  // keyed by tag (input): null-prototype objects, so a tag such as `toString` is a key like any other (same JSON)
  private pendingState: Record<string, Partial<Record<ScreenAttr, string | null>>> = tagKeyed();
  private pendingQuality: Record<string, string | null> = tagKeyed();
  private pendingScreen: string | null = null;
  private pendingAlarms = false;
  /** The project's alarm tags as last given (setAlarms): filtered again when the known tags change. */
  private alarmSource: readonly string[] = [];
  private pendingCount = 0;
  /**
   * Quality by source: the points (mara-points: `{tag, table: 'di'|'ai'|'sv', quality}`) and the elements
   * (mara-formula: `{tag, table: 'eg', quality}`, the worst of what its formulas read). A tag shows the worse.
   */
  private pointQuality = new Map<string, string>();
  private elementQuality = new Map<string, string>();
  /** Tags the state may hold (item 10), or null before the screens are known (then at most MAX_UNKNOWN_TAGS). */
  private known: ReadonlySet<string> | null = null;
  private unknownCount = 0;
  private readonly unknownTags = new Set<string>();
  private readonly early = new Set<string>();

  constructor(opts: { config: ScreenConfig; colours?: ColourTable | null; log?: (m: string) => void }) {
    this.colours = opts.colours ?? DEFAULT_COLOUR_TABLE;
    // one stable function per state: colourCss logs each bad index once per logger
    const log = opts.log ?? (() => undefined);
    this.log = (m: string) => log(m);
    this.snapshot = {
      kind: 'mara-screen',
      v: 1,
      seq: 0,
      config: { ...opts.config },
      screens: [],
      hasRecords: false,
      records: tagKeyed(),
      state: tagKeyed(),
      quality: tagKeyed(),
      screen: null,
    };
  }

  setColours(table: ColourTable | null | undefined): void {
    this.colours = table && (Array.isArray(table) ? table.length : true) ? table : DEFAULT_COLOUR_TABLE;
  }

  setScreens(views: ScreenView[]): void {
    this.snapshot.screens = views;
    if (this.snapshot.screen && !views.some((v) => v.name === this.snapshot.screen)) this.snapshot.screen = null;
  }

  screenNames(): string[] {
    return this.snapshot.screens.map((s) => s.name);
  }

  hasScreen(name: unknown): name is string {
    return typeof name === 'string' && this.snapshot.screens.some((s) => s.name === name);
  }

  /**
   * The element records (project mode). Elements seen for the first time get their workbook values as the
   * initial state (an empty text leaves the drawing's text); elements already in the state keep their live
   * values. Disabled elements are neither listed nor painted (docs/screens.md §5.2).
   */
  setElements(elements: readonly ElementLike[], formulas: readonly { tag: string; attr: string }[] = []): void {
    // an attribute a formula computes has no value until the formula gives one (mara-formula sends it):
    // the workbook's cached value is not live data, so it is not painted meanwhile (docs/formulas.md §1.2 fix)
    const computed = new Set(formulas.map((f) => `${f.tag}.${f.attr}`));
    const records: Record<string, ScreenRecord> = tagKeyed();
    const toggles = new Map<string, Toggle>();
    const linked = new Map<string, string[]>();
    const disabled = new Set<string>();
    const byTag = new Map<string, ElementLike>();
    for (const e of elements) {
      if (!e || !isValidTag(e.tag)) continue;
      if (e.disabled) {
        disabled.add(e.tag);
        continue;
      }
      byTag.set(e.tag, e);
    }
    const linkTargets = new Set<string>();
    for (const e of byTag.values()) for (const t of e.linkedTextChange ?? []) linkTargets.add(t);
    for (const [tag, e] of byTag) {
      const rec: ScreenRecord = { d: typeof e.description === 'string' ? e.description.slice(0, 200) : '' };
      const tg = e.onClickTextToggle ? parseToggle(e.onClickTextToggle) : null;
      if (tg) {
        rec.t = [
          [tg.options[0].key, tg.options[0].label],
          [tg.options[1].key, tg.options[1].label],
        ];
        toggles.set(tag, tg);
      }
      if (typeof e.onClickJump === 'string' && e.onClickJump) rec.j = e.onClickJump;
      const links = (e.linkedTextChange ?? []).filter((t) => t !== tag && byTag.has(t) && (byTag.get(t)!.screen ?? '') === (e.screen ?? ''));
      if (links.length) linked.set(tag, links);
      records[tag] = rec;
      // a static text (no formula, no toggle, no linked text writes it): the browser leaves a drawing label that
      // has its own text as drawn (issue 12 item 5), unless the project replaces labels
      if (e.text !== null && e.text !== undefined && String(e.text) !== '' && !computed.has(`${tag}.text`) && !tg && !linkTargets.has(tag))
        rec.s = String(e.text).slice(0, 200);
      if (!own(this.snapshot.state, tag)) {
        const init: Partial<Record<ScreenAttr, unknown>> = {};
        if (e.text !== null && e.text !== undefined && String(e.text) !== '') init.text = e.text;
        if (e.fill !== null && e.fill !== undefined) init.fill = e.fill;
        if (e.stroke !== null && e.stroke !== undefined) init.stroke = e.stroke;
        for (const attr of SCREEN_ATTRS) if (own(init, attr) && !computed.has(`${tag}.${attr}`)) this.set(tag, attr, init[attr], false);
      }
    }
    // until mara-formula says otherwise, an element with a computed attribute is of unknown quality: greyed
    for (const f of formulas) {
      if (!byTag.has(f.tag) || this.elementQuality.has(f.tag)) continue;
      this.elementQuality.set(f.tag, 'invalid');
      this.setQuality(f.tag, worseQuality(this.pointQuality.get(f.tag), 'invalid'));
    }
    for (const tag of disabled) {
      delete this.snapshot.state[tag];
      delete this.snapshot.quality[tag];
    }
    this.snapshot.records = records;
    this.snapshot.hasRecords = true;
    this.toggles = toggles;
    this.linked = linked;
    this.disabled = disabled;
    this.setAlarms(this.alarmSource);
  }

  /**
   * The value the browser paints for `attr` = `value`: a string, null for "the drawing's own", or undefined when
   * the value is unusable (the attribute then keeps its current value).
   */
  resolve(attr: ScreenAttr, value: unknown): string | null | undefined {
    if (value === null || value === undefined) return null;
    if (attr === 'text') {
      if (typeof value === 'string') return value.length > MAX_TEXT ? value.slice(0, MAX_TEXT) : value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      return undefined;
    }
    if (typeof value !== 'number' && typeof value !== 'string') return undefined;
    // 0, '0' and '' are "no colour" (compat: index 0 is never painted, docs/screens.md §5.3): back to the drawing
    if (value === 0 || (typeof value === 'string' && /^0*$/.test(value.trim()))) return null; // (/^\s*0*\s*$/ backtracked: 29 s on 100 KB)
    // an index missing from the table, a fraction or a string that is no strict CSS colour is ignored
    // (colourCss logs it once), not taken as "back to the drawing"
    return colourCss(value, this.colours, this.log) ?? undefined;
  }

  /**
   * Restricts the state to `tags` (the screens' keys and the project's elements): state kept for any other tag is
   * dropped now, and changes for them are refused and counted (`takeUnknown`). Before this is called, at most
   * MAX_UNKNOWN_TAGS distinct tags are kept.
   */
  setKnownTags(tags: ReadonlySet<string>): void {
    this.known = tags;
    this.early.clear();
    for (const t of Object.keys(this.snapshot.state)) if (!tags.has(t)) delete this.snapshot.state[t];
    for (const t of Object.keys(this.snapshot.quality)) if (!tags.has(t)) delete this.snapshot.quality[t];
    this.setAlarms(this.alarmSource);
  }

  /**
   * The tags of the elements with an unattended alarm (docs/screens.md "Blinking"): only tags this widget knows
   * (its screens' keys and the project's elements; before they are known, at most MAX_UNKNOWN_TAGS) and no
   * disabled element. Returns true when the list the browsers get changed (pending for the next delta).
   */
  setAlarms(tags: readonly unknown[]): boolean {
    const src = Array.isArray(tags) ? tags.filter((t): t is string => isValidTag(t)) : [];
    this.alarmSource = src;
    const keep = new Set<string>();
    for (const t of src) {
      if (this.disabled.has(t) || (this.known ? !this.known.has(t) : keep.size >= MAX_UNKNOWN_TAGS)) continue;
      keep.add(t);
    }
    const next = [...keep].sort();
    const cur = this.snapshot.alarms ?? [];
    if (next.length === cur.length && next.every((t, i) => t === cur[i])) return false;
    if (next.length) this.snapshot.alarms = next;
    else delete this.snapshot.alarms;
    if (!this.pendingAlarms) this.pendingCount++;
    this.pendingAlarms = true;
    return true;
  }

  /** Changes refused for unknown tags since the last call, and (up to 20) of those tags. */
  takeUnknown(): { count: number; tags: string[] } {
    const r = { count: this.unknownCount, tags: [...this.unknownTags] };
    this.unknownCount = 0;
    this.unknownTags.clear();
    return r;
  }

  private admits(tag: string): boolean {
    let ok: boolean;
    if (this.known) ok = this.known.has(tag);
    else {
      ok = this.early.has(tag) || this.early.size < MAX_UNKNOWN_TAGS;
      if (ok) this.early.add(tag);
    }
    if (!ok) {
      this.unknownCount++;
      if (this.unknownTags.size < 20) this.unknownTags.add(tag);
    }
    return ok;
  }

  /** The toggle of an element (project mode), or null. */
  toggleOf(tag: string): Toggle | null {
    return this.toggles.get(tag) ?? null;
  }

  /** An element's current raw text ('' when it has none). */
  textOf(tag: string): string {
    const s = Object.prototype.hasOwnProperty.call(this.snapshot.state, tag) ? this.snapshot.state[tag] : undefined;
    return s && typeof s.text === 'string' ? s.text : '';
  }

  /** Sets one attribute; returns true when the snapshot changed (and the change is pending for the next delta). */
  set(tag: string, attr: ScreenAttr, value: unknown, track = true): boolean {
    if (!isValidTag(tag) || this.disabled.has(tag) || !this.admits(tag)) return false;
    const v = this.resolve(attr, value);
    if (v === undefined) return false;
    const cur = this.snapshot.state[tag];
    const old = cur && own(cur, attr) ? cur[attr] : undefined;
    if (v === null) {
      if (old === undefined) return false;
      delete cur![attr];
      if (!Object.keys(cur!).length) delete this.snapshot.state[tag];
    } else {
      if (old === v) return false;
      (this.snapshot.state[tag] ??= {})[attr] = v;
    }
    if (track) {
      (this.pendingState[tag] ??= {})[attr] = v;
      this.pendingCount++;
    }
    return true;
  }

  setQuality(tag: string, quality: string): boolean {
    if (!isValidTag(tag) || this.disabled.has(tag) || !this.admits(tag)) return false;
    const bad = quality !== 'good';
    const old = own(this.snapshot.quality, tag) ? this.snapshot.quality[tag] : null;
    if (bad) {
      if (old === quality) return false;
      this.snapshot.quality[tag] = quality;
    } else {
      if (old === null) return false;
      delete this.snapshot.quality[tag];
    }
    this.pendingQuality[tag] = bad ? quality : null;
    this.pendingCount++;
    return true;
  }

  /**
   * A msg payload: element changes `{tag, attr, value}` and point changes `{tag, quality | q}` (mara-points),
   * mixed freely. Events and energy records (`kind: 'event' | 'energy'`) carry no state and are skipped.
   */
  applyItems(items: readonly unknown[]): { changed: number; ignored: number } {
    let changed = 0;
    let ignored = 0;
    for (const it of items) {
      if (!it || typeof it !== 'object') {
        ignored++;
        continue;
      }
      const r = it as { tag?: unknown; attr?: unknown; value?: unknown; kind?: unknown; quality?: unknown; q?: unknown };
      if (!isValidTag(r.tag)) {
        ignored++;
        continue;
      }
      if (r.attr !== undefined) {
        if (typeof r.attr === 'string' && (SCREEN_ATTRS as readonly string[]).includes(r.attr)) {
          if (this.set(r.tag, r.attr as ScreenAttr, r.value)) changed++;
          else if (this.resolve(r.attr as ScreenAttr, r.value) === undefined) ignored++;
        } else ignored++;
        continue;
      }
      if (r.kind === 'event' || r.kind === 'energy') continue;
      const q = qualityOf(r);
      if (q === null) {
        ignored++;
        continue;
      }
      (r as { table?: unknown }).table === 'eg' ? this.elementQuality.set(r.tag, q) : this.pointQuality.set(r.tag, q);
      if (this.setQuality(r.tag, worseQuality(this.pointQuality.get(r.tag), this.elementQuality.get(r.tag)))) changed++;
    }
    return { changed, ignored };
  }

  /** Switches every client to `name` (and makes it the screen a reloaded client opens). */
  forceScreen(name: string): boolean {
    if (!this.hasScreen(name)) return false;
    this.snapshot.screen = name;
    this.pendingScreen = name;
    this.pendingCount++;
    return true;
  }

  /**
   * A confirmed manual toggle (docs/screens.md §6.4): `value` must be one of the element's toggle keys. Sets the element's text
   * and the texts of its linked elements; returns the writes made, for the node to output.
   */
  toggle(tag: unknown, value: unknown): ToggleResult {
    if (!isValidTag(tag)) return { ok: false, message: 'toggle of an invalid tag' };
    const tg = this.toggles.get(tag);
    if (!tg) return { ok: false, message: `${tag} has no manual toggle` };
    const key = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
    if (key !== tg.options[0].key && key !== tg.options[1].key)
      return { ok: false, message: `${JSON.stringify(String(value).slice(0, 40))} is not a state of ${tag} (${tg.options[0].key} or ${tg.options[1].key})` };
    const previous = this.snapshot.state[tag]?.text ?? '';
    const writes = [tag, ...(this.linked.get(tag) ?? [])].map((t) => ({ tag: t, attr: 'text' as const, value: key }));
    for (const w of writes) this.set(w.tag, 'text', w.value);
    return { ok: true, tag, previous, value: key, writes };
  }

  hasPending(): boolean {
    return this.pendingCount > 0;
  }

  /** The changes since the last call (null when there are none); advances `seq`. */
  takeDelta(): ScreenDelta | null {
    if (!this.pendingCount) return null;
    const d: ScreenDelta = { seq: ++this.snapshot.seq };
    if (Object.keys(this.pendingState).length) d.state = this.pendingState;
    if (Object.keys(this.pendingQuality).length) d.quality = this.pendingQuality;
    if (this.pendingScreen) d.screen = { name: this.pendingScreen };
    if (this.pendingAlarms) d.alarms = this.snapshot.alarms ?? [];
    this.pendingState = tagKeyed();
    this.pendingQuality = tagKeyed();
    this.pendingScreen = null;
    this.pendingAlarms = false;
    this.pendingCount = 0;
    return d;
  }

  /** Drops pending changes (a full snapshot is about to be sent); advances `seq`. */
  markFull(): void {
    this.pendingState = tagKeyed();
    this.pendingQuality = tagKeyed();
    this.pendingScreen = null;
    this.pendingAlarms = false;
    this.pendingCount = 0;
    this.snapshot.seq++;
  }
}
