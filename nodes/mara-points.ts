import type { Node, NodeAPI, NodeDef, NodeMessageInFlow, NodeStatus } from 'node-red';
import { MaraError } from '../lib/mara/errors';
import { HoldQueue } from '../lib/points/hold-queue';
import { LineInfo, LineMapper, PollMode, pickComaster } from '../lib/points/line-mapper';
import { ApplyResult, PointMapper, TableRow } from '../lib/points/mapping';
import type { ProjectModel } from '../lib/project/model';
import { checkReplyInput } from '../lib/points/reply-check';
import type { MaraProjectNode } from './shared/project-node';
import { lineInfoOf } from './shared/points-line';
import { StatusThrottle } from './shared/status';
import { tr } from './shared/i18n';
import { toMaraError } from './shared/errors';

interface MaraPointsDef extends NodeDef {
  project: string;
  /** COMaster id of the project this line serves (default: the one whose IEDs the line polls). */
  comaster: string;
  /** The mara-line whose replies this node maps (optional: else the line named by the first reply's msg.mara.line). */
  line?: string;
  /** How the line reaches its IEDs: 'auto' (default), 'concentrator', 'direct'. */
  poll?: PollMode;
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
function statusOf(msg: NodeMessageInFlow): { online: boolean; address?: number } | null {
  const p = msg.payload as { online?: unknown; address?: unknown } | undefined;
  if (typeof msg.topic === 'string' && msg.topic.endsWith('/$status') && p && typeof p.online === 'boolean') {
    const a = typeof p.address === 'number' ? p.address : Number(msg.topic.slice(0, -'/$status'.length).split('/').pop());
    return Number.isInteger(a) ? { online: p.online, address: a } : { online: p.online };
  }
  return null;
}

/** The address that sent a reply: mara-poll's payload.address / msg.mara.address, mara-decode's frame src. */
function addressOf(msg: NodeMessageInFlow): number | undefined {
  const p = msg.payload as { address?: unknown; src?: unknown } | undefined;
  const m = (msg as { mara?: { address?: unknown } }).mara;
  for (const a of [p?.address, m?.address, p?.src]) if (typeof a === 'number' && Number.isInteger(a)) return a;
  return undefined;
}

const lineNameOf = (msg: NodeMessageInFlow): string | undefined => {
  const l = (msg as { mara?: { line?: unknown } }).mara?.line;
  return typeof l === 'string' && l ? l : undefined;
};

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
    // a project maps by the reply's address over the whole line (LineMapper); a table has no devices (PointMapper)
    let mapper: LineMapper | PointMapper | null = null;
    let replies = 0;
    /** Addresses reported offline by mara-poll (a table mapper: -1 for its only unit). */
    const offline = new Set<number>();
    /** Unplaced addresses, each warned once: `address reason` → detail. */
    const unplaced = new Map<string, string>();
    /** The project loaded, but the line (and so its COMaster) is not known yet: waits for the first reply. */
    let pending: ProjectModel | null = null;
    /** Why no COMaster could be chosen (coded, naming the choices): every msg fails with it. */
    let pickError: MaraError | null = null;
    // what the node knows of its line: its configured mara-line, else the one its first reply names
    let line: (LineInfo & { name?: string }) | null = config.line ? lineInfoOf(RED, { id: config.line }) : null;
    const poll: PollMode = config.poll === 'concentrator' || config.poll === 'direct' ? config.poll : 'auto';
    // Before the project has loaded, replies are held (in order, bounded: lib/points/hold-queue.ts) and
    // applied once it has: the line already advanced their SEQ, so failing them would lose their events.
    const held = new HoldQueue<Held>({ hasEvents: heldHasEvents, key: (h) => String(h.msg.topic ?? '') });
    const inherited = handover.get(node.id);
    handover.delete(node.id);

    const polledCount = () => line?.addresses?.length || (mapper instanceof LineMapper ? mapper.addresses.length : 1) || 1;
    const statusNow = (): NodeStatus => {
      if (pickError)
        return { fill: 'red', shape: 'dot', text: tr(RED, 'mara-points.status.pickComaster', { code: pickError.code }, '__code__: name the COMaster') };
      if (!mapper) {
        const what = pending
          ? tr(RED, 'mara-points.status.waitingReply', {}, 'waiting for a reply (which line?)')
          : tr(RED, 'mara-points.status.waiting', {}, 'waiting for project');
        return { fill: 'blue', shape: 'ring', text: held.size ? `${what} · ${tr(RED, 'mara-points.status.held', { n: held.size }, '__n__ held')}` : what };
      }
      const n = mapper.size;
      const addresses = [...new Set([...unplaced.keys()].map((k) => k.split(' ')[0]))].join(',');
      const lost = unplaced.size ? ` · ${tr(RED, 'mara-points.status.notPlaced', { addresses }, 'address __addresses__ not placed')}` : '';
      if (offline.size && offline.size >= polledCount()) {
        const invalid =
          n === 1 ? tr(RED, 'mara-points.status.invalidOne', {}, '1 point invalid') : tr(RED, 'mara-points.status.invalidMany', { n }, '__n__ points invalid');
        return { fill: 'red', shape: 'ring', text: `${invalid}${lost}` };
      }
      const probs = mapper.problems.length;
      const off = !offline.size
        ? ''
        : ` · ${offline.size === 1 ? tr(RED, 'mara-points.status.offlineOne', {}, '1 device offline') : tr(RED, 'mara-points.status.offlineMany', { n: offline.size }, '__n__ devices offline')}`;
      const problems = !probs
        ? ''
        : ` · ${probs === 1 ? tr(RED, 'mara-points.status.problemOne', {}, '1 problem') : tr(RED, 'mara-points.status.problemMany', { n: probs }, '__n__ problems')}`;
      const noReply = replies ? '' : ` · ${tr(RED, 'mara-points.status.noReply', {}, 'no reply yet')}`;
      const points = n === 1 ? tr(RED, 'mara-points.status.pointOne', {}, '1 point') : tr(RED, 'mara-points.status.pointMany', { n }, '__n__ points');
      const head =
        mapper instanceof LineMapper ? tr(RED, 'mara-points.status.comaster', { id: mapper.comaster, points }, 'COMaster __id__: __points__') : points;
      return { fill: probs || lost || off ? 'yellow' : 'green', shape: 'dot', text: `${head}${off}${lost}${problems}${noReply}` };
    };
    const show = (now = false) => status.set(statusNow, now);

    const use = (m: LineMapper | PointMapper) => {
      // a reloaded workbook starts from the last known point values (and the device's online state)
      if (mapper instanceof LineMapper && m instanceof LineMapper) m.restore(mapper.snapshot());
      else if (mapper instanceof PointMapper && m instanceof PointMapper) m.restore(mapper.snapshot(), mapper.isOnline);
      mapper = m;
      pending = null;
      pickError = null;
      if (m instanceof LineMapper) node.log(`${m.reason}${line?.name ? ` (line ${line.name})` : ''}`);
      if (m.problems.length) node.warn(`${m.problems.length} point configuration problem(s); the first: ${m.problems[0]}`);
      const queued = held.drain();
      for (const h of queued) handle(h.msg, (out) => node.send(out), h.done);
      if (held.superseded)
        node.warn(`${held.superseded} state-only repl${held.superseded > 1 ? 'ies were' : 'y was'} superseded by newer ones while the project loaded`);
      held.superseded = 0;
      show(true);
    };

    /** Builds the line's mapper once the COMaster can be chosen; false while the line is still unknown. */
    const build = (model: ProjectModel): boolean => {
      const info: LineInfo = line ?? {};
      if (!config.comaster && !line) {
        // no line known yet: choose now only when the workbook leaves one choice, else ask the first reply
        const p = pickComaster(model, {});
        if (!p.ok && p.code === 'EAMBIGUOUS') {
          pending = model;
          show(true);
          const first = held.peek();
          if (first && lineNameOf(first.msg)) learnLine(first.msg);
          return !!mapper;
        }
      }
      try {
        use(new LineMapper(model, { ...info, comaster: config.comaster || null, poll }));
      } catch (e) {
        const err = e as MaraError & { reason?: string };
        mapper = null;
        pending = null;
        pickError = new MaraError((err.reason ?? err.code ?? 'EINVAL') as never, `points: ${err.message}`);
        node.error(pickError.message);
        show(true);
        // held replies fail with the same coded error (a Catch node sees why)
        for (const h of held.drain()) h.done(pickError);
      }
      return !!mapper;
    };

    /** The first reply names its line (msg.mara.line): its mara-line config tells host, port and addresses. */
    const learnLine = (msg: NodeMessageInFlow): void => {
      const model = pending;
      if (!model) return;
      const name = lineNameOf(msg);
      line = (name && lineInfoOf(RED, { name })) || { name, addresses: [] };
      if (!line.addresses?.length && !line.host) {
        // no mara-line of that name in the flow: the workbook must name the COMaster
        const p = pickComaster(model, {});
        pending = null;
        pickError = new MaraError(
          (p.ok ? 'EAMBIGUOUS' : p.code) as never,
          `points: ${p.ok ? '' : p.message} (no mara-line${name ? ` named ${name}` : ''} in the flow to tell which; set the COMaster or the line)`,
        );
        node.error(pickError.message);
        show(true);
        for (const h of held.drain()) h.done(pickError);
        return;
      }
      build(model);
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
      if (!p) node.status({ fill: 'red', shape: 'dot', text: tr(RED, 'mara-points.status.badProject', {}, 'bad project') });
      else {
        show(true);
        p.subscribe(node.id, ({ model, error }) => {
          if (!model.points.length) {
            node.status({
              fill: 'red',
              shape: 'ring',
              text: error ? tr(RED, 'mara-points.status.unreadable', {}, 'project unreadable') : tr(RED, 'mara-points.status.noPoints', {}, 'no points'),
            });
            return;
          }
          build(model);
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
        node.status({ fill: 'red', shape: 'dot', text: tr(RED, 'mara-points.status.badConfig', {}, 'bad config') });
      }
    }

    function handle(msg: NodeMessageInFlow, send: Send, done: Done): void {
      try {
        if (pickError) throw pickError;
        if (!mapper) throw new MaraError('ENOTCONN', 'the point list is not loaded yet');
        const st = statusOf(msg);
        if (st) {
          const key = mapper instanceof LineMapper ? (st.address ?? -1) : -1;
          if (!st.online) {
            // communication lost: every point of that device once invalid (of the line, for a concentrator)
            const changes = mapper instanceof LineMapper ? mapper.offline(st.address) : mapper.offline();
            offline.add(key);
            if (changes.length) {
              msg.payload = changes;
              send(msg);
            }
          } else offline.delete(key);
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
        const at = typeof mara?.at === 'number' ? mara.at : undefined;
        let r: ApplyResult & { unplaced?: { address: number; reason: string; detail: string } };
        if (mapper instanceof LineMapper) {
          // a reply that names no address (a bare decoded reply) is taken as the line's first device's
          const address = addressOf(msg) ?? mapper.addresses[0] ?? 0;
          r = mapper.apply(address, reply as never, at);
          offline.delete(address);
          if (offline.has(-1)) offline.clear();
        } else {
          r = mapper.applyFull(reply as never, at);
          offline.clear();
        }
        replies++;
        if (r.unplaced) {
          const k = `${r.unplaced.address} ${r.unplaced.reason}`;
          if (!unplaced.has(k) && unplaced.size < 256) {
            unplaced.set(k, r.unplaced.detail);
            node.warn(`reply of address ${r.unplaced.address} not placed (${r.unplaced.reason}): ${r.unplaced.detail}`);
          }
          (msg as NodeMessageInFlow & { unplaced: unknown }).unplaced = r.unplaced;
        }
        if (r.changes.length || r.comsys.length || r.unmapped.length || r.unplaced) {
          msg.payload = r.changes;
          if (r.comsys.length) (msg as NodeMessageInFlow & { comsys: unknown }).comsys = r.comsys;
          // events that name no configured point are handed on too (flagged), never dropped here
          if (r.unmapped.length) (msg as NodeMessageInFlow & { unmapped: unknown }).unmapped = r.unmapped;
          send(msg);
        }
        show(!!r.unplaced);
        done();
      } catch (e) {
        done(toMaraError(e));
      }
    }

    node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
      if (!mapper && pending) {
        // the first reply tells the line: the COMaster is chosen now, the held replies applied, then this one
        // (a reply that names no line cannot tell: the coded failure names the COMasters to choose from)
        if (replyOf(msg) || statusOf(msg)) learnLine(msg);
      }
      if (!mapper && !pickError && waitsForProject) return hold(msg, done);
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
