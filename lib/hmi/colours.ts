/**
 * Colour table and colour values for painting bound SVG elements (docs/screens.md §5.3, docs/screens.md §5.4).
 *
 * An element's `fill`/`stroke` is a colour-table index (the workbook's `color` sheet). Index 0 and null
 * mean "do not override the drawing" (compat: the original never painted index 0). An index missing from
 * the table gives null and is logged once per index (fix: the original's API request failed). A formula
 * may also produce a CSS colour directly; only strict forms are accepted (`#rgb`, `#rrggbb`, a fixed list
 * of CSS named colours, `transparent`, `none`), so a value can never smuggle other CSS into a style.
 */

/** The CSS named colours (CSS Color Module Level 4), lower case. */
export const CSS_NAMED_COLOURS: ReadonlySet<string> = new Set(
  (
    'aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet brown ' +
    'burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan darkblue darkcyan ' +
    'darkgoldenrod darkgray darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange darkorchid ' +
    'darkred darksalmon darkseagreen darkslateblue darkslategray darkslategrey darkturquoise darkviolet ' +
    'deeppink deepskyblue dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro ' +
    'ghostwhite gold goldenrod gray green greenyellow grey honeydew hotpink indianred indigo ivory khaki ' +
    'lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan lightgoldenrodyellow ' +
    'lightgray lightgreen lightgrey lightpink lightsalmon lightseagreen lightskyblue lightslategray ' +
    'lightslategrey lightsteelblue lightyellow lime limegreen linen magenta maroon mediumaquamarine ' +
    'mediumblue mediumorchid mediumpurple mediumseagreen mediumslateblue mediumspringgreen mediumturquoise ' +
    'mediumvioletred midnightblue mintcream mistyrose moccasin navajowhite navy oldlace olive olivedrab ' +
    'orange orangered orchid palegoldenrod palegreen paleturquoise palevioletred papayawhip peachpuff peru ' +
    'pink plum powderblue purple rebeccapurple red rosybrown royalblue saddlebrown salmon sandybrown ' +
    'seagreen seashell sienna silver skyblue slateblue slategray slategrey snow springgreen steelblue tan ' +
    'teal thistle tomato turquoise violet wheat white whitesmoke yellow yellowgreen'
  ).split(' '),
);

/** Keywords accepted besides the named colours. */
const EXTRA_KEYWORDS: ReadonlySet<string> = new Set(['transparent', 'none']);

/**
 * Returns the colour in canonical form (trimmed, lower case) if it is `#rgb`, `#rrggbb`, a CSS named
 * colour, `transparent` or `none`; otherwise null. Never throws.
 */
export function normaliseCssColour(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const v = value.trim().toLowerCase();
  if (v.length > 24) return null;
  if (/^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/.test(v)) return v;
  if (CSS_NAMED_COLOURS.has(v) || EXTRA_KEYWORDS.has(v)) return v;
  return null;
}

/** True if `value` is a colour accepted by {@link normaliseCssColour}. */
export function isSafeCssColour(value: unknown): boolean {
  return normaliseCssColour(value) !== null;
}

export interface ColourEntry {
  index: number;
  css: string;
  name?: string;
  description?: string;
}

export type ColourTable = readonly ColourEntry[] | ReadonlyMap<number, string> | Readonly<Record<string, string>>;

/** The real table of docs/screens.md §5.4 (sheet `color` of EstructuraBDD-v6-23), usable as a default. */
export const DEFAULT_COLOUR_TABLE: readonly ColourEntry[] = Object.freeze([
  { index: 0, name: 'gris', css: '#c0c0c0', description: 'Calificador > 0 (qualified measurement)' },
  { index: 1, name: 'ocre', css: '#ffcc00', description: 'Tensión 13.2 kV' },
  { index: 2, name: 'violeta', css: '#cc99ff', description: 'Tensión 33 kV' },
  { index: 3, name: 'blanco', css: '#ffffff', description: 'neutro' },
  { index: 4, name: 'amarillo', css: '#ffff99', description: 'fondo texto medidas' },
  { index: 5, name: 'azul', css: '#3366ff', description: 'int abierto' },
  { index: 6, name: 'rojo', css: '#ff0000', description: 'int abierto disparo' },
  { index: 7, name: 'negro', css: '#000000', description: 'color de blinking' },
  { index: 8, name: 'blanco', css: '#ffffff', description: 'color normal texto' },
  { index: 9, name: 'turquesa', css: '#99ccff', description: 'color tensión > 100' },
  { index: 10, name: 'negro', css: '#000000', description: 'negro fondo / texto blanco' },
  { index: 11, name: 'verde', css: '#99cc00', description: 'otro neutro' },
  { index: 12, name: 'gris', css: '#c0c0c0', description: '(open disconnector / de-energised)' },
]);

/** Table CSS may come from a workbook as `RRGGBB` / `FFRRGGBB` (SheetJS): accept those too. */
function tableCss(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const t = raw.trim();
  if (/^[0-9a-fA-F]{6}$/.test(t)) return `#${t.toLowerCase()}`;
  if (/^[fF]{2}[0-9a-fA-F]{6}$/.test(t)) return `#${t.slice(2).toLowerCase()}`;
  return normaliseCssColour(t);
}

function lookupTable(table: ColourTable | null | undefined, index: number): { found: boolean; css: unknown } {
  if (!table) return { found: false, css: undefined };
  if (table instanceof Map) return table.has(index) ? { found: true, css: table.get(index) } : { found: false, css: undefined };
  if (Array.isArray(table)) {
    for (const e of table as readonly ColourEntry[]) {
      if (e && typeof e === 'object' && Number(e.index) === index) return { found: true, css: e.css };
    }
    return { found: false, css: undefined };
  }
  if (typeof table === 'object') {
    const rec = table as Record<string, unknown>;
    const key = String(index);
    return Object.prototype.hasOwnProperty.call(rec, key) ? { found: true, css: rec[key] } : { found: false, css: undefined };
  }
  return { found: false, css: undefined };
}

const logged = new WeakMap<object, Set<string>>();

function logOnce(log: ((msg: string) => void) | undefined, key: string, msg: string): void {
  if (typeof log !== 'function') return;
  let seen = logged.get(log);
  if (!seen) logged.set(log, (seen = new Set()));
  if (seen.has(key)) return;
  seen.add(key);
  try {
    log(msg);
  } catch {
    /* a failing logger must not break painting */
  }
}

/**
 * CSS colour for an element's `fill`/`stroke` value, or null for "do not override the drawing".
 *
 * - `null`/`undefined`/`0`/`'0'`/`''` → null (compat: index 0 is never painted);
 * - an integer index (number, or a string of digits as a formula's `str()` gives) → the table's CSS
 *   (table entries may be `#rgb`, `#rrggbb`, a named colour, or `RRGGBB`/`FFRRGGBB` from a workbook);
 *   an index not in the table, or with an unusable CSS, → null and `log` once per index (per logger);
 * - a string `#rgb`, `#rrggbb`, CSS named colour, `transparent` or `none` → that colour (lower case);
 * - anything else (fractions, negative numbers, other CSS) → null and `log` once per value.
 */
export function colourCss(index: unknown, table: ColourTable | null | undefined, log?: (msg: string) => void): string | null {
  try {
    if (index === null || index === undefined) return null;
    let n: number | null = null;
    if (typeof index === 'number') {
      if (index === 0) return null;
      if (Number.isInteger(index) && index > 0) n = index;
      else {
        logOnce(log, `bad:${index}`, `colour value ${index} is not a colour-table index; not painted`);
        return null;
      }
    } else if (typeof index === 'string') {
      const t = index.trim();
      if (t === '' || /^0+$/.test(t)) return null;
      if (/^\d{1,9}$/.test(t)) n = parseInt(t, 10);
      else {
        const css = normaliseCssColour(t);
        if (css === null) logOnce(log, `bad:${t.slice(0, 40)}`, `colour value "${t.slice(0, 40)}" is neither a table index nor a CSS colour; not painted`);
        return css;
      }
    } else {
      logOnce(log, `bad:${typeof index}`, `colour value of type ${typeof index} ignored`);
      return null;
    }
    const { found, css } = lookupTable(table, n);
    if (!found) {
      logOnce(log, `missing:${n}`, `colour index ${n} is not in the colour table; not painted`);
      return null;
    }
    const out = tableCss(css);
    if (out === null) logOnce(log, `badcss:${n}`, `colour index ${n} has an unusable CSS colour in the table; not painted`);
    return out;
  } catch {
    return null;
  }
}
