import { bcc } from './bcc';
import { BytesInput, copyBytes } from './bytes';
import {
  ADDR_BROADCAST,
  ADDR_MASTER,
  CMD,
  HEADER_LEN,
  OFF_CMD,
  OFF_DST,
  OFF_QTY,
  OFF_SEQ,
  OFF_SRC,
  PAYLOAD_MAX,
  QTY_MAX,
  QTY_MIN,
  SEQ_PEH_DEFAULT,
  SOF,
  TIME_PAYLOAD_LEN,
} from './constants';
import { MaraError, hex2 } from './errors';
import { PollReply, PollReplyInput, decodePollReply, encodePollReplyPayload } from './reply';
import { MaraTime, checkTimeFields, dateToTime, readTime, timeProblem, writeTime } from './time';

/** What a frame carries, by command and direction. */
export type FrameKind = 'poll-request' | 'poll-reply' | 'time-set' | 'time-reply' | 'other';

/** A validated frame [docs/protocol.md §2]. `bcc` is `(BCCH << 8) | BCCL`; `data` the payload (a view into a private copy). */
export interface MaraFrame {
  length: number;
  dst: number;
  src: number;
  seq: number;
  cmd: number;
  bcc: number;
  data: Buffer;
  kind: FrameKind;
  /** Decoded 0x10 reply payload (present when the 0x10 frame has a payload). */
  reply?: PollReply;
  /** Decoded time of a 0x12 PEH or a 0x1A read-time reply. */
  time?: MaraTime;
  /** Odd but acceptable content [docs/protocol.md §9 "accept but flag"]: the frame is still valid. */
  warnings: string[];
}

/** Fields of a frame to encode; QTY and BCC are computed. */
export interface FrameFields {
  dst: number;
  src: number;
  seq: number;
  cmd: number;
  data?: BytesInput;
}

function byteField(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) throw new MaraError('EINVAL', `${name} must be an integer 0-255, got ${String(v)}`);
  return v;
}

/** Builds a frame: SOF, QTY, header, payload, BCC [docs/protocol.md §2, docs/protocol.md §3]. Rejects QTY > 253 with EINVAL. */
export function encodeFrame(f: FrameFields): Buffer {
  if (f === null || typeof f !== 'object') throw new MaraError('EINVAL', 'frame fields must be an object');
  const dst = byteField('dst', f.dst);
  const src = byteField('src', f.src);
  const seq = byteField('seq', f.seq);
  const cmd = byteField('cmd', f.cmd);
  const data = f.data === undefined || f.data === null ? Buffer.alloc(0) : copyBytes(f.data);
  if (data.length > PAYLOAD_MAX)
    throw new MaraError('EINVAL', `payload of ${data.length} bytes gives QTY ${data.length + QTY_MIN}, above the maximum ${QTY_MAX}`);
  const qty = data.length + QTY_MIN;
  const out = Buffer.allocUnsafe(qty);
  out[0] = SOF;
  out[OFF_QTY] = qty;
  out[OFF_DST] = dst;
  out[OFF_SRC] = src;
  out[OFF_SEQ] = seq;
  out[OFF_CMD] = cmd;
  data.copy(out, HEADER_LEN);
  const c = bcc(out, qty - 2);
  out[qty - 2] = c >> 8;
  out[qty - 1] = c & 0xff;
  return out;
}

/**
 * Validates and decodes exactly one frame. Throws MaraError only: ESOF, ELENGTH, EBCC, EPAYLOAD
 * (an invalid frame, message naming the byte offset) or EINVAL (the argument is not bytes at all).
 */
export function decodeFrame(bytes: BytesInput): MaraFrame {
  return decodeOwned(copyBytes(bytes));
}

/** `decodeFrame` on a Buffer the caller hands over: the frame's views point into it. */
export function decodeOwned(b: Buffer): MaraFrame {
  if (b.length === 0) throw new MaraError('ELENGTH', 'empty buffer: no SOF', 0);
  if (b[0] !== SOF) throw new MaraError('ESOF', `first byte is 0x${hex2(b[0])}, not SOF 0xFE`, 0);
  if (b.length < 2) throw new MaraError('ELENGTH', 'buffer ends before QTY', 1);
  const qty = b[OFF_QTY];
  if (qty < QTY_MIN || qty > QTY_MAX) throw new MaraError('ELENGTH', `QTY ${qty} outside ${QTY_MIN}-${QTY_MAX}`, OFF_QTY);
  if (b.length !== qty) throw new MaraError('ELENGTH', `QTY ${qty} differs from the buffer length ${b.length}`, OFF_QTY);
  const got = (b[qty - 2] << 8) | b[qty - 1];
  const want = bcc(b, qty - 2);
  if (got !== want)
    throw new MaraError('EBCC', `BCC mismatch: trailer ${hex2(got >> 8)} ${hex2(got & 0xff)}, computed ${hex2(want >> 8)} ${hex2(want & 0xff)}`, qty - 2);

  const cmd = b[OFF_CMD];
  const end = qty - 2;
  const frame: MaraFrame = {
    length: qty,
    dst: b[OFF_DST],
    src: b[OFF_SRC],
    seq: b[OFF_SEQ],
    cmd,
    bcc: got,
    data: b.subarray(HEADER_LEN, end),
    kind: 'other',
    warnings: [],
  };
  const payloadLen = end - HEADER_LEN;
  if (cmd === CMD.POLL) {
    if (payloadLen === 0) frame.kind = 'poll-request';
    else {
      frame.kind = 'poll-reply';
      frame.reply = decodePollReply(b, end, frame.warnings);
    }
  } else if (cmd === CMD.TIME_SET) {
    if (payloadLen !== TIME_PAYLOAD_LEN) throw new MaraError('EPAYLOAD', `PEH payload must be ${TIME_PAYLOAD_LEN} bytes (QTY 17), got ${payloadLen}`, OFF_QTY);
    frame.kind = 'time-set';
    frame.time = decodeTimePayload(b, frame.warnings);
  } else if (cmd === CMD.READ_TIME && payloadLen === TIME_PAYLOAD_LEN) {
    frame.kind = 'time-reply';
    frame.time = decodeTimePayload(b, frame.warnings);
  }
  return frame;
}

function decodeTimePayload(b: Buffer, warnings: string[]): MaraTime {
  const t = readTime(b, HEADER_LEN);
  t.dayOfWeek = b[HEADER_LEN + 8];
  const why = timeProblem(t);
  if (why) warnings.push(`time at offset ${HEADER_LEN}: impossible (${why})`);
  return t;
}

/** Addressing of a frame the master or a simulator sends. */
export interface Addressing {
  dst?: number;
  src?: number;
  seq?: number;
}

/** A 0x10 poll request [docs/protocol.md §5.1]: `FE 08 DST SRC SEQ 10 BCCH BCCL`. */
export function encodePoll(a: { dst: number; src?: number; seq: number }): Buffer {
  return encodeFrame({ dst: a.dst, src: a.src ?? ADDR_MASTER, seq: a.seq, cmd: CMD.POLL });
}

/**
 * A 0x10 reply frame. Accepts `(header, body)`, or one object holding both (`{dst, src, seq, sv, di,
 * ai, events}`), or a decoded frame (`{dst, src, seq, reply}`), so `encodePollReply(decodeFrame(b))`
 * rebuilds `b`.
 */
export function encodePollReply(
  header: Required<Pick<Addressing, 'dst' | 'src' | 'seq'>> & PollReplyInput & { reply?: PollReplyInput },
  body?: PollReplyInput,
): Buffer {
  if (header === null || typeof header !== 'object') throw new MaraError('EINVAL', 'reply header must be an object');
  const r = body ?? header.reply ?? header;
  return encodeFrame({ dst: header.dst, src: header.src, seq: header.seq, cmd: CMD.POLL, data: encodePollReplyPayload(r) });
}

/** Options of `encodeTimeSet`. */
export interface TimeSetOptions extends Addressing {
  /** Read the Date's UTC fields instead of this process's local time. */
  utc?: boolean;
  /** Command code: 0x12 PEH (default) or 0x1A to build a read-time reply. */
  cmd?: number;
}

/**
 * A PEH (0x12) frame [docs/protocol.md §6.1]: broadcast 0xFF, from 0x40, SEQ 0xBB unless given (the master passes the
 * SEQ of its last poll, docs/protocol.md §6.2). `date` is a Date (local civil time unless `utc`) or a MaraTime.
 */
export function encodeTimeSet(date: Date | MaraTime, opts: TimeSetOptions = {}): Buffer {
  const t: MaraTime = date instanceof Date ? dateToTime(date, { utc: opts.utc }) : { ...date };
  if (!(date instanceof Date)) {
    checkTimeFields(t, false);
    if (t.dayOfWeek === undefined) t.dayOfWeek = timeProblem(t) ? 0 : dateToTime(new Date(Date.UTC(t.year, t.month - 1, t.day)), { utc: true }).dayOfWeek;
    checkTimeFields(t, true);
  }
  const data = Buffer.alloc(TIME_PAYLOAD_LEN);
  writeTime(data, 0, t);
  data[8] = t.dayOfWeek as number;
  return encodeFrame({
    dst: opts.dst ?? ADDR_BROADCAST,
    src: opts.src ?? ADDR_MASTER,
    seq: opts.seq ?? SEQ_PEH_DEFAULT,
    cmd: opts.cmd ?? CMD.TIME_SET,
    data,
  });
}
