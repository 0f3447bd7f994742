import path from 'node:path';
import type { NodeAPI } from 'node-red';
import { FileStateStore, MemoryStateStore, StateStore } from '../lib/link/state-store';
import type { JournalLease } from '../lib/journal/journal-hub';
import { lineJournal } from './shared/line-journal';
import { sameOriginOnly } from './shared/http-guard';
import { LineHub } from '../lib/link/line-hub';
import type { PersistenceState } from '../lib/link/master-types';
import { MaraMaster } from '../lib/link/master';
import { createTransport } from '../lib/link/open-transport';
import { listSerialPorts } from '../lib/link/serial-ports';
import { MaraLineDef, MaraLineNode, lineOptions, num } from './shared/line-config';
import { watchProjectLine } from './shared/line-from-project';

export = function register(RED: NodeAPI): void {
  function MaraLine(this: MaraLineNode, config: MaraLineDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    node.hub = null;
    node.configError = null;
    node.lineName = config.name || (config.transport === 'serial' ? config.serialPath : `${config.host}:${config.port}`);
    let unwatch = () => undefined as void;
    let store: StateStore | null = null;
    let lease: JournalLease | null = null;
    const cfgP = config as MaraLineDef & { project?: string; comaster?: string; projectPoll?: string };
    try {
      const { transport, devices } = lineOptions(config);
      createTransport(transport); // validates the settings now, so a bad config is reported at deploy
      const userDir = (RED.settings as { userDir?: string }).userDir;
      if (config.persist !== false && userDir) {
        // write-ahead: every reply is recorded in the project's journal before it is acknowledged; the state
        // file of earlier versions is migrated on first start
        const legacy = new FileStateStore(path.join(userDir, 'mara-state', `${node.id.replace(/[^\w.-]/g, '_')}.json`));
        const info = transport.type === 'tcp' ? { host: transport.host, port: transport.port } : {};
        let j: ReturnType<typeof lineJournal>;
        try {
          j = lineJournal(RED, node, cfgP, { ...info, addresses: devices.map((d) => d.address) }, userDir, legacy);
        } catch (e) {
          // without its journal the line must not acknowledge anything: it does not poll until redeployed
          const err = e as Error & { code?: string };
          throw Object.assign(new Error(`journal: ${err.message}; the line does not poll until its journal can be opened (fix it and deploy again)`), {
            code: err.code ?? 'EJOURNAL_IO',
          });
        }
        store = j.store;
        lease = j.lease;
      } else store = new MemoryStateStore();
      const master = new MaraMaster({
        transport: () => createTransport(transport),
        devices,
        masterAddress: num(config.masterAddress, 0x40),
        maxQueue: num(config.maxQueue, 100),
        pehIntervalMs: num(config.pehInterval, 60) * 60_000,
        pehOnConnect: config.pehOnConnect !== false,
        utc: !!config.utc,
        store,
      });
      node.hub = new LineHub(master, 1000, (e) => node.error(`consumer failed: ${(e as Error)?.message ?? e}`));
      // settings taken from a project COMaster: the workbook stays the source (a mismatch is warned)
      unwatch = watchProjectLine(RED, node, cfgP, { transport, devices });
      // Edge-triggered log: once per state change, not once per reconnect attempt.
      let lastLogged = '';
      master.on('state', (s) => {
        const key = s.state === 'waiting' ? `waiting:${s.error?.message}` : s.state;
        if (key === lastLogged) return;
        lastLogged = key;
        if (s.state === 'connected') node.log(`connected: ${master.stats().description}`);
        else if (s.state === 'waiting') node.warn(`${master.stats().description}: ${s.error?.message ?? 'disconnected'}; retrying`);
      });
      // a state store that fails is logged once per change of its state, not once per reply
      const persistence = (p: PersistenceState) => {
        if (p.ok) node.log(lease ? 'journal: recording again, replies acknowledged' : 'line state saved again');
        else if (p.holding && (p.error as { code?: string } | undefined)?.code === 'EJOURNAL_WAITING') node.log(`journal: ${p.error?.message ?? 'waiting'}`);
        else if (p.holding)
          node.warn(`journal: ${p.error?.message ?? 'not recorded'} (replies are not acknowledged: the devices keep them until the journal works)`);
        else node.warn(`line state: ${p.error?.message ?? 'not saved'} (SEQ not persisted: a restart may hand replies on twice)`);
      };
      if (!master.persistence.ok) persistence(master.persistence);
      master.on('persistence', persistence);
      master.on('device', (d) => {
        if (d.online) node.log(`${d.name} (${d.address}) online`);
        else node.warn(`${d.name} (${d.address}) offline: ${d.reason ?? ''}`);
      });
    } catch (e) {
      lease?.release();
      lease = null;
      node.configError = e as Error;
      node.error(`bad config: ${(e as Error).message}`);
    }

    node.on('close', (removed: boolean, done: () => void) => {
      unwatch();
      const hub = node.hub;
      node.hub = null;
      // a deleted line takes its saved SEQ state with it (after the master stopped, so nothing saves again)
      const forget = () => {
        try {
          if (removed) store?.remove?.();
        } catch (e) {
          node.warn((e as Error).message);
        }
        lease?.release();
        lease = null;
      };
      if (!hub) {
        forget();
        return done();
      }
      hub.stop().then(
        () => (forget(), done()),
        () => (forget(), done()),
      );
    });
  }

  RED.nodes.registerType('mara-line', MaraLine as never);

  // Serial port picker for the editor (CONTRIBUTING.md §4): permission-guarded, never /serialports.
  RED.httpAdmin.get('/mara/serial/ports', RED.auth.needsPermission('mara-line.read'), sameOriginOnly(RED), (_req, res) => {
    listSerialPorts().then(
      (ports) => res.json(ports),
      (err: Error) => res.status(500).json({ error: err.message }),
    );
  });
};
