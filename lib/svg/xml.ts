/**
 * A small, strict, iterative XML tokenizer and tree parser for SVG screens (Inkscape drawings).
 *
 * Scope: what SVG files contain. It is namespace-aware (prefixes are resolved against `xmlns`
 * declarations; the conventional prefixes `svg`, `xlink`, `xml`, `sodipodi` and `inkscape` resolve to
 * their usual namespaces when a file forgets to declare them), never expands entities other than the
 * five predefined ones and numeric character references (so no external entities and no billion
 * laughs), skips a DOCTYPE internal subset without interpreting it, and builds the tree with an
 * explicit stack (no recursion, so 10 000 nested elements cannot overflow the call stack).
 *
 * Strict where well-formedness matters for safety (unclosed or mismatched tags, several roots, text
 * outside the root, unquoted attributes → an error result); lenient where the input can be repaired
 * without guessing (a bare `&`, `<` inside an attribute value, odd characters in attribute names — the
 * name is kept and flagged `validName: false` so that callers can reject it).
 *
 * `parseXml` never throws: it returns `{ok: false, error, offset}` instead.
 */

export const NS = {
  svg: 'http://www.w3.org/2000/svg',
  xlink: 'http://www.w3.org/1999/xlink',
  xml: 'http://www.w3.org/XML/1998/namespace',
  xmlns: 'http://www.w3.org/2000/xmlns/',
  sodipodi: 'http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd',
  inkscape: 'http://www.inkscape.org/namespaces/inkscape',
} as const;

/** Prefixes resolved by convention when a document uses them without declaring them. */
const CONVENTIONAL_PREFIXES: Record<string, string> = {
  svg: NS.svg,
  xlink: NS.xlink,
  sodipodi: NS.sodipodi,
  inkscape: NS.inkscape,
};

/** Namespace given to a prefix that is neither declared nor conventional (matches no real URI). */
export const UNDECLARED_NS = 'urn:x-undeclared-prefix:';

export interface XmlAttribute {
  /** Qualified name as written (`xlink:href`). */
  name: string;
  prefix: string | null;
  local: string;
  /** Resolved namespace URI; null for unprefixed attributes. */
  ns: string | null;
  /** Decoded value (entities replaced, attribute-value whitespace normalised). */
  value: string;
  /** False when the name is not an XML QName (odd characters, several colons…). */
  validName: boolean;
}

export interface XmlElement {
  kind: 'element';
  name: string;
  prefix: string | null;
  local: string;
  /** Resolved namespace URI; null when no default namespace is in scope. */
  ns: string | null;
  validName: boolean;
  attributes: XmlAttribute[];
  /** Qualified names of attributes that appeared more than once (the first one is kept). */
  duplicateAttributes: string[];
  children: XmlNode[];
}

export interface XmlText {
  kind: 'text';
  value: string;
  cdata: boolean;
}

export interface XmlComment {
  kind: 'comment';
  value: string;
}

export interface XmlPi {
  kind: 'pi';
  target: string;
  data: string;
}

export type XmlNode = XmlElement | XmlText | XmlComment | XmlPi;

export interface XmlDoctype {
  name: string;
  /** Internal subset text (between `[` and `]`), or null when there is none. Never interpreted. */
  internalSubset: string | null;
  /** Number of `<!ENTITY` declarations in the internal subset. */
  entityDeclarations: number;
}

export interface XmlDocument {
  declaration: { version: string; encoding: string | null; standalone: string | null } | null;
  doctype: XmlDoctype | null;
  /** Comments and processing instructions before the root element. */
  prolog: XmlNode[];
  root: XmlElement;
  /** Comments and processing instructions after the root element. */
  epilog: XmlNode[];
  /** Names of entity references other than the five predefined ones (each was dropped). */
  unknownEntities: string[];
  /** Number of character references to characters XML does not allow (each was dropped). */
  badCharRefs: number;
}

/** `code`: EXMLDEPTH (nesting above maxDepth), EXMLLENGTH (input above maxLength), EXML (not well-formed). */
export type ParseResult = { ok: true; doc: XmlDocument } | { ok: false; error: string; offset: number; code: string };

export interface ParseOptions {
  /** Longest input accepted, in UTF-16 code units (default 64 Mi). */
  maxLength?: number;
  /** Deepest element nesting accepted (default {@link DEFAULT_MAX_XML_DEPTH}); deeper → EXMLDEPTH. */
  maxDepth?: number;
}

/** Elements nested deeper than this are refused (EXMLDEPTH). The sanitiser keeps 256 levels of them. */
export const DEFAULT_MAX_XML_DEPTH = 16_384;
/** An XML declaration is a few dozen characters; a longer one is refused before its attributes are read. */
const MAX_DECLARATION = 1024;

export const DEFAULT_MAX_XML_LENGTH = 64 * 1024 * 1024;

const NAME_RE =
  // eslint-disable-next-line no-misleading-character-class -- XML 1.0's NameChar ranges list ZWNJ and ZWJ (U+200C, U+200D) alone, as the spec does
  /^[A-Za-z_\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD][A-Za-z0-9_.\-\u00B7\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u037D\u037F-\u1FFF\u200C\u200D\u203F\u2040\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD]*$/;

/** True if `name` is an XML NCName (a name without colon; BMP approximation). */
export function isNcName(name: string): boolean {
  return NAME_RE.test(name);
}

/** True if `name` is an XML QName (`local` or `prefix:local`). */
export function isQName(name: string): boolean {
  const i = name.indexOf(':');
  if (i < 0) return isNcName(name);
  return isNcName(name.slice(0, i)) && isNcName(name.slice(i + 1));
}

/** True for a code point XML 1.0 allows in a document. */
export function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

// eslint-disable-next-line no-control-regex -- the control characters XML 1.0 forbids are what it finds
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Removes characters that XML 1.0 does not allow (controls, lone surrogates, U+FFFE/U+FFFF). */
export function stripInvalidXmlChars(s: string): string {
  INVALID_XML_CHARS.lastIndex = 0;
  return INVALID_XML_CHARS.test(s) ? s.replace(INVALID_XML_CHARS, '') : s;
}

/** Escapes text content for XML (and for SVG inlined in HTML). */
export function escapeText(s: string): string {
  s = stripInvalidXmlChars(s);
  if (!/[&<>]/.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes an attribute value for a double-quoted attribute; keeps tabs and newlines as references. */
export function escapeAttribute(s: string): string {
  s = stripInvalidXmlChars(s);
  if (!/[&<>"\t\n\r]/.test(s)) return s;
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

class ParseError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** A name as error messages show it: at most 40 characters (a crafted name may be megabytes long). */
function nm(name: string): string {
  return name.length <= 40 ? name : `${name.slice(0, 40)}… (${name.length} characters)`;
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Characters that end a (leniently read) element or attribute name. */
function endsName(c: number): boolean {
  // whitespace / > = " ' <
  return isWs(c) || c === 0x2f || c === 0x3e || c === 0x3d || c === 0x22 || c === 0x27 || c === 0x3c;
}

/**
 * The namespace bindings in scope: one stack of URIs per prefix ('' = default; null = undeclared default), so
 * a lookup is O(1) whatever the depth (walking a chain of scopes per element made a document where every level
 * declares a namespace quadratic in its depth).
 */
class Bindings {
  private readonly byPrefix = new Map<string, (string | null)[]>();

  /** Pushes an element's declarations; returns the prefixes to pop when it closes (null: none). */
  declare(map: Map<string, string | null> | null): string[] | null {
    if (!map) return null;
    for (const [p, uri] of map) {
      const st = this.byPrefix.get(p);
      if (st) st.push(uri);
      else this.byPrefix.set(p, [uri]);
    }
    return [...map.keys()];
  }

  release(prefixes: string[] | null): void {
    if (prefixes) for (const p of prefixes) this.byPrefix.get(p)?.pop();
  }

  lookup(prefix: string): string | null | undefined {
    const st = this.byPrefix.get(prefix);
    return st && st.length ? st[st.length - 1] : undefined;
  }
}

class Parser {
  private pos = 0;
  private readonly len: number;
  private readonly unknownEntities = new Set<string>();
  private badCharRefs = 0;

  constructor(
    private readonly s: string,
    private readonly maxDepth: number,
  ) {
    this.len = s.length;
  }

  private fail(msg: string, at = this.pos): never {
    throw new ParseError(msg, at);
  }

  /** Decodes entity and character references; unknown entities and bad references are dropped. */
  private decode(raw: string): string {
    if (raw.indexOf('&') < 0) return raw;
    let out = '';
    let last = 0;
    let i = raw.indexOf('&');
    while (i >= 0) {
      const semi = raw.indexOf(';', i + 1);
      let replaced = false;
      if (semi > i + 1 && semi - i <= 64) {
        const body = raw.slice(i + 1, semi);
        let rep: string | null = null;
        let matched = false;
        if (body[0] === '#') {
          let cp = NaN;
          if (/^#[0-9]{1,8}$/.test(body)) cp = parseInt(body.slice(1), 10);
          else if (/^#[xX][0-9A-Fa-f]{1,7}$/.test(body)) cp = parseInt(body.slice(2), 16);
          if (!Number.isNaN(cp)) {
            matched = true;
            if (isXmlChar(cp)) rep = String.fromCodePoint(cp);
            else this.badCharRefs++;
          }
        } else if (isQName(body)) {
          matched = true;
          if (Object.prototype.hasOwnProperty.call(PREDEFINED, body)) rep = PREDEFINED[body];
          else if (this.unknownEntities.size < 1000) this.unknownEntities.add(body);
        }
        if (matched) {
          out += raw.slice(last, i) + (rep ?? '');
          last = semi + 1;
          i = raw.indexOf('&', last);
          replaced = true;
        }
      }
      if (!replaced) i = raw.indexOf('&', i + 1); // a bare '&' stays literal
    }
    return out + raw.slice(last);
  }

  private skipWs(): void {
    while (this.pos < this.len && isWs(this.s.charCodeAt(this.pos))) this.pos++;
  }

  private readName(): string {
    const start = this.pos;
    while (this.pos < this.len && !endsName(this.s.charCodeAt(this.pos))) this.pos++;
    return this.s.slice(start, this.pos);
  }

  private startsWith(str: string, at = this.pos): boolean {
    return this.s.startsWith(str, at);
  }

  parse(): XmlDocument {
    const s = this.s;
    let declaration: XmlDocument['declaration'] = null;
    let doctype: XmlDoctype | null = null;
    const prolog: XmlNode[] = [];
    const epilog: XmlNode[] = [];
    let root: XmlElement | null = null;
    const stack: XmlElement[] = [];
    const bindings = new Bindings();
    const declared: (string[] | null)[] = [];

    // XML declaration (optionally after a BOM or, leniently, whitespace)
    if (s.charCodeAt(0) === 0xfeff) this.pos = 1;
    {
      const save = this.pos;
      this.skipWs();
      if (this.startsWith('<?xml') && (isWs(s.charCodeAt(this.pos + 5)) || s.startsWith('?>', this.pos + 5))) {
        const end = s.indexOf('?>', this.pos);
        if (end < 0) this.fail('unterminated XML declaration');
        if (end - this.pos > MAX_DECLARATION) this.fail(`XML declaration longer than ${MAX_DECLARATION} characters`);
        const body = s.slice(this.pos + 5, end);
        const attr = (n: string): string | null => {
          const m = new RegExp(`(?:^|\\s)${n}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(body);
          return m ? (m[1] ?? m[2] ?? null) : null;
        };
        const version = attr('version');
        if (version === null) this.fail('XML declaration without version');
        declaration = { version, encoding: attr('encoding'), standalone: attr('standalone') };
        this.pos = end + 2;
      } else this.pos = save;
    }

    const addNode = (node: XmlNode): void => {
      if (stack.length) stack[stack.length - 1].children.push(node);
      else if (root) epilog.push(node);
      else prolog.push(node);
    };

    while (this.pos < this.len) {
      const lt = s.indexOf('<', this.pos);
      if (stack.length) {
        const end = lt < 0 ? this.len : lt;
        if (end > this.pos) {
          const value = this.decode(s.slice(this.pos, end));
          if (value) stack[stack.length - 1].children.push({ kind: 'text', value, cdata: false });
        }
        if (lt < 0) break;
        this.pos = lt;
      } else {
        this.skipWs();
        if (this.pos >= this.len) break;
        if (s.charCodeAt(this.pos) !== 0x3c) this.fail(root ? 'text after the root element' : 'text before the root element');
      }
      const at = this.pos;
      const c1 = s.charCodeAt(at + 1);
      if (c1 === 0x2f) {
        // end tag
        this.pos = at + 2;
        const name = this.readName();
        this.skipWs();
        if (s.charCodeAt(this.pos) !== 0x3e) this.fail('malformed end tag', at);
        this.pos++;
        const top = stack[stack.length - 1];
        if (!top) this.fail(`end tag </${nm(name)}> without a start tag`, at);
        if (top.name !== name) this.fail(`end tag </${nm(name)}> does not match <${nm(top.name)}>`, at);
        stack.pop();
        bindings.release(declared.pop() ?? null);
      } else if (c1 === 0x3f) {
        // processing instruction
        const end = s.indexOf('?>', at + 2);
        if (end < 0) this.fail('unterminated processing instruction', at);
        this.pos = at + 2;
        const target = this.readName();
        if (!target) this.fail('processing instruction without target', at);
        if (target.toLowerCase() === 'xml') this.fail('misplaced XML declaration', at);
        const data = s.slice(this.pos, end).replace(/^\s+/, '');
        this.pos = end + 2;
        addNode({ kind: 'pi', target, data });
      } else if (c1 === 0x21) {
        if (this.startsWith('<!--', at)) {
          const end = s.indexOf('-->', at + 4);
          if (end < 0) this.fail('unterminated comment', at);
          addNode({ kind: 'comment', value: s.slice(at + 4, end) });
          this.pos = end + 3;
        } else if (this.startsWith('<![CDATA[', at)) {
          if (!stack.length) this.fail('CDATA section outside the root element', at);
          const end = s.indexOf(']]>', at + 9);
          if (end < 0) this.fail('unterminated CDATA section', at);
          const value = s.slice(at + 9, end);
          if (value) stack[stack.length - 1].children.push({ kind: 'text', value, cdata: true });
          this.pos = end + 3;
        } else if (this.startsWith('<!DOCTYPE', at)) {
          if (root || stack.length) this.fail('DOCTYPE after the root element', at);
          if (doctype) this.fail('second DOCTYPE', at);
          doctype = this.parseDoctype(at);
        } else this.fail('unknown markup declaration', at);
      } else {
        // start tag
        if (!stack.length && root) this.fail('more than one root element', at);
        this.pos = at + 1;
        const name = this.readName();
        if (!name) this.fail('malformed start tag', at);
        const raw: { name: string; value: string }[] = [];
        let selfClosing = false;
        for (;;) {
          this.skipWs();
          if (this.pos >= this.len) this.fail(`unterminated start tag <${nm(name)}>`, at);
          const c = s.charCodeAt(this.pos);
          if (c === 0x3e) {
            this.pos++;
            break;
          }
          if (c === 0x2f && s.charCodeAt(this.pos + 1) === 0x3e) {
            this.pos += 2;
            selfClosing = true;
            break;
          }
          const aStart = this.pos;
          const aName = this.readName();
          if (!aName) this.fail(`malformed attribute in <${nm(name)}>`, aStart);
          this.skipWs();
          if (s.charCodeAt(this.pos) !== 0x3d) this.fail(`attribute ${nm(aName)} without a value in <${nm(name)}>`, aStart);
          this.pos++;
          this.skipWs();
          const q = s.charCodeAt(this.pos);
          if (q !== 0x22 && q !== 0x27) this.fail(`unquoted value of attribute ${nm(aName)} in <${nm(name)}>`, aStart);
          const close = s.indexOf(q === 0x22 ? '"' : "'", this.pos + 1);
          if (close < 0) this.fail(`unterminated value of attribute ${nm(aName)} in <${nm(name)}>`, aStart);
          let v = s.slice(this.pos + 1, close);
          if (/[\t\n\r]/.test(v)) v = v.replace(/[\t\n\r]/g, ' ');
          raw.push({ name: aName, value: this.decode(v) });
          this.pos = close + 1;
        }
        // namespaces
        let map: Map<string, string | null> | null = null;
        for (const a of raw) {
          if (a.name === 'xmlns') (map ??= new Map()).set('', a.value === '' ? null : a.value);
          else if (a.name.startsWith('xmlns:')) {
            const p = a.name.slice(6);
            if (p && p !== 'xml' && p !== 'xmlns') (map ??= new Map()).set(p, a.value === '' ? null : a.value);
          }
        }
        const mine = bindings.declare(map);
        const resolve = (prefix: string): string => {
          if (prefix === 'xml') return NS.xml;
          const uri = bindings.lookup(prefix);
          if (typeof uri === 'string') return uri;
          if (Object.prototype.hasOwnProperty.call(CONVENTIONAL_PREFIXES, prefix)) return CONVENTIONAL_PREFIXES[prefix];
          return UNDECLARED_NS + prefix;
        };
        const colon = name.indexOf(':');
        const prefix = colon > 0 ? name.slice(0, colon) : null;
        const local = colon > 0 ? name.slice(colon + 1) : name;
        const ns = prefix ? resolve(prefix) : (bindings.lookup('') ?? null);
        const el: XmlElement = {
          kind: 'element',
          name,
          prefix,
          local,
          ns,
          validName: isQName(name),
          attributes: [],
          duplicateAttributes: [],
          children: [],
        };
        const seen = new Set<string>();
        for (const a of raw) {
          if (a.name === 'xmlns' || a.name.startsWith('xmlns:')) continue;
          const ac = a.name.indexOf(':');
          const ap = ac > 0 ? a.name.slice(0, ac) : null;
          const al = ac > 0 ? a.name.slice(ac + 1) : a.name;
          const ans = ap ? resolve(ap) : null;
          const key = `${ans ?? ''}|${al}`;
          if (seen.has(key)) {
            el.duplicateAttributes.push(a.name);
            continue;
          }
          seen.add(key);
          el.attributes.push({ name: a.name, prefix: ap, local: al, ns: ans, value: a.value, validName: isQName(a.name) });
        }
        if (stack.length) stack[stack.length - 1].children.push(el);
        else root = el;
        if (stack.length >= this.maxDepth) throw new ParseError(`elements nested deeper than ${this.maxDepth} levels (maxDepth)`, at, 'EXMLDEPTH');
        if (!selfClosing) {
          stack.push(el);
          declared.push(mine);
        } else bindings.release(mine);
      }
    }
    if (stack.length) this.fail(`unclosed element <${nm(stack[stack.length - 1].name)}>`, this.len);
    if (!root) this.fail('no root element', this.len);
    return {
      declaration,
      doctype,
      prolog,
      root,
      epilog,
      unknownEntities: [...this.unknownEntities],
      badCharRefs: this.badCharRefs,
    };
  }

  /** Skips `<!DOCTYPE …>` (with an optional internal subset, never interpreted). */
  private parseDoctype(at: number): XmlDoctype {
    const s = this.s;
    this.pos = at + 9;
    this.skipWs();
    const name = this.readName();
    let internalSubset: string | null = null;
    while (this.pos < this.len) {
      const c = s.charCodeAt(this.pos);
      if (c === 0x22 || c === 0x27) {
        const close = s.indexOf(c === 0x22 ? '"' : "'", this.pos + 1);
        if (close < 0) this.fail('unterminated DOCTYPE', at);
        this.pos = close + 1;
      } else if (c === 0x5b) {
        const start = ++this.pos;
        for (;;) {
          if (this.pos >= this.len) this.fail('unterminated DOCTYPE internal subset', at);
          const d = s.charCodeAt(this.pos);
          if (d === 0x22 || d === 0x27) {
            const close = s.indexOf(d === 0x22 ? '"' : "'", this.pos + 1);
            if (close < 0) this.fail('unterminated DOCTYPE internal subset', at);
            this.pos = close + 1;
          } else if (this.startsWith('<!--')) {
            const close = s.indexOf('-->', this.pos + 4);
            if (close < 0) this.fail('unterminated comment in DOCTYPE', at);
            this.pos = close + 3;
          } else if (this.startsWith('<?')) {
            const close = s.indexOf('?>', this.pos + 2);
            if (close < 0) this.fail('unterminated processing instruction in DOCTYPE', at);
            this.pos = close + 2;
          } else if (d === 0x5d) {
            internalSubset = s.slice(start, this.pos);
            this.pos++;
            break;
          } else this.pos++;
        }
      } else if (c === 0x3e) {
        this.pos++;
        const entityDeclarations = internalSubset ? internalSubset.split('<!ENTITY').length - 1 : 0;
        return { name, internalSubset, entityDeclarations };
      } else this.pos++;
    }
    return this.fail('unterminated DOCTYPE', at);
  }
}

/**
 * Parses an XML document. Never throws. Line ends are normalised (`\r\n`, `\r` → `\n`) as XML
 * requires; attribute values are decoded and whitespace-normalised; text is decoded.
 */
export function parseXml(input: string, options: ParseOptions = {}): ParseResult {
  try {
    if (typeof input !== 'string') return { ok: false, error: 'input is not a string', offset: 0, code: 'EXML' };
    const max = options.maxLength ?? DEFAULT_MAX_XML_LENGTH;
    if (input.length > max) return { ok: false, error: `input longer than ${max} characters`, offset: max, code: 'EXMLLENGTH' };
    const depth = options.maxDepth ?? DEFAULT_MAX_XML_DEPTH;
    const text = input.indexOf('\r') >= 0 ? input.replace(/\r\n?/g, '\n') : input;
    return { ok: true, doc: new Parser(text, depth > 0 ? Math.floor(depth) : DEFAULT_MAX_XML_DEPTH).parse() };
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, error: e.message, offset: e.offset, code: e.code ?? 'EXML' };
    return { ok: false, error: `parser failure: ${e instanceof Error ? e.message : String(e)}`, offset: 0, code: 'EXML' };
  }
}

/**
 * Serialises an element tree (iteratively) with the names as written and the attributes it holds.
 * Namespace declarations are not reproduced by this generic serialiser: callers that need them add
 * them as ordinary attributes. Used by tests and tools; the sanitiser has its own writer.
 */
export function serializeElement(root: XmlElement): string {
  const out: string[] = [];
  const stack: { el: XmlElement; i: number }[] = [];
  const open = (el: XmlElement): boolean => {
    out.push('<', el.name);
    for (const a of el.attributes) out.push(' ', a.name, '="', escapeAttribute(a.value), '"');
    if (!el.children.length) {
      out.push('/>');
      return false;
    }
    out.push('>');
    return true;
  };
  if (open(root)) stack.push({ el: root, i: 0 });
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.i >= top.el.children.length) {
      out.push('</', top.el.name, '>');
      stack.pop();
      continue;
    }
    const child = top.el.children[top.i++];
    if (child.kind === 'element') {
      if (open(child)) stack.push({ el: child, i: 0 });
    } else if (child.kind === 'text') out.push(escapeText(child.value));
  }
  return out.join('');
}
