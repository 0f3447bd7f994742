/**
 * Pratt parser for the grammar of docs/formulas.md §2.3 (txscada) and the excel dialect. Produces a small AST
 * that compile.ts turns into closures once. Nesting is bounded twice: the parser's own recursion
 * (parentheses, unary chains, right operands) and the depth of the tree (postfix chains); chains of
 * one left-associative operator (`a+b-c+…`, `a and b and …`, comparisons) are flat n-ary nodes, so a
 * long formula never needs deep recursion.
 */
import { syntaxError } from './lexer';
import type { Token } from './lexer';
import type { Dialect } from './types';
import type { V } from './values';

export type Node =
  | { t: 'lit'; v: V; pos: number; d: number }
  | { t: 'name'; name: string; pos: number; d: number }
  | { t: 'attr'; obj: Node; name: string; pos: number; d: number }
  | { t: 'call'; fn: Node; args: Node[]; pos: number; d: number }
  | { t: 'unary'; op: '-' | '+'; x: Node; pos: number; d: number }
  | { t: 'not'; x: Node; pos: number; d: number }
  | { t: 'arith'; ops: string[]; xs: Node[]; opPos: number[]; pos: number; d: number }
  | { t: 'pow'; a: Node; b: Node; pos: number; d: number }
  | { t: 'cmp'; ops: string[]; xs: Node[]; opPos: number[]; pos: number; d: number }
  | { t: 'bool'; op: 'and' | 'or'; xs: Node[]; pos: number; d: number }
  | { t: 'lambda'; param: string; body: Node; pos: number; d: number };

type NodeIn = Node extends infer T ? (T extends Node ? Omit<T, 'd'> : never) : never;

/** Python 2 reserved words: never names, never attributes (txscada). */
export const PY_KEYWORDS = new Set([
  'and',
  'as',
  'assert',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'exec',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'not',
  'or',
  'pass',
  'print',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
]);

export const TABLE_NAMES = new Set(['ai', 'di', 'eg', 'sv']);

// binding powers
const BP_OR = 10;
const BP_AND = 20;
const BP_NOT = 30;
const BP_CMP = 40;
const BP_CONCAT = 45;
const BP_SUM = 50;
const BP_TERM = 60;
const BP_XPOW = 65;
const BP_UNARY = 70;
const BP_POW = 80;
const BP_XUNARY = 85;
const BP_POSTFIX = 90;

const CMP_OPS = new Set(['<', '>', '=', '<>', '<=', '>=']);

function describeTok(t: Token): string {
  switch (t.k) {
    case 'eof':
      return 'end of formula';
    case 'num':
      return `number ${t.s}`;
    case 'str':
      return 'string';
    case 'name':
      return `name '${t.s}'`;
    default:
      return `'${t.s}'`;
  }
}

export class Parser {
  private i = 0;
  private depth = 0;
  /** Open parentheses (for "missing ')'" messages). */
  private open: number[] = [];

  constructor(
    private readonly toks: Token[],
    private readonly dialect: Dialect,
    private readonly maxDepth: number,
  ) {}

  private peek(): Token {
    return this.toks[this.i];
  }

  private next(): Token {
    return this.toks[this.i++];
  }

  private isOp(t: Token, s: string): boolean {
    return t.k === 'op' && t.s === s;
  }

  private isKw(t: Token, s: string): boolean {
    return this.dialect === 'txscada' && t.k === 'name' && t.s === s;
  }

  private tooDeep(pos: number): never {
    throw syntaxError(pos, `formula nested too deeply (more than ${this.maxDepth} levels)`);
  }

  private mk(n: NodeIn, kids: Node[] = []): Node {
    let d = 0;
    for (const k of kids) if (k.d > d) d = k.d;
    const node = { ...n, d: d + 1 } as Node;
    if (node.d > this.maxDepth) this.tooDeep(n.pos);
    return node;
  }

  private unexpected(t: Token): never {
    if (t.k === 'eof') {
      const o = this.open.length ? this.open[this.open.length - 1] : -1;
      throw syntaxError(t.pos, o >= 0 ? `unexpected end of formula: missing ')' for the '(' at column ${o + 1}` : 'unexpected end of formula');
    }
    if (this.dialect === 'excel' && t.k === 'name' && ['and', 'or', 'not', 'lambda'].includes(t.s)) {
      const hint =
        t.s === 'lambda'
          ? 'the excel dialect has no lambdas; see CONTAR.SI.ELEMENTOS / SUMAR.SI.ELEMENTOS'
          : `use ${t.s === 'and' ? 'Y(a, b)' : t.s === 'or' ? 'O(a, b)' : 'NO(a)'}`;
      throw syntaxError(t.pos, `unexpected name '${t.s}' (${hint})`);
    }
    throw syntaxError(t.pos, `unexpected ${describeTok(t)}`);
  }

  parseFormula(): Node {
    const e = this.expr(0);
    const t = this.peek();
    if (t.k !== 'eof') {
      if (this.isOp(t, ')')) throw syntaxError(t.pos, "unexpected ')' (more ')' than '(')");
      if (this.isOp(t, ',') || this.isOp(t, ';'))
        throw syntaxError(t.pos, `unexpected '${t.s}' after a complete formula (ending at column ${this.toks[this.i - 1].end}): check the parentheses`);
      if (t.k === 'name' && this.dialect === 'txscada' && PY_KEYWORDS.has(t.s) && !['and', 'or', 'not', 'lambda'].includes(t.s))
        throw syntaxError(t.pos, `'${t.s}' is not supported in formulas (Python keyword)`);
      this.unexpected(t);
    }
    return e;
  }

  expr(minBp: number): Node {
    if (++this.depth > this.maxDepth) this.tooDeep(this.peek().pos);
    let left = this.nud(minBp);
    for (;;) {
      const t = this.peek();
      const lbp = this.lbp(t);
      if (lbp <= minBp) break;
      left = this.led(left, t, lbp);
    }
    this.depth--;
    return left;
  }

  private lbp(t: Token): number {
    if (t.k === 'name') {
      if (this.isKw(t, 'or')) return BP_OR;
      if (this.isKw(t, 'and')) return BP_AND;
      return 0;
    }
    if (t.k !== 'op') return 0;
    switch (t.s) {
      case '<':
      case '>':
      case '=':
      case '<>':
      case '<=':
      case '>=':
        return BP_CMP;
      case '&':
        return BP_CONCAT;
      case '+':
      case '-':
        return BP_SUM;
      case '*':
      case '/':
      case '%':
        return BP_TERM;
      case '^':
        return BP_XPOW;
      case '**':
        return BP_POW;
      case '.':
      case '(':
        return BP_POSTFIX;
    }
    return 0;
  }

  private nud(minBp: number): Node {
    const t = this.next();
    switch (t.k) {
      case 'num':
        return this.mk({ t: 'lit', v: t.v!, pos: t.pos });
      case 'str':
        return this.mk({ t: 'lit', v: t.s, pos: t.pos });
      case 'name':
        return this.dialect === 'txscada' ? this.nudNamePy(t, minBp) : this.nudNameXl(t);
      case 'op':
        if (t.s === '(') {
          this.open.push(t.pos);
          const e = this.expr(0);
          const c = this.peek();
          if (this.isOp(c, ',') || this.isOp(c, ';')) throw syntaxError(c.pos, `unexpected '${c.s}' inside parentheses (tuples are not supported)`);
          if (!this.isOp(c, ')')) {
            if (c.k === 'eof') this.unexpected(c);
            throw syntaxError(c.pos, `expected ')' to close the '(' at column ${t.pos + 1}, found ${describeTok(c)}`);
          }
          this.next();
          this.open.pop();
          return e;
        }
        if (t.s === '-' || t.s === '+') {
          const x = this.expr(this.dialect === 'txscada' ? BP_UNARY : BP_XUNARY);
          return this.mk({ t: 'unary', op: t.s, x, pos: t.pos }, [x]);
        }
        break;
    }
    this.unexpected(t);
  }

  private nudNamePy(t: Token, minBp: number): Node {
    switch (t.s) {
      case 'None':
        return this.mk({ t: 'lit', v: null, pos: t.pos });
      case 'True':
        return this.mk({ t: 'lit', v: true, pos: t.pos });
      case 'False':
        return this.mk({ t: 'lit', v: false, pos: t.pos });
      case 'not': {
        if (minBp > BP_NOT) throw syntaxError(t.pos, "'not' cannot appear here: put 'not …' in parentheses");
        const x = this.expr(BP_NOT);
        return this.mk({ t: 'not', x, pos: t.pos }, [x]);
      }
      case 'lambda': {
        if (minBp > 0) throw syntaxError(t.pos, "'lambda' cannot appear here: a lambda must be a whole argument (or be put in parentheses)");
        const p = this.next();
        if (p.k !== 'name' || PY_KEYWORDS.has(p.s) || p.s === 'None' || p.s === 'True' || p.s === 'False') {
          if (this.isOp(p, ':')) throw syntaxError(p.pos, 'a lambda needs exactly one parameter (lambda x: …)');
          throw syntaxError(p.pos, `expected the lambda's parameter name, found ${describeTok(p)}`);
        }
        const c = this.next();
        if (!this.isOp(c, ':')) {
          if (this.isOp(c, ',')) throw syntaxError(c.pos, 'a lambda takes exactly one parameter');
          throw syntaxError(c.pos, `expected ':' after 'lambda ${p.s}', found ${describeTok(c)}`);
        }
        const body = this.expr(0);
        return this.mk({ t: 'lambda', param: p.s, body, pos: t.pos }, [body]);
      }
    }
    if (PY_KEYWORDS.has(t.s)) {
      if (t.s === 'and' || t.s === 'or') throw syntaxError(t.pos, `unexpected '${t.s}' (an operand is missing)`);
      throw syntaxError(t.pos, `'${t.s}' is not supported in formulas (Python keyword)`);
    }
    return this.mk({ t: 'name', name: t.s, pos: t.pos });
  }

  private nudNameXl(t: Token): Node {
    const up = t.s.toUpperCase();
    if (up === 'TRUE' || up === 'VERDADERO') return this.mk({ t: 'lit', v: true, pos: t.pos });
    if (up === 'FALSE' || up === 'FALSO') return this.mk({ t: 'lit', v: false, pos: t.pos });
    if (up === 'NULL' || up === 'NULO' || up === 'NONE') return this.mk({ t: 'lit', v: null, pos: t.pos });
    if (['and', 'or', 'not', 'lambda'].includes(t.s) && this.peek().k !== 'op') this.unexpected(t);
    let name = t.s;
    if (!TABLE_NAMES.has(name)) {
      // dotted function names: SI.ERROR, CONTAR.SI.ELEMENTOS
      while (this.isOp(this.peek(), '.') && this.toks[this.i + 1].k === 'name') {
        this.next();
        name += '.' + this.next().s;
      }
    }
    return this.mk({ t: 'name', name, pos: t.pos });
  }

  private led(left: Node, t: Token, lbp: number): Node {
    if (t.k === 'name') {
      // and / or (txscada): flat n-ary
      const op = t.s as 'and' | 'or';
      const xs = [left];
      while (this.isKw(this.peek(), op)) {
        this.next();
        xs.push(this.expr(lbp));
      }
      return this.mk({ t: 'bool', op, xs, pos: left.pos }, xs);
    }
    switch (t.s) {
      case '.': {
        this.next();
        const n = this.next();
        if (n.k !== 'name') throw syntaxError(n.pos, `expected an attribute name after '.', found ${describeTok(n)}`);
        if (this.dialect === 'txscada' && PY_KEYWORDS.has(n.s)) throw syntaxError(n.pos, `'${n.s}' cannot be an attribute or tag name (Python keyword)`);
        return this.mk({ t: 'attr', obj: left, name: n.s, pos: n.pos }, [left]);
      }
      case '(': {
        this.next();
        this.open.push(t.pos);
        const args: Node[] = [];
        const sep = (x: Token) => this.isOp(x, ',') || (this.dialect === 'excel' && this.isOp(x, ';'));
        if (!this.isOp(this.peek(), ')')) {
          for (;;) {
            args.push(this.expr(0));
            const c = this.peek();
            if (sep(c)) {
              this.next();
              // Python accepts one trailing comma: f(a, b,)
              if (this.dialect === 'txscada' && this.isOp(this.peek(), ')')) break;
              continue;
            }
            if (this.isOp(c, ')')) break;
            if (c.k === 'eof') this.unexpected(c);
            throw syntaxError(c.pos, `expected ',' or ')' in the call opened at column ${t.pos + 1}, found ${describeTok(c)}`);
          }
        }
        this.next();
        this.open.pop();
        return this.mk({ t: 'call', fn: left, args, pos: t.pos }, [left, ...args]);
      }
      case '**': {
        this.next();
        const b = this.expr(BP_UNARY); // right operand is a factor: 2 ** -1, right-associative
        return this.mk({ t: 'pow', a: left, b, pos: t.pos }, [left, b]);
      }
      case '^': {
        this.next();
        const b = this.expr(BP_XPOW); // excel: left-associative
        return this.mk({ t: 'pow', a: left, b, pos: t.pos }, [left, b]);
      }
    }
    if (CMP_OPS.has(t.s)) {
      const ops: string[] = [];
      const opPos: number[] = [];
      const xs = [left];
      while (CMP_OPS.has(this.peek().s) && this.peek().k === 'op') {
        const o = this.next();
        if (this.dialect === 'excel' && ops.length === 1) {
          throw syntaxError(o.pos, 'chained comparisons are not supported in the excel dialect: write Y(a < b, b < c)');
        }
        ops.push(o.s);
        opPos.push(o.pos);
        xs.push(this.expr(lbp));
      }
      return this.mk({ t: 'cmp', ops, xs, opPos, pos: left.pos }, xs);
    }
    // + - * / % & : flat chains of one precedence level
    const level = lbp;
    const ops: string[] = [];
    const opPos: number[] = [];
    const xs = [left];
    while (this.peek().k === 'op' && this.lbp(this.peek()) === level) {
      const o = this.next();
      ops.push(o.s);
      opPos.push(o.pos);
      xs.push(this.expr(level));
    }
    return this.mk({ t: 'arith', ops, xs, opPos, pos: left.pos }, xs);
  }
}
