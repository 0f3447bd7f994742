import type { Node, NodeDef } from 'node-red';
import type { AlarmDefaults } from '../../lib/journal/describe-events';
import type { JournalHub } from '../../lib/journal/journal-hub';
import type { ProjectAlarms } from '../../lib/journal/project-alarms';
import type { ProjectService } from '../../lib/project/project-service';
import { ProjectRuntime } from '../../lib/project/project-runtime';

// The `mara project` config node's shape as its users see it; the project itself (load, reload, watch, its
// runtime) is library code in lib/project/.

export interface MaraProjectDef extends NodeDef {
  path: string;
  dialect: 'txscada' | 'excel';
  watch: boolean;
  /** Static `eg` texts replace the drawing's labels that have text (default: the drawing's labels stay). */
  replaceLabels?: boolean;
  /** Journal retention: events older than this many days go (default 365; 0 = no age limit). */
  retentionDays?: number | string;
  /** Journal retention: only the newest this many events stay (default 1 000 000; 0 = no row limit). */
  retentionRows?: number | string;
  /** Alarm severities 0-9 per kind of event (empty: DEFAULT_ALARMS; docs/journal.md). */
  sevProtection?: number | string;
  sevAlarm?: number | string;
  sevBreaker?: number | string;
  sevOther?: number | string;
  sevComsys?: number | string;
}

export interface MaraProjectNode extends Node {
  project: ProjectService | null;
  /** The project's formulas and element state, one for every node using the project (see `runtimeOf`). */
  runtime?: ProjectRuntime | null;
  dialect: 'txscada' | 'excel';
  replaceLabels?: boolean;
  /** Why the node could not start (bad path). */
  configError: Error | null;
  /** The project's event journal (shared with the lines that name the project), null when it could not be opened. */
  journal?: JournalHub | null;
  journalError?: Error | null;
  /** The project's alarm severities over DEFAULT_ALARMS, for the describers of its lines' events. */
  alarmSeverities?: Partial<AlarmDefaults>;
  /** The protection marks (docs/screens.md §6.3) and the elements with an unattended alarm (what screens blink); null without a journal. */
  alarms?: ProjectAlarms | null;
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
