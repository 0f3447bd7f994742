/**
 * The mara-command dialog's fields reach the runtime: a msg without its own `cmd` runs the configured
 * control (port, bit, state) or raw command (cmd, data); a msg with one runs that instead.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommand } from '../../nodes/shared/command-spec';
import { commandFields } from '../../nodes/shared/command-fields';

const cfg = (c: Record<string, unknown>) => ({ command: String(c.command), address: Number(c.address ?? 1), fields: commandFields(c) });

describe('mara-command configured fields', () => {
  it('control: port, bit and state from the dialog, any of them overridable by the msg', () => {
    const d = cfg({ command: 'control', address: 3, port: '3', bit: '5', state: '1' });
    assert.deepEqual([...parseCommand({}, d).data], [3, 5, 1]);
    assert.equal(parseCommand('', d).cmd, 0x13);
    assert.equal(parseCommand(null, d).address, 3);
    assert.deepEqual([...parseCommand({ state: 0 }, d).data], [3, 5, 0]);
    assert.deepEqual([...parseCommand({ cmd: 'control', port: 1, bit: 2, state: 1 }, d).data], [1, 2, 1]);
  });

  it('raw: command number and hex data from the dialog', () => {
    const d = cfg({ command: 'raw', address: 2, cmd: '0x06', data: '01 00 0A' });
    const s = parseCommand({}, d);
    assert.equal(s.cmd, 0x06);
    assert.equal(s.address, 2);
    assert.deepEqual([...s.data], [1, 0, 10]);
    assert.deepEqual([...parseCommand({ data: [9] }, d).data], [9]);
  });

  it('a msg with its own cmd ignores the dialog fields; bad fields fail with EINVAL', () => {
    const d = cfg({ command: 'control', address: 3, port: '3', bit: '5', state: '1' });
    assert.equal(parseCommand('time', d).cmd, 0x12);
    assert.throws(() => parseCommand({ cmd: 'control' }, d), { code: 'EINVAL' });
    assert.throws(() => parseCommand({}, cfg({ command: 'control', port: '300', bit: 1, state: 1 })), { code: 'EINVAL' });
    assert.throws(() => parseCommand({}, cfg({ command: 'raw', cmd: '0x06', data: 'zz' })), { code: 'EINVAL' });
  });

  it('nodes saved before the fields existed behave as before', () => {
    assert.deepEqual(commandFields({ command: 'control' }), { cmd: 'control' });
    assert.deepEqual(commandFields({ command: 'raw' }), {});
    assert.deepEqual(commandFields({ command: 'time', port: 1 }), {});
    assert.throws(() => parseCommand({}, cfg({ command: 'control' })), { code: 'EINVAL' });
  });
});
