/**
 * sanitizeSvg against a hostile corpus: each payload must be gone from the output while the harmless
 * drawing around it (a tagged rect, a tagged text, the page colour, a jump-to circle) survives, the
 * output must re-parse, and sanitising the output again must change nothing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sanitizeSvg, indexScreen, parseXml, MAX_DEPTH } from '../../lib/hmi';

const SVG_NS = 'http://www.w3.org/2000/svg';
const XLINK = 'xmlns:xlink="http://www.w3.org/1999/xlink"';
const SODIPODI = 'xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"';
const INKSCAPE = 'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"';

const HARMLESS =
  '<sodipodi:namedview id="base" pagecolor="#123456" inkscape:zoom="1"/>' +
  '<defs><linearGradient id="lg"><stop offset="0" style="stop-color:#ffffff"/></linearGradient></defs>' +
  '<g id="layer1" inkscape:label="Capa 1" inkscape:groupmode="layer">' +
  '<rect id="keep" tag="E1" x="1" y="2" width="10" height="10" style="fill:url(#lg);stroke:#000000" transform="translate(1,2)"/>' +
  '<text id="t1" tag="E12VV_00" xml:space="preserve" x="5" y="5"><tspan sodipodi:role="line">12.5 kV</tspan></text>' +
  '<circle id="c1" jump-to="S1" tag="E12ETT00" cx="5" cy="5" r="3"/>' +
  '</g>';

function doc(payload: string, rootAttrs = '', prolog = ''): string {
  return `${prolog}<svg xmlns="${SVG_NS}" ${XLINK} ${SODIPODI} ${INKSCAPE} width="100" height="50" id="svgroot" ${rootAttrs}>` + `${HARMLESS}${payload}</svg>`;
}

/** Invariants every sanitised output must satisfy, whatever the input. */
function assertSafeOutput(svg: string): void {
  assert.doesNotMatch(svg, /<\s*[\w:-]*script/i, 'no script element');
  assert.doesNotMatch(svg, /<\s*[\w:-]*(foreignObject|iframe|embed|object|audio|video|canvas|animate|set)\b/i, 'no forbidden element');
  assert.doesNotMatch(svg, /<[^>]*\son[\w:.-]*\s*=/i, 'no event attribute (text is escaped, so every < opens a tag)');
  assert.doesNotMatch(svg, /<!DOCTYPE|<!ENTITY|<\?(?!xml )/i, 'no DOCTYPE, entity or PI');
  assert.doesNotMatch(svg, /xml:base/, 'no xml:base');
  // text is escaped, so markup is exactly the <…> runs; CSS is in attributes and <style> elements
  const tags = [...svg.matchAll(/<[^>]*>/g)].map((m) => m[0]);
  const sheets = [...svg.matchAll(/<style[^>]*>([^<]*)<\/style>/g)].map((m) => m[1]);
  for (const t of [...tags, ...sheets]) assert.doesNotMatch(t, /(?:java|vb)script\s*:/i, 'no script URL in markup or CSS');
  for (const t of tags) {
    for (const m of t.matchAll(/\s(?:xlink:)?href="([^"]*)"/g)) {
      assert.ok(m[1].startsWith('#') || /^data:image\/(png|jpeg|gif|webp);base64,/i.test(m[1]), `local href only: ${m[1]}`);
    }
  }
  // CSS-bearing values: every attribute except names/free text (ids, labels, tags…), and style sheets
  const FREE_TEXT = /^(?:id|class|tag|jump-to|lang|title|role|aria-[\w-]+|data-[\w.-]+|xmlns(?::\w+)?|xml:\w+|inkscape:[\w.-]+|sodipodi:[\w.-]+)$/;
  const cssValues = tags.flatMap((t) => [...t.matchAll(/\s([^\s=]+)="([^"]*)"/g)].filter((m) => !FREE_TEXT.test(m[1])).map((m) => m[2]));
  for (const css of [...cssValues, ...sheets]) {
    for (const m of css.matchAll(/url\(\s*(?:'|"|&quot;)?([^'")&]*)/gi)) assert.ok(m[1].startsWith('#'), `local url() only: ${m[1]}`);
    assert.doesNotMatch(css, /@import|expression\s*\(|behavior\s*:|-moz-binding|\\/i);
  }
}

function assertHarmlessKept(svg: string): void {
  const ix = indexScreen(svg);
  assert.deepEqual(
    ix.tags.map((t) => t.tag),
    ['E1', 'E12VV_00', 'E12ETT00'],
    'tagged nodes kept',
  );
  assert.deepEqual(
    ix.jumps.map((j) => j.target),
    ['S1'],
    'jump-to kept',
  );
  assert.equal(ix.background, '#123456', 'page colour kept');
  assert.equal(ix.width, 100);
  assert.equal(ix.height, 50);
  assert.match(svg, /<tspan sodipodi:role="line">12\.5 kV<\/tspan>/, 'text content kept');
  assert.match(svg, /style="fill:url\(#lg\);stroke:#000000"/, 'local paint server reference kept');
  assert.match(svg, /transform="translate\(1,2\)"/);
}

function assertReparsesAndIsStable(svg: string): void {
  const r = parseXml(svg);
  assert.ok(r.ok, `output re-parses: ${r.ok ? '' : r.error}`);
  const again = sanitizeSvg(svg);
  assert.equal(again.svg, svg, 'sanitising the output again changes nothing');
  assert.deepEqual(again.removed, [], 'sanitising the output again removes nothing');
}

interface Case {
  name: string;
  payload?: string;
  rootAttrs?: string;
  prolog?: string;
  /** Strings/patterns that must not appear in the output (default: the markers alert / evil). */
  gone?: (string | RegExp)[];
  /** A `removed` entry must match each of these. */
  removed: (string | RegExp)[];
  /** Extra checks on the output. */
  also?: (svg: string) => void;
}

const DEFAULT_GONE = [/alert/i, /evil/i];

const CASES: Case[] = [
  { name: 'script element', payload: '<script>alert(1)</script>', removed: ['element <script>'] },
  { name: 'script element, upper case', payload: '<SCRIPT type="text/javascript">alert(1)</SCRIPT>', removed: ['element <SCRIPT>'] },
  {
    name: 'svg:script with a declared svg prefix',
    payload: '<svg:script xmlns:svg="http://www.w3.org/2000/svg">alert(1)</svg:script>',
    removed: ['element <svg:script>'],
  },
  {
    name: 'script in the XHTML namespace, by prefix and by default namespace',
    payload:
      '<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>' + '<g xmlns="http://www.w3.org/1999/xhtml" id="xg"><script>alert(2)</script></g>',
    removed: ['element <h:script>', 'element <g id="xg">'],
  },
  { name: 'script with CDATA', payload: '<script><![CDATA[ if (a < b) alert(1); ]]></script>', removed: ['element <script>'] },
  { name: 'event handler on the root', rootAttrs: 'onload="alert(1)"', removed: ['attribute onload on <svg id="svgroot">'] },
  {
    name: 'event handlers on every kind of element, any case',
    payload:
      '<g id="g9" onmouseover="alert(1)"><rect id="r1" onclick="alert(1)"/><path ONCLICK="alert(1)" d="M0,0"/>' +
      '<text OnMouseMove="alert(1)">x<tspan onactivate="alert(1)">y</tspan></text><circle onfocusin="alert(1)"/>' +
      '<image onerror="alert(1)" href="#keep"/><use onload="alert(1)" href="#keep"/><a onclick="alert(1)"><ellipse onbegin="alert(1)"/></a>' +
      '<linearGradient id="lg2" onload="alert(1)"/><defs onload="alert(1)"/><title onclick="alert(1)">t</title></g>',
    removed: ['attribute onclick on <rect id="r1">', 'attribute onmouseover on <g id="g9">', /attribute ONCLICK on <path>/, /OnMouseMove/],
  },
  {
    name: 'namespaced event attributes',
    payload: '<rect id="r2" xlink:onclick="alert(1)" foo:onload="alert(1)" xmlns:foo="urn:foo" ev:onclick="alert(1)"/>',
    removed: [/xlink:onclick on <rect id="r2">/, /foo:onload/, /ev:onclick/],
  },
  {
    name: 'event attributes in the Inkscape namespaces and on Inkscape elements',
    payload:
      '<rect id="r6" inkscape:onclick="alert(1)" sodipodi:OnLoad="alert(1)" inkscape:label="ok"/>' +
      '<sodipodi:guide id="gd" position="1,2" onmouseover="alert(1)" ONCLICK="alert(1)"/>',
    removed: [
      'attribute inkscape:onclick on <rect id="r6">',
      'attribute sodipodi:OnLoad on <rect id="r6">',
      'attribute onmouseover on <sodipodi:guide id="gd">',
      'attribute ONCLICK on <sodipodi:guide id="gd">',
    ],
    also: (svg) => {
      assert.match(svg, /<rect id="r6" inkscape:label="ok"\/>/);
      assert.match(svg, /<sodipodi:guide id="gd" position="1,2"\/>/);
    },
  },
  {
    name: '<a xlink:href="javascript:…">',
    payload: '<a xlink:href="javascript:alert(1)"><rect id="inlink" width="1" height="1"/></a>',
    removed: [/^attribute xlink:href="javascript:alert\(1\)" on <a>$/],
    also: (svg) => assert.match(svg, /<a><rect id="inlink"/, 'the link content stays'),
  },
  {
    name: 'href with entity-encoded scheme',
    payload: '<a href="java&#x73;cript&#58;alert(1)"><rect/></a><a xlink:href="&#106;&#97;vascript:alert(2)"><rect/></a>',
    removed: [/attribute href="javascript:alert\(1\)" on <a>/, /attribute xlink:href="javascript:alert\(2\)"/],
  },
  {
    name: 'href with whitespace/control obfuscation',
    payload: '<a href=" &#9;jav&#x0A;ascript:alert(1)"><rect/></a><a href="&#1;javascript:alert(2)"><rect/></a>',
    removed: [/attribute href=".*ascript:alert\(1\)" on <a>/],
    gone: [/alert/, /ascript/],
  },
  {
    name: '<use href="http://evil/x.svg#a">',
    payload: '<use href="http://evil/x.svg#a" x="1"/><use xlink:href="//evil/y.svg#b"/><use xlink:href="x.svg#c"/>',
    removed: [
      'external reference href="http://evil/x.svg#a" on <use>',
      'external reference xlink:href="//evil/y.svg#b" on <use>',
      'external reference xlink:href="x.svg#c" on <use>',
    ],
    gone: [/evil/, /<use/],
  },
  {
    name: '<use xlink:href="data:image/svg+xml;base64,…">',
    payload: '<use xlink:href="data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIG9ubG9hZD0iYWxlcnQoMSkiLz4=#x"/>',
    removed: [/^external reference xlink:href="data:image\/svg\+xml;base64,/],
    gone: [/data:/, /<use/],
  },
  {
    name: '<foreignObject><iframe/></foreignObject>',
    payload:
      '<foreignObject width="10" height="10"><body xmlns="http://www.w3.org/1999/xhtml"><iframe src="javascript:alert(1)"/>' +
      '<img src="x" onerror="alert(1)"/></body></foreignObject>',
    removed: ['element <foreignObject>'],
    gone: [/alert/, /<body/, /<img/],
  },
  {
    name: '<image href="http://…">',
    payload: '<image href="http://evil/track.png" width="5" height="5"/><image xlink:href="file:///etc/evil.png"/>',
    removed: ['external reference href="http://evil/track.png" on <image>', /external reference xlink:href="file:\/\/\/etc\/evil.png"/],
    gone: [/evil/, /<image/],
  },
  {
    name: 'embedded raster image is kept, embedded SVG image is not',
    payload:
      '<image id="png" width="1" height="1" xlink:href="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="/>' +
      '<image id="svgimg" href="data:image/svg+xml;base64,PHN2Zy8+"/><image id="html" href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;"/>',
    removed: [/external reference href="data:image\/svg\+xml;base64,PHN2Zy8\+" on <image id="svgimg">/, /on <image id="html">/],
    also: (svg) => {
      assert.match(svg, /<image id="png" width="1" height="1" xlink:href="data:image\/png;base64,iVBORw0KGgo/);
      assert.doesNotMatch(svg, /svgimg|id="html"/);
    },
  },
  {
    name: '<style>@import url(http://x)</style>',
    payload: '<style type="text/css">@import url(http://evil/x.css);\n@import "http://evil/y.css";\nrect.a { fill: #ff0000 }</style>',
    removed: [/CSS @import url\(http:\/\/evil\/x\.css\)/, /CSS @import "http:\/\/evil\/y\.css"/],
    gone: [/evil/, /@import/],
    also: (svg) => {
      assert.match(svg, /<style type="text\/css">:where\(svg\[data-mara-scope="drawing"\]\) rect\.a\{fill: #ff0000\}<\/style>/);
      assert.match(svg, /^<svg [^>]* data-mara-scope="drawing">/);
    },
  },
  {
    name: 'style attribute with url(javascript:…), expression() and behavior',
    payload:
      '<rect id="r3" style="background:url(javascript:alert(1));fill:#00ff00;width:expression(alert(2));behavior:url(evil.htc);-moz-binding:url(http://evil/x.xml#x)"/>',
    removed: [/style declaration "background:url\(javascript:alert\(1\)\)" \(external url\(\)\) on <rect id="r3">/, /expression/, /behavior/, /-moz-binding/],
    gone: [/alert/, /evil/, /expression/, /behavior/, /binding/],
    also: (svg) => assert.match(svg, /<rect id="r3" style="fill:#00ff00"\/>/),
  },
  {
    name: 'CSS escapes and external url() in presentation attributes',
    payload:
      '<rect id="r4" style="background:\\75rl(http://evil/a.png);fill:red" fill="url(http://evil/p.svg#g)" stroke="url(#lg)" filter="url(&quot;https://evil/f.svg#f&quot;)"/>' +
      '<style>rect { fill: \\75rl(http://evil/b.png) }</style><style>@font-face { font-family: x; src: url(https://evil/font.woff) } text{fill:blue}</style>',
    removed: [
      /CSS escape/,
      /attribute fill="url\(http:\/\/evil\/p\.svg#g\)" on <rect id="r4">/,
      /attribute filter=/,
      /CSS @font-face \(its names are global to the page\)/,
    ],
    gone: [/evil/, /\\/],
    also: (svg) => {
      assert.match(svg, /<rect id="r4" style="fill:red" stroke="url\(#lg\)"\/>/);
      assert.match(svg, /text\{fill:blue\}/);
    },
  },
  {
    name: '<animate attributeName="href" to="javascript:…">',
    payload:
      '<a href="#keep"><animate attributeName="href" to="javascript:alert(1)" begin="0s"/><rect/></a><animateTransform attributeName="transform"/><animateMotion path="M0,0"/><discard/>',
    removed: ['element <animate>', 'element <animateTransform>', 'element <animateMotion>', 'element <discard>'],
    also: (svg) => assert.match(svg, /<a href="#keep"><rect\/><\/a>/),
  },
  {
    name: '<set attributeName="onclick" …>',
    payload: '<rect id="r5"><set attributeName="onclick" to="alert(1)"/><set attributeName="xlink:href" to="javascript:alert(2)"/></rect>',
    removed: ['element <set>'],
  },
  {
    name: 'DOCTYPE with an external entity',
    prolog: '<?xml version="1.0"?>\n<!DOCTYPE svg [ <!ENTITY xxe SYSTEM "file:///etc/evil"> ]>\n',
    payload: '<text id="x1">&xxe;</text><a href="&xxe;"><rect/></a>',
    removed: ['DOCTYPE/entity declarations', 'entity reference &xxe;'],
    gone: [/evil/, /xxe/, /ENTITY/],
    also: (svg) => {
      assert.ok(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg'));
      assert.match(svg, /<text id="x1"\/>/);
    },
  },
  {
    name: 'billion laughs',
    prolog:
      '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol9 "&lol2;&lol2;&lol2;]>"> <!-- ]> -->]>',
    payload: '<text id="laughs">&lol9;&lol9;&lol9;</text>',
    removed: ['DOCTYPE/entity declarations', 'entity reference &lol9;'],
    gone: [/lol/],
    also: (svg) => assert.ok(svg.length < 5000),
  },
  {
    name: 'CDATA with script markup inside a text',
    payload: '<text id="cd"><![CDATA[<script>alert(1)</script>]]></text>',
    removed: [],
    gone: [/<script/],
    also: (svg) => assert.match(svg, /<text id="cd">&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/text>/),
  },
  {
    name: 'processing instructions',
    prolog: '<?xml version="1.0" encoding="UTF-8"?><?xml-stylesheet type="text/css" href="http://evil/x.css"?>',
    payload: '<?php evil(); ?><g><?evil data?></g>',
    removed: ['processing instruction <?xml-stylesheet?>', 'processing instruction <?php?>', 'processing instruction <?evil?>'],
    gone: [/evil/, /php/, /stylesheet/],
  },
  { name: '<iframe>', payload: '<iframe src="http://evil/"></iframe>', removed: ['element <iframe>'] },
  { name: '<embed>', payload: '<embed src="http://evil/x.swf" type="application/x-shockwave-flash"/>', removed: ['element <embed>'] },
  { name: '<object>', payload: '<object data="http://evil/x.html"><param name="a" value="alert(1)"/></object>', removed: ['element <object>'] },
  {
    name: '<audio>, <video>, <canvas>, <handler>, <listener>',
    payload:
      '<audio src="http://evil/a.mp3"/><video src="http://evil/v.mp4"/><canvas id="cv"/>' +
      '<handler type="application/ecmascript">alert(1)</handler><listener event="click" handler="#h"/>',
    removed: ['element <audio>', 'element <video>', 'element <canvas id="cv">', 'element <handler>', 'element <listener>'],
    gone: [/alert/, /evil/, /canvas|handler|listener/],
  },
  {
    name: 'comment containing --><script>',
    payload: '<!-- harmless --><script>alert(1)</script><!-- <script>alert(2)</script> -->',
    removed: ['element <script>'],
  },
  {
    name: 'attribute names with odd characters',
    payload: '<rect id="odd" on\u200Bclick="alert(1)" o:n:click="alert(2)" data-ok="1" x.y="alert(3)" _onclick="alert(4)" -x="alert(5)"/>',
    removed: [/attribute on\u200Bclick on <rect id="odd"> \(invalid name\)/, /o:n:click/, /x\.y/, /_onclick/, /-x on/],
    also: (svg) => assert.match(svg, /<rect id="odd" data-ok="1"\/>/),
  },
  {
    name: 'xml:base, target and unknown attributes',
    payload: '<a xml:base="http://evil/" href="#keep" target="_blank" contentScriptType="text/ecmascript"><rect/></a>',
    removed: [/attribute xml:base on <a>/, /attribute target on <a>/, /contentScriptType/],
    also: (svg) => assert.match(svg, /<a href="#keep"><rect\/><\/a>/),
  },
  {
    name: 'markup breakout attempts in text and CSS',
    payload:
      '<text id="bo">&lt;/svg&gt;&lt;img src=x onerror=alert(1)&gt;</text>' +
      '<style><![CDATA[</style><img src=x onerror=alert(1)>]]></style><title>"&gt;&lt;script&gt;</title>',
    removed: [/CSS/],
    gone: [/<img/, /<\/style><img/],
    also: (svg) => assert.match(svg, /<text id="bo">&lt;\/svg&gt;&lt;img src=x onerror=alert\(1\)&gt;<\/text>/),
  },
  {
    name: 'textPath, gradients and feImage with external references',
    payload:
      '<text><textPath href="http://evil/p.svg#p">on path</textPath></text><linearGradient id="g2" xlink:href="http://evil/g.svg#g"/>' +
      '<filter id="f1"><feImage href="http://evil/i.png"/><feGaussianBlur stdDeviation="2"/></filter>',
    removed: [
      /attribute href="http:\/\/evil\/p\.svg#p" on <textPath>/,
      /on <linearGradient id="g2">/,
      'external reference href="http://evil/i.png" on <feImage>',
    ],
    also: (svg) => {
      assert.match(svg, /<textPath>on path<\/textPath>/);
      assert.match(svg, /<filter id="f1"><feGaussianBlur stdDeviation="2"\/><\/filter>/);
    },
  },
  {
    name: 'invalid tag and jump-to values',
    payload: '<rect tag="javascript:alert(1)"/><circle jump-to="&lt;img src=x onerror=alert(1)&gt;"/>',
    removed: [/attribute tag="javascript:alert\(1\)" on <rect> \(not a valid tag\)/, /attribute jump-to=/],
  },
  {
    name: 'script URLs in free-text attributes (ids, labels, data-*)',
    payload: '<g id="javascript:alert(1)" inkscape:label="vbscript:alert(2)"><rect data-x="java&#9;script:alert(3)" width="1"/></g>',
    removed: [/attribute id="javascript:alert\(1\)" on <g id="javascript:alert\(1\)"> \(script URL\)/, /inkscape:label="vbscript/, /data-x=/],
    gone: [/alert/, /script:/],
    also: (svg) => assert.match(svg, /<g><rect width="1"\/><\/g>/),
  },
  {
    name: 'rdf metadata content and unknown namespaces',
    payload:
      '<metadata id="md"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="http://evil/"/></rdf:RDF></metadata>' +
      '<i:pgf xmlns:i="http://ns.adobe.com/AdobeIllustrator/10.0/">alert(1)</i:pgf>',
    removed: ['element <i:pgf>'],
    also: (svg) => assert.match(svg, /<metadata id="md"\/>/),
  },
];

describe('sanitizeSvg: hostile corpus', () => {
  it(`has at least 25 cases (${CASES.length})`, () => assert.ok(CASES.length >= 25));

  for (const c of CASES) {
    it(c.name, () => {
      const input = doc(c.payload ?? '', c.rootAttrs, c.prolog);
      const { svg, removed } = sanitizeSvg(input);
      assert.ok(svg.length > 0, `not emptied: ${JSON.stringify(removed)}`);
      for (const g of c.gone ?? DEFAULT_GONE) {
        if (typeof g === 'string') assert.ok(!svg.includes(g), `${g} gone`);
        else assert.doesNotMatch(svg, g);
      }
      assertSafeOutput(svg);
      for (const r of c.removed) {
        assert.ok(
          removed.some((e) => (typeof r === 'string' ? e === r : r.test(e))),
          `removed has ${String(r)}; got ${JSON.stringify(removed)}`,
        );
      }
      if (!c.removed.length) assert.deepEqual(removed, []);
      assertHarmlessKept(svg);
      assertReparsesAndIsStable(svg);
      c.also?.(svg);
    });
  }
});

describe('sanitizeSvg: inputs that cannot be kept', () => {
  const emptied: [string, unknown, RegExp][] = [
    ['unclosed tags', `<svg xmlns="${SVG_NS}"><g><rect tag="E1"/></svg>`, /unparseable document \(end tag <\/svg> does not match <g>/],
    ['unclosed root', `<svg xmlns="${SVG_NS}"><rect/>`, /unparseable document \(unclosed element <svg>/],
    ['unterminated attribute', `<svg xmlns="${SVG_NS}"><rect onclick="alert(1)/></svg>`, /unparseable/],
    ['unquoted attribute', `<svg xmlns="${SVG_NS}"><rect onclick=alert(1)/></svg>`, /unparseable/],
    ['second root after the svg', `<svg xmlns="${SVG_NS}"/><script>alert(1)</script>`, /more than one root element/],
    ['text after the root', `<svg xmlns="${SVG_NS}"/>alert(1)`, /text after the root element/],
    ['root is not svg', '<html><body><script>alert(1)</script></body></html>', /root element <html> is not <svg>/],
    ['root in the XHTML namespace', '<svg xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></svg>', /is not <svg>/],
    ['empty string', '', /no root element/],
    ['plain text', 'alert(1)', /text before the root element/],
    ['DOCTYPE inside the document', `<svg xmlns="${SVG_NS}"><!DOCTYPE x></svg>`, /DOCTYPE after the root element/],
    ['non-string: number', 42, /input is not a string \(number\)/],
    ['non-string: null', null, /input is not a string \(null\)/],
    ['non-string: undefined', undefined, /input is not a string \(undefined\)/],
    ['non-string: object', { toString: () => '<svg/>' }, /input is not a string \(object\)/],
    ['non-string: Buffer', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), /input is not a string \(object\)/],
  ];
  for (const [name, input, why] of emptied) {
    it(`${name} → empty svg and one removed entry`, () => {
      const r = sanitizeSvg(input as string);
      assert.equal(r.svg, '');
      assert.equal(r.removed.length, 1, JSON.stringify(r.removed));
      assert.match(r.removed[0], why);
    });
  }

  it('never throws on random and truncated inputs', () => {
    const base = readFileSync(path.join(__dirname, '../../examples/s1.svg'), 'utf8');
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = '<>/="\'&;#x!-?[]: \nabcdefgsvgrectonclick\u0000\uD800';
    for (let k = 0; k < 1500; k++) {
      let s: string;
      if (k % 3 === 0) s = base.slice(0, rnd(base.length));
      else if (k % 3 === 1) {
        const at = rnd(base.length);
        s = base.slice(0, at) + alphabet[rnd(alphabet.length)] + base.slice(at + 1);
      } else s = Array.from({ length: rnd(200) }, () => alphabet[rnd(alphabet.length)]).join('');
      const r = sanitizeSvg(s);
      assert.equal(typeof r.svg, 'string');
      assert.ok(Array.isArray(r.removed));
      if (r.svg) {
        assertSafeOutput(r.svg);
        assert.ok(parseXml(r.svg).ok);
        const again = sanitizeSvg(r.svg);
        assert.equal(again.svg, r.svg, 'a fixed point');
        assert.deepEqual(again.removed, []);
      } else assert.ok(r.removed.length >= 1);
    }
  });
});

describe('sanitizeSvg: resource limits', () => {
  it('enormous attribute values: handled quickly, over-long ones removed', () => {
    const huge = 'a'.repeat(5_000_000);
    const input = doc(
      `<rect id="big" onclick="alert(${huge})" fill="#${'f'.repeat(2_000_000)}" class="${'c'.repeat(100)}"/><path id="p" d="M 0,0 ${'l 1,1 '.repeat(200_000)}"/>`,
    );
    const t0 = Date.now();
    const { svg, removed } = sanitizeSvg(input);
    const ms = Date.now() - t0;
    assert.ok(ms < 5000, `took ${ms} ms`);
    assert.ok(removed.includes('attribute onclick on <rect id="big">'));
    assert.ok(
      removed.some((e) => /^attribute fill on <rect id="big"> \(value of 2000001 characters exceeds the limit/.test(e)),
      JSON.stringify(removed),
    );
    assert.ok(svg.length < 2_000_000, 'the 5 MB handler and the 2 MB fill are gone');
    assert.match(svg, /<rect id="big" class="c{100}"\/>/);
    assert.match(svg, /<path id="p" d="M 0,0 (l 1,1 ){200000}"\/>/, 'a 1.2 MB path is kept');
    assertHarmlessKept(svg);
  });

  it('10 000 nested elements: no stack overflow, content beyond the depth cap removed with one entry', () => {
    const depth = 10_000;
    const input = doc(`${'<g>'.repeat(depth)}<script>alert(1)</script><rect id="deep"/>${'</g>'.repeat(depth)}`);
    const { svg, removed } = sanitizeSvg(input);
    assert.ok(svg.length > 0);
    assert.ok(removed.includes(`elements nested deeper than ${MAX_DEPTH} levels (dropped with their content)`), JSON.stringify(removed));
    assert.ok(!svg.includes('deep'));
    const opened = svg.split('<g>').length - 1;
    const empty = svg.split('<g/>').length - 1;
    assert.equal(opened + empty, MAX_DEPTH - 1, 'root at depth 1, then nested groups up to the cap');
    assert.equal(empty, 1, 'the deepest kept group lost its content');
    assertSafeOutput(svg);
    assertHarmlessKept(svg);
    assert.ok(parseXml(svg).ok);
    // indexScreen walks deep documents iteratively as well
    const ix = indexScreen(input);
    assert.deepEqual(
      ix.tags.map((t) => t.tag),
      ['E1', 'E12VV_00', 'E12ETT00'],
    );
  });

  it('lists at most 500 distinct removals, then a summary entry', () => {
    const payload = Array.from({ length: 800 }, (_, i) => `<rect id="r${i}" onclick="alert(1)"/>`).join('');
    const { removed } = sanitizeSvg(doc(payload));
    assert.equal(removed.length, 501);
    assert.equal(removed[500], '… and 300 more removals not listed');
  });
});

describe('sanitizeSvg: real drawings pass untouched', () => {
  for (const f of ['map.svg', 's1.svg']) {
    it(`examples/${f}: nothing removed, same index, stable`, () => {
      const raw = readFileSync(path.join(__dirname, '../../examples', f), 'utf8');
      const { svg, removed } = sanitizeSvg(raw);
      assert.deepEqual(removed, []);
      const a = indexScreen(raw);
      const b = indexScreen(svg);
      assert.deepEqual(
        b.tags.map((t) => t.tag),
        a.tags.map((t) => t.tag),
      );
      assert.deepEqual(b, a, 'same paths, ids and labels (metadata content is emptied, not removed)');
      assert.match(svg, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.doesNotMatch(svg, /<!--|rdf:|dc:|cc:/, 'comments and RDF metadata content dropped');
      assertReparsesAndIsStable(svg);
    });
  }

  it('keeps Inkscape markup: namedview children, sodipodi/inkscape attributes, flowed text, unprefixed svg without xmlns', () => {
    const input =
      '<svg width="10" height="10"><sodipodi:namedview pagecolor="#fff" showgrid="true"><inkscape:grid type="xygrid" id="grid1"/></sodipodi:namedview>' +
      '<path sodipodi:type="arc" sodipodi:cx="5" inkscape:connector-curvature="0" d="M0,0"/>' +
      '<flowRoot xml:space="preserve"><flowRegion><rect width="5" height="5"/></flowRegion><flowPara>Hola</flowPara></flowRoot></svg>';
    const { svg, removed } = sanitizeSvg(input);
    assert.deepEqual(removed, []);
    assert.equal(
      svg,
      '<svg xmlns="http://www.w3.org/2000/svg" xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="10" height="10">' +
        '<sodipodi:namedview pagecolor="#fff" showgrid="true"><inkscape:grid type="xygrid" id="grid1"/></sodipodi:namedview>' +
        '<path sodipodi:type="arc" sodipodi:cx="5" inkscape:connector-curvature="0" d="M0,0"/>' +
        '<flowRoot xml:space="preserve"><flowRegion><rect width="5" height="5"/></flowRegion><flowPara>Hola</flowPara></flowRoot></svg>',
    );
    assert.equal(indexScreen(svg).background, '#fff');
  });

  it('normalises prefixes: svg:-prefixed elements and a renamed xlink prefix come out canonical', () => {
    const input =
      '<s:svg xmlns:s="http://www.w3.org/2000/svg" xmlns:l="http://www.w3.org/1999/xlink"><s:defs><s:rect id="a"/></s:defs><s:use l:href="#a" tag="E1"/></s:svg>';
    const { svg, removed } = sanitizeSvg(input);
    assert.deepEqual(removed, []);
    assert.equal(
      svg,
      '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><defs><rect id="a"/></defs><use xlink:href="#a" tag="E1"/></svg>',
    );
  });
});

describe("sanitizeSvg: a drawing's style sheets reach only the drawing (issue 10 item 7)", () => {
  const doc = (inner: string, rootAttrs = '') =>
    `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"${rootAttrs}><rect class="st0" width="5" height="5"/>${inner}</svg>`;
  const sheet = (svg: string) =>
    [...svg.matchAll(/<style[^>]*>([^<]*)<\/style>/g)].map((m) => m[1].replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&amp;/g, '&')).join('\n');

  it('puts every selector under the root, inside @media too, and marks the root', () => {
    const r = sanitizeSvg(doc('<style>.st0{fill:#ff0000} rect, text > tspan {stroke:blue} @media (min-width: 1px) { .a:hover{opacity:.5} }</style>'), {
      styleScope: 'scr-1',
    });
    const S = ':where(svg[data-mara-scope="scr-1"])';
    assert.equal(sheet(r.svg), `${S} .st0{fill:#ff0000}\n${S} rect,${S} text > tspan{stroke:blue}\n@media (min-width: 1px){${S} .a:hover{opacity:.5}}`);
    assert.match(r.svg, /^<svg [^>]*data-mara-scope="scr-1">/);
    assert.deepEqual(r.removed, []);
    const again = sanitizeSvg(r.svg, { styleScope: 'scr-1' });
    assert.equal(again.svg, r.svg, 'a fixed point');
    assert.deepEqual(again.removed, []);
  });

  it('drops selectors that name the page or leave the drawing, and page-global at-rules', () => {
    const hostile = [
      'body .mara-dialog-text{display:none}',
      'html button{font-size:0}',
      ':root{--x:1}',
      ':host{position:fixed}',
      '~ div{display:none}',
      '+ *{color:red}',
      '.mara-buttons button:first-child::slotted(*){color:red}',
      ':is(body) p{visibility:hidden}',
      '@font-face{font-family:Arial;src:local(Wingdings)}',
      '@keyframes md-spin{from{opacity:0}to{opacity:0}}',
      '@page{margin:0}',
      '@scope (body){p{display:none}}',
    ].join('\n');
    const r = sanitizeSvg(doc(`<style>${hostile} .st0{fill:red}</style>`));
    const css = sheet(r.svg);
    for (const bad of [/body/, /html/, /:root/, /:host/, /~ div/, /font-face/, /keyframes/, /@page/, /@scope/, /slotted/]) assert.doesNotMatch(css, bad);
    assert.equal(css, ':where(svg[data-mara-scope="drawing"]) .st0{fill:red}');
    assert.ok(r.removed.filter((x) => /reaches outside the drawing/.test(x)).length >= 7, r.removed.join('\n'));
    // every rule that is left starts with the scope
    for (const rule of css.split('\n')) assert.ok(rule.startsWith(':where(svg[data-mara-scope="drawing"]) '), rule);
  });

  it("the scope attribute is the sanitiser's: taken from no input element", () => {
    const r = sanitizeSvg(doc('<g data-mara-scope="drawing"><rect/></g><style>rect{fill:red}</style>', ' data-mara-scope="other"'));
    assert.equal((r.svg.match(/\sdata-mara-scope=/g) ?? []).length, 1);
    assert.match(r.svg, /^<svg [^>]*data-mara-scope="drawing">/);
    assert.ok(r.removed.some((x) => /attribute data-mara-scope on <g>/.test(x)));
    assert.ok(r.removed.some((x) => /attribute data-mara-scope on <svg>/.test(x)));
    assert.deepEqual(sanitizeSvg(doc(''), { styleScope: 'a b' }).svg, '');
    // no style sheet: no attribute (drawings without <style>, such as the examples, are unchanged)
    assert.doesNotMatch(sanitizeSvg(doc('')).svg, /data-mara-scope/);
  });
});
