import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { MaraError } from '../lib/mara/errors';
import { HoldQueue } from '../lib/points/hold-queue';
import { PointMapper, TableRow } from '../lib/points/mapping';
import { checkReplyInput } from '../lib/points/reply-check';
import type { MaraProjectNode } from './shared/project-service';
import { StatusThrottle } from './shared/status';
import { toMaraError } from './shared/errors';

interface MaraPointsDef extends NodeDef {
  project: string;
  /** COMaster id of the project this line serves (default: the first). */
  comaster: string;
  /** Without a project: points named by their position in the reply. */
  points: { tag: string; table: string; index: number | string; maskinv?: number | string; escala?: number | string }[];
}

type Send = (msg: NodeMessageInFlow) => void;
type Done = (err?: Error) => void;
interface Held {
  msg: NodeMessageInFlow;
  done: Done;
}

/**
 * Replies held by a points node that closed before its project loaded, for the node with its id that the
 * same deploy starts; replies no node took are finished when the flows have started (their node is gone).
 */
const handover = new Map<string, Held[]>();
const watched = new WeakSet<object>();

function heldHasEvents(h: Held): boolean {
  const r = replyOf(h.msg);
  return !!r && Array.isArray(r.events) && r.events.length > 0;
}

/** The reply inside a msg from mara-poll (`payload.sv/di/ai`) or mara-decode (`payload.reply`). */
function replyOf(msg: NodeMessageInFlow): Record<string, unknown> | null {
  const p = msg.payload as Record<string, unknown> | undefined;
  if (!p || typeof p !== 'object') return null;
  if (p.reply && typeof p.reply === 'object') return p.reply as Record<string, unknown>;
  if (Array.isArray(p.ai) || Array.isArray(p.di) || Array.isArray(p.diBits) || Array.isArray(p.sv)) return p;
  return null;
}

/** A device status msg from mara-poll's second output (`<line>/<address>/$status`). */
function statusOf(msg: NodeMessageInFlow): { online: boolean } | null {
  const p = msg.payload as { online?: unknown } | undefined;
  if (typeof msg.topic === 'string' && msg.topic.endsWith('/$status') && p && typeof p.online === 'boolean') return { online: p.online };
  return null;
}

export = function register(RED: NodeAPI): void {
  if (!watched.has(RED.events)) {
    watched.add(RED.events);
    RED.events.on('flows:started', () => {
      for (const list of handover.values()) for (const h of list) h.done();
      handover.clear();
    });
  }
  function MaraPoints(this: Node, config: MaraPointsDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const status = new StatusThrottle(node);
    const projectNode = config.project ? (RED.nodes.getNode(config.project) as MaraProjectNode | null) : null;
    let mapper: PointMapper | null = null;
    let replies = 0;
    let offline = false;
    // Before the project has loaded, replies are held (in order, bounded: lib/points/hold-queue.ts) and
    // applied once it has: the line already advanced their SEQ, so failing them would lose their events.
    const held = new HoldQueue<Held>({ hasEvents: heldHasEvents, key: (h) => String(h.msg.topic ?? '') });
    const inherited = handover.get(node.id);
    handover.delete(node.id);

    const show = (now = false) => {
      if (!mapper) return status.set({ fill: 'blue', shape: 'ring', text: held.size ? `waiting for project · ${held.size} held` : 'waiting for project' }, now);
      if (offline) return status.set({ fill: 'red', shape: 'ring', text: `${mapper.size} points invalid` }, now);
      const probs = mapper.problems.length;
      status.set({ fill: probs ? 'yellow' : 'green', shape: 'dot', text: `${mapper.size} points${probs ? ` · ${probs} problems` : ''}${replies ? '' : ' · no reply yet'}` }, now);
    };

    const use = (m: PointMapper) => {
      // a reloaded workbook starts from the last known point values (and the device's online state)
      if (mapper) m.restore(mapper.snapshot(), mapper.isOnline);
      mapper = m;
      if (m.problems.length) node.warn(`${m.problems.length} point configuration problem(s); the first: ${m.problems[0]}`);
      const queued = held.drain();
      for (const h of queued) handle(h.msg, (out) => node.send(out), h.done);
      if (held.superseded) node.warn(`${held.superseded} state-only repl${held.superseded > 1 ? 'ies were' : 'y was'} superseded by newer ones while the project loaded`);
      held.superseded = 0;
      show(true);
    };

    const hold = (msg: NodeMessageInFlow, done: Done) => {
      const { dropped, refused } = held.push({ msg, done });
      dropped?.done();
      if (refused) refused.done(new MaraError('EQUEUEFULL', `the project has not loaded and ${held.max} replies with events are held already`));
      show();
    };
    for (const h of inherited ?? []) hold(h.msg, h.done);

    const waitsForProject = !!projectNode?.project;
    if (projectNode) {
      const p = projectNode.project;
      if (!p) node.status({ fill: 'red', shape: 'dot', text: 'bad project' });
      else {
        show(true);
        p.subscribe(node.id, ({ model, error }) => {
          if (!model.points.length) {
            node.status({ fill: 'red', shape: 'ring', text: error ? 'project unreadable' : 'no points' });
            return;
          }
          try {
            use(new PointMapper(model, config.comaster ? { comaster: config.comaster } : {}));
          } catch (e) {
            node.error(`points: ${(e as Error).message}`);
            node.status({ fill: 'red', shape: 'dot', text: 'bad config' });
          }
        });
      }
    } else {
      try {
        const rows = (Array.isArray(config.points) ? config.points : []).map((r) => ({
          tag: String(r.tag),
          table: r.table as TableRow['table'],
          index: Number(r.index),
          ...(r.maskinv !== undefined && r.maskinv !== '' ? { maskinv: Number(r.maskinv) } : {}),
          ...(r.escala !== undefined && r.escala !== '' ? { escala: Number(r.escala) } : {}),
        }));
        use(PointMapper.fromTable(rows));
      } catch (e) {
        node.error(`bad config: ${(e as Error).message}`);
        node.status({ fill: 'red', shape: 'dot', text: 'bad config' });
      }
    }

    function handle(msg: NodeMessageInFlow, send: Send, done: Done): void {
      try {
        if (!mapper) throw new MaraError('ENOTCONN', 'the point list is not loaded yet');
        const st = statusOf(msg);
        if (st) {
          if (!st.online) {
            // communication lost: every point of the device once, invalid (design.md)
            const changes = mapper.offline();
            offline = true;
            if (changes.length) {
              msg.payload = changes;
              send(msg);
            }
          } else offline = false;
          show(true);
          done();
          return;
        }
        if (msg.payload === 'snapshot') {
          msg.payload = mapper.snapshot();
          send(msg);
          done();
          return;
        }
        const reply = replyOf(msg);
        if (!reply) throw new MaraError('EINVAL', 'expected a poll reply (from mara poll or mara decode), a device status msg, or "snapshot"');
        const mara = (msg as { mara?: { at?: number } }).mara;
        checkReplyInput(reply); // ranges and types (lib/points/reply-check.ts): NaN or -5 never become "good" values
        const r = mapper.applyFull(reply as never, typeof mara?.at === 'number' ? mara.at : undefined);
        replies++;
        if (offline) offline = false;
        if (r.changes.length || r.comsys.length || r.unmapped.length) {
          msg.payload = r.changes;
          if (r.comsys.length) (msg as NodeMessageInFlow & { comsys: unknown }).comsys = r.comsys;
          // events that name no configured point are handed on too (flagged), never dropped here
          if (r.unmapped.length) (msg as NodeMessageInFlow & { unmapped: unknown }).unmapped = r.unmapped;
          send(msg);
        }
        show();
        done();
      } catch (e) {
        done(toMaraError(e));
      }
    }

    node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
      if (!mapper && waitsForProject) return hold(msg, done);
      handle(msg, send, done);
    });

    node.on('close', (removed: boolean, done: () => void) => {
      if (held.size) {
        const queued = held.drain();
        if (removed) {
          node.warn(`removed with ${queued.length} repl${queued.length > 1 ? 'ies' : 'y'} held (its project never loaded)`);
          for (const h of queued) h.done();
        } else handover.set(node.id, queued); // the redeployed node applies them
      }
      status.dispose();
      projectNode?.project?.unsubscribe(node.id);
      done();
    });
  }
  RED.nodes.registerType('mara-points', MaraPoints);
};
