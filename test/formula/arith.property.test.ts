/**
 * Property: random well-formed arithmetic formulas over integers and floats evaluate, through the
 * compiled closures, to what a straightforward Python 2 reference evaluator (below: BigInt integers,
 * IEEE floats) gives — value, integer/float type, and error category. Fixed seed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compile } from '../../lib/formula';

type Node =
  | { k: 'int'; v: bigint }
  | { k: 'float'; v: number }
  | { k: 'bin'; op: '+' | '-' | '*' | '/' | '%'; a: Node; b: Node }
  | { k: 'neg'; x: Node }
  | { k: 'pow'; base: Node; n: number }
  | { k: 'cmp'; op: '<' | '>' | '=' | '<>'; a: Node; b: Node }
  | { k: 'bool'; op: 'and' | 'or'; a: Node; b: Node }
  | { k: 'not'; x: Node };

// ------------------------------------------------------------------ generator

const intLit = fc.oneof(fc.bigInt({ min: -20n, max: 20n }), fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n })).map((v): Node => ({ k: 'int', v }));
const floatLit = fc
  .oneof(
    fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
    fc.integer({ min: -40, max: 40 }).map((k) => k / 4),
    fc.constantFrom(0.1, 0.5, 1.73, 57.1, 0.018374164810690423, -0, 1e-5, 2.5),
  )
  .map((v): Node => ({ k: 'float', v }));
const powBase = fc.oneof(
  fc.integer({ min: -10, max: 10 }).map((v): Node => ({ k: 'int', v: BigInt(v) })),
  fc.integer({ min: -40, max: 40 }).map((k): Node => ({ k: 'float', v: k / 4 })),
);
const leaf = fc.oneof(intLit, floatLit);

const memo = new Map<number, fc.Arbitrary<Node>>();
function expr(depth: number): fc.Arbitrary<Node> {
  if (depth <= 0) return leaf;
  let a = memo.get(depth);
  if (a) return a;
  const sub = expr(depth - 1);
  a = fc.oneof(
    { weight: 2, arbitrary: leaf },
    { weight: 5, arbitrary: fc.record({ k: fc.constant('bin' as const), op: fc.constantFrom('+', '-', '*', '/', '%' as const), a: sub, b: sub }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('neg' as const), x: sub }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('pow' as const), base: powBase, n: fc.integer({ min: -3, max: 4 }) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('cmp' as const), op: fc.constantFrom('<', '>', '=', '<>' as const), a: sub, b: sub }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('bool' as const), op: fc.constantFrom('and', 'or' as const), a: sub, b: sub }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('not' as const), x: sub }) },
  ) as fc.Arbitrary<Node>;
  memo.set(depth, a);
  return a;
}

function floatText(x: number): string {
  const s = String(Math.abs(x));
  const t = /[.e]/.test(s) ? s : s + '.0';
  return x < 0 || Object.is(x, -0) ? `(-${t})` : t;
}

/** Formula text; binary operations fully parenthesized except where precedence is the point. */
function text(n: Node): string {
  switch (n.k) {
    case 'int':
      return n.v < 0n ? `(${n.v})` : String(n.v);
    case 'float':
      return floatText(n.v);
    case 'bin':
      return `(${text(n.a)} ${n.op} ${text(n.b)})`;
    case 'neg':
      return `(-${text(n.x)})`;
    case 'pow':
      return `(${text(n.base)} ** ${n.n < 0 ? `(${n.n})` : n.n})`;
    case 'cmp':
      return `(${text(n.a)} ${n.op} ${text(n.b)})`;
    case 'bool':
      return `(${text(n.a)} ${n.op} ${text(n.b)})`;
    case 'not':
      return `(not ${text(n.x)})`;
  }
}

// ------------------------------------------------------------------ reference evaluator (Python 2)

type Val = { t: 'int'; v: bigint } | { t: 'float'; v: number } | { t: 'bool'; v: boolean };
type Res = Val | { err: string };

const isErr = (r: Res): r is { err: string } => 'err' in r;
const asFloat = (v: Val) => (v.t === 'float' ? v.v : v.t === 'int' ? Number(v.v) : v.v ? 1 : 0);
const asInt = (v: Val) => (v.t === 'int' ? v.v : v.t === 'bool' ? (v.v ? 1n : 0n) : 0n);
const truthy = (v: Val) => (v.t === 'bool' ? v.v : v.t === 'int' ? v.v !== 0n : v.v !== 0);

function arith(op: string, a: Val, b: Val): Res {
  if (a.t !== 'float' && b.t !== 'float') {
    const x = asInt(a);
    const y = asInt(b);
    switch (op) {
      case '+':
        return { t: 'int', v: x + y };
      case '-':
        return { t: 'int', v: x - y };
      case '*':
        return { t: 'int', v: x * y };
      case '/': {
        if (y === 0n) return { err: 'division-by-zero' };
        let q = x / y;
        if (x % y !== 0n && x < 0n !== y < 0n) q -= 1n;
        return { t: 'int', v: q };
      }
      case '%': {
        if (y === 0n) return { err: 'division-by-zero' };
        let r = x % y;
        if (r !== 0n && r < 0n !== y < 0n) r += y;
        return { t: 'int', v: r };
      }
    }
  }
  const x = asFloat(a);
  const y = asFloat(b);
  switch (op) {
    case '+':
      return { t: 'float', v: x + y };
    case '-':
      return { t: 'float', v: x - y };
    case '*':
      return { t: 'float', v: x * y };
    case '/':
      return y === 0 ? { err: 'division-by-zero' } : { t: 'float', v: x / y };
    case '%': {
      if (y === 0) return { err: 'division-by-zero' };
      let m = x % y;
      if (m !== 0) {
        if (y < 0 !== m < 0) m += y;
      } else m = y < 0 ? -0 : 0;
      return { t: 'float', v: m };
    }
  }
  throw new Error(op);
}

function cmp(op: string, a: Val, b: Val): boolean {
  // exact comparison of int and float, as Python 2.7
  const x = a.t === 'float' ? a.v : asInt(a);
  const y = b.t === 'float' ? b.v : asInt(b);
  switch (op) {
    case '<':
      return x < y;
    case '>':
      return x > y;
    case '=':
      return x == y; // eslint-disable-line eqeqeq -- the model of Python's ==: number and bigint compare by value
    default:
      return !(x == y); // eslint-disable-line eqeqeq -- as above, for <>
  }
}

function ev(n: Node): Res {
  switch (n.k) {
    case 'int':
      return { t: 'int', v: n.v };
    case 'float':
      return { t: 'float', v: n.v };
    case 'neg': {
      const x = ev(n.x);
      if (isErr(x)) return x;
      return x.t === 'float' ? { t: 'float', v: -x.v } : { t: 'int', v: -asInt(x) };
    }
    case 'bin': {
      const a = ev(n.a);
      if (isErr(a)) return a;
      const b = ev(n.b);
      if (isErr(b)) return b;
      return arith(n.op, a, b);
    }
    case 'pow': {
      const b = ev(n.base) as Val;
      const k = n.n;
      if (b.t === 'int' && k >= 0) return { t: 'int', v: b.v ** BigInt(k) };
      if (k === 0) return { t: 'float', v: 1 };
      // base = p / q exactly (p, q small integers): the power is a ratio of exact small integers
      const [p, q] = b.t === 'int' ? [b.v, 1n] : [BigInt(Math.round(asFloat(b) * 4)), 4n];
      if (p === 0n) return k < 0 ? { err: 'division-by-zero' } : { t: 'float', v: Object.is(b.v, -0) && k % 2 ? -0 : 0 };
      const e = BigInt(Math.abs(k));
      const num = k > 0 ? p ** e : q ** e;
      const den = k > 0 ? q ** e : p ** e;
      return { t: 'float', v: Number(num) / Number(den) }; // exact operands: one correctly rounded division
    }
    case 'cmp': {
      const a = ev(n.a);
      if (isErr(a)) return a;
      const b = ev(n.b);
      if (isErr(b)) return b;
      return { t: 'bool', v: cmp(n.op, a, b) };
    }
    case 'bool': {
      const a = ev(n.a);
      if (isErr(a)) return a;
      if (truthy(a) === (n.op === 'or')) return a;
      return ev(n.b);
    }
    case 'not': {
      const x = ev(n.x);
      if (isErr(x)) return x;
      return { t: 'bool', v: !truthy(x) };
    }
  }
}

// ------------------------------------------------------------------ the property

describe('property: compiled arithmetic = Python 2 reference evaluator', () => {
  it('values, types and error categories agree (seed 20240607, 3000 runs)', () => {
    fc.assert(
      fc.property(expr(4), (n) => {
        const t = text(n);
        const want = ev(n);
        const got = compile(t).evaluate({});
        if (isErr(want)) {
          assert.deepEqual(got.ok ? got : { ok: false, error: got.error }, { ok: false, error: want.err }, t);
          return;
        }
        assert.equal(got.ok, true, `${t}: ${JSON.stringify(got)}`);
        if (!got.ok) return;
        if (want.t === 'int') {
          assert.equal(got.type, 'integer', t);
          assert.equal(got.value, Number(want.v), t);
          // exact digits through str(), also beyond 2^53
          assert.deepEqual(compile(`str(${t})`).evaluate({}), { ok: true, value: want.v.toString(), type: 'string' }, t);
        } else if (want.t === 'float') {
          assert.equal(got.type, 'float', t);
          assert.ok(Object.is(got.value, want.v), `${t}: got ${String(got.value)}, want ${want.v}`);
        } else {
          assert.deepEqual(got, { ok: true, value: want.v, type: 'bool' }, t);
        }
      }),
      { seed: 20240607, numRuns: 3000 },
    );
  });

  it('precedence: unparenthesized chains parse like Python (seed 7, 1000 runs)', () => {
    // a op1 b op2 c with + - * / % ** and unary minus, checked against the fully parenthesized form
    const small = fc.integer({ min: -9, max: 9 }).map((v) => (v < 0 ? `(${v})` : String(v)));
    const op = fc.constantFrom('+', '-', '*', '/', '%', '**');
    fc.assert(
      fc.property(small, op, small, op, small, fc.boolean(), (a, o1, b, o2, c, neg) => {
        const prec = (o: string) => (o === '+' || o === '-' ? 1 : 2);
        const lhs = `${neg ? '-' : ''}${a} ${o1} ${b} ${o2} ${c}`;
        // Python: ** binds tighter than a unary minus on its left and is right-associative;
        // the unary minus binds tighter than * / % and + -.
        let paren: string;
        if (o1 === '**' && o2 === '**') paren = neg ? `(-(${a} ** (${b} ** ${c})))` : `(${a} ** (${b} ** ${c}))`;
        else if (o1 === '**') paren = `((${neg ? `(-(${a} ** ${b}))` : `(${a} ** ${b})`}) ${o2} ${c})`;
        else if (o2 === '**') paren = `(${neg ? `(-${a})` : a} ${o1} (${b} ** ${c}))`;
        else {
          const l = neg ? `(-${a})` : a;
          paren = prec(o2) > prec(o1) ? `(${l} ${o1} (${b} ${o2} ${c}))` : `((${l} ${o1} ${b}) ${o2} ${c})`;
        }
        const x = compile(lhs).evaluate({});
        const y = compile(paren).evaluate({});
        const norm = (r: typeof x) => (r.ok ? { ok: true, type: r.type, v: String(r.value) } : { ok: false, e: r.error });
        assert.deepEqual(norm(x), norm(y), `${lhs}  vs  ${paren}`);
      }),
      { seed: 7, numRuns: 1000 },
    );
  });
});
