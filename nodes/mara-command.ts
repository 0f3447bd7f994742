import type { Node, NodeAPI, NodeDef, NodeMessageInFlow, NodeStatus } from 'node-red';
import { refusal } from '../lib/mara';
import { MaraError } from '../lib/mara/errors';
import { CommandSpec, parseCommand } from './shared/command-spec';
import { commandFields } from './shared/command-fields';
import { MaraLineNode, num } from './shared/line-config';
import { lineStatus } from './shared/line-status';
import { scoped, tr } from './shared/i18n';
import { StatusThrottle } from './shared/status';

interface MaraCommandDef extends NodeDef {
  line: string;
  /** `time`, `control` or `raw`: what a msg without `payload.cmd` asks for. */
  command: 'time' | 'control' | 'raw';
  address: number | string;
  timeout: number | string;
  retries: number | string;
  /** control: logical port, bit and state; raw: command number and argument bytes (hex text). */
  port?: number | string;
  bit?: number | string;
  state?: number | string;
  cmd?: number | string;
  data?: string;
}

type Done = (err?: Error) => void;
type Send = (msg: NodeMessageInFlow) => void;

export = function register(RED: NodeAPI): void {
  function MaraCommand(this: Node, config: MaraCommandDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const line = RED.nodes.getNode(config.line) as MaraLineNode | null;
    const hub = line?.hub ?? null;
    const status = new StatusThrottle(node);
    const dflt = { command: config.command || 'time', address: num(config.address, 1), fields: commandFields(config) };
    const timeoutMs = num(config.timeout, 0) || undefined;
    const retries = num(config.retries, 0);
    let pending = 0;
    let lastError = '';

    if (!hub) {
      node.status({ fill: 'red', shape: 'dot', text: tr(RED, 'mara-command.status.badConfig', {}, 'bad config') });
      node.on('input', (_m: NodeMessageInFlow, _s: Send, done: Done) => done(new MaraError('ENOTCONN', 'no usable mara-line')));
      return;
    }
    const master = hub.master;
    const t = scoped(RED, 'mara-command');
    let link = { state: 'stopped' } as Parameters<typeof lineStatus>[0];
    const statusNow = (): NodeStatus => {
      if (link.state === 'connected' && lastError) return { fill: 'red', shape: 'ring', text: lastError };
      if (link.state === 'connected' && pending)
        return { fill: 'blue', shape: 'dot', text: tr(RED, 'mara-command.status.sending', { n: pending }, 'sending (__n__)') };
      return lineStatus(link, master.devices, master.persistence, t);
    };
    const refresh = (now = false) => status.set(statusNow, now);
    hub.register(node.id, {
      onState(s) {
        link = s;
        refresh(true);
      },
    });

    const aborter = new AbortController();
    node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
      let spec: CommandSpec;
      try {
        spec = parseCommand(msg.payload, dflt);
      } catch (e) {
        done(e as Error);
        return;
      }
      pending++;
      refresh();
      const started = Date.now();
      master
        .request({ address: spec.address, cmd: spec.cmd, data: spec.data }, { timeoutMs, retries, signal: aborter.signal })
        .then((answer) => {
          if (answer) {
            const why = refusal(spec.cmd, spec.data, answer.data);
            if (why) throw new MaraError('ENAK', `${spec.address}: command 0x${spec.cmd.toString(16)} refused: ${why}`);
          }
          msg.payload = answer
            ? { address: spec.address, cmd: spec.cmd, data: answer.data, time: answer.time, frame: answer }
            : { address: spec.address, cmd: spec.cmd, sent: true, ...(spec.time ? { time: spec.time } : {}) };
          (msg as NodeMessageInFlow & { mara: unknown }).mara = {
            line: line?.lineName,
            address: spec.address,
            cmd: spec.cmd,
            ack: !!answer,
            rttMs: Date.now() - started,
          };
          lastError = '';
          send(msg);
          done();
        })
        .catch((err: Error) => {
          lastError = (err as MaraError).code ?? 'error';
          done(err);
        })
        .finally(() => {
          pending--;
          refresh(true);
        });
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      aborter.abort();
      status.dispose();
      hub.deregister(node.id);
      done();
    });
  }
  RED.nodes.registerType('mara-command', MaraCommand);
};
