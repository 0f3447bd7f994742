import { SEQ_MAX, SEQ_MIN } from './constants';

/** Next master SEQ: 0x20…0x7F, wrapping [docs/protocol.md §7.3 step 1]. Anything outside the range restarts at 0x20. */
export function nextSeq(seq: number): number {
  return Number.isInteger(seq) && seq >= SEQ_MIN && seq < SEQ_MAX ? seq + 1 : SEQ_MIN;
}

/** A persisted SEQ is used as is when in range, else the master starts at 0x20 [docs/protocol.md §7.1 step 2]. */
export function validSeq(seq: unknown): number {
  return typeof seq === 'number' && Number.isInteger(seq) && seq >= SEQ_MIN && seq <= SEQ_MAX ? seq : SEQ_MIN;
}
