import { MaraError, parseHex } from '../../lib/mara';

/** A msg property as bytes: a Buffer or Uint8Array as is, hex text parsed, an array of bytes copied. */
export function msgBytes(v: unknown, what: string): Buffer {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.length);
  if (typeof v === 'string') return parseHex(v);
  if (Array.isArray(v) && v.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) return Buffer.from(v);
  // A Buffer that went through JSON (a file or MQTT) arrives as {type: 'Buffer', data: [...]}.
  if (v && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data))
    return msgBytes((v as { data: unknown[] }).data, what);
  throw new MaraError('EINVAL', `${what} must be a Buffer, hex text or an array of bytes`);
}
