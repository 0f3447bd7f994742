import { ProjectAlarms } from '../../lib/journal/project-alarms';
import { type MaraProjectNode, runtimeOf } from './project-node';

/** The listener id of the marks on the project's workbook and runtime. */
const ORIGIN = 'mara-project:marks';

/**
 * The project's alarm state (lib/journal/project-alarms.ts) for a mara-project node with a journal: the marks of docs/screens.md §6.3
 * go into the project's runtime (the formulas that read them repaint; held until the formulas load), and
 * `node.alarms` tells the screens which elements have an unattended alarm. Starts when the workbook first loads.
 * Returns the function that stops it on close.
 */
export function startProjectAlarms(node: MaraProjectNode): () => void {
  const hub = node.journal;
  const project = node.project;
  node.alarms = null;
  if (!hub || !project) return () => undefined;
  const alarms = new ProjectAlarms({
    hub,
    id: `${node.id}:alarms`,
    apply: (writes) => void runtimeOf(node)?.update([], writes, ORIGIN),
    textOf: (tag) => {
      const t = node.runtime?.engine.element(tag)?.text;
      return typeof t === 'string' ? t : undefined;
    },
    warn: (m) => node.warn(m),
  });
  node.alarms = alarms;
  project.subscribe(ORIGIN, ({ model, version }) => {
    if (version > 0) alarms.setModel(model);
  });
  return () => {
    project.unsubscribe(ORIGIN);
    alarms.close();
    node.alarms = null;
  };
}
