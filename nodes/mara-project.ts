import fs from 'node:fs';
import path from 'node:path';
import type { NodeAPI } from 'node-red';
import { load } from '../lib/project/workbook';
import { RuntimeFailure, checkFormulas, projectProblems, runtimeFailures } from '../lib/project/problems';
import { comasterChoices } from '../lib/points/line-mapper';
import { checkScreenFiles } from '../lib/project/screen-check';
import { MaraError } from '../lib/mara/errors';
import { ProjectService } from '../lib/project/project-service';
import { assertRealPathInside, resolveInUserDir } from '../lib/project/user-dir-path';
import type { MaraProjectDef, MaraProjectNode } from './shared/project-node';
import { emptyModel, ProjectModel } from '../lib/project/model';
import { editorWrite, sameOriginOnly } from './shared/http-guard';
import { cleanUploadName, storeUpload } from './shared/upload-store';
import { provideExampleProject } from './shared/example-project';
import { tr } from './shared/i18n';
import { alarmSeveritiesOf, openProjectJournal } from './shared/project-journal';
import { startProjectAlarms } from './shared/project-alarms';

const UPLOAD_DIR = 'mara-projects';
const MAX_UPLOAD = 20 * 1024 * 1024;

export = function register(RED: NodeAPI): void {
  const userDir = () => (RED.settings as { userDir?: string }).userDir || process.cwd();

  function MaraProject(this: MaraProjectNode, config: MaraProjectDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    node.project = null;
    node.runtime = null;
    node.configError = null;
    node.dialect = config.dialect === 'excel' ? 'excel' : 'txscada';
    node.replaceLabels = config.replaceLabels === true;
    node.alarmSeverities = alarmSeveritiesOf(config);
    // the journal lives in the Node-RED user directory only (as the lines' state does): none without one
    const settingsDir = (RED.settings as { userDir?: string }).userDir;
    const closeJournal = settingsDir ? openProjectJournal(RED, node, config, settingsDir) : () => undefined;
    try {
      const file = resolveInUserDir(userDir(), config.path);
      let copied: string[] = [];
      try {
        assertRealPathInside(userDir(), file); // the copy must not follow a planted link out either
        copied = provideExampleProject(userDir(), file);
      } catch (e) {
        node.warn(hidePaths((e as Error).message, userDir()));
      }
      if (copied.length)
        node.log(
          tr(RED, 'mara-project.log.exampleCopied', { files: copied.join(', ') }, 'first deploy of an example: copied __files__ into the user directory'),
        );
      // checked again at every read: a symbolic link planted after the deploy leads nowhere outside either;
      // the drawings' dead hot-spots are import warnings too (lib/project/screen-check.ts)
      const guarded = async (f: string) => {
        try {
          assertRealPathInside(userDir(), f);
        } catch (e) {
          return { model: emptyModelOf(), problems: [{ sheet: '', row: null, column: null, message: (e as Error).message }] };
        }
        const r = await load(f);
        const problems = [...r.problems, ...(await checkScreenFiles(r.model, f, (abs) => assertRealPathInside(userDir(), abs)))];
        return { model: r.model, problems: problems.map((p) => ({ ...p, message: hidePaths(p.message, userDir()) })) };
      };
      node.project = new ProjectService(file, guarded, { info: (m) => node.log(m), warn: (m) => node.warn(m) });
      void node.project.reload().then(() => {
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
    // the protection marks (docs/screens.md §6.3) and the blinking elements, from the journal (once the workbook has loaded)
    const stopAlarms = startProjectAlarms(node);
    node.on('close', (_removed: boolean, done: () => void) => {
      stopAlarms();
      closeJournal();
      node.runtime?.close();
      node.runtime = null;
      node.project?.close();
      node.project = null;
      done();
    });
  }
  RED.nodes.registerType('mara-project', MaraProject as never);

  const project = (id: string) => (RED.nodes.getNode(id) as MaraProjectNode | null)?.project ?? null;

  /** The formulas failing now in the project's engine (one for every mara-formula and screen of the project). */
  const failingNow = (id: string): RuntimeFailure[] => {
    const rt = (RED.nodes.getNode(id) as MaraProjectNode | null)?.runtime;
    return rt?.ready ? runtimeFailures(rt.engine) : [];
  };

  // The editor lists a project's problems (and counts) on demand. Every route refuses other web pages
  // (Node-RED answers CORS preflights for any origin: see shared/http-guard.ts).
  RED.httpAdmin.get('/mara/project/:id/problems', RED.auth.needsPermission('mara-project.read'), sameOriginOnly(RED), (req, res) => {
    const p = project(String(req.params.id));
    if (!p) return res.status(404).json({ error: 'project not deployed' });
    const m = p.model;
    res.json({
      file: path.relative(userDir(), p.file),
      version: p.version,
      error: p.error === null ? null : hidePaths(p.error, userDir()),
      counts: {
        comasters: m.comasters.length,
        devices: m.devices.length,
        points: m.points.length,
        elements: m.elements.length,
        formulas: m.formulas.length,
        screens: m.screens.length,
        colours: m.colours.length,
      },
      // every problem in full: the workbook's, then each formula's (compile errors, unknown references, cycles,
      // and what fails now in the project's running engine, with the value kept)
      problems: projectProblems({
        model: m,
        problems: p.problems,
        formulas: checkFormulas(m, { dialect: (RED.nodes.getNode(String(req.params.id)) as MaraProjectNode).dialect }),
        runtime: failingNow(String(req.params.id)),
      }).problems,
    });
  });

  // The mara-line dialog offers the workbook's COMasters (host, port, IED addresses) to take a line from.
  RED.httpAdmin.get('/mara/project/:id/comasters', RED.auth.needsPermission('mara-project.read'), sameOriginOnly(RED), (req, res) => {
    const p = project(String(req.params.id));
    if (!p) return res.status(404).json({ error: 'project not deployed' });
    res.json({ comasters: comasterChoices(p.model) });
  });

  RED.httpAdmin.post('/mara/project/:id/reload', RED.auth.needsPermission('mara-project.write'), sameOriginOnly(RED), (req, res) => {
    const p = project(String(req.params.id));
    if (!p) return res.status(404).json({ error: 'project not deployed' });
    void p.reload().then(() => res.json({ version: p.version, error: p.error === null ? null : hidePaths(p.error, userDir()), problems: p.problems.length }));
  });

  // Upload from the editor: only the editor's own request (same origin, application/octet-stream: a form or
  // another site cannot send it), a file that holds an installation (a model with no points, elements,
  // formulas, screens or devices never replaces anything), stored under <userDir>/mara-projects/ with a
  // sanitised name, the previous file kept as <name>.bak, no symbolic link followed. The editor then uses the
  // returned relative path.
  RED.httpAdmin.post('/mara/project/upload', RED.auth.needsPermission('mara-project.write'), editorWrite(RED, ['application/octet-stream']), (req, res) => {
    const name = cleanUploadName(req.query.name);
    if (!/\.(xlsx|xls|json)$/i.test(name)) {
      res.status(400).json({ error: new MaraError('EINVAL', 'the file must be .xlsx, .xls or .json').message, code: 'EINVAL' });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > MAX_UPLOAD) {
        over = true;
        chunks.length = 0;
        res.status(413).json({ error: `the file is larger than ${MAX_UPLOAD} bytes`, code: 'ETOOBIG' });
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (over) return;
      const bytes = Buffer.concat(chunks);
      if (!bytes.length) return res.status(400).json({ error: 'the upload is empty: nothing stored', code: 'EEMPTY' });
      load(bytes)
        .then(({ model, problems }) => {
          if (isEmptyModel(model)) {
            const why = problems[0] ? `: ${hidePaths(problems[0].message, userDir())}` : '';
            return res.status(422).json({
              error: `the file holds no installation (no points, elements, formulas, screens or devices)${why}; nothing replaced`,
              code: 'EEMPTYMODEL',
            });
          }
          const r = storeUpload(userDir(), UPLOAD_DIR, name, bytes);
          res.json({ path: r.path, backup: r.backup, problems: problems.length });
        })
        .catch((e: Error & { code?: string }) => {
          res
            .status(e.code === 'EPATH' ? 403 : 500)
            .json({ error: e instanceof MaraError ? e.message : 'the file could not be stored', code: e.code ?? 'EIO' });
        });
    });
  });
};

function isEmptyModel(m: ProjectModel): boolean {
  return !m.points.length && !m.elements.length && !m.formulas.length && !m.screens.length && !m.devices.length;
}

function emptyModelOf(): ProjectModel {
  return emptyModel();
}

/** Messages shown to editor users name files relative to the user directory, never by absolute path. */
function hidePaths(message: string, userDir: string): string {
  let m = String(message);
  for (const root of new Set([path.resolve(userDir), safeReal(userDir)]))
    if (root)
      m = m
        .split(root + path.sep)
        .join('')
        .split(root)
        .join('<userDir>');
  return m;
}

function safeReal(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return '';
  }
}

function fmt(p: { sheet: string; row: number | null; column: string | null; message: string }): string {
  return `${p.sheet || 'file'}${p.row ? ` row ${p.row}` : ''}${p.column ? ` column ${p.column}` : ''}: ${p.message}`;
}
