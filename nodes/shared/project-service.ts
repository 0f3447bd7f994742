import type { Node, NodeDef } from 'node-red';
import type { ProjectService } from '../../lib/project/project-service';
import { ProjectRuntime } from '../../lib/project/project-runtime';

// The library logic lives in lib/project/ (no Node-RED there); re-exported for the nodes that import it from here.
export { ProjectService, summary } from '../../lib/project/project-service';
export type { Loader, ProjectListener } from '../../lib/project/project-service';
export { assertRealPathInside, resolveInUserDir } from '../../lib/project/user-dir-path';

export interface MaraProjectDef extends NodeDef {
  path: string;
  dialect: 'txscada' | 'excel';
  watch: boolean;
  /** Static `eg` texts replace the drawing's labels that have text (default: the drawing's labels stay). */
  replaceLabels?: boolean;
}

export interface MaraProjectNode extends Node {
  project: ProjectService | null;
  /** The project's formulas and element state, one for every node using the project (see `runtimeOf`). */
  runtime?: ProjectRuntime | null;
  dialect: 'txscada' | 'excel';
  replaceLabels?: boolean;
  /** Why the node could not start (bad path). */
  configError: Error | null;
}

/**
 * The project's runtime (one formula engine and element state for every mara-formula and screen node using
 * it), made on first use for the project's current ProjectService; null when the project could not start.
 */
export function runtimeOf(p: MaraProjectNode | null | undefined): ProjectRuntime | null {
  if (!p?.project) return null;
  if (!p.runtime || p.runtime.service !== p.project)
    p.runtime = new ProjectRuntime({ service: p.project, dialect: p.dialect === 'excel' ? 'excel' : 'txscada' });
  return p.runtime;
}
