import type { Node, NodeAPI, NodeDef, NodeMessageInFlow, NodeStatus } from 'node-red';
import { JournalError } from '../lib/journal/errors';
import { EventFeed, type FeedItem } from '../lib/journal/event-feed';
import { eventJson, parseCommand, type EventsCommand } from '../lib/journal/events-commands';
import type { JournalHub } from '../lib/journal/journal-hub';
import { exportTarget, exportToFile } from './shared/export-file';
import { journalOf } from './shared/project-journal';
import type { MaraProjectNode } from './shared/project-node';
import { StatusThrottle } from './shared/status';
import { tr } from './shared/i18n';

interface MaraEventsDef extends NodeDef {
  project: string;
  /** Where a new node starts: 'end' (events committed from its first deploy on) or 'all' (everything the journal keeps). */
  startAt?: 'end' | 'all';
  alarmsOnly?: boolean;
  attends?: boolean;
  horn?: boolean;
}

type Send = (msg: Array<NodeMessageInFlow | null>) => void;
type Done = (err?: Error) => void;

/** The msg of a journal change (output 1). */
function changeMsg(item: FeedItem): Record<string, unknown> {
  if (item.kind === 'event') return { topic: 'event', payload: eventJson(item.record) };
  if (item.kind === 'attend') return { topic: 'attend', payload: { ids: item.ids, user: item.user, at: item.at, atIso: new Date(item.at).toISOString() } };
  return { topic: 'horn', payload: { ...item.horn } };
}

export = function register(RED: NodeAPI): void {
  const userDir = () => (RED.settings as { userDir?: string }).userDir || process.cwd();

  function MaraEvents(this: Node, config: MaraEventsDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const status = new StatusThrottle(node);
    const projectNode = config.project ? (RED.nodes.getNode(config.project) as MaraProjectNode | null) : null;
    const hub: JournalHub | null = journalOf(projectNode);
    const stop = new AbortController();
    let failure: string | null = null;
    let exporting: Promise<unknown> | null = null;
    let feed: EventFeed | null = null;

    const statusNow = (): NodeStatus => {
      if (!hub)
        return {
          fill: 'red',
          shape: 'ring',
          text: projectNode ? tr(RED, 'mara-events.status.noJournal', {}, 'no journal') : tr(RED, 'mara-events.status.noProject', {}, 'no project'),
        };
      if (failure) return { fill: 'red', shape: 'dot', text: failure.slice(0, 60) };
      if (feed?.catchUp) return { fill: 'blue', shape: 'ring', text: tr(RED, 'mara-events.status.catchingUp', {}, 'catching up') };
      let n: number;
      try {
        n = hub.store.horn().unattended;
      } catch (e) {
        return { fill: 'red', shape: 'dot', text: (e as Error).message.slice(0, 60) };
      }
      const text = tr(RED, 'mara-events.status.unattended', { n }, '__n__ unattended');
      return { fill: 'green', shape: 'dot', text: exporting ? `${text} · ${tr(RED, 'mara-events.status.exporting', {}, 'exporting')}` : text };
    };
    const showStatus = (now = false) => status.set(statusNow, now);

    if (!hub) {
      const why = projectNode?.journalError?.message;
      node.error(projectNode ? `no journal${why ? `: ${why}` : ''}` : 'no project: choose the mara project whose events this node hands on');
    } else {
      feed = new EventFeed(
        hub,
        {
          name: node.id,
          startAt: config.startAt === 'all' ? 'all' : 'end',
          alarmsOnly: config.alarmsOnly === true,
          attends: config.attends !== false,
          horn: config.horn === true,
          onCaughtUp: () => {
            failure = null;
            showStatus(true);
          },
          onError: (e) => {
            failure = (e as Error)?.message ?? String(e);
            node.warn(`journal: ${failure}`);
            showStatus(true);
          },
        },
        (item) => {
          node.send([changeMsg(item) as NodeMessageInFlow, null]);
          showStatus();
        },
      );
      Object.defineProperty(node, 'feed', { value: feed, enumerable: false, configurable: true });
      try {
        feed.start();
      } catch (e) {
        failure = (e as Error).message;
        node.error(`journal: ${failure}`);
      }
    }
    showStatus(true);

    const run = (cmd: EventsCommand, h: JournalHub, msg: NodeMessageInFlow, send: Send, done: Done) => {
      const now = Date.now();
      const reply = (payload: unknown) => {
        msg.payload = payload;
        send([null, msg]);
        showStatus();
        done();
      };
      switch (cmd.action) {
        case 'attend':
          return reply({ action: 'attend', ids: h.attend(cmd.target, cmd.user, now), user: cmd.user, at: now });
        case 'attend-all':
          return reply({ action: 'attend-all', ids: h.attend({ filter: cmd.filter }, cmd.user, now), user: cmd.user, at: now });
        case 'silence':
          return reply({ action: 'silence', horn: h.silence(cmd.user, now) });
        case 'query': {
          const page = h.store.query(cmd.query);
          return reply({ action: 'query', records: page.records.map(eventJson), next: page.next });
        }
        case 'export': {
          if (exporting) throw new JournalError('EJOURNAL_BUSY', 'an export is already running in this node: wait for its reply');
          const root = userDir();
          const target = exportTarget(root, cmd.file, cmd.format, new Date(now));
          const job = exportToFile(h.store, root, target.abs, cmd.overwrite, {
            format: cmd.format,
            filter: cmd.filter,
            order: cmd.order,
            separator: cmd.separator,
            signal: stop.signal,
          });
          exporting = job;
          showStatus(true);
          job.then(
            (r) => {
              exporting = null;
              reply({ action: 'export', file: target.rel, ...r });
            },
            (e: Error) => {
              exporting = null;
              showStatus(true);
              done(e);
            },
          );
          return;
        }
      }
    };

    node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
      try {
        if (!hub) throw new JournalError('EJOURNAL_CLOSED', projectNode ? 'the project has no journal' : 'no project');
        run(parseCommand(msg as unknown as Record<string, unknown>), hub, msg, send, done);
      } catch (e) {
        done(e instanceof JournalError ? e : new JournalError('EJOURNAL_IO', (e as Error)?.message ?? String(e)));
      }
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      stop.abort();
      feed?.stop();
      status.dispose();
      // a running export stops at its next page and removes its partial file before the node is gone
      const job = exporting;
      if (job) job.then(done, done);
      else done();
    });
  }
  RED.nodes.registerType('mara-events', MaraEvents);
};
