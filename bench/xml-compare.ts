/**
 * The two XML parsers under the sanitiser, side by side (issue 13): lib/svg/xml.ts (hand-written) and the saxes
 * candidate of bench/xml-saxes.ts, both on the same build of lib/ (transpiled now, see bench/common.ts), the
 * sanitiser switched between them by swapping the `parseXml` export it calls.
 *
 * `compareCorpora` runs sanitizeSvg with each parser on the hostile browser corpus (test/browser/hostile-svgs.ts),
 * the real screens (examples/*.svg, test/fixtures/migration/*.svg) and seeded mutations of the real screens
 * (the generators of test/hmi/sanitize.test.ts and test/fuzz/red-fuzz.test.ts), and counts, per corpus: the
 * same output (svg and removed), different output, accepted by one and refused (svg '') by the other.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Hmi from '../lib/hmi';
import type * as Xml from '../lib/svg/xml';
import { hostileCases } from '../test/browser/hostile-svgs';
import { mutateText, SVG_ALPHABET } from '../test/helpers/svg-mutations';
import { ROOT, Reporter, transpile, tsSources } from './common';
import { makeSaxesParse } from './xml-saxes';

export interface Parsers {
  xml: typeof Xml;
  hmi: typeof Hmi;
  hand: typeof Xml.parseXml;
  saxes: typeof Xml.parseXml;
  /** Runs `f` with the sanitiser (and the indexer) calling `parse`. */
  using<T>(parse: typeof Xml.parseXml, f: () => T): T;
}

export function loadParsers(rep: Reporter): Parsers {
  const dir = transpile(rep, tsSources('lib', { recursive: true }), { linkNodeModules: true });
  const xml: typeof Xml = require(path.join(dir, 'lib/svg/xml'));
  const hmi: typeof Hmi = require(path.join(dir, 'lib/hmi'));
  const hand = xml.parseXml;
  const saxes = makeSaxesParse(xml);
  const writable = xml as { parseXml: typeof Xml.parseXml };
  return {
    xml,
    hmi,
    hand,
    saxes,
    using(parse, f) {
      writable.parseXml = parse;
      try {
        return f();
      } finally {
        writable.parseXml = hand;
      }
    },
  };
}

export function realScreens(): { name: string; svg: string }[] {
  const out: { name: string; svg: string }[] = [];
  for (const dir of ['examples', 'test/fixtures/migration'])
    for (const f of fs.readdirSync(path.join(ROOT, dir)).sort())
      if (f.endsWith('.svg')) out.push({ name: `${dir}/${f}`, svg: fs.readFileSync(path.join(ROOT, dir, f), 'utf8') });
  return out;
}

/** The LCG of test/hmi/sanitize.test.ts's "never throws on random and truncated inputs". */
function sanitizeTestInputs(base: string, count: number): string[] {
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const alphabet = '<>/="\'&;#x!-?[]: \nabcdefgsvgrectonclick\u0000\uD800';
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    if (k % 3 === 0) out.push(base.slice(0, rnd(base.length)));
    else if (k % 3 === 1) {
      const at = rnd(base.length);
      out.push(base.slice(0, at) + alphabet[rnd(alphabet.length)] + base.slice(at + 1));
    } else out.push(Array.from({ length: rnd(200) }, () => alphabet[rnd(alphabet.length)]).join(''));
  }
  return out;
}

/** The edits of test/fuzz/red-fuzz.test.ts's mutateText with its SVG alphabet, on a seeded PRNG. */
function redFuzzInputs(bases: string[], count: number): string[] {
  let s = 0x5eed;
  const rnd = (): number => {
    // mulberry32
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const out: string[] = [];
  for (let k = 0; k < count; k++) out.push(mutateText(pick(bases), 1 + int(30), SVG_ALPHABET, rnd));
  return out;
}

export interface CorpusCount {
  corpus: string;
  cases: number;
  same: number;
  differ: number;
  handOnly: number;
  saxesOnly: number;
  bothRefuse: number;
  /** Up to 3 examples of each kind of difference, for the notes. */
  examples: string[];
}

export function compareCorpora(p: Parsers, opts: { mutations: number }): CorpusCount[] {
  const screens = realScreens();
  const s1 = screens.find((s) => s.name === 'examples/s1.svg')?.svg ?? screens[0].svg;
  const corpora: [string, { name: string; svg: string }[]][] = [
    ['hostile-browser', hostileCases(9).map((c) => ({ name: c.name, svg: c.svg }))],
    ['real-screens', screens],
    ['sanitize-test-mutations', sanitizeTestInputs(s1, opts.mutations).map((svg, i) => ({ name: `#${i}`, svg }))],
    [
      'red-fuzz-mutations',
      redFuzzInputs(
        screens.filter((s) => s.name.startsWith('examples/')).map((s) => s.svg),
        opts.mutations,
      ).map((svg, i) => ({ name: `#${i}`, svg })),
    ],
  ];
  const out: CorpusCount[] = [];
  for (const [corpus, cases] of corpora) {
    const c: CorpusCount = { corpus, cases: cases.length, same: 0, differ: 0, handOnly: 0, saxesOnly: 0, bothRefuse: 0, examples: [] };
    const note = (kind: string, name: string, a: Hmi.SanitizeResult, b: Hmi.SanitizeResult): void => {
      if (c.examples.filter((e) => e.startsWith(kind)).length < 3)
        c.examples.push(
          `${kind} ${name}: hand ${JSON.stringify(a.removed.slice(0, 2)).slice(0, 160)} / saxes ${JSON.stringify(b.removed.slice(0, 2)).slice(0, 160)}`,
        );
    };
    for (const k of cases) {
      const a = p.using(p.hand, () => p.hmi.sanitizeSvg(k.svg));
      const b = p.using(p.saxes, () => p.hmi.sanitizeSvg(k.svg));
      if (!a.svg && !b.svg) c.bothRefuse++;
      else if (a.svg && !b.svg) {
        c.handOnly++;
        note('hand-only', k.name, a, b);
      } else if (!a.svg && b.svg) {
        c.saxesOnly++;
        note('saxes-only', k.name, a, b);
      } else if (a.svg === b.svg && JSON.stringify(a.removed) === JSON.stringify(b.removed)) c.same++;
      else {
        c.differ++;
        note('differ', k.name, a, b);
      }
    }
    out.push(c);
  }
  return out;
}
