/**
 * The rig of the ui_mara_alarms node tests: a mara-project stand-in whose `journal` is a real JournalHub, the real
 * Dashboard 1 with what the widget hands it recorded, and browser messages sent through the dashboard's own bus
 * with the socket id and handshake request socket.io would stamp (nodes/shared/dashboard.ts).
 */
import type { EventEmitter } from 'node:events';
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { helper } from './red';
import { defaultDashboardResolver, DashboardApi, SOCKET_ID, SOCKET_REQUEST } from '../../nodes/shared/dashboard';
import type { JournalLease } from '../../lib/journal/journal-hub';
import { event, reply } from '../journal/fixtures';
import alarmsNode = require('../../nodes/ui_mara_alarms');

export type Options = Record<string, any> & { node: EventEmitter & { id: string } };

/** The journal the next flow's project gets. */
export const rig: { lease: JournalLease | null; captured: Options[]; replies: Record<string, any>[] } = { lease: null, captured: [], replies: [] };

export const uiTab = require('node-red-dashboard/nodes/ui_tab.js');
export const uiGroup = require('node-red-dashboard/nodes/ui_group.js');
export const bcrypt = require('bcryptjs') as { hashSync(p: string, r: number): string };

/** A mara-project stand-in whose `journal` is a real JournalHub on a temporary file. */
export function fakeProject(RED: NodeAPI): void {
  function P(this: Node & { journal?: unknown }, config: NodeDef) {
    RED.nodes.createNode(this, config);
    this.journal = rig.lease?.hub ?? null;
  }
  RED.nodes.registerType('mara-project', P as never);
}

export function recordingResolver(RED: Parameters<typeof defaultDashboardResolver>[0]): DashboardApi {
  const real = defaultDashboardResolver(RED);
  return {
    ev: real.ev,
    emitSocket(ev, data) {
      rig.replies.push({ event: ev, ...data });
    },
    addWidget(o) {
      rig.captured.push(o as Options);
      return real.addWidget(o);
    },
  };
}

export function flow(extra: Record<string, unknown> = {}) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'uitab', type: 'ui_tab', name: 'Home', order: 1 },
    { id: 'grp', type: 'ui_group', name: 'Alarms', tab: 'uitab', width: 12, order: 1, disp: true },
    { id: 'proj', type: 'mara-project' },
    {
      id: 'al',
      type: 'ui_mara_alarms',
      z: 'tab',
      group: 'grp',
      order: 1,
      width: 0,
      height: 0,
      project: 'proj',
      mode: 'banner',
      rows: 3,
      pageSize: 5,
      readOnly: false,
      horn: true,
      anonymous: false,
      wires: [['out']],
      ...extra,
    },
    { id: 'out', type: 'helper', z: 'tab' },
  ];
}
export const nodes = () => [alarmsNode, uiTab, uiGroup, fakeProject];

/** A browser message as the dashboard's socket delivers it, with the server's socket id and handshake request. */
export function fromBrowser(msg: Record<string, unknown>, socket = 'sock-1', request: unknown = { headers: {} }) {
  const ui = require('node-red-dashboard/ui')({});
  const data: Record<string | symbol, unknown> = { id: 'al', msg, socketid: socket };
  Object.defineProperty(data, SOCKET_ID, { value: socket });
  Object.defineProperty(data, SOCKET_REQUEST, { value: request });
  ui.ev.emit('update-value', data);
}
export const settle = async (rounds = 20) => {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
};
export const snapshot = () => (helper.getNode('al') as any).maraAlarms.snapshot();
/** Replies to one socket, of one kind, since the last call. */
export function take(kind: string, socket = 'sock-1'): any[] {
  const got = rig.replies.filter((r) => r.socketid === socket && kind in r).map((r) => r[kind]);
  rig.replies = rig.replies.filter((r) => !(r.socketid === socket && kind in r));
  return got;
}
export const alarm = (n: number, severity = 3) =>
  event(n, { severity, tag: `S11PR_${String(n).padStart(2, '0')}`, description: `relay ${n}`, stateText: 'ACTUADA' });
/** Appends replies r0 … r0+k-1, each with one alarm (n = its number) and one plain event. */
export function seed(r0: number, k: number) {
  for (let r = r0; r < r0 + k; r++) rig.lease!.hub.append(reply(r, 0, { events: [alarm(r), event(1000 + r)] }));
}
export const asUser = (user: string) => ({ headers: {}, user: { username: user } });
