/** The `%` operator: the modulo of numbers and printf-style formatting of strings. */
import { overflow, typeError, valueError } from '../errors';
import { pyFormatExp, pyFormatFixed, pyFormatG } from '../numfmt';
import { capStr, charge, MAX_STR } from './budget';
import { floatMod, intMod, intOf, numKind, opError, toFloat } from './numbers';
import { pyIntOf } from './parse';
import { pyRepr, pyStr } from './text';
import { typeName, V } from './types';

// ------------------------------------------------------------------ the % operator on strings

/** Python `%`: the modulo of two numbers (numbers.ts), printf-style formatting when the left side is a string. */
export function pyMod(a: V, b: V): V {
  const ka = numKind(a);
  const kb = numKind(b);
  if (ka && kb) {
    if (ka === 2 || kb === 2) return floatMod(toFloat(a), toFloat(b));
    return intMod(intOf(a as number), intOf(b as number));
  }
  if (typeof a === 'string') return pyFormat(a, b);
  throw opError('%', a, b);
}

/**
 * Python 2 `format % value` with one value (the grammar has no tuples): %s %r %d %i %u %f %F %e %E %g
 * %G %x %X %o %c %% with flags `-+ 0#`, a width and a precision.
 */
export function pyFormat(fmt: string, arg: V): V {
  charge(0, fmt.length);
  let out = '';
  let used = 0;
  const re = /%([-+ 0#]*)(\d+)?(?:\.(\d*))?([\s\S])?/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(fmt))) {
    out += fmt.slice(last, m.index);
    last = re.lastIndex;
    const [, flags, w, p, conv] = m;
    if (conv === undefined) throw valueError('incomplete format');
    if (conv === '%') {
      out += '%';
      continue;
    }
    if (used++) throw typeError('not enough arguments for format string');
    const width = w ? parseInt(w, 10) : 0;
    const prec = p !== undefined ? (p === '' ? 0 : parseInt(p, 10)) : -1;
    if (prec > 10000 || width > 10000) throw valueError('formatted value too long (precision or width above 10000)');
    const left = flags.includes('-');
    const zero = flags.includes('0') && !left;
    const plus = flags.includes('+');
    const space = flags.includes(' ');
    const alt = flags.includes('#');
    let body: string;
    let numeric = true;
    switch (conv) {
      case 's':
      case 'r':
        body = conv === 's' ? pyStr(arg) : pyRepr(arg);
        if (prec >= 0) body = body.slice(0, prec);
        numeric = false;
        break;
      case 'd':
      case 'i':
      case 'u':
      case 'x':
      case 'X':
      case 'o': {
        if (!numKind(arg)) throw typeError(`%${conv} format: a number is required, not ${typeName(arg)}`);
        const n = pyIntOf(arg);
        const radix = conv === 'x' || conv === 'X' ? 16 : conv === 'o' ? 8 : 10;
        let digits = (n < 0 ? -BigInt(n) : BigInt(n)).toString(radix);
        if (conv === 'X') digits = digits.toUpperCase();
        if (prec > digits.length) digits = '0'.repeat(prec - digits.length) + digits;
        if (alt && radix === 16) digits = (conv === 'X' ? '0X' : '0x') + digits;
        if (alt && radix === 8 && digits[0] !== '0') digits = '0' + digits;
        body = (n < 0 ? '-' : plus ? '+' : space ? ' ' : '') + digits;
        break;
      }
      case 'f':
      case 'F':
      case 'e':
      case 'E':
      case 'g':
      case 'G': {
        if (!numKind(arg)) throw typeError(`float argument required, not ${typeName(arg)}`);
        const x = toFloat(arg);
        const pr = prec < 0 ? 6 : prec;
        body =
          conv === 'f' || conv === 'F'
            ? pyFormatFixed(x, pr, alt)
            : conv === 'e' || conv === 'E'
              ? pyFormatExp(x, pr, conv === 'E', alt)
              : pyFormatG(x, pr, conv === 'G', alt);
        if (body[0] !== '-' && (plus || space)) body = (plus ? '+' : ' ') + body;
        break;
      }
      case 'c':
        if (typeof arg === 'string' && arg.length === 1) body = arg;
        else if (typeof arg === 'number' && arg >= 0 && arg < 256) body = String.fromCharCode(arg);
        else throw typeError('%c requires int or char');
        numeric = false;
        break;
      default:
        throw valueError(`unsupported format character '${conv}' (0x${conv.charCodeAt(0).toString(16)}) at index ${m.index + m[0].length - 1}`);
    }
    if (body.length < width) {
      const pad = width - body.length;
      if (left) body = body + ' '.repeat(pad);
      else if (zero && numeric && /^[-+ ]?(?:0[xX])?[0-9a-fA-F.]/.test(body)) {
        const signLen = /^[-+ ]/.test(body) ? 1 : 0;
        const pfx = /^[-+ ]?0[xX]/.test(body) ? signLen + 2 : signLen;
        body = body.slice(0, pfx) + '0'.repeat(pad) + body.slice(pfx);
      } else body = ' '.repeat(pad) + body;
    }
    out += body;
    if (out.length > MAX_STR) throw overflow('result string too long');
  }
  out += fmt.slice(last);
  // Python 2 treats a list (it has __getitem__) as a mapping: unused, it is no error.
  if (used === 0 && !Array.isArray(arg)) throw typeError('not all arguments converted during string formatting');
  return capStr(out);
}
