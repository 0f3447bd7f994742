/**
 * The function reference of both dialects (data for the editor and the README). FUNCTIONS.md is
 * generated from it (`functionsMarkdown()`; a test keeps the two equal).
 */

export interface FunctionDoc {
  /** Name(s): txscada names are case-sensitive, excel names case-insensitive. */
  names: string[];
  dialect: 'txscada' | 'excel';
  arity: string;
  semantics: string;
  example: string;
}

export const functions: readonly FunctionDoc[] = [
  // txscada (docs/formulas.md §2.6)
  {
    names: ['SI', 'si'],
    dialect: 'txscada',
    arity: '3',
    semantics: '`a` if `c` is truthy else `b`. **Eager**: all three arguments are evaluated first (an error in the unused branch fails the formula).',
    example: '`SI(di.E4CREC01.value,6,3)` → 6 when the DI is 1',
  },
  {
    names: ['O'],
    dialect: 'txscada',
    arity: '0–n',
    semantics: 'First truthy argument, or None (also with no arguments). Eager.',
    example: '`O(ai.X.q,ai.Y.q)` → None when both are 0',
  },
  { names: ['RAIZ'], dialect: 'txscada', arity: '1', semantics: '`x ** 0.5`: always a float; negative `x` → math-domain.', example: '`RAIZ(9)` → 3.0' },
  {
    names: ['SUMA'],
    dialect: 'txscada',
    arity: '1',
    semantics: 'Sum of a list (start 0, so `[]` → 0); items must be numbers. A table → type error.',
    example: '`SUMA(APLICAR(lambda e: int(e.text), FILTRAR(lambda x: x.mark = 1, eg)))`',
  },
  {
    names: ['APLICAR'],
    dialect: 'txscada',
    arity: '2',
    semantics: "Python 2 `map(f, list)` (also over a string's characters; `f` None → the list). A table → type error (fix).",
    example: '`APLICAR(lambda e: int(e.text), l)`',
  },
  {
    names: ['FILTRAR'],
    dialect: 'txscada',
    arity: '2',
    semantics:
      'Python 2 `filter(pred, x)`: over a table (`eg`, `ai`, `di`) its records in insertion order; over a list its items; over a string a string. `pred` None → truthy items.',
    example: '`FILTRAR(lambda x: x.mark = 1, eg)`',
  },
  {
    names: ['FLOAT'],
    dialect: 'txscada',
    arity: '1–2',
    semantics: "`'%.{d}f' % x` (default `d` = 3) → a string; exact ties round half-to-even like Python.",
    example: "`FLOAT(33.0)` → '33.000', `FLOAT(0.125,2)` → '0.12'",
  },
  {
    names: ['int'],
    dialect: 'txscada',
    arity: '0–2',
    semantics:
      "Python 2 `int`: floats truncate toward zero; strings: whitespace, sign, decimal digits only (`' 1 '` → 1, `'1.0'` → conversion); None → type. `int(s, base)`.",
    example: '`int(eg.E4289T01.text)`',
  },
  {
    names: ['float'],
    dialect: 'txscada',
    arity: '0–1',
    semantics: "Python 2 `float`: decimal or exponent notation, `inf`, `nan`; `''` or `'3,45'` → conversion.",
    example: '`float(eg.E42SS_02.text)`',
  },
  {
    names: ['str'],
    dialect: 'txscada',
    arity: '0–1',
    semantics: 'Python 2 `str`: floats with 12 significant digits (docs/formulas.md §2.7), None → `None`, booleans → `True`/`False`.',
    example: "`str(ai.E42VV_00.value*ai.E42VV_00.escala)` → '33.0'",
  },
  { names: ['abs'], dialect: 'txscada', arity: '1', semantics: 'Extension: absolute value (keeps int/float).', example: '`abs(-2)` → 2' },
  {
    names: ['min', 'max'],
    dialect: 'txscada',
    arity: '1–n',
    semantics: 'Extension: smallest / largest argument, or item of one list argument; the first one on ties.',
    example: '`max(ai.X.value, 0)`',
  },
  {
    names: ['round'],
    dialect: 'txscada',
    arity: '1–2',
    semantics: 'Extension: Python 2 `round(x, n=0)`: exact half away from zero, returns a float.',
    example: '`round(2.5)` → 3.0, `round(2.675, 2)` → 2.67',
  },
  // excel dialect
  {
    names: ['SI', 'IF'],
    dialect: 'excel',
    arity: '2–3',
    semantics:
      'Lazy: only the chosen branch is evaluated. The condition must be a number, boolean, blank or the text TRUE/FALSE (other texts → type error). Without `b`, FALSE.',
    example: '`SI(ai.X.value>0, ai.X.value*ai.X.escala, 0)`',
  },
  {
    names: ['SI.ERROR', 'IFERROR'],
    dialect: 'excel',
    arity: '2',
    semantics: '`value`, or `fallback` if evaluating `value` fails with any error (the fallback is evaluated only then).',
    example: '`SI.ERROR(VALOR(eg.X.text), 0)`',
  },
  {
    names: ['Y', 'AND'],
    dialect: 'excel',
    arity: '1–n',
    semantics: 'TRUE if every argument is true (Excel logicals; all arguments evaluated).',
    example: '`Y(di.A.value, di.B.value)`',
  },
  {
    names: ['O', 'OR'],
    dialect: 'excel',
    arity: '1–n',
    semantics: 'TRUE if any argument is true; returns a boolean (unlike txscada `O`).',
    example: '`SI(O(ai.A.q, ai.B.q), 6, 10)`',
  },
  { names: ['NO', 'NOT'], dialect: 'excel', arity: '1', semantics: 'Logical negation.', example: '`NO(di.X.value)`' },
  {
    names: ['REDONDEAR', 'ROUND'],
    dialect: 'excel',
    arity: '1–2',
    semantics: 'Excel rounding of the 15-significant-digit value to `d` decimals (default 0), halves away from zero.',
    example: '`REDONDEAR(2.675, 2)` → 2.68',
  },
  { names: ['ABS'], dialect: 'excel', arity: '1', semantics: 'Absolute value.', example: '`ABS(-3)` → 3' },
  {
    names: ['MIN', 'MAX'],
    dialect: 'excel',
    arity: '1–n',
    semantics: 'Smallest / largest number; texts read as numbers, blanks skipped, no numbers → 0.',
    example: '`MAX(ai.A.value, ai.B.value)`',
  },
  {
    names: ['SUMA', 'SUM'],
    dialect: 'excel',
    arity: '1–n',
    semantics: 'Sum of the arguments (texts read as numbers, blanks skipped).',
    example: '`SUMA(1, 2, "3")` → 6',
  },
  {
    names: ['RAIZ', 'SQRT'],
    dialect: 'excel',
    arity: '1',
    semantics: 'Square root (a float); negative → math-domain.',
    example: '`RAIZ(ai.P.value^2+ai.Q.value^2)`',
  },
  {
    names: ['TEXTO', 'TEXT'],
    dialect: 'excel',
    arity: '2',
    semantics:
      'Formats a number. Supported formats: `0`, `0.0…`, `#,##0`, `#,##0.00…`, optional `#` decimals (`0.0#`), `0%`, `0.0…%`, `0.00E+00`, `General`, with `"quoted"` text or ` $-+()/:` around. Excel rounding. Other formats → type error.',
    example: '`TEXTO(0.256, "0.0%")` → \'25.6%\'',
  },
  {
    names: ['VALOR', 'VALUE', 'FLOAT'],
    dialect: 'excel',
    arity: '1',
    semantics: 'A text as a number (`12`, `-1.5`, `1,234.5`, `1e3`, `50%`), as a float; not a number → conversion.',
    example: '`VALOR(eg.X.text)`',
  },
  {
    names: ['ENTERO', 'INT'],
    dialect: 'excel',
    arity: '1',
    semantics: 'Excel INT: rounds **down** (floor); texts read as numbers (`"1.0"` → 1).',
    example: '`ENTERO(-2.5)` → -3',
  },
  {
    names: ['MOD', 'RESIDUO'],
    dialect: 'excel',
    arity: '2',
    semantics: 'Remainder with the sign of the divisor; divisor 0 → division-by-zero.',
    example: '`MOD(-7, 3)` → 2',
  },
  {
    names: ['CONCATENAR', 'CONCATENATE', 'CONCAT'],
    dialect: 'excel',
    arity: '1–n',
    semantics: 'Joins the texts of the arguments (like `&`).',
    example: '`CONCATENAR(ai.X.value, " kV")`',
  },
  {
    names: ['STR'],
    dialect: 'excel',
    arity: '1',
    semantics: "A value as text in Excel's general format (`str` in txscada formulas moved to excel).",
    example: "`STR(7/2)` → '3.5'",
  },
  {
    names: ['CONTAR.SI.ELEMENTOS', 'COUNTELEMENTS'],
    dialect: 'excel',
    arity: '1',
    semantics:
      'Number of elements (all screens) whose `mark` equals the argument and whose text is a non-zero number (blank text = 0; a non-numeric text → conversion). Replaces the map-alarm lambda idiom; depends on every element (wildcard `eg`).',
    example: '`SI(CONTAR.SI.ELEMENTOS(1), 6, 11)`',
  },
  {
    names: ['SUMAR.SI.ELEMENTOS', 'SUMELEMENTS'],
    dialect: 'excel',
    arity: '1',
    semantics:
      'Sum of the numeric texts of the elements whose `mark` equals the argument: the exact counterpart of `SUMA(APLICAR(lambda e: int(e.text), FILTRAR(lambda x: x.mark = m, eg)))`.',
    example: '`SUMAR.SI.ELEMENTOS(1)`',
  },
];

const esc = (s: string) => s.replace(/\|/g, '\\|');

/** The reference as markdown (the content of FUNCTIONS.md). */
export function functionsMarkdown(): string {
  const out: string[] = [];
  out.push('# Formula functions');
  out.push('');
  out.push('Generated from `lib/formula/docs.ts` (`functionsMarkdown()`). Dialect `txscada` (default) is the');
  out.push("original's language (docs/formulas.md §2): names are case-sensitive; inside a lambda only its parameter and");
  out.push('`int`, `float`, `str`, `abs`, `min`, `max`, `round` are visible. Dialect `excel`: names are');
  out.push('case-insensitive, `;` may separate arguments, there are no lambdas.');
  out.push('');
  for (const dialect of ['txscada', 'excel'] as const) {
    out.push(`## ${dialect}`);
    out.push('');
    out.push('| name | arity | semantics | example |');
    out.push('|---|---|---|---|');
    for (const f of functions.filter((x) => x.dialect === dialect)) {
      out.push(`| ${f.names.map((n) => `\`${n}\``).join(' / ')} | ${f.arity} | ${esc(f.semantics)} | ${esc(f.example)} |`);
    }
    out.push('');
  }
  out.push(EXCEL_NOTES);
  return out.join('\n');
}

const EXCEL_NOTES = `## excel dialect: operators and values

| topic | rule |
|---|---|
| equality | \`=\` and \`<>\`; \`<\`, \`>\`, \`<=\`, \`>=\`. \`==\` and \`!=\` are syntax errors with a hint. No comparison chains (\`a<b<c\` is a syntax error). Comparisons follow the txscada rules: numbers numerically, texts by code point (case-sensitive), None only equals None, text vs number is unequal, ordering unrelated types → type error. |
| arithmetic | \`+ - * /\` and \`^\`. \`/\` is true division (\`7/2\` → 3.5). \`^\` is left-associative and a leading minus binds tighter (\`-2^2\` → 4, as in Excel). Operands are read as numbers like Excel: booleans 0/1, blank (None) 0, numeric texts (\`"1"+2\` → 3), other texts → conversion. A non-finite result → math-domain. Division by zero → division-by-zero (never #DIV/0! text). |
| \`&\` | Text concatenation, below \`+ -\` and above comparisons. Numbers in Excel's general format: integers in full, other numbers up to 15 significant digits without trailing zeros (\`1/3\` → 0.333333333333333), scientific \`1.5E+20\` / \`1E-10\` when the exponent is >= 15 or < -9. Booleans → TRUE / FALSE, None → empty. |
| literals | Numbers as in txscada (leading zeros allowed); strings \`"…"\` or \`'…'\` with the quote doubled inside (\`"a""b"\`), no backslash escapes, no \`=\` doubling; TRUE / FALSE / VERDADERO / FALSO, NULL / NULO / NONE (case-insensitive). |
| logicals | SI, Y, O, NO accept numbers (non-zero = TRUE), booleans, blank (FALSE) and the texts TRUE/FALSE/VERDADERO/FALSO; other texts are a type error (so the txscada trap \`SI(eg.X.text,…)\` with text '0' fails loudly). |
| results | Element texts are written with the general format above (booleans TRUE / FALSE). \`int\`, \`float\`, \`str\` of txscada formulas resolve to ENTERO (floor), VALOR (float) and STR. |
`;
