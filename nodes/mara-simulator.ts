import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { TIMER_MAX_MS } from '../lib/link/master-types';
import { preview } from '../lib/preview';
import { startActivity } from '../lib/sim/activity';
import { MaraSimulator } from '../lib/sim/simulator';
import { MaraError } from '../lib/mara/errors';
import { msgBytes } from './shared/bytes';
import { num } from './shared/line-config';
import { applyValues, parseAddresses, parseTrips } from './shared/sim-input';
import { StatusThrottle } from './shared/status';
import { tr } from './shared/i18n';
import { toMaraError } from './shared/errors';

interface MaraSimulatorDef extends NodeDef {
  transport: 'tcp' | 'serial';
  host: string;
  port: number | string;
  serialPath: string;
  baud: number | string;
  /** Comma-separated addresses, e.g. `1` (a COMaster) or `2,3,4` (IEDs on a bus). */
  devices: string;
  diBytes: number | string;
  aiCount: number | string;
  activity: boolean;
  /** seconds between activity ticks */
  activityInterval: number | string;
  /** DI indexes the activity may toggle, e.g. `16,20,24,28` (empty: every DI). */
  breakers?: string;
  /** Protection trips, `relay:breaker` DI index pairs, e.g. `17:16,21:20` (empty: none). */
  trips?: string;
  /** Mean seconds between trips (0 or empty: no trips). */
  tripEvery?: number | string;
  /** Take the SEQ of broadcast frames, like the 2014 firmware (docs/protocol.md §6.2). */
  bugPeh?: boolean;
}

type Send = (msg: NodeMessageInFlow) => void;
type Done = (err?: Error) => void;

export = function register(RED: NodeAPI): void {
  function MaraSimulatorNode(this: Node, config: MaraSimulatorDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const status = new StatusThrottle(node);
    let sim: MaraSimulator | null = null;
    const stops: (() => void)[] = [];
    let where = '';
    let error = '';

    const show = (now = false) => {
      if (!sim) return;
      if (error) return status.set({ fill: 'red', shape: 'ring', text: error }, now);
      const s = sim.stats;
      const n = s.connections;
      const clients =
        config.transport === 'serial'
          ? ''
          : ` · ${n === 1 ? tr(RED, 'mara-simulator.status.clientOne', {}, '1 client') : tr(RED, 'mara-simulator.status.clientMany', { n }, '__n__ clients')}`;
      status.set({ fill: s.connections || config.transport === 'serial' ? 'green' : 'grey', shape: 'dot', text: `${where}${clients}` }, now);
    };

    try {
      const addresses = parseAddresses(config.devices);
      const diBytes = num(config.diBytes, 4);
      const aiCount = num(config.aiCount, 8);
      // a reply holds at most 245 payload bytes: larger counts can never fit (and must not allocate)
      if (!(diBytes >= 0 && diBytes <= 245 && aiCount >= 0 && aiCount <= 122)) throw new MaraError('EINVAL', 'diBytes must be 0-245 and aiCount 0-122');
      sim = new MaraSimulator(
        addresses.map((address) => ({
          address,
          di: new Array(diBytes).fill(0),
          ai: new Array(aiCount).fill(0),
          sv: new Array(6).fill(0),
          seqFromBroadcast: !!config.bugPeh,
        })),
      );
      sim.on('linkError', (err) => {
        error = (err as { code?: string }).code ?? 'error';
        node.warn(`simulator link: ${err.message}`);
        show(true);
      });
      sim.on('connection', () => {
        error = '';
        show(true);
      });
      sim.on('disconnect', () => show(true));
      const opened =
        config.transport === 'serial'
          ? sim
              .openSerial({ path: config.serialPath, baudRate: num(config.baud, 9600) })
              .then(() => tr(RED, 'mara-simulator.status.serial', { path: config.serialPath }, 'serial __path__'))
          : sim
              .listenTcp({ host: config.host || '127.0.0.1', port: num(config.port, 9761) })
              .then((port) => tr(RED, 'mara-simulator.status.tcp', { port }, 'tcp :__port__'));
      opened.then(
        (w) => {
          where = w;
          show(true);
        },
        (err: Error) => {
          error = (err as { code?: string }).code ?? 'error';
          node.error(`simulator cannot open ${config.transport}: ${err.message}`);
          show(true);
        },
      );
      if (config.activity) {
        const ms = Math.max(100, num(config.activityInterval, 2) * 1000);
        if (!(ms <= TIMER_MAX_MS)) throw new MaraError('EINVAL', `activityInterval must be at most ${TIMER_MAX_MS / 1000} s`);
        const dis = String(config.breakers ?? '')
          .split(/[\s,;]+/)
          .filter(Boolean)
          .map(Number);
        const trips = parseTrips(config.trips);
        const every = num(config.tripEvery, 0) * 1000;
        // a trip holds the relay up ~20 s, then the breaker recloses ~20 s later (docs/journal.md: the demo's trips)
        const tripping = trips.length && every > 0 ? { trips, tripProbability: Math.min(1, ms / every), tripTicks: Math.max(1, Math.round(20_000 / ms)) } : {};
        for (const d of sim.devices) stops.push(startActivity(d, { intervalMs: ms, ...(dis.length ? { dis } : {}), ...tripping }));
      }
    } catch (e) {
      node.status({ fill: 'red', shape: 'dot', text: tr(RED, 'mara-simulator.status.badConfig', {}, 'bad config') });
      node.error(`bad config: ${(e as Error).message}`);
    }

    node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
      try {
        if (!sim) throw new MaraError('EINVAL', 'simulator not running (bad config)');
        const p = (msg.payload && typeof msg.payload === 'object' ? msg.payload : {}) as Record<string, unknown>;
        if (msg.topic === 'fault') {
          if (p.drop !== undefined) sim.dropReplies(num(p.drop, 1));
          if (p.corrupt !== undefined) sim.corruptReplies(num(p.corrupt, 1));
          if (p.silence !== undefined) sim.silence(num(p.silence, 0));
          if (p.noise !== undefined) sim.injectNoise(msgBytes(p.noise, 'msg.payload.noise'));
          if (p.reset) sim.resetConnections();
        } else if (msg.topic === 'stats' || msg.payload === 'stats') {
          msg.payload = { ...sim.stats, devices: sim.devices.map((d) => ({ address: d.address, queue: d.queueLength, ...d.stats })) };
          send(msg);
        } else {
          const address = p.address === undefined ? sim.devices[0].address : num(p.address, NaN);
          const dev = sim.device(address);
          if (!dev) throw new MaraError('EINVAL', `no simulated device at address ${preview(p.address)}`);
          applyValues(dev, p);
        }
        done();
      } catch (e) {
        done(toMaraError(e));
      }
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      status.dispose();
      for (const s of stops) s();
      const s = sim;
      sim = null;
      if (!s) return done();
      s.close().then(done, done);
    });
  }
  RED.nodes.registerType('mara-simulator', MaraSimulatorNode);
};
