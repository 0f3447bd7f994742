/**
 * The JSON form of the model (a ProjectModel as JSON.stringify writes it) → rows of cells, so it is validated by
 * the same code as a workbook (workbook-build.ts). Problems name the array (`points`, `elements`, …) as sheet,
 * the 1-based position in it as row and the field name as column; the model keeps each object's own `row`.
 * Only the known fields are read, each by a fixed name through hasOwnProperty: nothing inherited, no key of the
 * input ever becomes a key of the output.
 */
import type { Problem } from './model';
import type { BuildInput } from './workbook-build';
import { Cell, RowSet } from './sheet-rows';
import { SheetKind } from './sheet-schema';

interface ArraySpec {
  /** Key of the array in the JSON model. */
  key: string;
  /** Fields read, in column order. */
  fields: readonly string[];
  /** The sheet kind the objects become; for points, chosen by their `table`. */
  kind: SheetKind | ((o: Record<string, unknown>) => SheetKind | null);
}

const POINT_FIELDS = [
  'tag',
  'table',
  'device',
  'comaster',
  'offset',
  'description',
  'port',
  'bit',
  'maskinv',
  'tipo',
  'textId',
  'channel',
  'unit',
  'escala',
  'escalaE',
  'multipAsm',
  'divider',
  'relTv',
  'relTi',
  'pesoP',
  'param',
] as const;

const ARRAYS: readonly ArraySpec[] = [
  { key: 'comasters', kind: 'comaster', fields: ['id', 'host', 'port', 'enabled'] },
  { key: 'devices', kind: 'ied', fields: ['id', 'comaster', 'offset', 'address', 'svCount', 'diCount', 'aiCount'] },
  {
    key: 'points',
    fields: POINT_FIELDS,
    kind: (o) => (o.table === 'di' ? 'di' : o.table === 'ai' ? 'ai' : o.table === 'sv' ? 'varsys' : null),
  },
  { key: 'comEvents', kind: 'com', fields: ['code', 'description', 'textId', 'pesoaccion'] },
  { key: 'eventTexts', kind: 'textoevtipo', fields: ['textId', 'value', 'text'] },
  { key: 'screens', kind: 'screens', fields: ['name', 'file', 'description', 'prefix', 'parent'] },
  {
    key: 'elements',
    kind: 'eg',
    fields: ['tag', 'description', 'text', 'fill', 'stroke', 'mark', 'screen', 'disabled', 'onClickJump', 'onClickTextToggle', 'linkedTextChange'],
  },
  { key: 'formulas', kind: 'formulas', fields: ['tag', 'attr', 'text'] },
  { key: 'colours', kind: 'color', fields: ['index', 'name', 'css', 'description'] },
];

const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/** A JSON value as a cell; arrays of strings (linkedTextChange) are joined by commas. */
function toCell(v: unknown): Cell | undefined {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(',');
  return undefined;
}

/** Row sets of a JSON model, plus the problems of values that are not cells at all. */
export function jsonToRowSets(obj: unknown, problems: Problem[]): BuildInput[] | null {
  if (!isPlainObject(obj)) {
    problems.push({
      sheet: '',
      row: null,
      column: null,
      message: `the JSON model must be an object, got ${Array.isArray(obj) ? 'an array' : obj === null ? 'null' : typeof obj}`,
    });
    return null;
  }
  const out: BuildInput[] = [];
  let found = 0;
  for (const spec of ARRAYS) {
    if (!own(obj, spec.key)) continue;
    found++;
    const arr = obj[spec.key];
    if (!Array.isArray(arr)) {
      problems.push({ sheet: spec.key, row: null, column: null, message: `${spec.key} must be an array` });
      continue;
    }
    const sets = new Map<SheetKind, RowSet>();
    const setFor = (kind: SheetKind): RowSet => {
      let s = sets.get(kind);
      if (!s) {
        s = { name: spec.key, labels: spec.fields.slice(), rows: [], rowNumbers: [], modelRows: [], skipBlank: false };
        sets.set(kind, s);
        out.push({ kind, set: s });
      }
      return s;
    };
    if (typeof spec.kind === 'string') setFor(spec.kind);
    arr.forEach((o: unknown, i: number) => {
      const at = i + 1;
      if (!isPlainObject(o)) {
        problems.push({ sheet: spec.key, row: at, column: null, message: 'not an object' });
        return;
      }
      const kind = typeof spec.kind === 'string' ? spec.kind : spec.kind(o);
      if (kind === null) {
        problems.push({
          sheet: spec.key,
          row: at,
          column: 'table',
          message: `table must be di, ai or sv, got ${JSON.stringify(own(o, 'table') ? o.table : undefined)}`,
        });
        return;
      }
      const cells: Cell[] = [];
      let bad = false;
      for (const f of spec.fields) {
        const c = toCell(own(o, f) ? o[f] : undefined);
        if (c === undefined) {
          problems.push({ sheet: spec.key, row: at, column: f, message: `unusable value of type ${Array.isArray(o[f]) ? 'array' : typeof o[f]}` });
          bad = true;
        }
        cells.push(c ?? '');
      }
      if (bad) return;
      const row = own(o, 'row') && Number.isInteger(o.row) && (o.row as number) > 0 ? (o.row as number) : at;
      const s = setFor(kind);
      s.rows.push(cells);
      s.rowNumbers!.push(at);
      s.modelRows!.push(row);
    });
  }
  if (!found) problems.push({ sheet: '', row: null, column: null, message: `no model arrays in the JSON (expected ${ARRAYS.map((a) => a.key).join(', ')})` });
  return out;
}
