import fs from 'node:fs';
import path from 'node:path';
import type { NodeAPI } from 'node-red';
import { load } from '../lib/points/workbook';
import { RuntimeFailure, checkFormulas, projectProblems, runtimeFailures } from '../lib/points/project-problems';
import type { FormulaEngine } from '../lib/formula/engine';
import { comasterChoices } from '../lib/points/line-mapper';
import { checkScreenFiles } from '../lib/points/screen-check';
import { MaraError } from '../lib/mara/errors';
import { MaraProjectDef, MaraProjectNode, ProjectService, resolveInUserDir } from './shared/project-service';

const UPLOAD_DIR = 'mara-projects';
const MAX_UPLOAD = 20 * 1024 * 1024;

export = function register(RED: NodeAPI): void {
  const userDir = () => (RED.settings as { userDir?: string }).userDir || process.cwd();

  function MaraProject(this: MaraProjectNode, config: MaraProjectDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    node.project = null;
    node.configError = null;
    node.dialect = config.dialect === 'excel' ? 'excel' : 'txscada';
    try {
      const file = resolveInUserDir(userDir(), config.path);
      // the drawings' dead hot-spots are import warnings too (lib/points/screen-check.ts)
      node.project = new ProjectService(file, (f) => load(f).then(async (r) => ({ ...r, problems: [...r.problems, ...(await checkScreenFiles(r.model, f))] })), { info: (m) => node.log(m), warn: (m) => node.warn(m) });
      node.project.reload().then(() => {
        const p = node.project;
        if (!p) return;
        if (p.error) node.error(`workbook ${config.path}: ${p.error}`);
        else if (p.problems.length) node.warn(`workbook ${config.path}: ${p.problems.length} problem(s); the first: ${fmt(p.problems[0])}`);
      });
      if (config.watch !== false) node.project.watch();
    } catch (e) {
      node.configError = e as Error;
      node.error(`bad config: ${(e as Error).message}`);
    }
    node.on('close', (_removed: boolean, done: () => void) => {
      node.project?.close();
      node.project = null;
      done();
    });
  }
  RED.nodes.registerType('mara-project', MaraProject as never);

  const project = (id: string) => (RED.nodes.getNode(id) as MaraProjectNode | null)?.project ?? null;

  /** The formulas failing now in every deployed mara-formula of this project (each node keeps its engine). */
  const runtimeOf = (id: string): RuntimeFailure[] => {
    const out: RuntimeFailure[] = [];
    RED.nodes.eachNode((n) => {
      if (n.type !== 'mara-formula' || (n as { project?: string }).project !== id) return;
      const engine = (RED.nodes.getNode(n.id) as { engine?: FormulaEngine } | null)?.engine;
      if (engine) out.push(...runtimeFailures(engine));
    });
    return out;
  };

  // The editor lists a project's problems (and counts) on demand.
  RED.httpAdmin.get('/mara/project/:id/problems', RED.auth.needsPermission('mara-project.read'), (req, res) => {
    const p = project(String(req.params.id));
    if (!p) return res.status(404).json({ error: 'project not deployed' });
    const m = p.model;
    res.json({
      file: path.relative(userDir(), p.file),
      version: p.version,
      error: p.error,
      counts: { comasters: m.comasters.length, devices: m.devices.length, points: m.points.length, elements: m.elements.length, formulas: m.formulas.length, screens: m.screens.length, colours: m.colours.length },
      // every problem in full: the workbook's, then each formula's (compile errors, unknown references, cycles,
      // and what fails now in the running mara-formula nodes, with the value kept)
      problems: projectProblems({
        model: m,
        problems: p.problems,
        formulas: checkFormulas(m, { dialect: (RED.nodes.getNode(String(req.params.id)) as MaraProjectNode).dialect }),
        runtime: runtimeOf(String(req.params.id)),
      }).problems,
    });
  });

  // The mara-line dialog offers the workbook's COMasters (host, port, IED addresses) to take a line from.
  RED.httpAdmin.get('/mara/project/:id/comasters', RED.auth.needsPermission('mara-project.read'), (req, res) => {
    const p = project(String(req.params.id));
    if (!p) return res.status(404).json({ error: 'project not deployed' });
    res.json({ comasters: comasterChoices(p.model) });
  });

  RED.httpAdmin.post('/mara/project/:id/reload', RED.auth.needsPermission('mara-project.write'), (req, res) => {
    const p = project(String(req.params.id));
    if (!p) return res.status(404).json({ error: 'project not deployed' });
    p.reload().then(() => res.json({ version: p.version, error: p.error, problems: p.problems.length }));
  });

  // Upload from the editor: the bytes are stored under <userDir>/mara-projects/ with a sanitised name;
  // the editor then uses the returned relative path.
  RED.httpAdmin.post('/mara/project/upload', RED.auth.needsPermission('mara-project.write'), (req, res) => {
    const name = String(req.query.name ?? '').replace(/[^\w.-]+/g, '_').replace(/^\.+/, '');
    if (!/\.(xlsx|xls|json)$/i.test(name)) {
      res.status(400).json({ error: new MaraError('EINVAL', 'the file must be .xlsx, .xls or .json').message });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_UPLOAD) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_UPLOAD) return res.status(413).json({ error: `the file is larger than ${MAX_UPLOAD} bytes` });
      try {
        const dir = path.join(userDir(), UPLOAD_DIR);
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, name), Buffer.concat(chunks));
        res.json({ path: `${UPLOAD_DIR}/${name}` });
      } catch (e) {
        res.status(500).json({ error: (e as Error).message });
      }
    });
  });
};

function fmt(p: { sheet: string; row: number | null; column: string | null; message: string }): string {
  return `${p.sheet || 'file'}${p.row ? ` row ${p.row}` : ''}${p.column ? ` column ${p.column}` : ''}: ${p.message}`;
}
