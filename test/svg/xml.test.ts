/** The small XML parser behind the sanitiser and the indexer. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml, serializeElement, escapeAttribute, escapeText, NS } from '../../lib/hmi';
import { DEFAULT_MAX_XML_DEPTH } from '../../lib/svg/xml';
import type { XmlElement } from '../../lib/hmi';

function root(s: string): XmlElement {
  const r = parseXml(s);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.doc.root;
}

describe('parseXml', () => {
  it('parses elements, attributes, text, CDATA, comments and the declaration', () => {
    const r = parseXml('\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- c --><a x="1" y=\'&lt;2&gt;\'>t&amp;u<![CDATA[<b>]]><b/><!--x--></a>\n');
    assert.ok(r.ok);
    assert.deepEqual(r.doc.declaration, { version: '1.0', encoding: 'UTF-8', standalone: null });
    assert.deepEqual(r.doc.prolog, [{ kind: 'comment', value: ' c ' }]);
    const a = r.doc.root;
    assert.deepEqual(
      a.attributes.map((x) => [x.name, x.value]),
      [
        ['x', '1'],
        ['y', '<2>'],
      ],
    );
    assert.deepEqual(
      a.children.map((c) => c.kind),
      ['text', 'text', 'element', 'comment'],
    );
    assert.deepEqual(a.children[1], { kind: 'text', value: '<b>', cdata: true });
  });

  it('resolves namespaces, with conventional fallbacks for undeclared prefixes', () => {
    const a = root('<svg xmlns="http://www.w3.org/2000/svg" xmlns:q="urn:q"><q:x q:y="1" xlink:href="#a" sodipodi:z="2" w:v="3"/><g xmlns=""/></svg>');
    assert.equal(a.ns, NS.svg);
    const x = a.children[0] as XmlElement;
    assert.equal(x.ns, 'urn:q');
    assert.deepEqual(
      x.attributes.map((t) => t.ns),
      ['urn:q', NS.xlink, NS.sodipodi, 'urn:x-undeclared-prefix:w'],
    );
    assert.equal((a.children[1] as XmlElement).ns, null);
  });

  it('decodes character references, drops unknown entities and invalid characters, keeps a bare &', () => {
    const r = parseXml('<a t="&#x6a;&#97;v&#1;a &amp; & b &foo; &#xD800;">&bar;&#65;</a>');
    assert.ok(r.ok);
    assert.equal(r.doc.root.attributes[0].value, 'java & & b  ');
    assert.deepEqual(r.doc.unknownEntities, ['foo', 'bar']);
    assert.equal(r.doc.badCharRefs, 2);
  });

  it('normalises line ends and attribute whitespace', () => {
    const a = root('<a t="x\r\ny\tz">l1\r\nl2\rl3</a>');
    assert.equal(a.attributes[0].value, 'x y z');
    assert.equal((a.children[0] as { value: string }).value, 'l1\nl2\nl3');
  });

  it('skips a DOCTYPE internal subset without expanding anything', () => {
    const r = parseXml('<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd" [<!ENTITY a "]>"><!-- ] --><!ENTITY b SYSTEM "file:///x">]><svg>&a;&b;</svg>');
    assert.ok(r.ok);
    assert.equal(r.doc.doctype?.name, 'svg');
    assert.equal(r.doc.doctype?.entityDeclarations, 2);
    assert.deepEqual(r.doc.root.children, []);
  });

  it('keeps duplicate attributes out (first wins) and flags odd names', () => {
    const a = root('<a x="1" x="2" o:n:c="3" b\u200Bc="4"/>');
    assert.deepEqual(
      a.attributes.map((t) => [t.name, t.value, t.validName]),
      [
        ['x', '1', true],
        ['o:n:c', '3', false],
        ['b\u200Bc', '4', false],
      ],
    );
    assert.deepEqual(a.duplicateAttributes, ['x']);
  });

  it('reports errors with an offset instead of throwing', () => {
    const bad: [string, RegExp][] = [
      ['<a><b></a>', /end tag <\/a> does not match <b>/],
      ['<a>', /unclosed element <a>/],
      ['<a x=1/>', /unquoted value/],
      ['<a x/>', /without a value/],
      ['<a x="1/>', /unterminated value/],
      ['<a/><b/>', /more than one root/],
      ['x<a/>', /text before the root/],
      ['<a/>x', /text after the root/],
      ['<a><!-- x</a>', /unterminated comment/],
      ['<a><![CDATA[x</a>', /unterminated CDATA/],
      ['<![CDATA[x]]><a/>', /CDATA section outside/],
      ['<!DOCTYPE a [ <!ENTITY x "y"> <a/>', /unterminated DOCTYPE/],
      ['<a/><?xml version="1.0"?>', /misplaced XML declaration/],
      ['<a><!ELEMENT x></a>', /unknown markup declaration/],
      ['</a>', /without a start tag/],
      ['', /no root element/],
    ];
    for (const [s, why] of bad) {
      const r = parseXml(s);
      assert.equal(r.ok, false, s);
      if (!r.ok) {
        assert.match(r.error, why, s);
        assert.ok(r.offset >= 0 && r.offset <= s.length, s);
      }
    }
    assert.equal(parseXml(42 as unknown as string).ok, false);
    assert.equal(parseXml('<a/>', { maxLength: 2 }).ok, false);
  });

  it('serialises and escapes so that the output re-parses to the same tree', () => {
    const a = root('<a t="&quot;&lt;&amp;&#10;&#9;">x &lt; y &amp; z &gt; w<b c="d"/></a>');
    const s = serializeElement(a);
    assert.equal(s, '<a t="&quot;&lt;&amp;&#10;&#9;">x &lt; y &amp; z &gt; w<b c="d"/></a>');
    assert.deepEqual(root(s), a);
    assert.equal(escapeText('a\u0000b\uFFFEc'), 'abc');
    assert.equal(escapeAttribute('a\r"b'), 'a&#13;&quot;b');
  });

  it('parses nesting up to the depth limit iteratively; deeper is EXMLDEPTH', () => {
    const n = DEFAULT_MAX_XML_DEPTH;
    const r = parseXml(`${'<g>'.repeat(n)}${'</g>'.repeat(n)}`);
    assert.ok(r.ok);
    const deep = parseXml(`${'<g>'.repeat(100_000)}${'</g>'.repeat(100_000)}`);
    assert.ok(!deep.ok);
    assert.equal(deep.code, 'EXMLDEPTH');
    assert.match(deep.error, /deeper than 16384 levels/);
    const opt = parseXml('<a><b><c/></b></a>', { maxDepth: 2 });
    assert.ok(!opt.ok && opt.code === 'EXMLDEPTH');
    assert.ok(parseXml('<a><b><c/></b></a>', { maxDepth: 3 }).ok, 'the leaf <c/> is level 3');
  });

  it('namespace lookup does not walk the ancestors: work is linear in the depth when every level declares one', () => {
    // Counted, not timed: the Map reads the parser makes. Walking a chain of scopes per element made this
    // quadratic (0.74 MB took 13 s); with one binding stack per prefix each element costs a few reads.
    const doc = (n: number) => {
      let s = '<svg xmlns="http://www.w3.org/2000/svg">';
      for (let i = 0; i < n; i++) s += `<g xmlns:p${i}="urn:x:${i}" p${i}:a="1">`;
      s += '<rect/>';
      for (let i = 0; i < n; i++) s += '</g>';
      return s + '</svg>';
    };
    const reads = (n: number): number => {
      const has = Map.prototype.has;
      const get = Map.prototype.get;
      let count = 0;
      Map.prototype.has = function (this: Map<unknown, unknown>, k: unknown) {
        count++;
        return has.call(this, k);
      };
      Map.prototype.get = function (this: Map<unknown, unknown>, k: unknown) {
        count++;
        return get.call(this, k);
      };
      try {
        const r = parseXml(doc(n));
        assert.ok(r.ok);
        const g = r.doc.root.children[0] as XmlElement;
        assert.equal(g.attributes[0].ns, 'urn:x:0');
      } finally {
        Map.prototype.has = has;
        Map.prototype.get = get;
      }
      return count;
    };
    const n = 4000;
    const c = reads(n);
    assert.ok(c < 20 * n, `${c} map reads for ${n} levels`);
    // and a deep document with a namespace per level parses, with the right bindings at the bottom
    const r = parseXml(doc(5000));
    assert.ok(r.ok);
    let el = r.doc.root;
    while (el.children.length && el.children[0].kind === 'element') el = el.children[0] as XmlElement;
    assert.equal(el.name, 'rect');
    assert.equal(el.ns, NS.svg);
  });

  it('a prefix declared on a self-closing element or a closed sibling does not leak', () => {
    const r = parseXml('<a xmlns:p="urn:1"><b xmlns:p="urn:2" p:x="1"/><c p:y="2"/><d xmlns:p="urn:3"></d><e p:z="3"/></a>');
    assert.ok(r.ok);
    const [b, c, , e] = r.doc.root.children as XmlElement[];
    assert.equal(b.attributes[0].ns, 'urn:2');
    assert.equal(c.attributes[0].ns, 'urn:1');
    assert.equal(e.attributes[0].ns, 'urn:1');
  });

  it('refuses an overlong XML declaration before reading its attributes', () => {
    const r = parseXml(`<?xml ${'version="'.repeat(50_000)}?><a/>`);
    assert.ok(!r.ok);
    assert.equal(r.code, 'EXML');
  });

  it('error messages show at most 40 characters of a name', () => {
    const long = 'n'.repeat(1_000_000);
    const r = parseXml(`<a></${long}>`);
    assert.ok(!r.ok);
    assert.ok(r.error.length < 200, r.error.slice(0, 100));
    assert.match(r.error, /\(1000000 characters\)/);
  });
});
