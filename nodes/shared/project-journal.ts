import type { NodeAPI } from 'node-red';
import { acquireJournal, type JournalHub } from '../../lib/journal/journal-hub';
import type { AlarmDefaults } from '../../lib/journal/describe-events';
import type { Retention } from '../../lib/journal/types';
import { journalFile } from './line-journal';
import type { MaraProjectDef, MaraProjectNode } from './project-node';

/** Retention applied once an hour (and at start), a batch at a time so a big prune never blocks the line for long. */
const PRUNE_EVERY_MS = 3_600_000;
const PRUNE_BATCH = 10_000;

/**
 * Opens the project's journal (`<userDir>/mara-journal/<project id>.sqlite`, shared with the lines that name the
 * project) for the project node, and applies its retention. Returns the function that releases it on close.
 * A journal that cannot be opened leaves `node.journal` null and `node.journalError` set; the lines that
 * write to it then hold their replies back and say why.
 */
export function openProjectJournal(RED: NodeAPI, node: MaraProjectNode, config: MaraProjectDef, userDir: string): () => void {
  node.journal = null;
  node.journalError = null;
  let lease: ReturnType<typeof acquireJournal> | null = null;
  try {
    lease = acquireJournal(journalFile(userDir, node.id), {}, (e) => node.error(`journal listener failed: ${(e as Error)?.message ?? e}`));
  } catch (e) {
    node.journalError = e as Error;
    node.error(`journal: ${(e as Error).message}`);
    return () => undefined;
  }
  // the message already names the kept file and the fresh journal
  if (lease.recovered) node.warn(lease.recovered.error.message);
  node.journal = lease.hub;
  const retention = retentionOf(config);
  const prune = () => {
    try {
      let n = 0;
      // a batch at a time, yielding between batches, until nothing more goes
      const step = () => {
        const gone = lease!.hub.store.prune(retention, Date.now(), PRUNE_BATCH);
        n += gone;
        if (gone >= PRUNE_BATCH) timer2 = setTimeout(step, 50);
        else if (n) node.log(`journal: retention removed ${n} old event(s)`);
      };
      step();
    } catch (e) {
      node.warn(`journal retention: ${(e as Error).message}`);
    }
  };
  let timer2: NodeJS.Timeout | null = null;
  const first = setTimeout(prune, 5_000);
  const timer = setInterval(prune, PRUNE_EVERY_MS);
  void RED; // the runtime is not needed beyond the node yet; kept for symmetry with lineJournal
  return () => {
    clearTimeout(first);
    clearInterval(timer);
    if (timer2) clearTimeout(timer2);
    node.journal = null;
    lease?.release();
    lease = null;
  };
}

/** The project node's retention settings (days and rows; 0 or empty = no limit of that kind). */
export function retentionOf(config: Partial<MaraProjectDef>): Retention {
  const days = Number(config.retentionDays ?? 365);
  const rows = Number(config.retentionRows ?? 1_000_000);
  const r: Retention = { keepUnattended: true };
  if (Number.isFinite(days) && days > 0) r.maxAgeDays = days;
  if (Number.isFinite(rows) && rows > 0) r.maxRows = Math.floor(rows);
  return r;
}

/** The project node's alarm severities (sevProtection …; empty = the default, else an integer 0-9; anything else is ignored). */
export function alarmSeveritiesOf(config: Partial<MaraProjectDef>): Partial<AlarmDefaults> {
  const out: Partial<AlarmDefaults> = {};
  const take = (k: keyof AlarmDefaults, v: unknown) => {
    const s = String(v ?? '').trim();
    if (/^[0-9]$/.test(s)) out[k] = Number(s);
  };
  take('protection', config.sevProtection);
  take('alarm', config.sevAlarm);
  take('breaker', config.sevBreaker);
  take('otherDigital', config.sevOther);
  take('comsys', config.sevComsys);
  return out;
}

/** The journal of the project a node names (its events, attend, horn), or null when the project or its journal is not there. */
export function journalOf(p: MaraProjectNode | null | undefined): JournalHub | null {
  return p?.journal ?? null;
}
