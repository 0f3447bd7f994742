import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { MaraError } from '../lib/mara/errors';
import { preview } from '../lib/preview';
import type { MaraLineNode } from './shared/line-config';
import { lineStatus } from './shared/line-status';
import { scoped, tr } from './shared/i18n';
import { StatusThrottle } from './shared/status';

interface MaraPollDef extends NodeDef {
  line: string;
}

type Send = (msg: (NodeMessageInFlow | null)[] | NodeMessageInFlow) => void;
type Done = (err?: Error) => void;

export = function register(RED: NodeAPI): void {
  function MaraPoll(this: Node, config: MaraPollDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const status = new StatusThrottle(node);
    const line = RED.nodes.getNode(config.line) as MaraLineNode | null;
    const hub = line?.hub ?? null;
    if (!line || !hub) {
      node.status({ fill: 'red', shape: 'dot', text: tr(RED, 'mara-poll.status.badConfig', {}, 'bad config') });
      if (!line) node.error('no mara-line configured');
      node.on('input', (_m: NodeMessageInFlow, _s: Send, done: Done) => done(new MaraError('ENOTCONN', 'no usable mara-line')));
      return;
    }
    const master = hub.master;
    const lineName = line.lineName;
    const t = scoped(RED, 'mara-poll');
    let link = { state: 'stopped' } as Parameters<typeof lineStatus>[0];
    const refresh = (now = false) => status.set(() => lineStatus(link, master.devices, master.persistence, t), now);

    hub.register(node.id, {
      onState(s) {
        const changed = s.state !== link.state;
        link = s;
        refresh(changed);
      },
      onReply(r) {
        const reply = r.frame.reply;
        node.send([
          {
            topic: `${lineName}/${r.address}`,
            payload: {
              address: r.address,
              name: r.name,
              sv: reply?.sv ?? [],
              di: reply?.di ?? [],
              diBits: reply?.diBits ?? [],
              ai: reply?.ai ?? [],
              events: reply?.events ?? [],
              warnings: r.frame.warnings,
            },
            mara: { line: lineName, address: r.address, seq: r.seq, cmd: r.frame.cmd, rttMs: r.rttMs, raw: r.raw, stale: r.stale, at: r.at },
          } as never,
          null,
        ]);
        refresh();
      },
      onPersistence() {
        refresh(true);
      },
      onDevice(d) {
        node.send([null, { topic: `${lineName}/${d.address}/$status`, payload: d } as never]);
        refresh(true);
      },
    });

    node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
      try {
        const what = typeof msg.payload === 'string' ? msg.payload : (msg.topic ?? '');
        const address = (msg as { address?: unknown }).address;
        if (what === 'stats') {
          msg.topic = `${lineName}/$stats`;
          msg.payload = master.stats();
          send([null, msg]);
        } else if (what === 'poll') {
          if (address !== undefined && !master.devices.some((d) => d.address === address))
            throw new MaraError('EINVAL', `msg.address ${preview(address)} is not a device of this line`);
          master.pollNow(address as number | undefined);
        } else if (what === 'sync') {
          master.syncTime();
        } else {
          throw new MaraError('EINVAL', 'msg.payload must be "stats", "poll" or "sync"');
        }
        done();
      } catch (e) {
        done(e as Error);
      }
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      status.dispose();
      hub.deregister(node.id);
      done();
    });
  }
  RED.nodes.registerType('mara-poll', MaraPoll);
};
