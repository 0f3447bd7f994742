import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { FrameReader, MaraError, MaraFrame, decodeFrame } from '../lib/mara';
import { preview } from '../lib/preview';
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

/** Largest input of one msg, in bytes (hex text: 3 characters a byte; arrays: items). Beyond: ELIMIT. */
const MAX_INPUT_BYTES = 1024 * 1024;
/** Most frames one msg may produce (stream mode). The frames found beyond are not decoded: ELIMIT. */
const MAX_FRAMES_PER_MSG = 1000;
/** The stream is pushed in slices of this size, so decoding stops soon after the frame limit. */
const SLICE = 4096;

/** Refuses an input too large to decode before any of it is parsed or copied. */
function checkSize(v: unknown, what: string): void {
  const data = v && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' ? (v as { data?: unknown }).data : v;
  const n = typeof data === 'string' ? Math.ceil(data.length / 3) : data instanceof Uint8Array || Array.isArray(data) ? data.length : 0;
  if (n > MAX_INPUT_BYTES)
    throw new MaraError('ELIMIT', `${what} holds ${preview(data)}, more than one msg may carry (${MAX_INPUT_BYTES} bytes): send the stream in smaller chunks`);
}
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
        const input = RED.util.getMessageProperty(msg, property);
        checkSize(input, `msg.${property}`);
        const bytes = msgBytes(input, `msg.${property}`);
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
        let over: MaraError | null = null;
        for (let at = 0; at < bytes.length; at += SLICE) {
          reader.push(at === 0 && bytes.length <= SLICE ? bytes : bytes.subarray(at, at + SLICE));
          if (got.length > MAX_FRAMES_PER_MSG) {
            const end = Math.min(at + SLICE, bytes.length);
            got.length = MAX_FRAMES_PER_MSG;
            reader.reset();
            over = new MaraError(
              'ELIMIT',
              `more than ${MAX_FRAMES_PER_MSG} frames in one msg: the first ${MAX_FRAMES_PER_MSG} were sent, the rest of its ${bytes.length} bytes (from about byte ${end - SLICE}) dropped; send the stream in smaller chunks`,
            );
            break;
          }
        }
        armSilence();
        const list = got;
        const errs = over ? [over, ...errors] : errors;
        got = [];
        errors = [];
        frames += list.length;
        bad += errs.length - (over ? 1 : 0);
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
