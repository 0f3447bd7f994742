import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { MaraError } from '../lib/mara/errors';
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
  function MaraPoints(this: Node, config: MaraPointsDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const status = new StatusThrottle(node);
    const projectNode = config.project ? (RED.nodes.getNode(config.project) as MaraProjectNode | null) : null;
    let mapper: PointMapper | null = null;
    let replies = 0;
    let offline = false;

    const show = (now = false) => {
      if (!mapper) return status.set({ fill: 'blue', shape: 'ring', text: 'waiting for project' }, now);
      if (offline) return status.set({ fill: 'red', shape: 'ring', text: `${mapper.size} points invalid` }, now);
      const probs = mapper.problems.length;
      status.set({ fill: probs ? 'yellow' : 'green', shape: 'dot', text: `${mapper.size} points${probs ? ` · ${probs} problems` : ''}${replies ? '' : ' · no reply yet'}` }, now);
    };

    const use = (m: PointMapper) => {
      mapper = m;
      if (m.problems.length) node.warn(`${m.problems.length} point configuration problem(s); the first: ${m.problems[0]}`);
      show(true);
    };

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

    node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
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
        if (r.changes.length || r.comsys.length) {
          msg.payload = r.changes;
          if (r.comsys.length) (msg as NodeMessageInFlow & { comsys: unknown }).comsys = r.comsys;
          send(msg);
        }
        show();
        done();
      } catch (e) {
        done(toMaraError(e));
      }
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      status.dispose();
      projectNode?.project?.unsubscribe(node.id);
      done();
    });
  }
  RED.nodes.registerType('mara-points', MaraPoints);
};
