/**
 * What the browser-side binder may write on SVG nodes from data (CONTRIBUTING.md §8: allowlist attribute
 * names; never `on*`, `href`/`xlink:href`, `style` or `src` from data).
 *
 * Allowed names: `fill`, `stroke`, `opacity`, `fill-opacity`, `stroke-opacity`, `stroke-width`,
 * `stroke-dasharray`, `visibility`, `display`, `class`, `transform`. None of them can load a resource
 * or run code, and `isSafeAttributeValue` restricts each one's value to its plain syntax (no `url(…)`,
 * so even `fill` cannot point at an external paint server).
 */
import { normaliseCssColour } from './colours';

export const SAFE_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set([
  'fill',
  'stroke',
  'opacity',
  'fill-opacity',
  'stroke-opacity',
  'stroke-width',
  'stroke-dasharray',
  'visibility',
  'display',
  'class',
  'transform',
]);

/** True if the browser may set this attribute (or CSS property) from data. Exact, case-sensitive. */
export function isSafeAttributeName(name: unknown): boolean {
  return typeof name === 'string' && SAFE_ATTRIBUTE_NAMES.has(name);
}

const NUMBER = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?`; // not \d+\.?\d*: that backtracks
const OPACITY_RE = new RegExp(`^${NUMBER}%?$`);
const LENGTH_RE = new RegExp(`^${NUMBER}(?:px|mm|cm|in|pt|pc|em|ex|%)?$`);
const DASH_RE = new RegExp(`^(?:none|${NUMBER}(?:px|%)?(?:(?:\\s*,\\s*|\\s+)${NUMBER}(?:px|%)?)*)$`);
const TRANSFORM_RE = new RegExp(
  `^(?:\\s*(?:matrix|translate|scale|rotate|skewX|skewY)\\s*\\(\\s*${NUMBER}(?:(?:\\s*,\\s*|\\s+)${NUMBER}){0,5}\\s*\\)\\s*,?)*\\s*$`,
);

/** True if `value` is a plain, safe value for the allowlisted attribute `name`. */
export function isSafeAttributeValue(name: unknown, value: unknown): boolean {
  if (!isSafeAttributeName(name) || typeof value !== 'string' || value.length > 512) return false;
  const v = value.trim();
  switch (name) {
    case 'fill':
    case 'stroke':
      return normaliseCssColour(v) !== null;
    case 'opacity':
    case 'fill-opacity':
    case 'stroke-opacity':
      return OPACITY_RE.test(v);
    case 'stroke-width':
      return LENGTH_RE.test(v);
    case 'stroke-dasharray':
      return DASH_RE.test(v);
    case 'visibility':
      return /^(?:visible|hidden|collapse|inherit)$/.test(v);
    case 'display':
      return /^(?:none|inline|block|inherit|)$/.test(v);
    case 'class':
      return /^[A-Za-z0-9_ -]*$/.test(v);
    case 'transform':
      return TRANSFORM_RE.test(v);
    default:
      return false;
  }
}
