/**
 * The Mara check code [docs/protocol.md §3.1]: one's complement of the 16-bit sum of the bytes
 * [0, end) read as big-endian words, an odd last byte padded with 0x00.
 * Computed as 256 × (sum of even-offset bytes) + (sum of odd-offset bytes),
 * which needs no per-word masking: 253 bytes cannot overflow a double.
 */
export function bcc(bytes: ArrayLike<number>, end: number = bytes.length - 2): number {
  const n = Math.min(end, bytes.length);
  let even = 0;
  let odd = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    even += bytes[i];
    odd += bytes[i + 1];
  }
  if (i < n) even += bytes[i];
  return ~(even * 256 + odd) & 0xffff;
}
