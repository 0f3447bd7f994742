import type { NodeAPI } from 'node-red';
import type { LineInfo } from '../../lib/points/line-mapper';
import { MaraLineDef, num } from './line-config';

/** The name a mara-line gives its msgs (msg.mara.line), as nodes/mara-line.ts computes it. */
export function lineNameOfConfig(c: Pick<MaraLineDef, 'name' | 'transport' | 'serialPath' | 'host' | 'port'>): string {
  return c.name || (c.transport === 'serial' ? c.serialPath : `${c.host}:${c.port}`);
}

/**
 * What a points node knows of its line from the flow's mara-line config (by id, or by the name its replies
 * carry): the TCP host and port (none on a serial line) and the addresses it polls. Null when no such line.
 */
export function lineInfoOf(RED: NodeAPI, by: { id?: string; name?: string }): (LineInfo & { name: string }) | null {
  let found: (LineInfo & { name: string }) | null = null;
  RED.nodes.eachNode((n) => {
    if (found || n.type !== 'mara-line') return;
    const c = n as unknown as MaraLineDef;
    const name = lineNameOfConfig(c);
    if (by.id ? n.id !== by.id : name !== by.name) return;
    const tcp = c.transport !== 'serial';
    const addresses = (Array.isArray(c.devices) ? c.devices : []).map((d) => num(d.address, NaN)).filter((a) => Number.isInteger(a));
    found = { name, host: tcp ? c.host || '127.0.0.1' : null, port: tcp ? num(c.port, 9761) : null, addresses };
  });
  return found;
}
