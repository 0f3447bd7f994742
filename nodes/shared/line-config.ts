import type { Node, NodeDef } from 'node-red';
import type { LineHub } from '../../lib/link/line-hub';
import type { DeviceConfig } from '../../lib/link/master-types';
import type { TransportOptions } from '../../lib/link/transport';

/** A device row of the editor's table; times in the units the editor shows. */
export interface DeviceRow {
  address: number | string;
  name?: string;
  /** seconds */
  pollInterval?: number | string;
  /** ms */
  timeout?: number | string;
  retries?: number | string;
}

export interface MaraLineDef extends NodeDef {
  transport: 'tcp' | 'serial';
  host: string;
  port: number | string;
  serialPath: string;
  baud: number | string;
  dataBits: number | string;
  parity: string;
  stopBits: number | string;
  masterAddress: number | string;
  devices: DeviceRow[];
  /** minutes, 0 = never */
  pehInterval: number | string;
  pehOnConnect: boolean;
  utc: boolean;
  maxQueue: number | string;
  persist: boolean;
}

export interface MaraLineNode extends Node {
  hub: LineHub | null;
  /** Why the line could not be built (shown by its consumers as `bad config`). */
  configError: Error | null;
  lineName: string;
}

/** `0x40`, `64` or `"64"` as a number. */
export function num(v: unknown, dflt: number): number {
  if (v === undefined || v === null || v === '') return dflt;
  const n = typeof v === 'string' && /^0x[0-9a-f]+$/i.test(v.trim()) ? parseInt(v, 16) : Number(v);
  return Number.isFinite(n) ? n : NaN;
}

export function lineOptions(c: MaraLineDef): { transport: TransportOptions; devices: DeviceConfig[] } {
  const transport: TransportOptions =
    c.transport === 'serial'
      ? {
          type: 'serial',
          path: c.serialPath,
          baudRate: num(c.baud, 9600),
          dataBits: num(c.dataBits, 8) as 8,
          parity: (c.parity || 'none') as 'none',
          stopBits: num(c.stopBits, 1) as 1,
        }
      : { type: 'tcp', host: c.host || '127.0.0.1', port: num(c.port, 9761) };
  const devices = (Array.isArray(c.devices) ? c.devices : []).map((d) => ({
    address: num(d.address, NaN),
    name: d.name || undefined,
    pollIntervalMs: num(d.pollInterval, 5) * 1000,
    timeoutMs: num(d.timeout, 1000),
    retries: num(d.retries, 3),
  }));
  return { transport, devices };
}
