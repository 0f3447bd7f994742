import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { FrameReader, MaraError, MaraFrame, decodeFrame } from '../lib/mara';
import { msgBytes } from './shared/bytes';
import { tr } from './shared/i18n';
import { StatusThrottle } from './shared/status';
import { toMaraError } from './shared/errors';

interface MaraDecodeDef extends NodeDef {
  /** `stream`: msgs are chunks of a byte stream; `frame`: each msg is exactly one frame. */
  mode?: 'stream' | 'frame';
  /** Where the bytes are in the msg (default `payload`). */
  property?: string;
  /** Stream mode: drop a partial frame after this many ms without input (0 = never). */
  timeout?: number | string;
}

type Send = (msg: NodeMessageInFlow | NodeMessageInFlow[] | (NodeMessageInFlow | null)[]) => void;
type Done = (err?: Error) => void;

export = function register(RED: NodeAPI): void {
  function MaraDecodeNode(this: Node, config: MaraDecodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const mode = config.mode === 'frame' ? 'frame' : 'stream';
    const property = config.property || 'payload';
    const timeoutMs = Math.max(0, Number(config.timeout) || 0);
    const status = new StatusThrottle(node);
    const reader = new FrameReader();
    let frames = 0;
    let bad = 0;
    let silence: NodeJS.Timeout | null = null;

    // Listeners fill these while one msg is pushed; the reader calls them synchronously.
    let got: { frame: MaraFrame; raw: Buffer }[] = [];
    let errors: MaraError[] = [];
    reader.on('frame', (frame, raw) => got.push({ frame, raw }));
    reader.on('reject', (err) => errors.push(err));

    function showCounts(err?: MaraError): void {
      const noise = reader.stats.discardedBytes;
      const text = tr(RED, 'mara-decode.status.counts', { frames, bad, noise }, '__frames__ ok __bad__ bad __noise__B noise');
      status.set({ fill: err ? 'red' : 'green', shape: 'dot', text: err ? `${err.code} · ${text}` : text }, !!err);
    }

    function output(msg: NodeMessageInFlow, list: { frame: MaraFrame; raw: Buffer }[]): NodeMessageInFlow[] {
      return list.map(({ frame, raw }, i) => {
        const out: NodeMessageInFlow = i === 0 ? msg : { ...msg };
        out.payload = frame;
        (out as NodeMessageInFlow & { mara: unknown }).mara = { raw };
        return out;
      });
    }

    function onInput(msg: NodeMessageInFlow, send: Send, done: Done): void {
      try {
        if ((msg as { reset?: unknown }).reset === true) {
          reader.reset();
          done();
          return;
        }
        const bytes = msgBytes(RED.util.getMessageProperty(msg, property), `msg.${property}`);
        if (mode === 'frame') {
          const frame = decodeFrame(bytes);
          frames++;
          send(output(msg, [{ frame, raw: Buffer.from(bytes) }])[0]);
          showCounts();
          done();
          return;
        }
        got = [];
        errors = [];
        reader.push(bytes);
        armSilence();
        const list = got;
        const errs = errors;
        got = [];
        errors = [];
        frames += list.length;
        bad += errs.length;
        if (list.length) send([output(msg, list)] as never); // all frames on the one output
        showCounts(errs[0]);
        // One msg can carry one failure: the first; the others are counted in the status.
        done(errs[0]);
      } catch (e) {
        const err = toMaraError(e);
        bad++;
        showCounts(err);
        done(err);
      }
    }

    function armSilence(): void {
      if (silence) clearTimeout(silence);
      silence = null;
      if (timeoutMs > 0 && reader.pending > 0)
        silence = setTimeout(() => {
          silence = null;
          errors = [];
          reader.flush();
          // A corrupted frame found only now has no msg left to fail: report it on the node.
          const errs = errors;
          errors = [];
          bad += errs.length;
          if (errs[0]) node.error(errs[0]);
          showCounts(errs[0]);
        }, timeoutMs);
    }

    node.on('input', onInput as never);
    node.on('close', (_removed: boolean, done: () => void) => {
      if (silence) clearTimeout(silence);
      status.dispose();
      reader.removeAllListeners();
      done();
    });
  }
  RED.nodes.registerType('mara-decode', MaraDecodeNode);
};
