/**
 * Index of a screen: its bound nodes (`tag`), navigation hot-spots (`jump-to`), size and page colour
 * (docs/screens.md §5.1, docs/screens.md §5.7). Index the document you serve (the output of `sanitizeSvg`): node positions refer
 * to the document passed in. The content of `<metadata>` is not indexed (the sanitiser empties it), so a
 * clean drawing gives the same index before and after sanitising.
 */
import { normaliseCssColour } from './colours';
import { NS, XmlElement, parseXml } from '../svg/xml';

/**
 * Where a node is, in a form that is stable for a given document:
 * - `name`: the element name (local name for SVG elements, e.g. `'g'`; `prefix:local` for others);
 * - `id`: its `id` attribute or null (Inkscape's automatic ids such as `g3841`);
 * - `index`: position in document order among all elements (the root `svg` is 0);
 * - `path`: XPath-like location with 1-based positions among same-named element siblings,
 *   e.g. `'/svg/g[2]/g[1]'` (the root is `'/svg'`);
 * - `label`: its `inkscape:label` (the layer/object name shown in Inkscape) or null.
 */
export interface ScreenNodeRef {
  name: string;
  id: string | null;
  index: number;
  path: string;
  label: string | null;
}

export interface ScreenTagRef {
  tag: string;
  node: ScreenNodeRef;
}

export interface ScreenJumpRef {
  target: string;
  node: ScreenNodeRef;
  /**
   * Only when indexed with `opts.screens`: true when `target` names none of them. A dead hot-spot does nothing on
   * click, so the screen must not give it a pointer cursor.
   */
  dead?: boolean;
}

export interface IndexOptions {
  /** Names of the screens that exist (exact, as the screen widget matches them): marks each jump `dead` or not. */
  screens?: Iterable<string>;
}

export interface ScreenIndex {
  /** Every node with a non-empty `tag` other than `nopaint`, in document order (nested repeats included). */
  tags: ScreenTagRef[];
  /** Every node with a non-empty `jump-to`, in document order; `target` is the screen name. */
  jumps: ScreenJumpRef[];
  /** Root `width`/`height` truncated at the decimal point (units stripped), else from the viewBox, else 0. */
  width: number;
  height: number;
  /** `sodipodi:namedview/@pagecolor` when it is a plain CSS colour (`#rgb`, `#rrggbb`, a named colour), else null. */
  background: string | null;
}

function emptyIndex(): ScreenIndex {
  return { tags: [], jumps: [], width: 0, height: 0, background: null };
}

function attr(el: XmlElement, local: string, ns: string | null = null): string | null {
  for (const a of el.attributes) if (a.local === local && a.ns === ns) return a.value;
  return null;
}

function isSvgNs(ns: string | null): boolean {
  return ns === null || ns === NS.svg;
}

function elementName(el: XmlElement): string {
  return isSvgNs(el.ns) ? el.local : el.name;
}

// one \s* between the number and the end whether or not a unit follows (adjacent \s* backtracked quadratically)
const LENGTH_RE = /^\s*\+?(\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?:\s*(?:px|mm|cm|in|pt|pc|em|ex|q|Q))?\s*$/;

/** A root length as a whole number: `'297mm'` → 297, `'1052.36'` → 1052; `'100%'`, `'-3'`, junk → null. */
export function parseScreenLength(value: string | null): number | null {
  if (value === null) return null;
  const m = LENGTH_RE.exec(value);
  if (!m) return null;
  const n = parseFloat(value.trim());
  if (!Number.isFinite(n) || n <= 0) return null;
  return Math.min(Math.trunc(n), Number.MAX_SAFE_INTEGER);
}

function viewBoxSize(value: string | null): [number, number] | null {
  if (value === null) return null;
  const parts = value.trim().split(/[\s,]+/);
  if (parts.length !== 4) return null;
  const nums = parts.map(Number);
  if (nums.some((n) => !Number.isFinite(n))) return null;
  const [w, h] = [nums[2], nums[3]];
  if (w <= 0 || h <= 0) return null;
  return [Math.min(Math.trunc(w), Number.MAX_SAFE_INTEGER), Math.min(Math.trunc(h), Number.MAX_SAFE_INTEGER)];
}

/** Indexes a screen. Never throws: garbage gives empty lists, width/height 0 and background null. */
export function indexScreen(svg: unknown, opts: IndexOptions = {}): ScreenIndex {
  try {
    const known = opts.screens ? new Set<string>(opts.screens) : null;
    if (typeof svg !== 'string') return emptyIndex();
    const parsed = parseXml(svg);
    if (!parsed.ok) return emptyIndex();
    const root = parsed.doc.root;
    const result = emptyIndex();

    const vb = viewBoxSize(attr(root, 'viewBox'));
    result.width = parseScreenLength(attr(root, 'width')) ?? vb?.[0] ?? 0;
    result.height = parseScreenLength(attr(root, 'height')) ?? vb?.[1] ?? 0;

    let index = 0;
    let backgroundSeen = false;
    const visit = (el: XmlElement, path: string): void => {
      const myIndex = index++;
      let node: ScreenNodeRef | null = null;
      const ref = (): ScreenNodeRef => (node ??= { name: elementName(el), id: attr(el, 'id'), index: myIndex, path, label: attr(el, 'label', NS.inkscape) });
      const tag = attr(el, 'tag');
      if (tag !== null && tag.trim() !== '' && tag !== 'nopaint') result.tags.push({ tag, node: ref() });
      const jump = attr(el, 'jump-to');
      if (jump !== null && jump.trim() !== '') {
        const j: ScreenJumpRef = { target: jump, node: ref() };
        if (known) j.dead = !known.has(jump);
        result.jumps.push(j);
      }
      if (!backgroundSeen && el.ns === NS.sodipodi && el.local === 'namedview') {
        backgroundSeen = true;
        const pc = attr(el, 'pagecolor');
        result.background = pc !== null && normaliseCssColour(pc) !== null ? pc.trim() : null;
      }
    };

    // iterative pre-order walk: each frame remembers the per-name counters of its element children
    const stack: { el: XmlElement; path: string; i: number; counts: Map<string, number> }[] = [];
    visit(root, `/${elementName(root)}`);
    stack.push({ el: root, path: `/${elementName(root)}`, i: 0, counts: new Map() });
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (top.i >= top.el.children.length) {
        stack.pop();
        continue;
      }
      const child = top.el.children[top.i++];
      if (child.kind !== 'element') continue;
      const name = elementName(child);
      const n = (top.counts.get(name) ?? 0) + 1;
      top.counts.set(name, n);
      const path = `${top.path}/${name}[${n}]`;
      visit(child, path);
      // metadata (RDF) is opaque: not descended, so indexes agree before and after sanitising
      if (child.children.length && !(name === 'metadata' && isSvgNs(child.ns))) stack.push({ el: child, path, i: 0, counts: new Map() });
    }
    return result;
  } catch {
    return emptyIndex();
  }
}

/** A screen's problem in the workbook's terms (lib/project/model.ts Problem), for the project's problem list. */
export interface ScreenProblem {
  sheet: string;
  row: number | null;
  column: string | null;
  message: string;
  severity: 'warning';
}

/**
 * The hot-spots of one screen whose `jump-to` names no screen: one warning each, on the screen's row of the
 * `screens` sheet (the drawing is where to fix it: the message names the node). `index` must have been made with
 * `opts.screens` (its `dead` flags), or `screens` is given here.
 */
export function deadJumpProblems(
  screen: { name: string; file?: string; row?: number | null },
  index: Pick<ScreenIndex, 'jumps'>,
  screens?: Iterable<string>,
): ScreenProblem[] {
  const known = screens ? new Set<string>(screens) : null;
  const out: ScreenProblem[] = [];
  for (const j of index.jumps) {
    const dead = known ? !known.has(j.target) : j.dead === true;
    if (!dead) continue;
    const where = j.node.id ? `#${j.node.id}` : j.node.path;
    out.push({
      sheet: 'screens',
      row: screen.row ?? null,
      column: null,
      message: `screen ${screen.name}${screen.file ? ` (${screen.file})` : ''}: hot-spot ${where}${j.node.label ? ` "${j.node.label}"` : ''} jumps to ${JSON.stringify(j.target)}, which is no screen: it does nothing and shows no pointer`,
      severity: 'warning',
    });
  }
  return out;
}
