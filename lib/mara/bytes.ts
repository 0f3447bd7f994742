import { MaraError } from './errors';

/** Anything the codec accepts as bytes: a Buffer or typed array, an array of bytes, or hex text. */
export type BytesInput = Uint8Array | ArrayLike<number> | string;

const HEX_SEPARATORS = /[\s,:;-]|0x/gi;

/** Hex text such as `FE 08 01 40 80 10 80 A7`, `fe0801...` or `0xFE,0x08` as bytes. */
export function parseHex(text: string): Buffer {
  const s = text.replace(HEX_SEPARATORS, '');
  if (!/^[0-9a-fA-F]*$/.test(s)) throw new MaraError('EINVAL', 'hex text has characters other than 0-9 A-F and separators');
  if (s.length % 2) throw new MaraError('EINVAL', `hex text has an odd number of digits (${s.length})`);
  return Buffer.from(s, 'hex');
}

/**
 * A private copy of the input as a Buffer: the codec hands out views into it, so a caller who
 * reuses its own buffer (a stream chunk) never changes a decoded frame.
 */
export function copyBytes(input: BytesInput): Buffer {
  if (typeof input === 'string') return parseHex(input);
  if (input instanceof Uint8Array) return Buffer.from(input);
  if (input === null || typeof input !== 'object' || typeof (input as ArrayLike<number>).length !== 'number')
    throw new MaraError('EINVAL', 'expected a Buffer, a Uint8Array, an array of bytes or hex text');
  const a = input as ArrayLike<number>;
  if (!Number.isSafeInteger(a.length) || a.length < 0 || a.length > 1 << 24) throw new MaraError('EINVAL', 'byte array length is not plausible');
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) throw new MaraError('EINVAL', `element ${i} is not a byte 0-255: ${String(v)}`);
    out[i] = v;
  }
  return out;
}
