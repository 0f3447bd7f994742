/** A short, printable preview of any input for an error message: never the whole of a big input. */
export function preview(v: unknown, max = 40): string {
  let s: string;
  if (typeof v === 'string') s = JSON.stringify(v.length > max ? v.slice(0, max) : v) + (v.length > max ? `… (${v.length} chars)` : '');
  else if (Array.isArray(v)) s = `an array of ${v.length}`;
  else if (Buffer.isBuffer(v)) s = `a Buffer of ${v.length} bytes`;
  else if (v && typeof v === 'object') s = 'an object';
  else s = String(v);
  return s.length > max + 40 ? `${s.slice(0, max)}…` : s;
}
