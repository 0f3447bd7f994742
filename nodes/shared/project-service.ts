import fs from 'node:fs';
import path from 'node:path';
import type { Node, NodeDef } from 'node-red';
import { emptyModel, Problem, ProjectModel } from '../../lib/project/model';

/** What a node using a project wants to hear: each consumer gets its own call (no broadcast). */
export type ProjectListener = (p: { model: ProjectModel; problems: Problem[]; version: number; error: string | null }) => void;

export type Loader = (file: string) => Promise<{ model: ProjectModel; problems: Problem[] }>;

/**
 * One installation's workbook, shared by the points, formula and screen nodes: loads it (in the
 * workbook worker), reloads on demand and when the file changes, and keeps the last good model when a
 * new file cannot be read at all, so nothing half-imported reaches a running flow.
 */
export class ProjectService {
  model: ProjectModel = emptyModel();
  problems: Problem[] = [];
  version = 0;
  /** Why the current file could not be read (the previous model stays). */
  error: string | null = null;
  loading: Promise<void> | null = null;
  private readonly listeners = new Map<string, ProjectListener>();
  private watcher: fs.FSWatcher | null = null;
  private debounce: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    readonly file: string,
    private readonly loader: Loader,
    private readonly log: { info(m: string): void; warn(m: string): void } = { info: () => undefined, warn: () => undefined },
  ) {}

  subscribe(id: string, l: ProjectListener): void {
    this.listeners.set(id, l);
    if (this.version > 0 || this.error) this.call(l);
  }

  unsubscribe(id: string): void {
    this.listeners.delete(id);
  }

  /** (Re)loads the workbook; resolves when done, never rejects. */
  reload(): Promise<void> {
    if (this.loading) return this.loading;
    this.loading = this.loader(this.file)
      .then(({ model, problems }) => {
        const unreadable = isEmpty(model) && problems.length > 0;
        if (unreadable && this.version > 0) {
          this.error = problems[0].message;
          this.log.warn(`workbook not reloaded, the previous one stays: ${this.error}`);
        } else {
          this.model = model;
          this.problems = problems;
          this.error = unreadable ? problems[0].message : null;
          this.version++;
          this.log.info(`workbook loaded: ${summary(model)}, ${problems.length} problem(s)`);
        }
      })
      .catch((e: Error) => {
        this.error = e.message;
      })
      .finally(() => {
        this.loading = null;
        if (!this.closed) for (const l of this.listeners.values()) this.call(l);
      });
    return this.loading;
  }

  /** Reload when the file changes (debounced: editors write files in several steps). */
  watch(): void {
    try {
      this.watcher = fs.watch(path.dirname(this.file), (_ev, name) => {
        if (name && name.toString() !== path.basename(this.file)) return;
        if (this.debounce) clearTimeout(this.debounce);
        this.debounce = setTimeout(() => this.reload(), 500);
      });
      this.watcher.on('error', () => undefined);
    } catch {
      // the folder does not exist (yet): reload on demand only
    }
  }

  close(): void {
    this.closed = true;
    this.listeners.clear();
    if (this.debounce) clearTimeout(this.debounce);
    this.watcher?.close();
  }

  private call(l: ProjectListener): void {
    try {
      l({ model: this.model, problems: this.problems, version: this.version, error: this.error });
    } catch {
      // a consumer's failure is its own (it reports it on its node)
    }
  }
}

function isEmpty(m: ProjectModel): boolean {
  return !m.points.length && !m.elements.length && !m.formulas.length && !m.screens.length && !m.devices.length;
}

export function summary(m: ProjectModel): string {
  return `${m.points.length} points, ${m.elements.length} elements, ${m.formulas.length} formulas, ${m.screens.length} screens`;
}

export interface MaraProjectDef extends NodeDef {
  path: string;
  dialect: 'txscada' | 'excel';
  watch: boolean;
  /** Static `eg` texts replace the drawing's labels that have text (default: the drawing's labels stay). */
  replaceLabels?: boolean;
}

export interface MaraProjectNode extends Node {
  project: ProjectService | null;
  dialect: 'txscada' | 'excel';
  replaceLabels?: boolean;
  /** Why the node could not start (bad path). */
  configError: Error | null;
}

/**
 * A path the user typed, resolved inside the Node-RED user directory: absolute paths and `..` that
 * would leave it are refused (CONTRIBUTING.md §13: no user-supplied paths joined on the server), and so is a
 * path that leaves it through a symbolic link (see {@link assertRealPathInside}). Errors never show the
 * server's absolute paths.
 */
export function resolveInUserDir(userDir: string, p: string): string {
  if (typeof p !== 'string' || !p.trim()) throw new Error('no workbook path');
  const root = path.resolve(userDir);
  const abs = path.resolve(root, p.trim());
  const shown = path.isAbsolute(p.trim()) ? 'an absolute path' : JSON.stringify(p.trim().slice(0, 200));
  if (abs !== root && !abs.startsWith(root + path.sep)) throw new Error(`the workbook path must be inside the Node-RED user directory: ${shown}`);
  assertRealPathInside(root, abs);
  return abs;
}

/**
 * Throws (code EPATH) when `abs`, or the deepest of its parents that exists, resolves through symbolic links
 * to a place outside `root` (itself resolved). A file that does not exist yet is checked through its parents,
 * so a link planted later is caught when the file is read or written (callers check again then).
 */
export function assertRealPathInside(root: string, abs: string): void {
  let realRoot: string;
  try {
    realRoot = fs.realpathSync(root);
  } catch {
    realRoot = path.resolve(root);
  }
  let probe = path.resolve(abs);
  for (;;) {
    let real: string | null = null;
    try {
      real = fs.realpathSync(probe);
    } catch {
      // missing: check the parent; a dangling link is a link to somewhere we cannot check
      let link = false;
      try {
        link = fs.lstatSync(probe).isSymbolicLink();
      } catch {
        link = false;
      }
      if (link) real = '\0dangling';
    }
    if (real !== null) {
      if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
        const rel = path.relative(path.resolve(root), path.resolve(abs)) || '.';
        throw Object.assign(new Error(`${JSON.stringify(rel.slice(0, 200))} leads outside the Node-RED user directory through a symbolic link: refused`), { code: 'EPATH' });
      }
      return;
    }
    const up = path.dirname(probe);
    if (up === probe) return;
    probe = up;
  }
}
