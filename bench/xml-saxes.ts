/**
 * The saxes-based candidate for lib/svg/xml.ts's `parseXml` (issue 13), kept inside the bench that measured it
 * (bench/xml.bench.ts, bench/xml-compare.ts): same signature, same result shape, same bounds (input length,
 * element depth → EXMLDEPTH, enforced in the handlers since saxes bounds nothing), same namespace fallbacks
 * (the conventional prefixes, then `urn:x-undeclared-prefix:<p>`), entities other than the five predefined ones
 * never expanded (dropped and listed). Every other well-formedness error saxes reports refuses the document
 * (EXML, offset = saxes' position): saxes' recovery after an error is not specified, so it is not relied on.
 *
 * `makeSaxesParse(xml)` takes the hand-written module (whichever build of it the caller loaded) for its
 * constants and name checks, so that both parsers are compared on the same build.
 */
import { SaxesParser } from 'saxes';
import type { SaxesTagNS } from 'saxes';
import type * as Xml from '../lib/svg/xml';

type XmlModule = Pick<typeof Xml, 'NS' | 'UNDECLARED_NS' | 'DEFAULT_MAX_XML_DEPTH' | 'DEFAULT_MAX_XML_LENGTH' | 'isQName' | 'isNcName'>;

class Stop extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly code: string,
  ) {
    super(message);
  }
}

export function makeSaxesParse(xml: XmlModule): typeof Xml.parseXml {
  const { NS } = xml;
  const conventional = { svg: NS.svg, xlink: NS.xlink, sodipodi: NS.sodipodi, inkscape: NS.inkscape };
  const PREDEFINED = new Map([
    ['lt', '<'],
    ['gt', '>'],
    ['amp', '&'],
    ['quot', '"'],
    ['apos', "'"],
  ]);

  function parse(input: string, maxDepth: number): Xml.XmlDocument {
    const p = new SaxesParser({
      xmlns: true,
      position: true,
      additionalNamespaces: conventional,
      resolvePrefix: (prefix: string) => (prefix ? xml.UNDECLARED_NS + prefix : undefined),
    });
    const unknownEntities = new Set<string>();
    // saxes looks entities up in ENTITIES (its documented hook for declared entities): an unknown name reads
    // as '' (dropped, as the hand-written parser does) and is listed; nothing is ever expanded from a DTD. A
    // reference that is not a name (saxes reads `&` up to the next `;`, markup included) stays an error.
    p.ENTITIES = new Proxy(Object.create(null) as Record<string, string>, {
      get(_t, name) {
        if (typeof name !== 'string') return undefined;
        const v = PREDEFINED.get(name);
        if (v !== undefined) return v;
        if (!xml.isNcName(name)) return undefined;
        if (unknownEntities.size < 1000) unknownEntities.add(name);
        return '';
      },
    });
    let declaration: Xml.XmlDocument['declaration'] = null;
    let doctype: Xml.XmlDoctype | null = null;
    const prolog: Xml.XmlNode[] = [];
    const epilog: Xml.XmlNode[] = [];
    let root: Xml.XmlElement | null = null;
    const stack: Xml.XmlElement[] = [];
    const add = (n: Xml.XmlNode): void => {
      if (stack.length) stack[stack.length - 1].children.push(n);
      else if (root) epilog.push(n);
      else prolog.push(n);
    };
    p.on('error', (e) => {
      throw new Stop(e.message, p.position, 'EXML');
    });
    p.on('xmldecl', (d) => {
      declaration = { version: d.version ?? '1.0', encoding: d.encoding ?? null, standalone: d.standalone ?? null };
    });
    p.on('doctype', (text) => {
      const name = /^\s*([^\s[>]*)/.exec(text)?.[1] ?? '';
      const open = text.indexOf('[');
      const close = text.lastIndexOf(']');
      const internalSubset = open >= 0 && close > open ? text.slice(open + 1, close) : null;
      doctype = { name, internalSubset, entityDeclarations: internalSubset ? internalSubset.split('<!ENTITY').length - 1 : 0 };
    });
    p.on('comment', (value) => add({ kind: 'comment', value }));
    p.on('processinginstruction', (pi) => add({ kind: 'pi', target: pi.target, data: pi.body }));
    p.on('text', (value) => {
      if (stack.length && value) stack[stack.length - 1].children.push({ kind: 'text', value, cdata: false });
    });
    p.on('cdata', (value) => {
      if (stack.length && value) stack[stack.length - 1].children.push({ kind: 'text', value, cdata: true });
    });
    p.on('opentag', (tag: SaxesTagNS) => {
      if (stack.length >= maxDepth) throw new Stop(`elements nested deeper than ${maxDepth} levels (maxDepth)`, p.position, 'EXMLDEPTH');
      const el: Xml.XmlElement = {
        kind: 'element',
        name: tag.name,
        prefix: tag.prefix || null,
        local: tag.local,
        ns: tag.uri || null,
        validName: xml.isQName(tag.name),
        attributes: [],
        duplicateAttributes: [],
        children: [],
      };
      for (const name in tag.attributes) {
        const a = tag.attributes[name];
        if (name === 'xmlns' || a.prefix === 'xmlns') continue;
        el.attributes.push({ name, prefix: a.prefix || null, local: a.local, ns: a.prefix ? a.uri : null, value: a.value, validName: xml.isQName(name) });
      }
      if (stack.length) stack[stack.length - 1].children.push(el);
      else root = el;
      if (!tag.isSelfClosing) stack.push(el);
    });
    p.on('closetag', (tag) => {
      if (!tag.isSelfClosing) stack.pop();
    });
    p.write(input).close();
    if (!root) throw new Stop('no root element', input.length, 'EXML');
    return { declaration, doctype, prolog, root, epilog, unknownEntities: [...unknownEntities], badCharRefs: 0 };
  }

  return function parseXmlSaxes(input: string, options: Xml.ParseOptions = {}): Xml.ParseResult {
    try {
      if (typeof input !== 'string') return { ok: false, error: 'input is not a string', offset: 0, code: 'EXML' };
      const max = options.maxLength ?? xml.DEFAULT_MAX_XML_LENGTH;
      if (input.length > max) return { ok: false, error: `input longer than ${max} characters`, offset: max, code: 'EXMLLENGTH' };
      const depth = options.maxDepth ?? xml.DEFAULT_MAX_XML_DEPTH;
      return { ok: true, doc: parse(input, depth > 0 ? Math.floor(depth) : xml.DEFAULT_MAX_XML_DEPTH) };
    } catch (e) {
      if (e instanceof Stop) return { ok: false, error: e.message, offset: e.offset, code: e.code };
      return { ok: false, error: `parser failure: ${e instanceof Error ? e.message : String(e)}`, offset: 0, code: 'EXML' };
    }
  };
}
