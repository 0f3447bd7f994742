import type { Node, NodeAPI, NodeDef, NodeMessageInFlow, NodeStatus } from 'node-red';
import { compile } from '../lib/formula';
import { FormulaEngine } from '../lib/formula/engine';
import { readInput } from './shared/formula-input';
import type { Dialect } from '../lib/formula/types';
import type { ElementAttr } from '../lib/project/model';
import { ProjectRuntime, RuntimeEvent } from '../lib/project/project-runtime';
import { MaraProjectNode, runtimeOf } from './shared/project-node';
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

export = function register(RED: NodeAPI): void {
  function MaraFormula(this: Node, config: MaraFormulaDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const status = new StatusThrottle(node);
    const projectNode = config.project ? (RED.nodes.getNode(config.project) as MaraProjectNode | null) : null;
    const dialect: Dialect = projectNode?.dialect ?? (config.dialect === 'excel' ? 'excel' : 'txscada');
    // With a project: the project's runtime, one engine for every node using it (lib/project/project-runtime.ts),
    // which keeps what arrives before the project loads. Without: this node's own formula rows, its own engine.
    const runtime: ProjectRuntime | null = projectNode ? runtimeOf(projectNode) : new ProjectRuntime({ dialect });
    Object.defineProperty(node, 'engine', { get: () => runtime?.engine, enumerable: false, configurable: true });
    Object.defineProperty(node, 'runtime', { value: runtime, enumerable: false, configurable: true });

    // worked out only when it may be shown (StatusThrottle): translating it per msg cost a site a tenth of a core
    const statusNow = (rt: ProjectRuntime): NodeStatus => {
      const engine = rt.engine;
      const errs = engine.problems.filter((p) => p.severity === 'error').length;
      const { waiting, failing } = engine.errorCounts(); // every node of a project asks the one engine: no list built
      if (!rt.ready) return { fill: 'blue', shape: 'ring', text: tr(RED, 'mara-formula.status.waiting', {}, 'waiting for project') };
      if (errs)
        return {
          fill: 'red',
          shape: 'dot',
          text:
            errs === 1 ? tr(RED, 'mara-formula.status.badOne', {}, '1 bad formula') : tr(RED, 'mara-formula.status.badMany', { n: errs }, '__n__ bad formulas'),
        };
      const n = engine.size;
      const count = n === 1 ? tr(RED, 'mara-formula.status.one', {}, '1 formula') : tr(RED, 'mara-formula.status.many', { n }, '__n__ formulas');
      if (failing) return { fill: 'yellow', shape: 'dot', text: `${count} · ${tr(RED, 'mara-formula.status.failing', { n: failing }, '__n__ failing')}` };
      return {
        fill: waiting ? 'grey' : 'green',
        shape: 'dot',
        text: waiting ? `${count} · ${tr(RED, 'mara-formula.status.noValues', { n: waiting }, '__n__ without values')}` : count,
      };
    };

    const showStatus = (now = false) => {
      if (runtime) status.set(() => statusNow(runtime), now);
    };

    /** The formulas (re)loaded: reports bad ones once (with row and column), and sends the full state. */
    const loaded = (problems: Extract<RuntimeEvent, { kind: 'loaded' }>) => {
      const errors = problems.problems.filter((p) => p.severity === 'error');
      const warnings = problems.problems.filter((p) => p.severity === 'warning');
      if (errors.length)
        node.error(
          `${errors.length} formula(s) cannot run: ` +
            errors
              .slice(0, 5)
              .map((p) => `row ${p.row} ${p.tag}.${p.attr}${p.column ? ` column ${p.column}` : ''}: ${p.message}`)
              .join('; ') +
            (errors.length > 5 || warnings.length ? "; every one in the project's problem list (its dialog)" : ''),
        );
      if (warnings.length)
        node.warn(`${warnings.length} formula warning(s); the first: row ${warnings[0].row} ${warnings[0].tag}.${warnings[0].attr}: ${warnings[0].message}`);
      // every attribute (null: no value yet, the drawing's own look) and every element's quality; the items are
      // the project's one snapshot (a site's nodes all send it at once: one copy of it, not one per line)
      node.send({ topic: 'snapshot', payload: runtime!.snapshot().slice() } as never);
      showStatus(true);
    };

    if (!runtime) {
      node.status({ fill: 'red', shape: 'dot', text: tr(RED, 'mara-formula.status.badProject', {}, 'bad project') });
    } else {
      showStatus(true);
      runtime.subscribe(node.id, (e) => {
        if (e.kind === 'loaded') loaded(e);
        else if (e.kind === 'unreadable')
          node.status({ fill: 'red', shape: 'ring', text: tr(RED, 'mara-formula.status.unreadable', {}, 'project unreadable') });
        // 'changes': what this node's input caused it sends itself; the rest is for the screens
      });
      if (!projectNode) {
        const rows = (Array.isArray(config.formulas) ? config.formulas : []).map((r, i) => ({
          tag: String(r.tag ?? ''),
          attr: String(r.attr ?? 'text') as ElementAttr,
          text: String(r.formula ?? ''),
          row: i + 1,
        }));
        runtime.load({ formulas: rows });
      }
    }

    node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
      try {
        if (!runtime) {
          done();
          return;
        }
        const { points, elements } = readInput(msg);
        const items = runtime.update(points, elements, node.id);
        if (items === null) {
          // held: applied to the formulas when the project loads
          showStatus();
          done();
          return;
        }
        if (items.length) {
          msg.payload = items.slice();
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
      runtime?.unsubscribe(node.id);
      if (!projectNode) runtime?.close();
      done();
    });
  }
  RED.nodes.registerType('mara-formula', MaraFormula);

  // "Test" in the editor: evaluate a formula against sample inputs, with the deployed node's state (its
  // project's engine, shared by every node of the project) when it runs, else against the inputs alone.
  RED.httpAdmin.post('/mara/formula/try', RED.auth.needsPermission('mara-formula.read'), editorWrite(RED, ['application/json']), (req, res) => {
    const body = (req.body ?? {}) as { id?: string; formula?: unknown; dialect?: unknown; inputs?: unknown };
    if (typeof body.formula !== 'string') return res.status(400).json({ error: 'formula must be text' });
    // bounded request (the evaluation itself is bounded by the formula's step budget, which every operation charges)
    if (
      body.formula.length > 65536 ||
      Number(req.headers['content-length']) > 1024 * 1024 ||
      (body.inputs && typeof body.inputs === 'object' && Object.keys(body.inputs).length > 10000)
    )
      return res.status(413).json({ error: 'request too large: a formula of at most 65536 characters and at most 10000 inputs in 1 MiB' });
    const deployed = body.id ? (RED.nodes.getNode(body.id) as (Node & { engine?: FormulaEngine }) | null) : null;
    const engine = deployed?.engine ?? new FormulaEngine({ compile, dialect: body.dialect === 'excel' ? 'excel' : 'txscada' });
    const inputs = body.inputs && typeof body.inputs === 'object' ? (body.inputs as Record<string, unknown>) : {};
    res.json(engine.tryFormula(body.formula, inputs));
  });
};
