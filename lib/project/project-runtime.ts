/**
 * The live side of one project: ONE formula engine for the project's formulas, and with it the element state
 * (what formulas computed, what operators and msgs wrote), shared by every node that uses the project: the
 * mara-formula nodes feed it point changes, the screens send it their operator toggles and show what it
 * publishes. Memory grows with the project, not with the number of nodes using it (issue 13: one owner per
 * state). No Node-RED here.
 *
 * Before the project has loaded, the runtime keeps what it receives (the last value of each point, the element
 * writes: bounded) and applies it when the formulas load; a reload carries the same over, so a saved workbook
 * starts from the last known values, not from nothing.
 */
import { compile as compileFormula } from '../formula';
import { ElementChange, EngineFormula, EngineProblem, EngineQuality, FormulaEngine, PointInput, type CompileFn } from '../formula/engine';
import type { Dialect } from '../formula/types';
import { MaraError } from '../mara/errors';
import type { ElementAttr, Point } from './model';
import type { ProjectService } from './project-service';

/** Bounds of what is kept before the formulas load: distinct point tags; distinct element attributes written. */
export const MAX_HELD_POINTS = 100_000;
export const MAX_WRITES = 10_000;

/** An element change as the screens consume it: an attribute's value, or an element's quality (`table: 'eg'`). */
export type RuntimeItem = ElementChange | { tag: string; table: 'eg'; quality: EngineQuality };

export interface ElementWrite {
  tag: string;
  attr: ElementAttr | 'mark';
  value: unknown;
}

export type RuntimeEvent =
  /** The formulas (re)loaded: `snapshot()` is the full state now. */
  | { kind: 'loaded'; problems: EngineProblem[] }
  /** The project file cannot be read and holds no formulas: nothing loaded. */
  | { kind: 'unreadable'; error: string }
  /** What one input changed (`origin`: who sent it, e.g. a node id), in evaluation order, then the qualities. */
  | { kind: 'changes'; items: RuntimeItem[]; origin: string | null };

export type RuntimeListener = (e: RuntimeEvent) => void;

export interface FormulaModel {
  points?: { tag: string; table: Point['table']; escala?: number }[];
  elements?: { tag: string; text?: unknown; fill?: unknown; stroke?: unknown; mark?: unknown }[];
  formulas: EngineFormula[];
}

const LISTENER_ID = '\0project-runtime';

export class ProjectRuntime {
  readonly dialect: Dialect;
  /** The project's workbook, when the runtime follows one (else `load` is called by its owner). */
  readonly service: ProjectService | null;
  /** The engine of the loaded formulas; before the first load, a formula-less one holding the points received. */
  engine: FormulaEngine;
  /** True once formulas have loaded. */
  ready = false;
  /** Loads so far. */
  loads = 0;
  /** The last (re)load's problems; the last reason the project could not be read, or null. */
  problems: EngineProblem[] = [];
  unreadable: string | null = null;
  private readonly compile: CompileFn;
  private readonly listeners = new Map<string, RuntimeListener>();
  /** Element attributes written from outside (toggles, msgs): live state a reload keeps. */
  private readonly writes = new Map<string, ElementWrite>();
  private attached = false;
  private closed = false;
  private cached: RuntimeItem[] | null = null;

  constructor(opts: { dialect?: Dialect; service?: ProjectService | null; compile?: CompileFn } = {}) {
    this.dialect = opts.dialect === 'excel' ? 'excel' : 'txscada';
    this.service = opts.service ?? null;
    this.compile = opts.compile ?? compileFormula;
    this.engine = new FormulaEngine({ compile: this.compile, dialect: this.dialect });
  }

  /**
   * Starts listening (its own call per id). A listener that comes after a load hears `loaded` at once; the first
   * listener of a runtime that follows a project starts it (a project nobody computes formulas for compiles none).
   */
  subscribe(id: string, l: RuntimeListener): void {
    this.listeners.set(id, l);
    if (this.ready) this.call(l, { kind: 'loaded', problems: this.problems });
    else if (this.unreadable !== null) this.call(l, { kind: 'unreadable', error: this.unreadable });
    if (this.service && !this.attached && !this.closed) {
      this.attached = true;
      const service = this.service;
      service.subscribe(LISTENER_ID, ({ model, error }) => {
        if (error && !model.formulas.length) {
          this.unreadable = error;
          this.publish({ kind: 'unreadable', error });
          return;
        }
        this.unreadable = null;
        this.load({ points: model.points, elements: model.elements, formulas: model.formulas });
      });
    }
  }

  unsubscribe(id: string): void {
    this.listeners.delete(id);
  }

  /** Replaces the formulas; the last known point values and element writes carry over. Publishes `loaded`. */
  load(model: FormulaModel): EngineProblem[] {
    const previous = this.engine;
    const engine = new FormulaEngine({ compile: this.compile, dialect: this.dialect });
    const problems = engine.load(model as Parameters<FormulaEngine['load']>[0]);
    engine.update(previous.points(), [...this.writes.values()]);
    engine.fullPass();
    engine.takeQualityChanges(); // the snapshot carries every quality
    this.engine = engine;
    this.cached = null;
    this.problems = problems;
    this.ready = true;
    this.loads++;
    this.publish({ kind: 'loaded', problems });
    return problems;
  }

  /**
   * Sets point values and element writes and re-evaluates what depends on them. Returns what changed (element
   * attributes, then element qualities), also published to every listener as `changes`; null while the formulas
   * have not loaded (the inputs are kept for them). Throws EQUEUEFULL past the bounds, changing nothing.
   */
  update(points: readonly PointInput[], elements: readonly ElementWrite[] = [], origin: string | null = null): RuntimeItem[] | null {
    if (!this.ready && this.engine.pointCount + points.length > MAX_HELD_POINTS)
      throw new MaraError('EQUEUEFULL', `the formulas are not loaded yet and ${MAX_HELD_POINTS} points are held`);
    let fresh = 0;
    for (const w of elements) if (!this.writes.has(`${w.tag}.${w.attr}`)) fresh++;
    if (fresh && this.writes.size + fresh > MAX_WRITES) throw new MaraError('EQUEUEFULL', `${MAX_WRITES} element attributes written already`);
    for (const w of elements) {
      const k = `${w.tag}.${w.attr}`;
      this.writes.delete(k);
      this.writes.set(k, { tag: w.tag, attr: w.attr, value: w.value });
    }
    const changes = this.engine.update(points as PointInput[], elements as ElementWrite[]);
    this.cached = null;
    if (!this.ready) return null;
    const items: RuntimeItem[] = changes;
    for (const q of this.engine.takeQualityChanges()) items.push({ tag: q.tag, table: 'eg', quality: q.quality });
    if (items.length) this.publish({ kind: 'changes', items, origin });
    return items;
  }

  /**
   * The full state: every attribute (null: no value yet, the drawing's own look), then every element's quality.
   * One array until the state changes, shared by whoever asks (every mara-formula of a site sends it at a load):
   * do not modify it or its items; copy the array to hand it on.
   */
  snapshot(): readonly RuntimeItem[] {
    if (this.cached) return this.cached;
    const all: RuntimeItem[] = [];
    for (const e of this.engine.elements()) for (const attr of ['text', 'fill', 'stroke'] as const) all.push({ tag: e.tag, attr, value: e[attr] });
    for (const q of this.engine.qualities()) all.push({ tag: q.tag, table: 'eg', quality: q.quality });
    this.cached = all;
    return all;
  }

  close(): void {
    this.closed = true;
    this.listeners.clear();
    this.service?.unsubscribe(LISTENER_ID);
  }

  private publish(e: RuntimeEvent): void {
    if (this.closed) return;
    for (const l of [...this.listeners.values()]) this.call(l, e);
  }

  private call(l: RuntimeListener, e: RuntimeEvent): void {
    try {
      l(e);
    } catch {
      // a consumer's failure is its own (it reports it on its node)
    }
  }
}
