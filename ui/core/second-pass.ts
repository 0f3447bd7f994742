/**
 * SVG text → DOM, with a second scrub after the server's sanitiser (lib/hmi/svg-sanitize.ts is the first line):
 * DOMParser runs nothing, and this pass removes what could still run or fetch should a drawing get past it.
 */
import { SVG_NS, localNameOf, walk } from './dom';
import { ALARM_CLASS } from './styles';

const BLOCKED: Record<string, 1> = {
  script: 1,
  foreignobject: 1,
  iframe: 1,
  embed: 1,
  object: 1,
  audio: 1,
  video: 1,
  canvas: 1,
  animate: 1,
  set: 1,
  animatemotion: 1,
  animatetransform: 1,
  animatecolor: 1,
  discard: 1,
  handler: 1,
  listener: 1,
  link: 1,
  meta: 1,
  base: 1,
  form: 1,
  input: 1,
  button: 1,
};
const RASTER_DATA_RE = /^data:image\/(?:png|jpeg|gif|webp);base64,/i;

/** Removes what can run or fetch: blocked or non-SVG elements, on* attributes, non-local references. */
export function scrub(root: Element): Element {
  const kill: Element[] = [];
  walk(root, (el) => {
    const name = localNameOf(el).toLowerCase();
    if (el !== root && (el.namespaceURI !== SVG_NS || BLOCKED[name])) {
      kill.push(el);
      return false;
    }
    // the blink class is the widget's (binder.setAlarms): a drawing cannot make a node blink
    if (el.classList && el.classList.contains(ALARM_CLASS)) el.classList.remove(ALARM_CLASS);
    const attrs = el.attributes;
    for (let i = attrs.length - 1; i >= 0; i--) {
      const a = attrs[i];
      const an = (a.localName || a.name).toLowerCase();
      const v = String(a.value)
        // eslint-disable-next-line no-control-regex -- the characters a URL parser skips
        .replace(/[\u0000-\u0020]/g, '')
        .toLowerCase();
      const bad =
        an.indexOf('on') === 0 ||
        (an === 'data-mara-scope' && el !== root) ||
        ((an === 'href' || an === 'src') && v.charAt(0) !== '#' && !(name === 'image' && RASTER_DATA_RE.test(v))) ||
        /(?:java|vb)script:|expression\(|@import/.test(v) ||
        /url\((?!['"]?#)/.test(v);
      if (bad) el.removeAttributeNode(a);
    }
  });
  kill.forEach((el) => {
    if (el.parentNode) el.parentNode.removeChild(el);
  });
  return root;
}

/** The drawing as an `<svg>` element of `doc` (scrubbed), or null when it is not a well-formed SVG document. */
export function parseSvg(doc: Document, text: unknown): SVGSVGElement | null {
  if (typeof text !== 'string' || !text || typeof DOMParser !== 'function') return null;
  const parsed = new DOMParser().parseFromString(text, 'image/svg+xml');
  const root = parsed.documentElement;
  if (!root || root.namespaceURI !== SVG_NS || localNameOf(root) !== 'svg') return null;
  if (parsed.getElementsByTagName('parsererror').length) return null;
  scrub(root);
  return doc.importNode(root, true) as unknown as SVGSVGElement;
}
