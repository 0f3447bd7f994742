import { CMD } from './constants';

/** Commands whose answer echoes the request's arguments as confirmation [docs/protocol.md §4.3]. */
const ECHO = new Set<number>([
  CMD.CONTROL_BIT,
  CMD.TEST_EVENTS,
  CMD.CONTROL_PORT,
  CMD.CONTROL_LOGICAL_PORT,
  CMD.LOCAL_CONTROL,
  CMD.PEH_PERIOD,
  CMD.SIMULATED_VALUES,
  CMD.SYNC_PERIOD,
  CMD.UART_SPEED,
  CMD.SCAN_CONTROL,
  CMD.PROGRAM_MODE,
]);

/** Commands never answered: broadcasts by nature, or the unit restarts [docs/protocol.md §4.1, docs/protocol.md §4.3]. */
const NO_REPLY = new Set<number>([CMD.LEGACY_TIME_SET, CMD.SYNC, 0x0d, CMD.TIME_SET, CMD.RESTART]);

export function expectsReply(cmd: number, dst: number): boolean {
  return dst !== 0xff && !NO_REPLY.has(cmd);
}

/**
 * Whether an answer confirms the command [docs/protocol.md §4.1: there is no generic ACK/NACK, failure is per command].
 * Returns '' when confirmed, else why not.
 */
export function refusal(cmd: number, request: Uint8Array, answer: Uint8Array): string {
  if (cmd === CMD.CONTROL_LOGICAL_PORT) {
    if (answer.length >= 2 && answer[1] === 0xff) return 'the device did not write the port (Bit = 0xFF)';
    return sameBytes(request, answer) ? '' : 'the echo differs from the request';
  }
  if (ECHO.has(cmd)) return sameBytes(request, answer) ? '' : 'the echo differs from the request';
  if (cmd === CMD.WRITE_REGISTERS && answer.length >= 5 && answer[4] === 0) return 'registers not written (Cant = 0)';
  if (cmd === CMD.RESTART && answer.length >= 2 && answer[0] === 0 && answer[1] === 0) return 'restart failed';
  if (cmd === CMD.WRITE_EEPROM && answer.length >= 2 && answer[1] !== 0) return 'EEPROM write reported errors';
  return '';
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
