/**
 * The lexer (docs/formulas.md §2.1, docs/formulas.md §2.2). One pass, no backtracking. Positions are 0-based offsets into the
 * formula text (errors report offset + 1 as the column).
 */
import { FormulaError } from './errors';
import { PyFloat, normBig } from './values';
import type { V } from './values';
import type { Dialect } from './types';

export type TokKind = 'num' | 'str' | 'name' | 'op' | 'eof';

export interface Token {
  k: TokKind;
  /** Operator or name text; the decoded value for strings. */
  s: string;
  /** Numbers: the value. */
  v?: V;
  pos: number;
  end: number;
}

export function syntaxError(pos: number, what: string): FormulaError {
  return new FormulaError('syntax', pos + 1, `SyntaxError: ${what} (column ${pos + 1})`);
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isIdStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isIdChar = (c: number) => isIdStart(c) || isDigit(c);
const isWs = (c: number) => c === 32 || (c >= 9 && c <= 13);

const OPS3 = ['**', '<>', '==', '>=', '<=', '!=', '//'];
const OPS1 = '+-*/%()<>=,.:&^;';

/** Operators each dialect rejects, with the explanation given to the user. */
const REJECT: Record<Dialect, Record<string, string>> = {
  txscada: {
    '==': "'==' is not an operator here: write '=' for equality (the original doubles every '=', so '==' is a syntax error)",
    '>=': "'>=' is not an operator here: the original doubles every '=' ('>==' is a syntax error); write 'not a < b' or 'a > b or a = b'",
    '<=': "'<=' is not an operator here: the original doubles every '=' ('<==' is a syntax error); write 'not a > b' or 'a < b or a = b'",
    '!=': "'!=' is not an operator here: write '<>' for inequality",
    '//': "'//' is not supported: '/' on two integers already divides with floor",
    '&': "'&' is not supported (there is no bitwise or string '&'; use '+' to join two strings)",
    '^': "'^' is not supported: write '**' for a power",
    ';': "';' is not allowed: separate arguments with ','",
  },
  excel: {
    '==': "'==' is not an operator: write '=' for equality",
    '!=': "'!=' is not an operator: write '<>' for inequality",
    '**': "'**' is not an operator in the excel dialect: write '^' for a power",
    '//': "'//' is not an operator: use ENTERO(a/b) for a floor division",
    '%': "'%' is not an operator in the excel dialect: use MOD(a, b) (RESIDUO) for a remainder",
    ':': "':' is not allowed in the excel dialect (no ranges, no lambdas)",
  },
};

const PY_ESC: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

export function lex(text: string, dialect: Dialect): Token[] {
  const toks: Token[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isWs(c)) {
      i++;
      continue;
    }
    const start = i;
    // numbers
    if (isDigit(c) || (c === 46 && i + 1 < n && isDigit(text.charCodeAt(i + 1)))) {
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      let isFloat = false;
      if (i < n && text.charCodeAt(i) === 46) {
        isFloat = true;
        i++;
        while (i < n && isDigit(text.charCodeAt(i))) i++;
      }
      if (i < n && (text.charCodeAt(i) === 101 || text.charCodeAt(i) === 69)) {
        let j = i + 1;
        if (j < n && (text[j] === '+' || text[j] === '-')) j++;
        if (j < n && isDigit(text.charCodeAt(j))) {
          while (j < n && isDigit(text.charCodeAt(j))) j++;
          i = j;
          isFloat = true;
        }
      }
      const raw = text.slice(start, i);
      if (i < n && isIdChar(text.charCodeAt(i))) {
        let j = i;
        while (j < n && isIdChar(text.charCodeAt(j))) j++;
        throw syntaxError(start, `invalid number '${text.slice(start, j)}' (only decimal numbers such as 12, 1.73, .5 or 1e3)`);
      }
      let v: V;
      if (isFloat) v = new PyFloat(Number(raw));
      else {
        if (dialect === 'txscada' && raw.length > 1 && raw[0] === '0') {
          throw syntaxError(start, `integer literal with a leading zero '${raw}' is not allowed (Python 2 would read it as octal)`);
        }
        if (raw.length <= 15) v = Number(raw);
        else {
          if (raw.length > 1200) throw syntaxError(start, 'integer literal too large');
          v = normBig(BigInt(raw));
        }
      }
      toks.push({ k: 'num', s: raw, v, pos: start, end: i });
      continue;
    }
    if (isIdStart(c)) {
      while (i < n && isIdChar(text.charCodeAt(i))) i++;
      toks.push({ k: 'name', s: text.slice(start, i), pos: start, end: i });
      continue;
    }
    if (c === 39 || c === 34) {
      const q = text[i];
      i++;
      let s = '';
      for (;;) {
        if (i >= n) throw syntaxError(start, 'unterminated string literal (missing closing quote)');
        const ch = text[i];
        if (ch === '\n' || ch === '\r') throw syntaxError(start, 'unterminated string literal (end of line inside the string)');
        if (ch === q) {
          if (dialect === 'excel' && text[i + 1] === q) {
            s += q;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (ch === '\\' && dialect === 'txscada') {
          const e = text[i + 1];
          if (e === undefined) throw syntaxError(start, 'unterminated string literal (missing closing quote)');
          if (e === '\n') {
            i += 2;
            continue;
          }
          if (e in PY_ESC) {
            s += PY_ESC[e];
            i += 2;
            continue;
          }
          if (e >= '0' && e <= '7') {
            let j = i + 1;
            let o = 0;
            while (j < n && j < i + 4 && text[j] >= '0' && text[j] <= '7') o = o * 8 + (text.charCodeAt(j++) - 48);
            s += String.fromCharCode(o & 0xff);
            i = j;
            continue;
          }
          if (e === 'x') {
            const h = text.slice(i + 2, i + 4);
            if (!/^[0-9a-fA-F]{2}$/.test(h)) throw syntaxError(i, 'invalid \\x escape in a string');
            s += String.fromCharCode(parseInt(h, 16));
            i += 4;
            continue;
          }
          s += '\\';
          i++;
          continue;
        }
        // compat (docs/formulas.md §2.1): the original doubles every '=' of the text, inside strings too
        s += ch === '=' && dialect === 'txscada' ? '==' : ch;
        i++;
      }
      toks.push({ k: 'str', s, pos: start, end: i });
      continue;
    }
    const two = text.slice(i, i + 2);
    let op: string | null = null;
    if (OPS3.includes(two)) op = two;
    else if (OPS1.includes(text[i])) op = text[i];
    if (op === null) {
      const cp = text.codePointAt(i)!;
      const shown = cp < 32 || cp === 127 ? `\\x${cp.toString(16).padStart(2, '0')}` : String.fromCodePoint(cp);
      const hint =
        text[i] === '!' ? " (write '<>' for inequality, 'not x' for negation)" : text[i] === '[' || text[i] === ']' ? ' (no lists or subscripts)' : '';
      throw syntaxError(i, `unexpected character '${shown}'${hint}`);
    }
    // excel accepts >= and <=
    if (dialect === 'excel' && (op === '>=' || op === '<=')) {
      toks.push({ k: 'op', s: op, pos: start, end: i + 2 });
      i += 2;
      continue;
    }
    const rej = REJECT[dialect][op];
    if (rej !== undefined) throw syntaxError(start, rej);
    if (op.length === 2 && dialect === 'txscada' && op !== '**' && op !== '<>') throw syntaxError(start, `unexpected '${op}'`);
    if (dialect === 'excel' && op === '<>') {
      toks.push({ k: 'op', s: op, pos: start, end: i + 2 });
      i += 2;
      continue;
    }
    toks.push({ k: 'op', s: op, pos: start, end: i + op.length });
    i += op.length;
  }
  toks.push({ k: 'eof', s: '', pos: n, end: n });
  return toks;
}
