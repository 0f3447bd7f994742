/**
 * Conservative CSS sanitising for SVG `style` attributes, presentation attribute values and `<style>`
 * elements. Not a CSS parser: it splits declarations and rules at top-level `;`, `{` and `}` (quotes
 * and parentheses respected) and drops every declaration, rule or at-rule that could fetch or run
 * something. Inkscape writes plain declarations (`fill:#ff0000;stroke-width:2`), which pass untouched.
 *
 * Dropped: `@import` and every at-rule statement; at-rules other than @media, @supports, @keyframes,
 * @font-face, @page, @layer, @container; declarations whose value holds a `url(…)` that is not a local
 * fragment (`url(#id)` is kept), `expression(`, `javascript:`/`vbscript:`/`data:` outside a local
 * url, `image-set(`/`image(`/`element(`/`cross-fade(`/`src(` (string URL forms), a backslash (CSS
 * escapes would hide the above), or a property named `behavior`/`-moz-binding`/`binding`.
 */

const MAX_NESTING = 8;

/** Why a CSS value is unsafe, or null if it is safe. */
export function unsafeCssValueReason(value: string): string | null {
  const v = value.toLowerCase();
  if (v.indexOf('\\') >= 0) return 'CSS escape sequence';
  if (/expression\s*\(/.test(v)) return 'expression()';
  if (v.indexOf('@import') >= 0) return '@import';
  if (/(?:^|[^a-z0-9_-])(?:-[a-z]+-)?(?:image-set|image|element|cross-fade|src)\s*\(/.test(v)) return 'image/src function';
  let hasUrl = false;
  const re = /url\s*\(/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(v))) {
    hasUrl = true;
    let i = m.index + m[0].length;
    while (i < v.length && /\s/.test(v[i])) i++;
    let target: string;
    const q = v[i];
    if (q === '"' || q === "'") {
      const close = v.indexOf(q, i + 1);
      if (close < 0) return 'unterminated url()';
      target = v.slice(i + 1, close);
    } else {
      const close = v.indexOf(')', i);
      if (close < 0) return 'unterminated url()';
      target = v.slice(i, close);
    }
    // eslint-disable-next-line no-control-regex -- a browser ignores control characters inside url(): drop them before the check
    target = target.replace(/[\u0000-\u0020]/g, '');
    if (!/^#[^#()'"]+$/.test(target)) return 'external url()';
  }
  if (/(?:java|vb)script\s*:/.test(v)) return 'script URL';
  if (!hasUrl && /\bdata\s*:/.test(v)) return 'data: URL';
  return null;
}

/** Splits at top-level occurrences of `sep` (outside quotes and parentheses). */
function splitTopLevel(s: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === sep && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

const BAD_PROPERTIES = new Set(['behavior', '-moz-binding', 'binding', '-ms-behavior']);

export interface CssResult {
  css: string;
  /** Human-readable descriptions of what was dropped. */
  removed: string[];
}

function clip(s: string, n = 48): string {
  const t = s
    // eslint-disable-next-line no-control-regex -- control characters of a hostile value never reach a message
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return t.length > n ? `${t.slice(0, n)}…` : t;
}

/** Sanitises a declaration list (`style` attribute or the body of a rule). */
export function sanitizeDeclarations(text: string): CssResult {
  const removed: string[] = [];
  const kept: string[] = [];
  for (const raw of splitTopLevel(stripCssComments(text), ';')) {
    const decl = raw.trim();
    if (!decl) continue;
    const colon = decl.indexOf(':');
    const name = colon > 0 ? decl.slice(0, colon).trim().toLowerCase() : '';
    if (!/^(?:--[a-z0-9_-]+|-?[a-z][a-z0-9-]*)$/.test(name) || /[{}<>]/.test(decl)) {
      removed.push(`style declaration "${clip(decl)}" (malformed)`);
      continue;
    }
    if (BAD_PROPERTIES.has(name)) {
      removed.push(`style declaration "${clip(decl)}" (${name})`);
      continue;
    }
    const why = unsafeCssValueReason(decl);
    if (why) {
      removed.push(`style declaration "${clip(decl)}" (${why})`);
      continue;
    }
    kept.push(decl);
  }
  return { css: kept.join(';'), removed };
}

/** Removes comments; an unterminated comment swallows the rest (as in CSS). */
export function stripCssComments(s: string): string {
  if (s.indexOf('/*') < 0) return s;
  let out = '';
  let i = 0;
  for (;;) {
    const a = s.indexOf('/*', i);
    if (a < 0) return out + s.slice(i);
    out += s.slice(i, a) + ' ';
    const b = s.indexOf('*/', a + 2);
    if (b < 0) return out;
    i = b + 2;
  }
}

const CONTAINER_AT_RULES = new Set(['media', 'supports', 'keyframes', '-webkit-keyframes', '-moz-keyframes', 'layer', 'container']);
const BLOCK_AT_RULES = new Set(['font-face', 'page']);

/**
 * The selector every rule of a drawing's style sheet is put under (issue 10 item 7): the drawing's root `<svg>`,
 * marked `data-mara-scope="<scope>"` by the sanitiser. `:where()` adds no specificity, so the drawing's rules
 * weigh what they weighed before and the widget's own rules (bad-quality marking) still win.
 */
export function scopeSelector(scope: string): string {
  return `:where(svg[data-mara-scope="${scope}"])`;
}

export const SCOPE_RE = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Sanitises a style sheet (content of a `<style>` element). With `scope` (sanitizeSvg always gives one), the
 * sheet can reach only the drawing: every selector is rewritten to `scopeSelector(scope) <selector>`;
 * selectors that would leave the drawing or name the page (a leading `+`/`~`, `:root`, `:host`, `:scope`,
 * `::slotted`, `::part`, `html`, `body`) are dropped; so are the at-rules whose names are global to the page
 * (`@keyframes`, `@font-face` (it could re-font the page's text), `@page`).
 */
export function sanitizeStylesheet(text: string, scope?: string): CssResult {
  const removed: string[] = [];
  const src = stripCssComments(text);
  if (src.indexOf('\\') >= 0) {
    removed.push('style sheet with CSS escape sequences');
    return { css: '', removed };
  }
  if (scope !== undefined && !SCOPE_RE.test(scope)) throw new Error('bad style scope');
  const css = rules(src, 0, removed, scope);
  return { css, removed };
}

const PAGE_SELECTOR_RE = /:(?:root|host|host-context|scope)\b|::(?:slotted|part)\b|(?:^|[\s>+~,(])(?:html|body)(?![\w-])/i;

/** The prelude of a style rule put under `scope`, or null when no selector of it may stay (reasons in `removed`). */
function scopePrelude(prelude: string, scope: string, removed: string[]): string | null {
  const prefix = scopeSelector(scope);
  const kept: string[] = [];
  for (const raw of splitTopLevel(prelude, ',')) {
    let sel = raw.trim();
    // already scoped (sanitising our own output again): as it was
    if (sel.startsWith(prefix)) sel = sel.slice(prefix.length).trim();
    if (!sel) continue;
    if (/^[+~]/.test(sel) || PAGE_SELECTOR_RE.test(sel) || /[{}<]/.test(sel)) {
      removed.push(`CSS selector "${clip(sel)}" (reaches outside the drawing)`);
      continue;
    }
    kept.push(`${prefix} ${sel}`);
  }
  return kept.length ? kept.join(',') : null;
}

const GLOBAL_AT_RULES = new Set(['keyframes', '-webkit-keyframes', '-moz-keyframes', 'font-face', 'page']);

function rules(s: string, depth: number, removed: string[], scope?: string): string {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    // read a prelude up to a top-level '{' or ';'
    let quote = '';
    let paren = 0;
    let j = i;
    for (; j < s.length; j++) {
      const c = s[j];
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '(') paren++;
      else if (c === ')') paren = Math.max(0, paren - 1);
      else if (paren === 0 && (c === '{' || c === ';' || c === '}')) break;
    }
    const prelude = s.slice(i, j).trim();
    if (j >= s.length) {
      if (prelude) removed.push(`CSS "${clip(prelude)}" (incomplete rule)`);
      break;
    }
    const c = s[j];
    if (c === ';' || c === '}') {
      if (prelude) removed.push(prelude.startsWith('@') ? `CSS ${clip(prelude)}` : `CSS "${clip(prelude)}" (stray text)`);
      i = j + 1;
      continue;
    }
    // find the matching '}'
    let k = j + 1;
    let level = 1;
    quote = '';
    for (; k < s.length; k++) {
      const d = s[k];
      if (quote) {
        if (d === quote) quote = '';
      } else if (d === '"' || d === "'") quote = d;
      else if (d === '{') level++;
      else if (d === '}' && --level === 0) break;
    }
    if (k >= s.length) {
      removed.push(`CSS "${clip(prelude)}" (unterminated block)`);
      break;
    }
    const body = s.slice(j + 1, k);
    i = k + 1;
    const preludeProblem = unsafeCssValueReason(prelude) ?? (prelude.includes('<') ? 'markup' : null);
    if (preludeProblem) {
      removed.push(`CSS rule "${clip(prelude)}" (${preludeProblem})`);
      continue;
    }
    if (prelude.startsWith('@')) {
      const at = /^@([a-z-]+)/i.exec(prelude)?.[1]?.toLowerCase() ?? '';
      if (scope !== undefined && GLOBAL_AT_RULES.has(at)) {
        removed.push(`CSS @${at} (its names are global to the page)`);
        continue;
      }
      if (CONTAINER_AT_RULES.has(at)) {
        if (depth >= MAX_NESTING) {
          removed.push(`CSS @${at} (nested too deeply)`);
          continue;
        }
        out.push(`${prelude}{${rules(body, depth + 1, removed, scope)}}`);
      } else if (BLOCK_AT_RULES.has(at)) {
        const r = sanitizeDeclarations(body);
        removed.push(...r.removed);
        out.push(`${prelude}{${r.css}}`);
      } else removed.push(`CSS @${at || clip(prelude)} rule`);
      continue;
    }
    const sel = scope === undefined ? prelude : scopePrelude(prelude, scope, removed);
    if (sel === null) continue;
    const r = sanitizeDeclarations(body);
    removed.push(...r.removed);
    out.push(`${sel}{${r.css}}`);
  }
  return out.join('\n');
}
