import path from 'node:path';
import type { Node, NodeAPI } from 'node-red';
import { EventDescriber } from '../../lib/journal/describe-events';
import { JournalError } from '../../lib/journal/errors';
import { acquireJournal, type JournalLease } from '../../lib/journal/journal-hub';
import { JournalStateStore } from '../../lib/journal/state-store';
import type { AcceptedReply, StateStore } from '../../lib/link/state-store';
import { pickComaster, type LineInfo } from '../../lib/points/line-mapper';
import type { ProjectModel } from '../../lib/project/model';
import type { MaraProjectNode } from './project-node';

/** The journal file of a project (or of a line without one): one SQLite file per owner under the user directory. */
export function journalFile(userDir: string, ownerId: string): string {
  return path.join(userDir, 'mara-journal', `${ownerId.replace(/[^\w.-]/g, '_')}.sqlite`);
}

/**
 * A line's write-ahead store (docs/journal.md): the journal of the project the line names, where its events
 * get their points (tag, description, state text, severity) from the workbook's COMaster; a line without a
 * project keeps a journal of its own with its events unmapped. `legacy` is the line's state file from before
 * the journal, migrated on first start. While the project's workbook is still loading, replies wait
 * (EJOURNAL_WAITING, not acknowledged) rather than being recorded without their points.
 */
export function lineJournal(
  RED: NodeAPI,
  node: Node,
  cfg: { project?: string; comaster?: string },
  info: LineInfo,
  userDir: string,
  legacy: StateStore | null,
): { store: JournalStateStore; lease: JournalLease } {
  const owner = cfg.project || node.id;
  const lease = acquireJournal(journalFile(userDir, owner), {}, (e) => node.error(`journal listener failed: ${(e as Error)?.message ?? e}`));
  // the message already names the kept file and the fresh journal
  if (lease.recovered) node.warn(lease.recovered.error.message);
  let cache: { model: ProjectModel | null; d: EventDescriber } | null = null;
  const describe = (reply: AcceptedReply) => {
    let model: ProjectModel | null = null;
    let alarms: MaraProjectNode['alarmSeverities'];
    if (cfg.project) {
      const projectNode = RED.nodes.getNode(cfg.project) as MaraProjectNode | null;
      alarms = projectNode?.alarmSeverities;
      const svc = projectNode?.project ?? null;
      if (svc && svc.version === 0 && svc.error === null)
        throw new JournalError('EJOURNAL_WAITING', 'the workbook of the project is still loading: replies wait until it has loaded');
      model = svc && svc.version > 0 ? svc.model : null;
    }
    if (!cache || cache.model !== model) {
      const pick = model ? pickComaster(model, { ...info, comaster: cfg.comaster || null }) : null;
      // the project's severities (mara-project: sevProtection …) over the defaults
      cache = { model, d: new EventDescriber(pick?.ok ? model : null, { comaster: pick?.ok ? pick.comaster : undefined, alarms }) };
      if (pick && !pick.ok) node.warn(`journal: ${pick.message}; events are recorded without their points`);
    }
    return cache.d.describe(reply.frame.reply?.events ?? []);
  };
  return { store: new JournalStateStore(lease.hub.store, node.id, describe, lease.hub, legacy), lease };
}
