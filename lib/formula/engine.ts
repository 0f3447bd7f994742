import type { ElementAttr, Point } from '../project/model';
import { NO_VALUE, trustContext } from './context';
import { excelText } from './excel';
import { pyStr } from './result-text';
import type { CompiledFormula, Dialect, ErrorCategory, EvalResult, FormulaContext, Reference } from './types';

/** One formula of the installation: it computes attribute `attr` of element `tag` (docs/formulas.md §2, docs/workbook.md §7.3). */
export interface EngineFormula {
  tag: string;
  attr: ElementAttr;
  text: string;
  /** Workbook row: ties in the evaluation order are broken by it. */
  row: number;
}

/** The initial state of an element (docs/screens.md §5.2); missing attributes take the defaults. */
export interface EngineElement {
  tag: string;
  text?: string;
  fill?: number | null;
  stroke?: number | null;
  mark?: number | null;
}

/** A changed element attribute, as the screens consume it. */
export interface ElementChange {
  tag: string;
  attr: ElementAttr;
  value: string | number | null;
}

export interface EngineProblem {
  tag: string;
  attr: string;
  row: number;
  column: number | null;
  category: ErrorCategory | 'cycle';
  message: string;
  /** A warning does not stop the formula from running (unknown reference, cycle). */
  severity: 'error' | 'warning';
}

/** A point value as the engine receives it (what a mara-points change carries). */
export interface PointInput {
  table: 'ai' | 'di' | 'sv';
  tag: string;
  /** null or absent: no value (the point has not been read). */
  value?: number | null;
  q?: number;
  escala?: number;
  /** IEC 61850 validity from mara-points; without it: from `q` (0 good, 1 invalid, 2/3 questionable). */
  quality?: string;
}

/** IEC 61850 validity as the engine tracks it; `invalid` also for "no value". */
export type EngineQuality = 'good' | 'questionable' | 'invalid';

/** The quality of an element changed (worst of its formulas' inputs and of the point with its tag). */
export interface ElementQualityChange {
  tag: string;
  quality: EngineQuality;
}

/** The last known state of a point, to carry into a reloaded engine (`points()` → `update()`). */
export interface PointStateInput extends PointInput {
  value: number;
  quality: EngineQuality;
}

export type CompileFn = (text: string, opts: { dialect: Dialect }) => CompiledFormula;

interface Node {
  f: EngineFormula;
  key: string;
  compiled: CompiledFormula;
  /** Position in the evaluation order. */
  order: number;
  dependants: Node[];
  /** The formulas to mark when this one's output changes (its readers, and the wildcards for text). */
  outReaders: Node[];
  lastError: { category: ErrorCategory; message: string } | null;
  /** Quality code of the output (Q_*). */
  quality: number;
  /** The points the formula references, and the formulas producing the element attributes it references. */
  qPoints: { table: 'ai' | 'di' | 'sv'; tag: string }[];
  qNodes: Node[];
  /** A bare `eg`: also every text/mark formula. */
  qWildcard: boolean;
}

// Quality codes, ordered: the worst of several inputs is the largest.
const Q_GOOD = 0;
const Q_QUESTIONABLE = 1;
const Q_INVALID = 2;
const QNAMES: readonly EngineQuality[] = ['good', 'questionable', 'invalid'];
/** The quality of a point record (a symbol: formulas never see it). */
const QUAL = Symbol('quality');

function qualityCode(p: PointInput): number {
  if (p.quality === 'good') return Q_GOOD;
  if (p.quality === 'questionable') return Q_QUESTIONABLE;
  if (typeof p.quality === 'string') return Q_INVALID; // invalid, or anything unknown: not known good
  if (p.q === undefined || p.q === 0) return Q_GOOD;
  return p.q === 1 ? Q_INVALID : Q_QUESTIONABLE;
}

type Table = Record<string, Record<string, unknown>>;

const OUTPUT_ATTRS: readonly ElementAttr[] = ['text', 'fill', 'stroke'];
/** A bare `eg` (FILTRAR over every element) depends on these attributes of every element (docs/formulas.md §3.3 item 1). */
const WILDCARD_ATTRS = ['text', 'mark'];

const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/**
 * Holds the point and element state of one installation and its formulas; evaluates them in
 * dependency order (ties by workbook row), and after a change re-evaluates only the transitive
 * dependants (docs/formulas.md §3.3). A full pass and any sequence of incremental updates reach the same
 * state. Errors keep the previous value and are recorded per formula; they never stop the others.
 */
export class FormulaEngine {
  readonly dialect: Dialect;
  private readonly compile: CompileFn;
  private readonly ctx: { ai: Table; di: Table; eg: Table; sv: Table };
  private nodes: Node[] = [];
  private byOutput = new Map<string, Node>();
  /** Point `TAG` of each point table → formulas reading it. */
  private pointReaders: Record<'ai' | 'di' | 'sv', Map<string, Node[]>> = { ai: new Map(), di: new Map(), sv: new Map() };
  /** Element `TAG` → attribute → formulas reading it. */
  private egReaders = new Map<string, Record<string, Node[]>>();
  private wildcard: Node[] = [];
  private dirty: boolean[] = [];
  /** The dirty positions (each once), a binary min-heap: the next formula to run is heap[0]. */
  private heap: number[] = [];
  private readonly out = new Map<string, ElementChange>();
  /** Formulas of each element tag (its quality is the worst of theirs and of the point with its tag). */
  private nodesByTag = new Map<string, Node[]>();
  /** Element tags whose quality may have changed since `takeQualityChanges()`; the last reported codes. */
  private qTouched = new Set<string>();
  private qReported = new Map<string, number>();
  /** Formulas in a dependency cycle: their back-edges read the workbook's value until a first result. */
  private cyclic = new Set<Node>();
  problems: EngineProblem[] = [];

  constructor(opts: { compile: CompileFn; dialect?: Dialect }) {
    this.compile = opts.compile;
    this.dialect = opts.dialect ?? 'txscada';
    // Engine-made data objects (null-prototype tables, records with data properties only): trusted.
    this.ctx = trustContext({ ai: Object.create(null), di: Object.create(null), eg: Object.create(null), sv: Object.create(null) });
  }

  /** The context formulas read (a live view: do not modify). */
  get context(): FormulaContext {
    return this.ctx as FormulaContext;
  }

  /**
   * Replaces points, elements and formulas. Returns the problems: syntax errors (the formula does not
   * run), unknown references and cycles (warnings: it runs, with the rule of docs/formulas.md §3.3 item 3).
   */
  load(model: { points?: { tag: string; table: Point['table']; escala?: number }[]; elements?: EngineElement[]; formulas: EngineFormula[] }): EngineProblem[] {
    for (const t of ['ai', 'di', 'eg', 'sv'] as const) this.ctx[t] = Object.create(null);
    for (const p of model.points ?? []) this.ensurePoint(p.table, p.tag, p.escala);
    for (const e of model.elements ?? []) this.ensureElement(e.tag, e);
    const problems: EngineProblem[] = [];
    const nodes: Node[] = [];
    this.byOutput = new Map();
    for (const f of model.formulas) {
      const key = `${f.tag}.${f.attr}`;
      if (!OUTPUT_ATTRS.includes(f.attr)) {
        problems.push(problem(f, null, 'type', `attribute "${f.attr}" cannot be computed (text, fill or stroke)`, 'error'));
        continue;
      }
      if (this.byOutput.has(key)) {
        problems.push(problem(f, null, 'type', `a second formula for ${key} (row ${this.byOutput.get(key)!.f.row} is used)`, 'error'));
        continue;
      }
      let compiled: CompiledFormula;
      try {
        compiled = this.compile(f.text, { dialect: this.dialect });
      } catch (e) {
        const err = e as { category?: ErrorCategory; column?: number; message?: string };
        problems.push(problem(f, err.column ?? null, err.category ?? 'syntax', err.message ?? String(e), 'error'));
        continue;
      }
      this.ensureElement(f.tag, {});
      const n: Node = {
        f,
        key,
        compiled,
        order: 0,
        dependants: [],
        outReaders: [],
        lastError: null,
        quality: Q_INVALID,
        qPoints: [],
        qNodes: [],
        qWildcard: false,
      };
      nodes.push(n);
      this.byOutput.set(key, n);
      for (const r of compiled.references) {
        const missing = this.missing(r);
        if (missing) problems.push(problem(f, null, 'unknown-reference', missing, 'warning'));
      }
    }
    this.link(nodes, problems);
    // A computed attribute has no value until its formula gives one: the workbook's cached value is
    // not live data (docs/formulas.md §1.2 fix), so the screen keeps the drawing's own look meanwhile.
    this.nodesByTag = new Map();
    for (const n of this.nodes) {
      if (!this.cyclic.has(n)) this.ctx.eg[n.f.tag][n.f.attr] = NO_VALUE;
      push(this.nodesByTag, n.f.tag, n);
    }
    this.qReported = new Map();
    this.qTouched = new Set(Object.keys(this.ctx.eg));
    this.problems = problems;
    return problems;
  }

  /** Why a reference cannot resolve with the loaded tables, or ''. */
  private missing(r: Reference): string {
    if (r.tag === null) return '';
    const t = this.ctx[r.table];
    if (!t || (r.table !== 'eg' && r.table !== 'ai' && r.table !== 'di')) return `unknown table ${r.table}`;
    if (!own(t, r.tag)) return `${r.table}.${r.tag} does not exist`;
    return '';
  }

  /** Builds the dependency graph and the evaluation order (Kahn, smallest row first). */
  private link(nodes: Node[], problems: EngineProblem[]): void {
    this.pointReaders = { ai: new Map(), di: new Map(), sv: new Map() };
    this.egReaders = new Map();
    this.cyclic = new Set();
    this.wildcard = [];
    const deps = new Map<Node, Set<Node>>(); // node → formulas it reads
    for (const n of nodes) {
      const set = new Set<Node>();
      for (const r of n.compiled.references) {
        if (r.tag === null) {
          if (r.table === 'eg') {
            this.wildcard.push(n);
            n.qWildcard = true;
          }
          continue;
        }
        if (r.table !== 'eg' && !n.qPoints.some((p) => p.table === r.table && p.tag === r.tag)) n.qPoints.push({ table: r.table, tag: r.tag });
        // a record read whole (`eg.X` as a value) depends on every attribute of X
        const attrs = r.table === 'eg' ? (r.attr === null ? ['text', 'fill', 'stroke', 'mark'] : [r.attr]) : [null];
        for (const a of attrs) {
          if (a === null) {
            if (r.table !== 'eg') push(this.pointReaders[r.table], r.tag, n);
          } else {
            let byAttr = this.egReaders.get(r.tag);
            if (byAttr === undefined) this.egReaders.set(r.tag, (byAttr = Object.create(null) as Record<string, Node[]>));
            const rs = byAttr[a];
            if (rs === undefined) byAttr[a] = [n];
            else if (!rs.includes(n)) rs.push(n);
          }
          const src = a === null ? undefined : this.byOutput.get(`${r.tag}.${a}`);
          if (src && src !== n) set.add(src);
          if (src && !n.qNodes.includes(src)) n.qNodes.push(src);
        }
      }
      deps.set(n, set);
    }
    for (const w of this.wildcard) for (const n of nodes) if (n !== w && WILDCARD_ATTRS.includes(n.f.attr)) deps.get(w)!.add(n);
    for (const [n, set] of deps) for (const d of set) d.dependants.push(n);

    // Kahn's algorithm; the ready set is a heap on the workbook row.
    const indeg = new Map<Node, number>();
    for (const n of nodes) indeg.set(n, deps.get(n)!.size);
    const heap = new RowHeap();
    for (const n of nodes) if (indeg.get(n) === 0) heap.push(n);
    const order: Node[] = [];
    while (heap.size) {
      const n = heap.pop();
      order.push(n);
      for (const d of n.dependants) {
        const k = indeg.get(d)! - 1;
        indeg.set(d, k);
        if (k === 0) heap.push(d);
      }
    }
    if (order.length < nodes.length) {
      // Cycles: evaluated in row order after the rest, back-edges reading the previous values.
      const rest = nodes.filter((n) => indeg.get(n)! > 0).sort((a, b) => a.f.row - b.f.row);
      const rows = rest.map((n) => `${n.key} (row ${n.f.row})`).join(', ');
      for (const n of rest) problems.push(problem(n.f, null, 'cycle', `formula is part of a dependency cycle: ${rows}`, 'warning'));
      this.cyclic = new Set(rest);
      order.push(...rest);
    }
    order.forEach((n, i) => (n.order = i));
    for (const n of order) n.outReaders = this.elementReaders(n.f.tag, n.f.attr);
    this.nodes = order;
    this.dirty = new Array(order.length).fill(false);
    this.heap = [];
  }

  /** The formulas that read attribute `attr` of element `tag` (the wildcards too for text and mark). */
  private elementReaders(tag: string, attr: string): Node[] {
    const rs = this.egReaders.get(tag)?.[attr] ?? [];
    return WILDCARD_ATTRS.includes(attr) ? [...rs, ...this.wildcard.filter((w) => !rs.includes(w))] : rs;
  }

  private ensurePoint(table: 'ai' | 'di' | 'sv', tag: string, escala?: number): Record<string, unknown> {
    const t = this.ctx[table];
    if (!own(t, tag)) {
      // never read: no value (not the original's -1 / 0), quality invalid (docs/formulas.md §1.2 fix)
      t[tag] = table === 'ai' ? { value: NO_VALUE, escala: escala ?? 1, q: NO_VALUE, [QUAL]: Q_INVALID } : { value: NO_VALUE, [QUAL]: Q_INVALID };
    } else if (table === 'ai' && escala !== undefined) t[tag].escala = escala;
    return t[tag];
  }

  private ensureElement(tag: string, e: Partial<EngineElement>): Record<string, unknown> {
    const t = this.ctx.eg;
    if (!own(t, tag)) t[tag] = { text: '0', fill: null, stroke: null, mark: null };
    const r = t[tag];
    if (e.text !== undefined) r.text = String(e.text);
    if (e.fill !== undefined) r.fill = e.fill;
    if (e.stroke !== undefined) r.stroke = e.stroke;
    if (e.mark !== undefined) r.mark = e.mark;
    return r;
  }

  private mark(n: Node): void {
    const i = n.order;
    if (!this.dirty[i]) {
      this.dirty[i] = true;
      heapPush(this.heap, i);
    }
  }

  private markAll(rs: readonly Node[]): void {
    for (let k = 0; k < rs.length; k++) this.mark(rs[k]);
  }

  private elementChanged(tag: string, attr: string): void {
    const rs = this.egReaders.get(tag)?.[attr];
    if (rs !== undefined) this.markAll(rs);
    if (WILDCARD_ATTRS.includes(attr)) this.markAll(this.wildcard);
  }

  // ---------------------------------------------------------------- inputs

  /** Sets a point value; returns true when it changed (its dependants are then re-evaluated by `propagate`). */
  setPoint(p: PointInput): boolean {
    if (p.table !== 'ai' && p.table !== 'di' && p.table !== 'sv') return false;
    const r = this.ensurePoint(p.table, p.tag);
    let changed = false;
    const hasValue = typeof p.value === 'number' || r.value !== NO_VALUE;
    for (const k of ['value', 'q', 'escala'] as const) {
      const v = p[k];
      if (v === undefined || v === null || (p.table !== 'ai' && k !== 'value')) continue;
      if (r[k] !== v) {
        r[k] = v;
        changed = true;
      }
    }
    // an AI with a value and no qualifier given reads q = 0
    if (p.table === 'ai' && hasValue && r.q === NO_VALUE) {
      r.q = 0;
      changed = true;
    }
    const qc = hasValue ? qualityCode(p) : Q_INVALID;
    if ((r as Record<symbol, unknown>)[QUAL] !== qc) {
      (r as Record<symbol, unknown>)[QUAL] = qc;
      changed = true;
      if (own(this.ctx.eg, p.tag)) this.qTouched.add(p.tag);
    }
    if (changed) {
      const rs = this.pointReaders[p.table].get(p.tag);
      if (rs !== undefined) this.markAll(rs);
    }
    return changed;
  }

  /**
   * Writes an element attribute from outside the formulas (operator toggles, linked texts, event
   * hooks: docs/formulas.md §3.3 item 8). The write is published like a formula result and its dependants run.
   */
  setElement(tag: string, attr: ElementAttr | 'mark', value: unknown): boolean {
    const r = this.ensureElement(tag, {});
    const v = attr === 'text' ? String(value) : value === null || value === undefined ? null : Number(value);
    if (r[attr] === v) return false;
    r[attr] = v;
    if (attr !== 'mark') this.out.set(`${tag}.${attr}`, { tag, attr, value: v as string | number | null });
    this.elementChanged(tag, attr);
    return true;
  }

  /** Sets inputs and propagates: the element changes they cause, each once, in evaluation order. */
  update(points: PointInput[], elements: { tag: string; attr: ElementAttr | 'mark'; value: unknown }[] = []): ElementChange[] {
    for (const p of points) this.setPoint(p);
    for (const e of elements) this.setElement(e.tag, e.attr, e.value);
    return this.propagate();
  }

  /** Evaluates every formula (a full pass, docs/formulas.md §3.3 item 5). */
  fullPass(): ElementChange[] {
    this.dirty.fill(true);
    this.sweep(0);
    return this.changes();
  }

  /**
   * Re-evaluates the formulas marked by changed inputs, and theirs in turn, in one forward pass (in
   * evaluation order). A mark made during the pass on a formula at or before the one running (a
   * back-edge of a cycle) waits for the next propagation, which runs it with this pass's values
   * (docs/formulas.md §3.3 item 3).
   */
  propagate(): ElementChange[] {
    const heap = this.heap;
    if (heap.length * 16 >= this.nodes.length) {
      if (heap.length) this.sweep(heap[0]);
      return this.changes();
    }
    const dirty = this.dirty;
    let deferred: number[] | null = null;
    let cur = -1;
    while (heap.length) {
      const i = heapPop(heap);
      if (!dirty[i]) continue;
      if (i <= cur) {
        (deferred ??= []).push(i);
        continue;
      }
      dirty[i] = false;
      cur = i;
      this.evaluate(this.nodes[i]);
    }
    if (deferred !== null) for (const i of deferred) heapPush(heap, i);
    return this.changes();
  }

  /** The forward pass as a linear sweep from `start` (the first dirty position); then rebuilds the heap. */
  private sweep(start: number): void {
    const nodes = this.nodes;
    const dirty = this.dirty;
    for (let i = start; i < nodes.length; i++) {
      if (!dirty[i]) continue;
      dirty[i] = false;
      this.evaluate(nodes[i]);
    }
    // what is still dirty was marked by a back-edge; marks ahead of the sweep were swept
    const heap = this.heap;
    heap.length = 0;
    for (let i = 0; i < nodes.length; i++) if (dirty[i]) heap.push(i); // ascending: a valid heap
  }

  private changes(): ElementChange[] {
    const changes = [...this.out.values()];
    this.out.clear();
    return changes;
  }

  private evaluate(n: Node): void {
    const res = n.compiled.evaluate(this.ctx as FormulaContext);
    const norm = res.ok ? normalise(n.f.attr, res, this.dialect) : res;
    const r = this.ctx.eg[n.f.tag];
    if (!norm.ok) {
      n.lastError = { category: norm.error, message: norm.message };
      // the attribute keeps its previous value (docs/formulas.md §2.9); its quality still follows the inputs
      if (this.setQualityOf(n, r[n.f.attr] === NO_VALUE ? Q_INVALID : this.inputQuality(n))) this.markAll(n.outReaders);
      return;
    }
    n.lastError = null;
    const qChanged = this.setQualityOf(n, this.inputQuality(n));
    if (r[n.f.attr] === norm.value) {
      if (qChanged) this.markAll(n.outReaders);
      return;
    }
    r[n.f.attr] = norm.value;
    this.out.set(n.key, { tag: n.f.tag, attr: n.f.attr, value: norm.value });
    this.markAll(n.outReaders);
  }

  /** The worst quality of what formula `n` references: points, computed attributes (every text/mark one for a bare `eg`). */
  private inputQuality(n: Node): number {
    let q = Q_GOOD;
    for (let i = 0; i < n.qPoints.length; i++) {
      const ref = n.qPoints[i];
      const t = this.ctx[ref.table];
      const c = own(t, ref.tag) ? ((t[ref.tag] as Record<symbol, number>)[QUAL] ?? Q_GOOD) : Q_INVALID;
      if (c > q && (q = c) === Q_INVALID) return q;
    }
    for (let i = 0; i < n.qNodes.length; i++) if (n.qNodes[i].quality > q && (q = n.qNodes[i].quality) === Q_INVALID) return q;
    if (n.qWildcard) for (const m of this.nodes) if (m !== n && WILDCARD_ATTRS.includes(m.f.attr) && m.quality > q && (q = m.quality) === Q_INVALID) return q;
    return q;
  }

  private setQualityOf(n: Node, q: number): boolean {
    if (n.quality === q) return false;
    n.quality = q;
    this.qTouched.add(n.f.tag);
    return true;
  }

  /** Quality code of element `tag`: the worst of its formulas and of a point with the same tag (docs/formulas.md §1.1). */
  private tagQuality(tag: string): number {
    let q = Q_GOOD;
    for (const t of ['di', 'ai', 'sv'] as const) {
      const p = this.ctx[t];
      if (own(p, tag)) q = Math.max(q, (p[tag] as Record<symbol, number>)[QUAL] ?? Q_GOOD);
    }
    for (const n of this.nodesByTag.get(tag) ?? []) q = Math.max(q, n.quality);
    return q;
  }

  /**
   * The elements whose quality changed since the last call (after `load`: every element), with the
   * worst quality of the inputs of their formulas and of the point with their tag. An attribute
   * without a value yet counts as invalid. Call after `update` / `fullPass` / `propagate`.
   */
  takeQualityChanges(): ElementQualityChange[] {
    const out: ElementQualityChange[] = [];
    for (const tag of this.qTouched) {
      if (!own(this.ctx.eg, tag)) continue;
      const q = this.tagQuality(tag);
      if (this.qReported.get(tag) === q) continue;
      this.qReported.set(tag, q);
      out.push({ tag, quality: QNAMES[q] });
    }
    this.qTouched.clear();
    return out;
  }

  /** The quality of every element (for a snapshot). */
  qualities(): ElementQualityChange[] {
    return Object.keys(this.ctx.eg).map((tag) => ({ tag, quality: QNAMES[this.tagQuality(tag)] }));
  }

  /**
   * The points that have a value, with their quality: what a reloaded engine is given (`update(points)`)
   * so that a workbook save starts from the last known values, not from nothing.
   */
  points(): PointStateInput[] {
    const out: PointStateInput[] = [];
    for (const table of ['di', 'ai', 'sv'] as const) {
      const t = this.ctx[table];
      for (const tag of Object.keys(t)) {
        const r = t[tag] as Record<string | symbol, unknown>;
        if (typeof r.value !== 'number') continue;
        const p: PointStateInput = { table, tag, value: r.value, quality: QNAMES[(r[QUAL] as number) ?? Q_GOOD] };
        if (table === 'ai' && typeof r.q === 'number') p.q = r.q;
        out.push(p);
      }
    }
    return out;
  }

  /** Number of point records (the model's and those created by inputs). */
  get pointCount(): number {
    return Object.keys(this.ctx.ai).length + Object.keys(this.ctx.di).length + Object.keys(this.ctx.sv).length;
  }

  // ---------------------------------------------------------------- introspection

  /** The current value of every element attribute. */
  /** The current value of every element attribute; null for an attribute whose formula has no result yet. */
  elements(): { tag: string; text: string | null; fill: number | null; stroke: number | null; mark: number | null }[] {
    return Object.keys(this.ctx.eg).map((tag) => ({
      tag,
      ...(known(this.ctx.eg[tag]) as { text: string | null; fill: number | null; stroke: number | null; mark: number | null }),
    }));
  }

  /** One element's attributes (null: no value yet), or undefined. */
  element(tag: string): Record<string, unknown> | undefined {
    return own(this.ctx.eg, tag) ? known(this.ctx.eg[tag]) : undefined;
  }

  /** A point's value as formulas read it (undefined: never read, or unknown tag), and its quality. */
  point(table: 'ai' | 'di' | 'sv', tag: string): { value: number | undefined; q: number | undefined; quality: EngineQuality } | undefined {
    const t = this.ctx[table];
    if (!own(t, tag)) return undefined;
    const r = t[tag] as Record<string | symbol, unknown>;
    return {
      value: typeof r.value === 'number' ? r.value : undefined,
      q: typeof r.q === 'number' ? r.q : undefined,
      quality: QNAMES[(r[QUAL] as number) ?? Q_GOOD],
    };
  }

  /** Formulas whose last evaluation failed, with the error. */
  errors(): { tag: string; attr: string; row: number; category: ErrorCategory; message: string }[] {
    return this.nodes.filter((n) => n.lastError).map((n) => ({ tag: n.f.tag, attr: n.f.attr, row: n.f.row, ...n.lastError! }));
  }

  /** How many formulas `errors()` lists, by kind: waiting for a value (`no-value`) or failing; nothing is built. */
  errorCounts(): { waiting: number; failing: number } {
    let waiting = 0;
    let failing = 0;
    for (const n of this.nodes) if (n.lastError) n.lastError.category === 'no-value' ? waiting++ : failing++;
    return { waiting, failing };
  }

  get size(): number {
    return this.nodes.length;
  }

  /**
   * "Try this formula" (docs/formulas.md §3.1): evaluates `text` against the current state with `overrides`
   * (`"table.TAG.attr" → value`, missing tags created) patched into a copy; the state is untouched.
   */
  tryFormula(text: string, overrides: Record<string, unknown> = {}): EvalResult & { normalised?: unknown } {
    let compiled: CompiledFormula;
    try {
      compiled = this.compile(text, { dialect: this.dialect });
    } catch (e) {
      const err = e as { category?: ErrorCategory; message?: string };
      return { ok: false, error: err.category ?? 'syntax', message: err.message ?? String(e) };
    }
    const ctx: Table & Record<string, Table> = Object.create(null);
    for (const t of ['ai', 'di', 'eg', 'sv'] as const) {
      const copy: Table = Object.create(null);
      for (const tag of Object.keys(this.ctx[t])) copy[tag] = { ...this.ctx[t][tag] };
      ctx[t] = copy;
    }
    for (const [path, value] of Object.entries(overrides)) {
      const m = /^(ai|di|eg|sv)\.([^.]+)\.([A-Za-z_]\w*)$/.exec(path);
      if (!m) return { ok: false, error: 'syntax', message: `override "${path}" is not table.TAG.attr` };
      const t = ctx[m[1]];
      if (!own(t, m[2])) t[m[2]] = Object.create(null);
      t[m[2]][m[3]] = value;
    }
    return compiled.evaluate(trustContext(ctx) as unknown as FormulaContext);
  }
}

/**
 * The write rule of docs/formulas.md §2.9: `text` takes the str() of the result (null is a type error); fill and
 * stroke take an integer, an integral float, a boolean (0/1) or null.
 */
export function normalise(
  attr: ElementAttr,
  r: { value: unknown; type: string },
  dialect: Dialect,
): { ok: true; value: string | number | null } | { ok: false; error: ErrorCategory; message: string } {
  const v = r.value;
  if (attr === 'text') {
    if (r.type === 'null' || r.type === 'list') return { ok: false, error: 'type', message: `a ${r.type} cannot be an element text` };
    return { ok: true, value: textOf(v, r.type, dialect) };
  }
  if (r.type === 'null') return { ok: true, value: null };
  if (r.type === 'bool') return { ok: true, value: v ? 1 : 0 };
  if ((r.type === 'integer' || r.type === 'float') && Number.isInteger(v)) return { ok: true, value: v as number };
  return { ok: false, error: 'type', message: `${attr} must be a colour index (an integer) or None, got ${r.type} ${String(v)}` };
}

/** A copy of an element record with NO_VALUE shown as null. */
function known(r: Record<string, unknown>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(r)) o[k] = r[k] === NO_VALUE ? null : r[k];
  return o;
}

function textOf(v: unknown, type: string, dialect: Dialect): string {
  return dialect === 'excel' ? excelText(v, type) : pyStr(v, type);
}

function problem(
  f: EngineFormula,
  column: number | null,
  category: EngineProblem['category'],
  message: string,
  severity: EngineProblem['severity'],
): EngineProblem {
  return { tag: f.tag, attr: f.attr, row: f.row, column, category, message, severity };
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const a = m.get(k);
  if (a) {
    if (!a.includes(v)) a.push(v);
  } else m.set(k, [v]);
}

function heapPush(a: number[], x: number): void {
  let i = a.length;
  a.push(x);
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (a[p] <= x) break;
    a[i] = a[p];
    i = p;
  }
  a[i] = x;
}

function heapPop(a: number[]): number {
  const top = a[0];
  const last = a.pop()!;
  const n = a.length;
  if (n > 0) {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const m = r < n && a[r] < a[l] ? r : l;
      if (a[m] >= last) break;
      a[i] = a[m];
      i = m;
    }
    a[i] = last;
  }
  return top;
}

/** A binary min-heap of formulas by workbook row (ties in the topological order). */
class RowHeap {
  private a: Node[] = [];
  get size(): number {
    return this.a.length;
  }
  push(n: Node): void {
    const a = this.a;
    a.push(n);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p].f.row <= a[i].f.row) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): Node {
    const a = this.a;
    const top = a[0];
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l].f.row < a[m].f.row) m = l;
        if (r < a.length && a[r].f.row < a[m].f.row) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}
