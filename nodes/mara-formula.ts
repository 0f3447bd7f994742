import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { compile } from '../lib/formula';
import { ElementChange, EngineFormula, FormulaEngine } from '../lib/formula/engine';
import { readInput } from './shared/formula-input';
import type { Dialect } from '../lib/formula/types';
import { MaraError } from '../lib/mara/errors';
import type { ElementAttr } from '../lib/project/model';
import type { MaraProjectNode } from './shared/project-service';
import { StatusThrottle } from './shared/status';
import { tr } from './shared/i18n';
import { toMaraError } from './shared/errors';
import { editorWrite } from './shared/http-guard';

interface FormulaRowDef {
  tag: string;
  attr: string;
  formula: string;
}

interface MaraFormulaDef extends NodeDef {
  project: string;
  dialect: Dialect;
  formulas: FormulaRowDef[];
}

type Send = (msg: NodeMessageInFlow) => void;
type Done = (err?: Error) => void;

/**
 * Before its project has loaded the node keeps what it receives (the last value of each point, the
 * element writes) and applies it when the formulas load; a reload carries the same over. Bounds:
 * these many distinct point tags and element attributes (keys come from msgs).
 */
const MAX_POINTS = 100_000;
const MAX_WRITES = 10_000;


export = function register(RED: NodeAPI): void {
  function MaraFormula(this: Node, config: MaraFormulaDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const status = new StatusThrottle(node);
    const projectNode = config.project ? (RED.nodes.getNode(config.project) as MaraProjectNode | null) : null;
    const dialect: Dialect = projectNode?.dialect ?? (config.dialect === 'excel' ? 'excel' : 'txscada');
    // Until the project loads, this formula-less engine holds the point values received (bounded).
    let engine = new FormulaEngine({ compile, dialect });
    let ready = false;
    (node as Node & { engine?: FormulaEngine }).engine = engine;
    /** Element attributes written from outside (toggles, msgs): live state a reload keeps. */
    const writes = new Map<string, { tag: string; attr: ElementAttr | 'mark'; value: unknown }>();

    const showStatus = (now = false) => {
      const errs = engine.problems.filter((p) => p.severity === 'error').length;
      const all = engine.errors();
      const waiting = all.filter((e) => e.category === 'no-value').length;
      const failing = all.length - waiting;
      if (!ready) return status.set({ fill: 'blue', shape: 'ring', text: tr(RED, 'mara-formula.status.waiting', {}, 'waiting for project') }, now);
      if (errs) return status.set({ fill: 'red', shape: 'dot', text: errs === 1 ? tr(RED, 'mara-formula.status.badOne', {}, '1 bad formula') : tr(RED, 'mara-formula.status.badMany', { n: errs }, '__n__ bad formulas') }, now);
      const n = engine.size;
      const count = n === 1 ? tr(RED, 'mara-formula.status.one', {}, '1 formula') : tr(RED, 'mara-formula.status.many', { n }, '__n__ formulas');
      if (failing) return status.set({ fill: 'yellow', shape: 'dot', text: `${count} · ${tr(RED, 'mara-formula.status.failing', { n: failing }, '__n__ failing')}` }, now);
      status.set({ fill: waiting ? 'grey' : 'green', shape: 'dot', text: waiting ? `${count} · ${tr(RED, 'mara-formula.status.noValues', { n: waiting }, '__n__ without values')}` : count }, now);
    };

    /** Loads formulas, reports bad ones once (with row and column), and sends the full state. */
    const start = (formulas: EngineFormula[], model?: Parameters<FormulaEngine['load']>[0]) => {
      const previous = engine;
      engine = new FormulaEngine({ compile, dialect });
      (node as Node & { engine?: FormulaEngine }).engine = engine;
      const problems = engine.load(model ?? { formulas });
      // the last known values (held before the first load, or live before a reload), not nothing
      engine.update(previous.points(), [...writes.values()]);
      const errors = problems.filter((p) => p.severity === 'error');
      const warnings = problems.filter((p) => p.severity === 'warning');
      if (errors.length)
        node.error(
          `${errors.length} formula(s) cannot run: ` +
            errors.slice(0, 5).map((p) => `row ${p.row} ${p.tag}.${p.attr}${p.column ? ` column ${p.column}` : ''}: ${p.message}`).join('; ') +
            (errors.length > 5 || warnings.length ? '; every one in the project\'s problem list (its dialog)' : ''),
        );
      if (warnings.length) node.warn(`${warnings.length} formula warning(s); the first: row ${warnings[0].row} ${warnings[0].tag}.${warnings[0].attr}: ${warnings[0].message}`);
      ready = true;
      engine.fullPass();
      // every attribute (null: no value yet, the drawing's own look) and every element's quality
      const all: (ElementChange | { tag: string; table: 'eg'; quality: string })[] = [];
      for (const e of engine.elements()) for (const attr of ['text', 'fill', 'stroke'] as const) all.push({ tag: e.tag, attr, value: e[attr] });
      engine.takeQualityChanges();
      for (const q of engine.qualities()) all.push({ tag: q.tag, table: 'eg', quality: q.quality });
      node.send({ topic: 'snapshot', payload: all } as never);
      showStatus(true);
    };

    if (projectNode) {
      const p = projectNode.project;
      if (!p) {
        node.status({ fill: 'red', shape: 'dot', text: tr(RED, 'mara-formula.status.badProject', {}, 'bad project') });
      } else {
        showStatus(true);
        p.subscribe(node.id, ({ model, error }) => {
          if (error && !model.formulas.length) {
            node.status({ fill: 'red', shape: 'ring', text: tr(RED, 'mara-formula.status.unreadable', {}, 'project unreadable') });
            return;
          }
          start(model.formulas, { points: model.points, elements: model.elements, formulas: model.formulas });
        });
      }
    } else {
      const rows = (Array.isArray(config.formulas) ? config.formulas : []).map((r, i) => ({ tag: String(r.tag ?? ''), attr: String(r.attr ?? 'text') as ElementAttr, text: String(r.formula ?? ''), row: i + 1 }));
      start(rows);
    }

    node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
      try {
        const { points, elements } = readInput(msg);
        if (!ready && engine.pointCount + points.length > MAX_POINTS) throw new MaraError('EQUEUEFULL', `the formulas are not loaded yet and ${MAX_POINTS} points are held`);
        for (const w of elements) {
          const k = `${w.tag}.${w.attr}`;
          if (!writes.has(k) && writes.size >= MAX_WRITES) throw new MaraError('EQUEUEFULL', `${MAX_WRITES} element attributes written already`);
          writes.delete(k);
          writes.set(k, w);
        }
        const changes = engine.update(points, elements);
        if (!ready) {
          // held: applied to the formulas when the project loads
          showStatus();
          done();
          return;
        }
        const quality = engine.takeQualityChanges().map((q) => ({ tag: q.tag, table: 'eg' as const, quality: q.quality }));
        if (changes.length || quality.length) {
          msg.payload = [...changes, ...quality];
          send(msg);
        }
        showStatus();
        done();
      } catch (e) {
        done(toMaraError(e));
      }
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      status.dispose();
      projectNode?.project?.unsubscribe(node.id);
      done();
    });
  }
  RED.nodes.registerType('mara-formula', MaraFormula);

  // "Test" in the editor: evaluate a formula against sample inputs, with the deployed node's state
  // when it runs, else against the inputs alone.
  RED.httpAdmin.post('/mara/formula/try', RED.auth.needsPermission('mara-formula.read'), editorWrite(RED, ['application/json']), (req, res) => {
    const body = (req.body ?? {}) as { id?: string; formula?: unknown; dialect?: unknown; inputs?: unknown };
    if (typeof body.formula !== 'string') return res.status(400).json({ error: 'formula must be text' });
    // bounded request (the evaluation itself is bounded by the formula's step budget, which every operation charges)
    if (body.formula.length > 65536 || Number(req.headers['content-length']) > 1024 * 1024 || (body.inputs && typeof body.inputs === 'object' && Object.keys(body.inputs).length > 10000))
      return res.status(413).json({ error: 'request too large: a formula of at most 65536 characters and at most 10000 inputs in 1 MiB' });
    const deployed = body.id ? (RED.nodes.getNode(body.id) as (Node & { engine?: FormulaEngine }) | null) : null;
    const engine = deployed?.engine ?? new FormulaEngine({ compile, dialect: body.dialect === 'excel' ? 'excel' : 'txscada' });
    const inputs = body.inputs && typeof body.inputs === 'object' ? (body.inputs as Record<string, unknown>) : {};
    res.json(engine.tryFormula(body.formula, inputs));
  });
};
