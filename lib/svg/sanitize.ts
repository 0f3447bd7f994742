/**
 * Allowlist sanitiser for SVG screens (Inkscape drawings) before they reach browsers.
 *
 * `sanitizeSvg(text)` parses the document with the strict parser of `./xml`, walks it iteratively and
 * writes a new document that contains only allowlisted elements and attributes, with canonical
 * namespace prefixes (`xlink:`, `sodipodi:`, `inkscape:`, unprefixed SVG) declared once on the root.
 * It never throws; an unparseable document gives `svg: ''` and one `removed` entry.
 *
 * Kept: the drawing (svg, g, defs, symbol, use, switch, path, rect, circle, ellipse, line, polyline,
 * polygon, text, tspan, textPath, a, image, title, desc, metadata (emptied), style (sanitised CSS, every rule scoped to the drawing),
 * gradients, stop, clipPath, mask, pattern, marker, filters and their primitives, Inkscape's flowed
 * text and mesh/hatch paint servers); ids, classes, transforms, presentation and geometry attributes;
 * the custom attributes `tag` and `jump-to`; every `sodipodi:`/`inkscape:` attribute and element
 * (`sodipodi:namedview` carries the page colour); `xml:space`/`xml:lang`.
 *
 * References: `href`/`xlink:href` must be a local fragment (`#id`). The one exception is a raster image
 * embedded in `<image>` as `data:image/(png|jpeg|gif|webp);base64,…` — Inkscape's "embed" mode — which
 * is kept because a raster image cannot run script (SVG images, `data:image/svg+xml`, are refused).
 * A `<use>`, `<image>` or `<feImage>` with any other reference is removed; on other elements only the
 * reference attribute is removed. `url(…)` in attributes and CSS must be `url(#id)`.
 *
 * Removed, each recorded in `removed`: elements not on the list with their content (script,
 * foreignObject, iframe, embed, object, audio, video, canvas, every animation element, …); every `on*`
 * attribute in any namespace and case; attributes not on the list; unsafe CSS (see `./css`); DOCTYPE
 * and entity declarations; entity references other than the five predefined ones (never expanded);
 * processing instructions (the XML declaration is kept, normalised); any attribute whose value holds
 * a `javascript:`/`vbscript:` URL, whatever its name; content nested deeper than
 * {@link MAX_DEPTH} levels. Comments and the RDF content of `<metadata>` are dropped without a record
 * (Inkscape writes both in every file; they carry nothing to display).
 */
import { SCOPE_RE, unsafeCssValueReason, sanitizeDeclarations, sanitizeStylesheet } from './css';
import { NS, XmlAttribute, XmlElement, XmlNode, escapeAttribute, escapeText, parseXml, stripInvalidXmlChars } from './xml';

export interface SanitizeResult {
  svg: string;
  removed: string[];
}

export interface SanitizeOptions {
  /**
   * The name that scopes the drawing's `<style>` sheets (letters, digits, `_`, `-`; default `drawing`): every
   * rule is rewritten under `:where(svg[data-mara-scope="<name>"])` and the root gets that attribute, so a
   * drawing's CSS reaches only the drawing (issue 10 item 7). Give each drawing shown in one page its own name.
   */
  styleScope?: string;
}

/** The scope attribute the sanitiser owns: set on the root when a style sheet is kept, never taken from input. */
export const SCOPE_ATTRIBUTE = 'data-mara-scope';

/** Elements deeper than this (root = 1) are dropped with their content. */
export const MAX_DEPTH = 256;
/** Largest input accepted, in UTF-16 code units. */
export const MAX_INPUT_LENGTH = 64 * 1024 * 1024;
/** Largest value of a geometry attribute (`d`, `points`, Inkscape path data). */
export const MAX_GEOMETRY_VALUE = 16 * 1024 * 1024;
/** Largest value of any other attribute (embedded raster images are bounded by the input only). */
export const MAX_ATTRIBUTE_VALUE = 1024 * 1024;
/** At most this many distinct entries are listed in `removed`, then one summary entry. */
export const MAX_REMOVED_ENTRIES = 500;

const SVG_ELEMENTS: ReadonlySet<string> = new Set([
  'svg',
  'g',
  'defs',
  'desc',
  'title',
  'metadata',
  'symbol',
  'use',
  'switch',
  'path',
  'rect',
  'circle',
  'ellipse',
  'line',
  'polyline',
  'polygon',
  'text',
  'tspan',
  'textPath',
  'a',
  'image',
  'style',
  'linearGradient',
  'radialGradient',
  'stop',
  'clipPath',
  'mask',
  'pattern',
  'marker',
  'filter',
  'feBlend',
  'feColorMatrix',
  'feComponentTransfer',
  'feComposite',
  'feConvolveMatrix',
  'feDiffuseLighting',
  'feDisplacementMap',
  'feDistantLight',
  'feDropShadow',
  'feFlood',
  'feFuncA',
  'feFuncB',
  'feFuncG',
  'feFuncR',
  'feGaussianBlur',
  'feImage',
  'feMerge',
  'feMergeNode',
  'feMorphology',
  'feOffset',
  'fePointLight',
  'feSpecularLighting',
  'feSpotLight',
  'feTile',
  'feTurbulence',
  // Inkscape: flowed text (SVG 1.2 draft), mesh gradients, hatches, solid colours
  'flowRoot',
  'flowRegion',
  'flowPara',
  'flowSpan',
  'flowDiv',
  'flowRegionExclude',
  'meshgradient',
  'meshGradient',
  'meshrow',
  'meshRow',
  'meshpatch',
  'meshPatch',
  'hatch',
  'hatchpath',
  'hatchPath',
  'solidcolor',
  'solidColor',
]);

/** Elements whose reference is their whole point: with a non-local reference they are removed. */
const REFERENCE_ELEMENTS: ReadonlySet<string> = new Set(['use', 'image', 'feImage']);

const SVG_ATTRIBUTES: ReadonlySet<string> = new Set([
  // core, structure, geometry
  'id',
  'class',
  'style',
  'lang',
  'tabindex',
  'transform',
  'viewBox',
  'preserveAspectRatio',
  'version',
  'baseProfile',
  'width',
  'height',
  'x',
  'y',
  'x1',
  'y1',
  'x2',
  'y2',
  'cx',
  'cy',
  'r',
  'rx',
  'ry',
  'fx',
  'fy',
  'fr',
  'd',
  'points',
  'pathLength',
  'dx',
  'dy',
  'rotate',
  'textLength',
  'lengthAdjust',
  'startOffset',
  'method',
  'spacing',
  'side',
  'path',
  'href',
  'requiredFeatures',
  'requiredExtensions',
  'systemLanguage',
  'zoomAndPan',
  'type',
  'media',
  'title',
  // paint servers, clipping, markers
  'gradientUnits',
  'gradientTransform',
  'spreadMethod',
  'offset',
  'patternUnits',
  'patternContentUnits',
  'patternTransform',
  'clipPathUnits',
  'maskUnits',
  'maskContentUnits',
  'markerUnits',
  'markerWidth',
  'markerHeight',
  'refX',
  'refY',
  'orient',
  'hatchUnits',
  'hatchContentUnits',
  'pitch',
  // presentation attributes
  'alignment-baseline',
  'baseline-shift',
  'clip',
  'clip-path',
  'clip-rule',
  'color',
  'color-interpolation',
  'color-interpolation-filters',
  'color-profile',
  'color-rendering',
  'cursor',
  'direction',
  'display',
  'dominant-baseline',
  'enable-background',
  'fill',
  'fill-opacity',
  'fill-rule',
  'filter',
  'flood-color',
  'flood-opacity',
  'font',
  'font-family',
  'font-size',
  'font-size-adjust',
  'font-stretch',
  'font-style',
  'font-variant',
  'font-weight',
  'glyph-orientation-horizontal',
  'glyph-orientation-vertical',
  'image-rendering',
  'inline-size',
  'isolation',
  'kerning',
  'letter-spacing',
  'lighting-color',
  'line-height',
  'marker',
  'marker-end',
  'marker-mid',
  'marker-start',
  'mask',
  'mix-blend-mode',
  'opacity',
  'overflow',
  'paint-order',
  'pointer-events',
  'shape-inside',
  'shape-margin',
  'shape-padding',
  'shape-rendering',
  'shape-subtract',
  'solid-color',
  'solid-opacity',
  'stop-color',
  'stop-opacity',
  'stroke',
  'stroke-dasharray',
  'stroke-dashoffset',
  'stroke-linecap',
  'stroke-linejoin',
  'stroke-miterlimit',
  'stroke-opacity',
  'stroke-width',
  'text-anchor',
  'text-decoration',
  'text-rendering',
  'transform-origin',
  'unicode-bidi',
  'vector-effect',
  'visibility',
  'white-space',
  'word-spacing',
  'writing-mode',
  // filters
  'filterUnits',
  'primitiveUnits',
  'filterRes',
  'in',
  'in2',
  'result',
  'stdDeviation',
  'mode',
  'operator',
  'k1',
  'k2',
  'k3',
  'k4',
  'values',
  'baseFrequency',
  'numOctaves',
  'seed',
  'stitchTiles',
  'scale',
  'xChannelSelector',
  'yChannelSelector',
  'radius',
  'tableValues',
  'slope',
  'intercept',
  'amplitude',
  'exponent',
  'order',
  'kernelMatrix',
  'divisor',
  'bias',
  'targetX',
  'targetY',
  'edgeMode',
  'preserveAlpha',
  'kernelUnitLength',
  'surfaceScale',
  'specularConstant',
  'specularExponent',
  'diffuseConstant',
  'azimuth',
  'elevation',
  'z',
  'pointsAtX',
  'pointsAtY',
  'pointsAtZ',
  'limitingConeAngle',
  'edgeMode',
  // accessibility
  'role',
  'aria-label',
  'aria-hidden',
  'aria-labelledby',
  'aria-describedby',
]);

/** Attributes whose value is free text or a name (no CSS meaning): not checked for url()/escapes. */
const TEXT_ATTRIBUTES: ReadonlySet<string> = new Set([
  'id',
  'class',
  'lang',
  'title',
  'role',
  'aria-label',
  'aria-labelledby',
  'aria-describedby',
  'systemLanguage',
]);

const GEOMETRY_ATTRIBUTES: ReadonlySet<string> = new Set([
  'd',
  'points',
  'path',
  'values',
  'kernelMatrix',
  'tableValues',
  'inkscape:original-d',
  'sodipodi:nodetypes',
  'inkscape:path-effect',
]);

/** Tag values: letters, digits, `_`, `.`, `-` (the tag scheme uses `[A-Z0-9_]`), at most 64. */
const TAG_VALUE_RE = /^[\p{L}\p{N}_.-]{0,64}$/u;
/** Screen names in `jump-to`: letters, digits, `_`, `.`, `-`, spaces, 1 to 64. */
const JUMP_VALUE_RE = /^[\p{L}\p{N}_.\- ]{1,64}$/u;
const EXTENSION_LOCAL_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const DATA_IMAGE_RE = /^data:image\/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/]*={0,2}$/i;

class Recorder {
  private readonly seen = new Set<string>();
  private readonly list: string[] = [];
  private dropped = 0;
  add(entry: string): void {
    if (this.seen.has(entry)) return;
    if (this.list.length >= MAX_REMOVED_ENTRIES) {
      this.dropped++;
      return;
    }
    this.seen.add(entry);
    this.list.push(entry);
  }
  result(): string[] {
    return this.dropped ? [...this.list, `… and ${this.dropped} more removals not listed`] : this.list;
  }
}

/** A short, printable rendering of attacker-controlled text for the `removed` list. */
function clip(s: string, n = 40): string {
  // eslint-disable-next-line no-control-regex -- control characters are what it removes (browsers ignore them in URLs and text)
  const t = stripInvalidXmlChars(s).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
  return t.length > n ? `${t.slice(0, n)}…` : t;
}

function describe(el: XmlElement): string {
  const id = el.attributes.find((a) => a.ns === null && a.local === 'id')?.value;
  return id ? `<${clip(el.name, 60)} id="${clip(id)}">` : `<${clip(el.name, 60)}>`;
}

function isSvgNs(ns: string | null): boolean {
  return ns === null || ns === NS.svg;
}

/** The output name of a kept element, or null if the element is not allowed. */
function outputElementName(el: XmlElement): string | null {
  if (!el.validName) return null;
  if (isSvgNs(el.ns)) return SVG_ELEMENTS.has(el.local) ? el.local : null;
  if (el.ns === NS.sodipodi && EXTENSION_LOCAL_RE.test(el.local)) return `sodipodi:${el.local}`;
  if (el.ns === NS.inkscape && EXTENSION_LOCAL_RE.test(el.local)) return `inkscape:${el.local}`;
  return null;
}

/** A local reference (`#id`), cleaned the way a URL parser would, or null. */
function localReference(value: string): string | null {
  // URL parsers strip leading/trailing C0 controls and spaces and remove tabs/newlines anywhere
  // eslint-disable-next-line no-control-regex -- control characters are what it removes (browsers ignore them in URLs and text)
  const v = value.replace(/[\u0000-\u0020\u007f]/g, '');
  return /^#[^#]+$/.test(v) ? v : null;
}

interface AttrOut {
  name: string;
  value: string;
}

interface Context {
  scope: string;
  /** The element being filtered is the root. */
  atRoot: boolean;
  rec: Recorder;
  usesXlink: boolean;
  usesSodipodi: boolean;
  usesInkscape: boolean;
}

/**
 * Filters the attributes of a kept element. Returns null when the element itself must go (a reference
 * element with a non-local reference).
 */
function filterAttributes(el: XmlElement, ctx: Context): AttrOut[] | null {
  const rec = ctx.rec;
  const where = describe(el);
  const extensionElement = !isSvgNs(el.ns);
  const out: AttrOut[] = [];
  for (const d of el.duplicateAttributes) rec.add(`duplicate attribute ${clip(d)} on ${where}`);
  for (const a of el.attributes) {
    const shown = clip(a.name);
    if (!a.validName) {
      rec.add(`attribute ${shown} on ${where} (invalid name)`);
      continue;
    }
    if (/^on/i.test(a.local)) {
      rec.add(`attribute ${shown} on ${where}`);
      continue;
    }
    let name: string | null = null;
    let checkCss = false;
    if (a.ns === null) {
      if (a.local === 'href') {
        if (!keepReference(el, a, 'href', ctx, out)) return null;
        continue;
      }
      if (a.local === 'style') {
        const r = sanitizeDeclarations(a.value);
        for (const x of r.removed) rec.add(`${x} on ${where}`);
        if (r.css) out.push({ name: 'style', value: r.css });
        continue;
      }
      if (a.local === 'tag') {
        if (TAG_VALUE_RE.test(a.value)) out.push({ name: 'tag', value: a.value });
        else rec.add(`attribute tag="${clip(a.value)}" on ${where} (not a valid tag)`);
        continue;
      }
      if (a.local === SCOPE_ATTRIBUTE) {
        // ours: the root's is set again at the end; anywhere else it would let a drawing's sheet match it
        if (!(ctx.atRoot && a.value === ctx.scope)) rec.add(`attribute ${SCOPE_ATTRIBUTE} on ${where}`);
        continue;
      }
      if (a.local === 'jump-to') {
        if (JUMP_VALUE_RE.test(a.value)) out.push({ name: 'jump-to', value: a.value });
        else rec.add(`attribute jump-to="${clip(a.value)}" on ${where} (not a valid screen name)`);
        continue;
      }
      if (extensionElement) {
        // sodipodi:namedview's pagecolor, inkscape:grid's spacingx… (inert: the element is unknown to browsers)
        if (EXTENSION_LOCAL_RE.test(a.local) && a.local !== 'src') {
          name = a.local;
          checkCss = true;
        }
      } else if (SVG_ATTRIBUTES.has(a.local) || /^data-[a-z0-9_.-]+$/.test(a.local)) {
        name = a.local;
        checkCss = !TEXT_ATTRIBUTES.has(a.local) && !a.local.startsWith('data-');
      }
    } else if (a.ns === NS.xlink) {
      if (a.local === 'href') {
        if (!keepReference(el, a, 'xlink:href', ctx, out)) return null;
        continue;
      }
      if (a.local === 'title') name = 'xlink:title';
    } else if (a.ns === NS.xml) {
      if (a.local === 'space' || a.local === 'lang') name = `xml:${a.local}`;
    } else if (a.ns === NS.sodipodi || a.ns === NS.inkscape) {
      if (EXTENSION_LOCAL_RE.test(a.local)) name = `${a.ns === NS.sodipodi ? 'sodipodi' : 'inkscape'}:${a.local}`;
    }
    if (name === null) {
      rec.add(`attribute ${shown} on ${where}`);
      continue;
    }
    const limit = GEOMETRY_ATTRIBUTES.has(name) ? MAX_GEOMETRY_VALUE : MAX_ATTRIBUTE_VALUE;
    if (a.value.length > limit) {
      rec.add(`attribute ${shown} on ${where} (value of ${a.value.length} characters exceeds the limit of ${limit})`);
      continue;
    }
    // defence in depth: no attribute value of any kind carries a script URL (ids, labels… included)
    // eslint-disable-next-line no-control-regex -- control characters are what it removes (browsers ignore them in URLs and text)
    if (/(?:java|vb)script:/i.test(a.value.replace(/[\u0000-\u0020\u007f]/g, ''))) {
      rec.add(`attribute ${shown}="${clip(a.value)}" on ${where} (script URL)`);
      continue;
    }
    if (checkCss) {
      const why = unsafeCssValueReason(a.value);
      if (why) {
        rec.add(`attribute ${shown}="${clip(a.value)}" on ${where} (${why})`);
        continue;
      }
    }
    out.push({ name, value: a.value });
    // declare a namespace on the root only when something kept uses it (keeps the output a fixed point)
    if (name.startsWith('xlink:')) ctx.usesXlink = true;
    else if (name.startsWith('sodipodi:')) ctx.usesSodipodi = true;
    else if (name.startsWith('inkscape:')) ctx.usesInkscape = true;
  }
  return out;
}

/** Handles `href`/`xlink:href`; returns false when the whole element must be removed. */
function keepReference(el: XmlElement, a: XmlAttribute, outName: string, ctx: Context, out: AttrOut[]): boolean {
  const local = localReference(a.value);
  let value: string | null = local;
  if (value === null && isSvgNs(el.ns) && el.local === 'image') {
    // eslint-disable-next-line no-control-regex -- control characters are what it removes (browsers ignore them in URLs and text)
    const compact = a.value.replace(/[\u0000-\u0020]/g, '');
    if (DATA_IMAGE_RE.test(compact)) value = compact;
  }
  if (value !== null) {
    out.push({ name: outName, value });
    if (outName === 'xlink:href') ctx.usesXlink = true;
    return true;
  }
  if (isSvgNs(el.ns) && REFERENCE_ELEMENTS.has(el.local)) {
    ctx.rec.add(`external reference ${clip(a.name)}="${clip(a.value)}" on ${describe(el)}`);
    return false;
  }
  ctx.rec.add(`attribute ${clip(a.name)}="${clip(a.value)}" on ${describe(el)}`);
  return true;
}

function writeStartTag(out: string[], name: string, attrs: AttrOut[], extra: string): void {
  out.push('<', name, extra);
  for (const a of attrs) out.push(' ', a.name, '="', escapeAttribute(a.value), '"');
}

function textOf(el: XmlElement, rec: Recorder): string {
  let s = '';
  for (const c of el.children) {
    if (c.kind === 'text') s += c.value;
    else if (c.kind === 'element') rec.add(`element ${describe(c)} inside ${describe(el)}`);
  }
  return s;
}

function sanitizeImpl(input: unknown, opts: SanitizeOptions): SanitizeResult {
  const scope = opts.styleScope ?? 'drawing';
  if (!SCOPE_RE.test(scope)) return { svg: '', removed: ['bad styleScope option; nothing kept'] };
  let styled = false;
  if (typeof input !== 'string') {
    return { svg: '', removed: [`input is not a string (${input === null ? 'null' : typeof input}); nothing kept`] };
  }
  if (input.length > MAX_INPUT_LENGTH) {
    return { svg: '', removed: [`input of ${input.length} characters exceeds the limit of ${MAX_INPUT_LENGTH}; nothing kept`] };
  }
  const parsed = parseXml(input, { maxLength: MAX_INPUT_LENGTH });
  if (!parsed.ok) {
    return { svg: '', removed: [`unparseable document (${clip(parsed.error, 80)} at offset ${parsed.offset}); nothing kept`] };
  }
  const doc = parsed.doc;
  const rec = new Recorder();
  const ctx: Context = { scope, atRoot: true, rec, usesXlink: false, usesSodipodi: false, usesInkscape: false };
  if (doc.doctype) {
    rec.add(doc.doctype.internalSubset !== null || doc.doctype.entityDeclarations ? 'DOCTYPE/entity declarations' : 'DOCTYPE');
  }
  for (const n of doc.unknownEntities) rec.add(`entity reference &${clip(n)};`);
  if (doc.badCharRefs) rec.add('character references to characters XML does not allow');
  for (const n of [...doc.prolog, ...doc.epilog]) if (n.kind === 'pi') rec.add(`processing instruction <?${clip(n.target)}?>`);

  const root = doc.root;
  if (!(isSvgNs(root.ns) && root.local === 'svg' && root.validName)) {
    return { svg: '', removed: [...rec.result(), `root element ${describe(root)} is not <svg>; nothing kept`] };
  }

  const out: string[] = [];
  if (doc.declaration) out.push('<?xml version="1.0" encoding="UTF-8"?>\n');
  const rootAttrs = filterAttributes(root, ctx) ?? [];
  ctx.atRoot = false;
  const rootSlot = out.length;
  out.push(''); // filled in at the end, when the namespaces in use are known
  // `open` is the index in `out` of the start tag's closing '>': an element whose children were all
  // dropped is written as an empty-element tag, so that sanitising the output again changes nothing
  const stack: { el: XmlElement; name: string; i: number; depth: number; open: number }[] = [];
  let deepRecorded = false;
  if (root.children.length) {
    out.push('>');
    stack.push({ el: root, name: 'svg', i: 0, depth: 1, open: out.length - 1 });
  } else out.push('/>');

  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.i >= top.el.children.length) {
      if (out.length === top.open + 1) out[top.open] = '/>';
      else out.push('</', top.name, '>');
      stack.pop();
      continue;
    }
    const child: XmlNode = top.el.children[top.i++];
    if (child.kind === 'text') {
      const t = escapeText(child.value);
      if (t) out.push(t);
      continue;
    }
    if (child.kind === 'comment') continue;
    if (child.kind === 'pi') {
      rec.add(`processing instruction <?${clip(child.target)}?>`);
      continue;
    }
    const el = child;
    const name = outputElementName(el);
    if (name === null) {
      rec.add(`element ${describe(el)}`);
      continue;
    }
    const depth = top.depth + 1;
    if (depth > MAX_DEPTH) {
      if (!deepRecorded) rec.add(`elements nested deeper than ${MAX_DEPTH} levels (dropped with their content)`);
      deepRecorded = true;
      continue;
    }
    if (name.startsWith('sodipodi:')) ctx.usesSodipodi = true;
    else if (name.startsWith('inkscape:')) ctx.usesInkscape = true;
    const attrs = filterAttributes(el, ctx);
    if (attrs === null) continue;
    writeStartTag(out, name, attrs, '');
    if (name === 'metadata') {
      out.push('/>'); // RDF content dropped (documented, not recorded)
      continue;
    }
    if (name === 'style') {
      const r = sanitizeStylesheet(textOf(el, rec), scope);
      for (const x of r.removed) rec.add(`${x} in ${describe(el)}`);
      if (r.css) styled = true;
      out.push(r.css ? `>${escapeText(r.css)}</style>` : '/>');
      continue;
    }
    if (!el.children.length) {
      out.push('/>');
      continue;
    }
    out.push('>');
    stack.push({ el, name, i: 0, depth, open: out.length - 1 });
  }

  let ns = ` xmlns="${NS.svg}"`;
  if (ctx.usesXlink) ns += ` xmlns:xlink="${NS.xlink}"`;
  if (ctx.usesSodipodi) ns += ` xmlns:sodipodi="${NS.sodipodi}"`;
  if (ctx.usesInkscape) ns += ` xmlns:inkscape="${NS.inkscape}"`;
  const head: string[] = [];
  if (styled) rootAttrs.push({ name: SCOPE_ATTRIBUTE, value: scope });
  writeStartTag(head, 'svg', rootAttrs, ns);
  out[rootSlot] = head.join('');
  return { svg: out.join(''), removed: rec.result() };
}

/**
 * Sanitises an SVG document. Never throws: any input (including non-strings) gives a result; an
 * unparseable or non-SVG document gives `svg: ''` and an entry explaining why.
 */
export function sanitizeSvg(text: unknown, opts: SanitizeOptions = {}): SanitizeResult {
  try {
    return sanitizeImpl(text, opts ?? {});
  } catch (e) {
    return { svg: '', removed: [`sanitiser failure (${clip(e instanceof Error ? e.message : String(e), 80)}); nothing kept`] };
  }
}
