import { num } from './line-config';

/**
 * The mara-command dialog's fields for its configured mode, as parseCommand reads a msg payload: `control`
 * → `{cmd: 'control', port, bit, state}`, `raw` → `{cmd, data}` (hex text such as `01 00 0A`). Nodes saved
 * before these fields existed have none: then nothing is added and the msg must carry them.
 */
export function commandFields(c: { command?: string; port?: unknown; bit?: unknown; state?: unknown; cmd?: unknown; data?: unknown }): Record<string, unknown> {
  const has = (v: unknown) => v !== undefined && v !== null && v !== '';
  if (c.command === 'control') {
    const f: Record<string, unknown> = { cmd: 'control' };
    if (has(c.port)) f.port = num(c.port, NaN);
    if (has(c.bit)) f.bit = num(c.bit, NaN);
    if (has(c.state)) f.state = num(c.state, NaN);
    return f;
  }
  if (c.command === 'raw' && has(c.cmd)) {
    const f: Record<string, unknown> = { cmd: num(c.cmd, NaN) };
    if (has(c.data)) f.data = String(c.data);
    return f;
  }
  return {};
}
