import { ADDR_BROADCAST, CMD, TIME_PAYLOAD_LEN, dateToTime, encodeTimeSet } from '../../lib/mara';
import { MaraError } from '../../lib/mara/errors';
import { msgBytes } from './bytes';
import { num } from './line-config';

/** A command msg, normalised: where, what, and how to read the answer. */
export interface CommandSpec {
  address: number;
  cmd: number;
  data: Buffer;
  /** For a time set: the time sent. */
  time?: ReturnType<typeof dateToTime>;
}

const NAMED: Record<string, number> = {
  time: CMD.TIME_SET,
  'read-time': CMD.READ_TIME,
  control: CMD.CONTROL_LOGICAL_PORT,
  restart: CMD.RESTART,
  scan: CMD.SCAN_CONTROL,
  'peh-period': CMD.PEH_PERIOD,
};

function int(v: unknown, name: string, lo: number, hi: number): number {
  const n = num(v, NaN);
  if (!Number.isInteger(n) || n < lo || n > hi) throw new MaraError('EINVAL', `${name} must be an integer ${lo}-${hi}, got ${String(v)}`);
  return n;
}

function toDate(v: unknown): Date {
  const d = v instanceof Date ? v : new Date(v as string | number);
  if (Number.isNaN(d.getTime())) throw new MaraError('EINVAL', `msg.payload.time is not a date: ${String(v)}`);
  return d;
}

/** The node's configured command: `command` a name, and for `control`/`raw` its fields (port, bit, state; cmd, data). */
export interface CommandDefaults {
  command: string;
  address: number;
  fields?: Record<string, unknown>;
}

/**
 * Reads a command msg: `payload` is `"time"`, or `{cmd, address?, data?, time?, port?, bit?, state?,
 * on?, utc?}` where `cmd` is a name (`time`, `read-time`, `control`, `restart`, `scan`, `peh-period`)
 * or a command number (raw, with `data`).
 */
export function parseCommand(payload: unknown, dflt: CommandDefaults): CommandSpec {
  const given: Record<string, unknown> =
    typeof payload === 'string'
      ? payload.trim()
        ? { cmd: payload.trim() }
        : {}
      : payload && typeof payload === 'object' && !Buffer.isBuffer(payload)
        ? (payload as Record<string, unknown>)
        : {};
  // a msg without its own cmd runs the node's configured command, with the node's fields as defaults
  const p = given.cmd === undefined ? { ...dflt.fields, ...given } : given;
  const c = p.cmd ?? dflt.command;
  const cmd = typeof c === 'string' && Object.prototype.hasOwnProperty.call(NAMED, c) ? NAMED[c] : int(c, 'msg.payload.cmd', 0, 255);
  const address = cmd === CMD.TIME_SET ? ADDR_BROADCAST : int(p.address ?? dflt.address, 'msg.payload.address', 0, 255);
  switch (cmd) {
    case CMD.TIME_SET: {
      const time = dateToTime(p.time === undefined ? new Date() : toDate(p.time), { utc: p.utc === true });
      const data = encodeTimeSet(time).subarray(6, 6 + TIME_PAYLOAD_LEN);
      return { address, cmd, data: Buffer.from(data), time };
    }
    case CMD.CONTROL_LOGICAL_PORT: {
      if (p.data !== undefined) break;
      const state = p.state ?? p.value;
      const data = Buffer.from([
        int(p.port, 'msg.payload.port', 0, 254),
        int(p.bit, 'msg.payload.bit', 0, 254),
        state === true ? 1 : state === false ? 0 : int(state, 'msg.payload.state', 0, 1),
      ]);
      return { address, cmd, data };
    }
    case CMD.RESTART:
      if (p.data === undefined) return { address, cmd, data: Buffer.from([0xaa, 0x55]) };
      break;
    case CMD.SCAN_CONTROL:
      if (p.data === undefined) return { address, cmd, data: Buffer.from([p.on === false || p.stop === true ? 1 : 0]) };
      break;
    case CMD.PEH_PERIOD:
      if (p.data === undefined) return { address, cmd, data: Buffer.from([int(p.seconds, 'msg.payload.seconds', 0, 255)]) };
      break;
  }
  const data = p.data === undefined ? Buffer.alloc(0) : Buffer.from(msgBytes(p.data, 'msg.payload.data'));
  if (data.length > 245) throw new MaraError('EINVAL', `msg.payload.data has ${data.length} bytes; at most 245 fit a frame`);
  return { address, cmd, data };
}
