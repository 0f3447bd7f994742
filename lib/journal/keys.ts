import { createHash } from 'node:crypto';

/**
 * The master's replay key of a reply, `${seq}:${digest}` (lib/link/master.ts keeps the last 8 per device
 * and does not hand a reply on twice). The journal stores it with each event of the reply, so a reply
 * already recorded is recognised by the same rule. Must stay equal to the master's `digest`: the master
 * will import this function when it writes through the journal.
 */
export function replyKey(seq: number, raw: Uint8Array): string {
  return `${seq}:${createHash('sha1').update(raw).digest('base64').slice(0, 16)}`;
}
