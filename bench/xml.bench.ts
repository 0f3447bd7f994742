/**
 * XML parser benchmark: `npm run bench -- xml`. Why lib/hmi/xml.ts stays hand-written (issue 13): the saxes
 * candidate (bench/xml-saxes.ts, same signature and bounds) measured against it in the same run, on the same build.
 *
 * stdout: one JSON line per figure. Progress and notes go to stderr.
 *
 *  1. Corpora through sanitizeSvg with each parser (bench/xml-compare.ts): per corpus, the cases whose output
 *     differs or that one parser accepts and the other refuses (`differences`, with the detail as extra fields).
 *  2. Speed, ratio saxes/hand-written of the time per operation (> 1: saxes slower): parseXml and sanitizeSvg on
 *     each example screen, and on a large generated SVG (ELEMENTS elements, Inkscape-like groups and paths).
 *  3. Worst cases, ms and the heap the parse result holds (MB, between GCs with and without it) with each parser: nesting at the
 *     depth limit, 10^5 attributes, a 1 MB element name, 10^5 entity references, and 10^4 prefixed attributes
 *     under 10^4 levels (saxes resolves a prefix by walking every open element).
 *
 * Method: warm-up, then alternating timed rounds (which parser goes first alternates), median reported; a GC
 * before every round; every result feeds a sink.
 */
import { gc, keep, median, nowMs, reporter, round3, sinkTotal, timedRound } from './common';
import { compareCorpora, loadParsers, realScreens } from './xml-compare';

const rep = reporter('xml', 'tsc');
const { log, emit } = rep;
const ROUNDS = 7;
const ROUND_MS = 300;
const ELEMENTS = 20_000;
const MUTATIONS = Number(process.env.MARA_BENCH_XML_MUTATIONS ?? 1500);

const p = loadParsers(rep);

// 1. corpora
for (const c of compareCorpora(p, { mutations: MUTATIONS })) {
  const { corpus, examples, ...counts } = c;
  for (const e of examples) log(`${corpus}: ${e}`);
  emit(`differences/${corpus}`, 'cases', c.differ + c.handOnly + c.saxesOnly, counts);
}

// 2. speed
function bigSvg(): string {
  const parts = [
    '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ' +
      'xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="2400" height="1600">\n' +
      '<sodipodi:namedview id="base" pagecolor="#202020" inkscape:zoom="1"/>\n',
  ];
  for (let i = 0; i < ELEMENTS; i += 4) {
    const x = (i % 200) * 12;
    const y = Math.floor(i / 200) * 12;
    parts.push(
      `<g id="g${i}" inkscape:label="bay ${i}" transform="translate(${x},${y})">\n` +
        `  <path id="p${i}" d="m 0,0 h 10 v 10 h -10 z" style="fill:#333333;stroke:#888888;stroke-width:0.5" inkscape:connector-curvature="0"/>\n` +
        `  <rect id="r${i}" tag="E${i}" x="1" y="1" width="8" height="8" style="fill:#00ff00"/>\n` +
        `  <text id="t${i}" x="0" y="11" style="font-size:3px" xml:space="preserve"><tspan sodipodi:role="line">${i} &amp; kV</tspan></text>\n</g>\n`,
    );
  }
  return parts.join('') + '</svg>\n';
}

function ratioFigure(what: string, input: string, run: (parse: typeof p.hand) => number): void {
  const hand = (n: number): number => {
    let k = 0;
    for (let i = 0; i < n; i++) k += run(p.hand);
    return k;
  };
  const sax = (n: number): number => {
    let k = 0;
    for (let i = 0; i < n; i++) k += run(p.saxes);
    return k;
  };
  // large inputs: few operations per round
  const per = input.length > 200_000 ? 1 : 16;
  const loopH = (n: number) => hand(Math.max(1, Math.ceil(n / 256)) * per);
  const loopS = (n: number) => sax(Math.max(1, Math.ceil(n / 256)) * per);
  for (let r = 0; r < 2; r++) {
    timedRound(loopH, 100);
    timedRound(loopS, 100);
  }
  const h: number[] = [];
  const s: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2) {
      s.push(timedRound(loopS, ROUND_MS));
      h.push(timedRound(loopH, ROUND_MS));
    } else {
      h.push(timedRound(loopH, ROUND_MS));
      s.push(timedRound(loopS, ROUND_MS));
    }
  }
  // timedRound counts 256 "operations" per loop call; each call does ceil(256/256) * per real ones
  const opsH = (median(h) * per) / 256;
  const opsS = (median(s) * per) / 256;
  emit(`ratio-saxes-hand/${what}`, 'x', round3(opsH / opsS), { handMs: round3(1000 / opsH), saxesMs: round3(1000 / opsS), chars: input.length });
}

const big = bigSvg();
const inputs = [...realScreens().filter((s) => s.name.startsWith('examples/')), { name: `generated-${ELEMENTS}`, svg: big }];
for (const { name, svg } of inputs) {
  const must = p.saxes(svg);
  if (!must.ok || !p.hand(svg).ok) rep.fail(`${name} does not parse with both parsers`);
  ratioFigure(`parseXml/${name}`, svg, (parse) => {
    const r = parse(svg);
    return r.ok ? r.doc.root.children.length : 0;
  });
  ratioFigure(`sanitizeSvg/${name}`, svg, (parse) => p.using(parse, () => p.hmi.sanitizeSvg(svg).svg.length));
}

// 3. worst cases
const depth = p.xml.DEFAULT_MAX_XML_DEPTH;
const worst: [string, string][] = [
  [`nesting-${depth}`, `<svg xmlns="http://www.w3.org/2000/svg">${'<g>'.repeat(depth - 1)}${'</g>'.repeat(depth - 1)}</svg>`],
  ['attributes-1e5', `<svg xmlns="http://www.w3.org/2000/svg"><rect ${Array.from({ length: 100_000 }, (_, i) => `a${i}="${i}"`).join(' ')}/></svg>`],
  ['name-1MB', `<svg xmlns="http://www.w3.org/2000/svg"><${'n'.repeat(1_000_000)}/></svg>`],
  ['entities-1e5', `<svg xmlns="http://www.w3.org/2000/svg"><text>${'&amp;&lt;&#65;&#x42;&e;'.repeat(20_000)}</text></svg>`],
  [
    'prefixed-attributes-1e4-under-1e4-levels',
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:q="urn:q">${'<g>'.repeat(10_000)}<rect ${Array.from({ length: 10_000 }, (_, i) => `q:a${i}="1"`).join(' ')}/>${'</g>'.repeat(10_000)}</svg>`,
  ],
];
for (const [what, input] of worst) {
  for (const [who, parse] of [
    ['hand', p.hand],
    ['saxes', p.saxes],
  ] as const) {
    const ms: number[] = [];
    let heap = 0;
    let ok = '';
    for (let r = 0; r < 3 && !(r === 1 && ms[0] > 2000); r++) {
      gc();
      const t0 = nowMs();
      let res: ReturnType<typeof parse> | null = parse(input);
      ms.push(nowMs() - t0);
      ok = res.ok ? 'ok' : `${res.code}: ${res.error.slice(0, 60)}`;
      // what the result holds: the heap with it, minus the heap once it is dropped (a baseline taken before the
      // parse would count whatever the previous run left on the stack)
      gc();
      const held = process.memoryUsage().heapUsed;
      keep(res.ok ? res.doc.root.children.length : 0);
      // eslint-disable-next-line no-useless-assignment -- drops the last reference before gc(), so the figure is what the result held
      res = null;
      gc();
      heap = Math.max(heap, held - process.memoryUsage().heapUsed);
    }
    emit(`worst/${what}/${who}`, 'ms', round3(median(ms)), { retainedHeapMB: round3(heap / 1e6), result: ok, chars: input.length });
  }
}
log(`sink ${sinkTotal()}`);
