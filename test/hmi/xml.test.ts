/** The small XML parser behind the sanitiser and the indexer. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml, serializeElement, escapeAttribute, escapeText, NS } from '../../lib/hmi';
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
    assert.deepEqual(a.attributes.map((x) => [x.name, x.value]), [['x', '1'], ['y', '<2>']]);
    assert.deepEqual(a.children.map((c) => c.kind), ['text', 'text', 'element', 'comment']);
    assert.deepEqual(a.children[1], { kind: 'text', value: '<b>', cdata: true });
  });

  it('resolves namespaces, with conventional fallbacks for undeclared prefixes', () => {
    const a = root('<svg xmlns="http://www.w3.org/2000/svg" xmlns:q="urn:q"><q:x q:y="1" xlink:href="#a" sodipodi:z="2" w:v="3"/><g xmlns=""/></svg>');
    assert.equal(a.ns, NS.svg);
    const x = a.children[0] as XmlElement;
    assert.equal(x.ns, 'urn:q');
    assert.deepEqual(x.attributes.map((t) => t.ns), ['urn:q', NS.xlink, NS.sodipodi, 'urn:x-undeclared-prefix:w']);
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
    assert.deepEqual(a.attributes.map((t) => [t.name, t.value, t.validName]), [['x', '1', true], ['o:n:c', '3', false], ['b\u200Bc', '4', false]]);
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

  it('parses 100 000 nested elements iteratively', () => {
    const n = 100_000;
    const r = parseXml(`${'<g>'.repeat(n)}${'</g>'.repeat(n)}`);
    assert.ok(r.ok);
  });
});
