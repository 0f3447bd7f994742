/**
 * A short description of any input for error messages: never the whole value (a 100 MB string must not end up
 * in an EINVAL message, a log line or a Catch node's msg). Strings give their first characters, quoted, and
 * their length; other values their type and size.
 *
 *   preview('x'.repeat(1e8))  → '"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…" (100000000 characters)'
 *   preview([1, 2, 3])        → 'an array of 3 items'
 */
export const PREVIEW_CHARS = 40;

export function preview(v: unknown, max = PREVIEW_CHARS): string {
  switch (typeof v) {
    case 'string': {
      if (v.length <= max) return JSON.stringify(v);
      return `${JSON.stringify(v.slice(0, max)).slice(0, -1)}…" (${v.length} characters)`;
    }
    case 'number':
    case 'boolean':
    case 'bigint':
      return clip(String(v), max);
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    default:
      if (v === null) return 'null';
      if (Buffer.isBuffer(v) || v instanceof Uint8Array) return `${Buffer.isBuffer(v) ? 'a Buffer' : 'a byte array'} of ${v.length} bytes`;
      if (Array.isArray(v)) return `an array of ${v.length} item${v.length === 1 ? '' : 's'}`;
      return 'an object';
  }
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (${s.length} characters)`;
}
