/** Python 2.7 `str()` and `repr()` of values. */
import { overflow } from '../errors';
import { pyFloatRepr, pyFloatStr } from '../numfmt';
import { charge, MAX_STR } from './budget';
import { Fn, PyFloat, Rec, REC_TYPE, Tbl, V } from './types';

// ------------------------------------------------------------------ str(), repr()

export function pyStr(v: V): string {
  switch (typeof v) {
    case 'number':
      return String(v);
    case 'bigint':
      return v.toString();
    case 'string':
      return v;
    case 'boolean':
      return v ? 'True' : 'False';
  }
  if (v === null) return 'None';
  if (v instanceof PyFloat) return pyFloatStr(v.v);
  return pyRepr(v);
}

const LONG_MIN = 1n << 63n;

export function pyRepr(v: V): string {
  switch (typeof v) {
    case 'number':
      return String(v);
    case 'bigint':
      return v >= LONG_MIN || v < -LONG_MIN ? v.toString() + 'L' : v.toString();
    case 'string':
      return strRepr(v);
    case 'boolean':
      return v ? 'True' : 'False';
  }
  if (v === null) return 'None';
  if (v instanceof PyFloat) return pyFloatRepr(v.v);
  if (Array.isArray(v)) {
    charge(v.length);
    let s = '[';
    for (let i = 0; i < v.length; i++) {
      if (i) s += ', ';
      const r = pyRepr(v[i]);
      charge(0, r.length);
      s += r;
      if (s.length > MAX_STR) throw overflow('result string too long');
    }
    return s + ']';
  }
  if (v instanceof Rec) return `<${REC_TYPE[v.table]}: ${v.table}.${v.tag}>`;
  if (v instanceof Tbl) return `<table ${v.table}>`;
  if (v instanceof Fn) return v.kind === 'builtin' ? `<built-in function ${v.name}>` : `<function ${v.name}>`;
  return '<object>';
}

const HEX = '0123456789abcdef';

/** Python 2 repr of a byte string (non-ASCII characters as their UTF-8 bytes, \xNN). */
export function strRepr(s: string): string {
  if (s.length > MAX_STR) throw overflow('result string too long');
  charge(0, s.length);
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === q || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + HEX[c >> 4] + HEX[c & 15];
    else if (c < 0x80) out += ch;
    else {
      // the UTF-8 bytes, each as \xNN (computed: a Buffer per character made a 300 000-character text take 1.3 s)
      const bytes =
        c >= 0xd800 && c <= 0xdfff
          ? [0xef, 0xbf, 0xbd]
          : c < 0x800
            ? [0xc0 | (c >> 6), 0x80 | (c & 63)]
            : c < 0x10000
              ? [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63)]
              : [0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63)];
      for (const b of bytes) out += '\\x' + HEX[b >> 4] + HEX[b & 15];
      if (out.length > MAX_STR) throw overflow('result string too long');
    }
  }
  return out + q;
}
