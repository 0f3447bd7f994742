/**
 * Text display rule of the operator screens (docs/screens.md §5.6).
 *
 * If the text contains no space and contains a `.`, it is shown as a number with exactly two decimals
 * (`parseFloat(v).toFixed(2)`): `'62.7110244989'` → `'62.71'`, `'0.0'` → `'0.00'`. Texts without a dot
 * (`'1e+16'`, `'ES'`, `'112'`) and texts with a space (`'Barra 33KV'`) stay as they are.
 *
 * Fix of the original's defect: when `parseFloat` gives NaN (a dotted word such as `'E.Rios'`), the
 * text is kept instead of showing `NaN`. `parseFloat` keeps its prefix semantics otherwise (compat:
 * `'3.5kV'` → `'3.50'`).
 */
export function displayText(text: unknown): string {
  if (text === null || text === undefined) return '';
  const v = typeof text === 'string' ? text : String(text);
  if (v.indexOf(' ') >= 0 || v.indexOf('.') < 0) return v;
  const n = parseFloat(v);
  if (Number.isNaN(n)) return v;
  return n.toFixed(2);
}
