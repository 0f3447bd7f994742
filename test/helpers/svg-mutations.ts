/**
 * Random edits of a drawing's text, shared by the running-Node-RED fuzz test (test/fuzz/red-fuzz.test.ts) and the
 * XML parser comparison (bench/xml-compare.ts), so the bench measures the same kind of inputs the fuzz test sends.
 */

/** Syntax and hostile fragments inserted into drawings. */
export const SVG_ALPHABET: readonly string[] = [
  '<',
  '>',
  '/',
  '"',
  "'",
  '=',
  '&',
  '&amp;',
  '&#0;',
  '&#x110000;',
  ' xmlns:a="urn:a"',
  ' tag="__proto__"',
  ' tag="constructor"',
  '<![CDATA[',
  ']]>',
  '<!--',
  '-->',
  '<?x?>',
  '<!DOCTYPE x [<!ENTITY e "e">]>',
  '<script>alert(1)</script>',
  ' onload="alert(1)"',
  ' style="fill:url(http://x)"',
  '<g>',
  '</g>',
  '\u0000',
  'é',
];

/**
 * `edits` random edits of `s`: deletions, insertions from `alphabet`, duplications, truncation. `rnd` is the
 * caller's seeded generator in [0, 1), so each caller keeps its own reproducible sequence.
 */
export function mutateText(s: string, edits: number, alphabet: readonly string[], rnd: () => number): string {
  const int = (n: number) => Math.floor(rnd() * n);
  let t = s;
  for (let i = 0; i < edits; i++) {
    const at = int(t.length + 1);
    switch (int(4)) {
      case 0:
        t = t.slice(0, at) + t.slice(at + 1 + int(8));
        break;
      case 1:
        t = t.slice(0, at) + alphabet[int(alphabet.length)] + t.slice(at);
        break;
      case 2: {
        const len = int(40);
        t = t.slice(0, at) + t.slice(at, at + len).repeat(1 + int(3)) + t.slice(at);
        break;
      }
      default:
        if (rnd() < 0.2) t = t.slice(0, at);
    }
  }
  return t;
}
