/**
 * A stand-in `mara-project` config node for tests: it holds a ProjectService (the real one) whose loader
 * returns a model the test registered for the node's `path`. The widget and the points/formula nodes use a
 * project only through `projectNode.project` (ProjectService), which is what this provides.
 */
import path from 'node:path';
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { ProjectService } from '../../lib/project/project-service';
import type { ProjectModel } from '../../lib/project/model';

const models = new Map<string, ProjectModel>();

/** The model a `mara-project` node with `path: file` will load (file's folder = where its SVG files are). */
export function setProjectModel(file: string, model: ProjectModel): void {
  models.set(path.resolve(file), model);
}

export function fakeProjectNode(RED: NodeAPI): void {
  function MaraProject(this: Node & { project: ProjectService | null; runtime?: { close(): void } | null }, config: NodeDef & { path: string }) {
    RED.nodes.createNode(this, config);
    const file = path.resolve(config.path);
    this.project = new ProjectService(file, async (f) => {
      const m = models.get(path.resolve(f));
      if (!m)
        return {
          model: { comasters: [], devices: [], points: [], elements: [], formulas: [], screens: [], colours: [], eventTexts: [] },
          problems: [{ sheet: '', row: null, column: null, message: 'no model' }],
        };
      return { model: JSON.parse(JSON.stringify(m)) as ProjectModel, problems: [] };
    });
    void this.project.reload();
    this.on('close', (_removed: boolean, done: () => void) => {
      this.runtime?.close(); // made on first use by the nodes (nodes/shared/project-node.ts runtimeOf)
      this.project?.close();
      done();
    });
  }
  RED.nodes.registerType('mara-project', MaraProject as never);
}
