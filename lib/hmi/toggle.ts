/**
 * Manual two-state text toggles (docs/screens.md §6.4): `on_click_text_toggle` such as `1 (Cerrado), 0 (Abierto)`.
 *
 * Syntax (as the original's validation regex): exactly two options separated by a comma; each option is a
 * KEY made of ASCII letters, digits and underscores, optionally followed by a label in parentheses made
 * of letters (Unicode letters accepted, e.g. `Sí`), digits and spaces. The label defaults to the key.
 * Anything else (one or three options, empty key, other characters, two equal keys) → null.
 */

export interface ToggleOption {
  key: string;
  label: string;
}

export interface Toggle {
  /** The two options, in the order written. */
  options: [ToggleOption, ToggleOption];
  /**
   * The key to switch to from `current` (the element's text): the option different from the current
   * text; if the current text is neither key, the last option (as the original).
   */
  next(current: unknown): string;
  /** The label of `key`, or `key` itself when it is not one of the options. */
  labelOf(key: unknown): string;
}

const OPTION_RE = /^\s*([A-Za-z0-9_]+)(?:\s*\(([\p{L}\p{N} ]*)\))?\s*$/u; // one \s* between groups: linear

export function parseToggle(def: unknown): Toggle | null {
  if (typeof def !== 'string' || def.length > 1000) return null;
  const parts = def.split(',');
  if (parts.length !== 2) return null;
  const options: ToggleOption[] = [];
  for (const part of parts) {
    const m = OPTION_RE.exec(part);
    if (!m) return null;
    const key = m[1];
    let label = key;
    if (m[2] !== undefined) {
      label = m[2].trim().replace(/\s+/g, ' ');
      if (!label) return null;
    }
    options.push({ key, label });
  }
  if (options[0].key === options[1].key) return null;
  const pair = options as [ToggleOption, ToggleOption];
  const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v).trim());
  return {
    options: pair,
    next(current: unknown): string {
      const c = str(current);
      if (c === pair[0].key) return pair[1].key;
      if (c === pair[1].key) return pair[0].key;
      return pair[1].key;
    },
    labelOf(key: unknown): string {
      const k = str(key);
      const o = pair.find((x) => x.key === k);
      return o ? o.label : k;
    },
  };
}

/** True if `t` is a toggle as a screen record carries it: `[[key, label], [key, label]]` (lib/hmi/screen-state.ts). */
export function isTogglePairs(t: unknown): t is [[string, string], [string, string]] {
  return (
    Array.isArray(t) && t.length === 2 && t.every((o: unknown) => Array.isArray(o) && o.length === 2 && typeof o[0] === 'string' && typeof o[1] === 'string')
  );
}
