import fs from 'node:fs';
import path from 'node:path';
import { emptyModel, Problem, ProjectModel } from './model';

/** What a node using a project wants to hear: each consumer gets its own call (no broadcast). */
export type ProjectListener = (p: { model: ProjectModel; problems: Problem[]; version: number; error: string | null }) => void;

export type Loader = (file: string) => Promise<{ model: ProjectModel; problems: Problem[] }>;

/**
 * One installation's workbook, shared by the points, formula and screen nodes: loads it (in the workbook
 * worker), reloads on demand and when the file changes, and keeps the last good model when a new file cannot
 * be read at all, so nothing half-imported reaches a running flow. No Node-RED here: the mara-project node
 * (nodes/mara-project.ts) holds one, with its ProjectRuntime (project-runtime.ts).
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
        this.debounce = setTimeout(() => void this.reload(), 500);
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
