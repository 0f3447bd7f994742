/**
 * Rows of cells → ProjectModel: the one code path shared by xlsx/xls, CSV and JSON (docs/workbook.md §7).
 *
 * Rules: sheets are read in the load order of docs/workbook.md §7.2, each may refer only to what came before it. A sheet that
 * lacks a required column gives one problem and is skipped. Every other problem names its sheet, its 1-based row
 * and its column; a row with an 'error' problem is left out of the model as a whole (nothing half-imported); a
 * 'warning' says what was imported instead (an element with an unknown screen, a reserve point, a bad toggle left
 * out). Rows that hold a position in the reply (DI/AI/SV) are never dropped for their tag alone. Model objects
 * are built with fixed keys: no label, sheet name or cell value ever becomes a property name.
 */
import { tagProblem } from './tag';
import type {
  AiPoint,
  Colour,
  ComEvent,
  Comaster,
  Device,
  DiPoint,
  Element,
  ElementAttr,
  EventText,
  FormulaRow,
  Problem,
  ProjectModel,
  Screen,
  SvPoint,
} from './model';
import { emptyModel } from './model';
import { Cell, CellError, RowSet, cellText, isEmpty, normaliseLabels } from './sheet-rows';
import { COLUMNS, Columns, SheetKind } from './sheet-schema';
import { parseToggle } from '../hmi/toggle';

const ATTRS: readonly ElementAttr[] = ['text', 'fill', 'stroke'];

/** A sheet with its columns resolved. */
class Sheet<K extends SheetKind> {
  readonly index = new Map<string, number>();
  readonly labels: string[];
  constructor(
    readonly kind: K,
    readonly set: RowSet,
    private readonly problems: Problem[],
  ) {
    const norm = normaliseLabels(set.labels);
    this.labels = set.labels.map((l, i) => (isEmpty(l) ? norm[i] : cellText(l).trim()));
    const where = new Map<string, number>();
    norm.forEach((n, i) => where.set(n, i));
    const cols = COLUMNS[kind] as Record<string, { names: readonly string[] }>;
    for (const key of Object.keys(cols)) {
      for (const name of cols[key].names) {
        const i = where.get(name);
        if (i !== undefined) {
          this.index.set(key, i);
          break;
        }
      }
    }
  }

  /** One problem naming the missing required columns; false when the sheet must be skipped. */
  checkRequired(): boolean {
    const cols = COLUMNS[this.kind] as Record<string, { names: readonly string[]; required?: boolean }>;
    const missing = Object.keys(cols)
      .filter((k) => cols[k].required && !this.index.has(k))
      .map((k) => cols[k].names[0]);
    if (!missing.length) return true;
    const accepted = (k: string): string => cols[k].names.join(' / ');
    const detail = Object.keys(cols)
      .filter((k) => cols[k].required && !this.index.has(k))
      .map(accepted)
      .join('; ');
    this.problems.push({
      sheet: this.set.name,
      row: 1,
      column: missing[0],
      message: `missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (accepted labels: ${detail}): sheet skipped`,
      severity: 'error',
    });
    return false;
  }

  *rows(): Generator<Row<K>> {
    const { rows, rowNumbers, modelRows, skipBlank = true } = this.set;
    for (let i = 0; i < rows.length; i++) {
      const cells = rows[i] ?? [];
      if (skipBlank && cells.every((c) => isEmpty(c))) continue;
      const at = rowNumbers?.[i] ?? i + 2;
      yield new Row(this, cells, i, at, modelRows?.[i] ?? at);
    }
  }

  label(key: string): string {
    const i = this.index.get(key);
    if (i !== undefined) return this.labels[i];
    const cols = COLUMNS[this.kind] as Record<string, { names: readonly string[] }>;
    return cols[key]?.names[0] ?? key;
  }
}

interface IntOpts {
  min?: number;
  max?: number;
}

/** One data row: typed reads that record a problem (and mark the row rejected) when a cell is unusable. */
class Row<K extends SheetKind> {
  readonly problems: Problem[] = [];
  /** Problems that do not reject the row (severity 'warning'). */
  readonly warnings: Problem[] = [];
  constructor(
    readonly sheet: Sheet<K>,
    private readonly cells: Cell[],
    readonly i: number,
    /** 1-based row for problems. */
    readonly at: number,
    /** `row` stored in the model. */
    readonly row: number,
  ) {}

  get ok(): boolean {
    return this.problems.length === 0;
  }

  has(key: Columns<K>): boolean {
    return this.sheet.index.has(key);
  }

  cell(key: Columns<K>): Cell {
    const i = this.sheet.index.get(key);
    return i === undefined ? '' : (this.cells[i] ?? '');
  }

  fill(key: Columns<K>): string | null {
    const i = this.sheet.index.get(key);
    return i === undefined ? null : (this.sheet.set.fills?.[this.i]?.[i] ?? null);
  }

  fail(key: Columns<K> | null, message: string): void {
    this.problems.push({ sheet: this.sheet.set.name, row: this.at, column: key === null ? null : this.sheet.label(key), message, severity: 'error' });
  }

  /** A problem that keeps the row (the message says what was imported instead). */
  warn(key: Columns<K> | null, message: string): void {
    this.warnings.push({ sheet: this.sheet.set.name, row: this.at, column: key === null ? null : this.sheet.label(key), message, severity: 'warning' });
  }

  private errorCell(key: Columns<K>, c: Cell): boolean {
    if (c instanceof CellError) {
      this.fail(key, `the cell holds the error value ${c.text}`);
      return true;
    }
    return false;
  }

  /** Trimmed text ('' when empty or absent). */
  str(key: Columns<K>): string {
    const c = this.cell(key);
    if (this.errorCell(key, c)) return '';
    return cellText(c).trim();
  }

  /** Text as in the cell (numbers rendered without decimals when integral). */
  verbatim(key: Columns<K>): string {
    const c = this.cell(key);
    if (this.errorCell(key, c)) return '';
    return cellText(c);
  }

  /** Non-empty trimmed text of a required key column. */
  key(key: Columns<K>, what: string): string {
    const s = this.str(key);
    if (s === '' && !(this.cell(key) instanceof CellError)) this.fail(key, `empty ${what}`);
    else if (what === 'tag' && s !== '' && tagProblem(s)) this.fail(key, tagProblem(s)!); // one tag grammar (lib/project/tag.ts)
    return s;
  }

  num(key: Columns<K>): number | null {
    const c = this.cell(key);
    if (this.errorCell(key, c) || isEmpty(c)) return null;
    const n = toNumber(c);
    if (n === null) this.fail(key, `not a number: ${JSON.stringify(cellText(c).slice(0, 40))}`);
    return n;
  }

  reqNum(key: Columns<K>, what: string): number {
    if (isEmpty(this.cell(key))) {
      this.fail(key, `empty ${what}`);
      return NaN;
    }
    return this.num(key) ?? NaN;
  }

  int(key: Columns<K>, o: IntOpts = {}): number | null {
    const n = this.num(key);
    if (n === null) return null;
    if (!Number.isInteger(n)) {
      this.fail(key, `not an integer: ${n}`);
      return null;
    }
    if ((o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) {
      this.fail(key, `${n} is out of range ${o.min ?? '-∞'}..${o.max ?? '∞'}`);
      return null;
    }
    return n;
  }

  reqInt(key: Columns<K>, what: string, o: IntOpts = {}): number {
    if (isEmpty(this.cell(key)) && !(this.cell(key) instanceof CellError)) {
      this.fail(key, `empty ${what}`);
      return NaN;
    }
    return this.int(key, o) ?? NaN;
  }

  bool(key: Columns<K>, dflt: boolean): boolean {
    const c = this.cell(key);
    if (this.errorCell(key, c) || isEmpty(c)) return dflt;
    if (typeof c === 'boolean') return c;
    if (typeof c === 'number') {
      if (c === 0 || c === 1) return c === 1;
    } else {
      const s = cellText(c).trim().toLowerCase();
      if (['1', 'true', 'yes', 'si', 'sí', 'y', 's', 'verdadero'].includes(s)) return true;
      if (['0', 'false', 'no', 'n', 'falso'].includes(s)) return false;
    }
    this.fail(key, `not a yes/no value (1/0, true/false): ${JSON.stringify(cellText(c).slice(0, 40))}`);
    return dflt;
  }
}

/** A number from a cell: numbers as they are, numeric text (also with a decimal comma), booleans as 1/0. */
export function toNumber(c: Cell): number | null {
  if (typeof c === 'number') return Number.isFinite(c) ? c : null;
  if (typeof c === 'boolean') return c ? 1 : 0;
  if (typeof c !== 'string') return null;
  let s = c.trim();
  if (/^[+-]?\d+,\d+$/.test(s)) s = s.replace(',', '.');
  if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i.test(s)) return null; // linear: \d+\.?\d* backtracked quadratically
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** `rojo` → `Rojo` (Python's str.title(), as the original stored colour names). */
export function titleCase(s: string): string {
  return s.toLowerCase().replace(/(^|[^\p{L}])(\p{L})/gu, (_m, a: string, b: string) => a + b.toUpperCase());
}

/** Screen file names are relative names inside the project's folder: no absolute paths, no `..`. */
function unsafePath(p: string): boolean {
  return /^([a-zA-Z]:|[\\/])/.test(p) || p.split(/[\\/]/).includes('..') || p.includes('\0');
}

export interface BuildInput {
  kind: SheetKind;
  set: RowSet;
}

/** What the sheet readers share: the model so far, the problem list, and what earlier sheets defined. */
class Build {
  readonly model = emptyModel();
  readonly comasters = new Map<string, Comaster>();
  readonly devices = new Map<string, Device>();
  readonly screens = new Map<string, Screen>();
  readonly elements = new Map<string, Element>();

  constructor(
    readonly byKind: ReadonlyMap<SheetKind, RowSet>,
    readonly problems: Problem[],
  ) {}

  /** The sheet of this kind, or null when it is missing or lacks a required column (a problem says which). */
  open<K extends SheetKind>(kind: K): Sheet<K> | null {
    const set = this.byKind.get(kind);
    if (!set) return null;
    const s = new Sheet(kind, set, this.problems);
    return s.checkRequired() ? s : null;
  }

  /** Records a row's problems and warnings; true when the row is imported. */
  accept<K extends SheetKind>(r: Row<K>): boolean {
    this.problems.push(...r.problems, ...r.warnings);
    return r.ok;
  }
}

/**
 * Builds the model from the sheets given (one per kind; later duplicates are the caller's problem), one sheet
 * after the other in the load order of docs/workbook.md §7.2: each may refer only to what came before it.
 */
export function buildModel(inputs: readonly BuildInput[], problems: Problem[]): ProjectModel {
  const byKind = new Map<SheetKind, RowSet>();
  for (const { kind, set } of inputs) if (!byKind.has(kind)) byKind.set(kind, set);
  const b = new Build(byKind, problems);
  readComasters(b);
  readIeds(b);
  const dis = readDi(b);
  const ais = readAi(b);
  const svs = readVarsys(b);
  b.model.points.push(...dis, ...ais, ...svs);
  readComEvents(b);
  readEventTexts(b);
  readScreens(b);
  readElements(b);
  readFormulas(b);
  readColours(b);
  return b.model;
}

/** Sheet comaster: the COMasters, by id. */
function readComasters(b: Build): void {
  const cm = b.open('comaster');
  if (cm)
    for (const r of cm.rows()) {
      const id = r.key('id', 'id');
      const host = r.key('host', 'address');
      const port = r.reqInt('port', 'port', { min: 1, max: 65535 });
      const enabled = r.bool('enabled', true);
      if (id && b.comasters.has(id)) r.fail('id', `COMaster id ${id} already defined in row ${b.comasters.get(id)!.row}`);
      if (!b.accept(r)) continue;
      const c: Comaster = { id, host, port, enabled, row: r.row };
      b.comasters.set(id, c);
      b.model.comasters.push(c);
    }
}

/** Sheet ied: the IEDs of each COMaster, their RS-485 addresses, offsets and block sizes. */
function readIeds(b: Build): void {
  const devAt = new Map<string, number>();
  const ied = b.open('ied');
  if (ied) {
    const byAddr = new Map<string, number>();
    const byOffset = new Map<string, number>();
    for (const r of ied.rows()) {
      const id = r.key('id', 'id');
      const comaster = r.key('comaster', 'COMaster id');
      const offset = r.reqInt('offset', 'offset', { min: 0 });
      const svCount = r.reqInt('svCount', 'SV byte count', { min: 0, max: 245 });
      const diCount = r.reqInt('diCount', 'DI byte count', { min: 0, max: 245 });
      const aiCount = r.reqInt('aiCount', 'AI word count', { min: 0, max: 122 });
      const address = r.reqInt('address', 'RS-485 address', { min: 0, max: 254 });
      if (id && b.devices.has(id)) r.fail('id', `IED id ${id} already defined in row ${devAt.get(id)}`);
      if (comaster && !b.comasters.has(comaster)) r.fail('comaster', `unknown COMaster ${comaster}`);
      if (r.ok) {
        const a = byAddr.get(`${comaster}\u0000${address}`);
        if (a !== undefined) r.fail('address', `RS-485 address ${address} already used on COMaster ${comaster} in row ${a}`);
        const o = byOffset.get(`${comaster}\u0000${offset}`);
        if (o !== undefined) r.fail('offset', `offset ${offset} already used on COMaster ${comaster} in row ${o}`);
      }
      if (!b.accept(r)) continue;
      byAddr.set(`${comaster}\u0000${address}`, r.at);
      byOffset.set(`${comaster}\u0000${offset}`, r.at);
      const d: Device = { id, comaster, offset, address, svCount, diCount, aiCount, row: r.row };
      b.devices.set(id, d);
      devAt.set(id, r.at);
      b.model.devices.push(d);
    }
  }
}

/** The device of a point row, its COMaster checked against an explicit comaster column. */
function deviceOf<K extends 'di' | 'ai' | 'varsys'>(b: Build, r: Row<K>): Device | null {
  const id = r.key('device' as Columns<K>, 'IED id');
  if (!id) return null;
  const d = b.devices.get(id);
  if (!d) {
    r.fail('device' as Columns<K>, `unknown IED ${id}`);
    return null;
  }
  const cmId = r.str('comaster' as Columns<K>);
  if (cmId && cmId !== d.comaster) r.fail('comaster' as Columns<K>, `IED ${id} belongs to COMaster ${d.comaster}, not ${cmId}`);
  return d;
}

/** Sheet di: digital inputs by port and bit. */
function readDi(b: Build): DiPoint[] {
  const dis: DiPoint[] = [];
  // A row without a tag is a reserve input: the original counted it in the DI bit order (docs/protocol.md §8.1), so it is
  // kept, untagged, to hold its bit; dropping it would shift every later DI of the block by one.
  const di = b.open('di');
  if (di) {
    const tags = new Map<string, number>();
    const pos = new Map<string, number>();
    for (const r of di.rows()) {
      const tag = r.str('tag');
      const d = deviceOf(b, r);
      const offset = r.reqInt('offset', 'offset', { min: 0 });
      const port = r.reqInt('port', 'port', { min: 0, max: 255 });
      const bit = r.reqInt('bit', 'bit', { min: 0, max: 15 });
      const maskinv = r.int('maskinv', { min: 0, max: 1 }) ?? 0;
      const tipo = r.int('tipo', { min: 0, max: 2 }) ?? 0;
      const textId = r.int('textId', { min: 0 });
      const description = r.str('description');
      if (d && r.ok) {
        const n = port * 16 + bit;
        if (n >= d.diCount * 8)
          r.fail('port', `port ${port} bit ${bit} is input ${n}, outside IED ${d.id}'s DI block (can_dis ${d.diCount} bytes = ${d.diCount * 8} inputs)`);
        const k = `${d.id}\u0000${n}`;
        if (pos.has(k)) r.fail('bit', `port ${port} bit ${bit} of IED ${d.id} already used in row ${pos.get(k)}`);
      }
      // a tag used twice: the row keeps its bit as a reserve (the first row keeps the tag)
      const dup = tag !== '' && tags.has(tag);
      if (dup && r.ok) r.warn('tag', `tag ${tag} already used in row ${tags.get(tag)} of this sheet (that row keeps it): this row holds its bit as a reserve`);
      if (!b.accept(r) || !d) continue;
      if (tag && !dup) tags.set(tag, r.at);
      pos.set(`${d.id}\u0000${port * 16 + bit}`, r.at);
      dis.push({ tag: dup ? '' : tag, table: 'di', device: d.id, comaster: d.comaster, offset, description, port, bit, maskinv, tipo, textId, row: r.row });
    }
  }
  return dis;
}

/** Sheet ai: analogue inputs by word offset, with their scaling. */
function readAi(b: Build): AiPoint[] {
  const ais: AiPoint[] = [];
  const ai = b.open('ai');
  if (ai) {
    const tags = new Map<string, number>();
    const offsets = new Map<string, number>();
    const at = new Map<AiPoint, Row<'ai'>>();
    for (const r of ai.rows()) {
      // an untagged row is a reserve word (kept in the AI order like a reserve DI); it needs no escala
      const tag = r.str('tag');
      const d = deviceOf(b, r);
      const offset = r.reqInt('offset', 'offset', { min: 0 });
      const channel = r.int('channel', { min: 0, max: 255 }) ?? 0;
      const unit = r.str('unit');
      const escala = tag === '' ? (r.num('escala') ?? 1) : r.reqNum('escala', 'escala');
      const escalaE = r.num('escalaE');
      const multipAsm = r.num('multipAsm');
      const divider = r.num('divider');
      const relTv = r.num('relTv');
      const relTi = r.num('relTi');
      const pesoP = r.num('pesoP');
      const description = r.str('description');
      if (d && r.ok && offsets.has(`${d.id}\u0000${offset}`))
        r.fail('offset', `offset ${offset} of IED ${d.id} already used in row ${offsets.get(`${d.id}\u0000${offset}`)}`);
      const dup = tag !== '' && tags.has(tag);
      if (dup && r.ok) r.warn('tag', `tag ${tag} already used in row ${tags.get(tag)} of this sheet (that row keeps it): this row holds its word as a reserve`);
      if (!b.accept(r) || !d) continue;
      if (tag && !dup) tags.set(tag, r.at);
      offsets.set(`${d.id}\u0000${offset}`, r.at);
      const p: AiPoint = {
        tag: dup ? '' : tag,
        table: 'ai',
        device: d.id,
        comaster: d.comaster,
        offset,
        description,
        channel,
        unit,
        escala,
        escalaE,
        multipAsm,
        divider,
        relTv,
        relTi,
        pesoP,
        row: r.row,
      };
      ais.push(p);
      at.set(p, r);
    }
    // more AIs than the IED sends words: the extra ones (highest offsets) can never get a value
    const per = new Map<string, AiPoint[]>();
    for (const p of ais) {
      const l = per.get(p.device);
      if (l) l.push(p);
      else per.set(p.device, [p]);
    }
    const drop = new Set<AiPoint>();
    for (const [dev, list] of per) {
      const d = b.devices.get(dev)!;
      if (list.length <= d.aiCount) continue;
      const sorted = list.slice().sort((a, b) => a.offset - b.offset);
      for (const p of sorted.slice(d.aiCount)) {
        const r = at.get(p)!;
        r.fail('offset', `IED ${dev} sends ${d.aiCount} AI words (can_ais): AI ${p.tag} at offset ${p.offset} is beyond them`);
        b.problems.push(...r.problems);
        drop.add(p);
      }
    }
    if (drop.size) ais.splice(0, ais.length, ...ais.filter((p) => !drop.has(p)));
  }
  return ais;
}

/** Sheet varsys: the system variables each IED reports. */
function readVarsys(b: Build): SvPoint[] {
  const svs: SvPoint[] = [];
  const sv = b.open('varsys');
  if (sv) {
    // SV names are generic (BOR, POR, ComErrorH…) and repeat in every IED: they are scoped per IED, only a name
    // used twice inside one IED is a problem. A row without tag and param is a reserve byte (keeps its place).
    const names = new Map<string, number>();
    for (const r of sv.rows()) {
      const d = deviceOf(b, r);
      const offset = r.reqInt('offset', 'offset', { min: 0 });
      const bit = r.int('bit', { min: 0, max: 7 });
      const param = r.str('param');
      const description = r.str('description');
      const tag = r.str('tag') || param;
      if (tag && tagProblem(tag)) r.fail(r.str('tag') ? 'tag' : 'param', tagProblem(tag)!);
      const k = d ? `${d.id}\u0000${tag}` : '';
      if (tag && d && r.ok && names.has(k))
        r.warn(
          r.has('tag') && r.str('tag') ? 'tag' : 'param',
          `${tag} already names a system variable of IED ${d.id} in row ${names.get(k)}: both are read, by name only the first`,
        );
      if (!b.accept(r) || !d) continue;
      if (tag && !names.has(k)) names.set(k, r.at);
      svs.push({ tag, table: 'sv', device: d.id, comaster: d.comaster, offset, description, bit, param, row: r.row });
    }
  }
  return svs;
}

/** Sheet com: the COMSYS event codes. */
function readComEvents(b: Build): void {
  const com = b.open('com');
  if (com) {
    const list: ComEvent[] = [];
    const codes = new Map<number, number>();
    for (const r of com.rows()) {
      const code = r.reqInt('code', 'code', { min: 0 });
      const description = r.str('description');
      const textId = r.int('textId', { min: 0 });
      const pesoaccion = r.int('pesoaccion', { min: 0 });
      if (r.ok && codes.has(code)) r.fail('code', `code ${code} already defined in row ${codes.get(code)}`);
      if (!b.accept(r)) continue;
      codes.set(code, r.at);
      list.push({ code, description, textId, pesoaccion, row: r.row });
    }
    b.model.comEvents = list;
  }
}

/** Sheet textoevtipo: the texts of event values. */
function readEventTexts(b: Build): void {
  const tx = b.open('textoevtipo');
  if (tx) {
    const seen = new Map<string, number>();
    for (const r of tx.rows()) {
      const textId = r.reqInt('textId', 'text id', { min: 0 });
      const value = r.reqInt('value', 'value', { min: 0 });
      const text = r.str('text');
      const k = `${textId}\u0000${value}`;
      if (r.ok && seen.has(k)) r.fail('value', `text ${textId} value ${value} already defined in row ${seen.get(k)}`);
      if (!b.accept(r)) continue;
      seen.set(k, r.at);
      const t: EventText = { textId, value, text, row: r.row };
      b.model.eventTexts.push(t);
    }
  }
}

/** Sheet screens: the screens, their drawings (files in the workbook's folder), prefixes and parents. */
function readScreens(b: Build): void {
  const sc = b.open('screens');
  if (sc) {
    const prefixes = new Map<string, number>();
    const rowOf = new Map<string, number>();
    for (const r of sc.rows()) {
      const file = r.key('file', 'path');
      const name = r.key('name', 'name');
      const description = r.str('description');
      const prefix = r.str('prefix');
      const parentName = r.str('parent');
      if (file && unsafePath(file))
        r.fail('file', `path ${JSON.stringify(file)} must be a file name relative to the workbook's folder (no absolute path, no ..)`);
      if (name && b.screens.has(name)) r.fail('name', `screen ${name} already defined in row ${rowOf.get(name)}`);
      if (prefix && prefixes.has(prefix)) r.fail('prefix', `prefix ${prefix} already used by the screen in row ${prefixes.get(prefix)}`);
      if (parentName && !b.screens.has(parentName)) r.fail('parent', `parent ${parentName} is not a screen defined in an earlier row`);
      if (!b.accept(r)) continue;
      if (prefix) prefixes.set(prefix, r.at);
      rowOf.set(name, r.at);
      const s: Screen = { name, file, description, prefix, parent: parentName || null, row: r.row };
      b.screens.set(name, s);
      b.model.screens.push(s);
    }
  }
}

/** A screen by its name, or by the only one whose name differs just in case. */
function screenByName(b: Build, name: string): Screen | null {
  const s = b.screens.get(name);
  if (s) return s;
  const lower = name.toLowerCase();
  const m = b.model.screens.filter((x) => x.name.toLowerCase() === lower);
  return m.length === 1 ? m[0] : null;
}

/** The screen with the longest prefix that starts `tag`. */
function screenByPrefix(b: Build, tag: string): Screen | null {
  let best: Screen | null = null;
  for (const s of b.model.screens) if (s.prefix && tag.startsWith(s.prefix) && (!best || s.prefix.length > best.prefix.length)) best = s;
  return best;
}

/** Sheet eg: the graphic elements, their screen, clicks, toggles and linked texts. */
function readElements(b: Build): void {
  const eg = b.open('eg');
  const haveScreens = b.byKind.has('screens');
  if (eg) {
    const rows = new Map<Element, Row<'eg'>>();
    for (const r of eg.rows()) {
      const tag = r.key('tag', 'tag');
      const description = r.str('description');
      const text = r.verbatim('text');
      const fill = r.int('fill', { min: 0 });
      const stroke = r.int('stroke', { min: 0 });
      const mark = r.int('mark', { min: 0, max: 15 });
      const disabled = r.bool('disabled', false);
      const explicit = r.str('screen');
      const jump = r.str('onClickJump');
      const toggle = r.str('onClickTextToggle');
      const linked = r
        .str('linkedTextChange')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      if (tag && b.elements.has(tag)) r.fail('tag', `tag ${tag} already used in row ${rows.get(b.elements.get(tag)!)!.at} of this sheet (that row is kept)`);
      // Screen (docs/screens.md §6.1): an explicit screen column wins when it names a screen; otherwise (empty, or a name
      // such as GENERAL that is no screen) the longest screen prefix of the tag. The element is never dropped for
      // its screen: the screen only decides where it is listed; it is bound wherever a drawing carries its tag.
      let screen = '';
      const byPrefix = tag && haveScreens ? screenByPrefix(b, tag) : null;
      const listed = byPrefix
        ? `listed under screen ${byPrefix.name} (longest prefix ${byPrefix.prefix})`
        : 'no screen prefix starts the tag, listed under no screen';
      if (explicit) {
        const s = screenByName(b, explicit);
        if (s) screen = s.name;
        else {
          screen = byPrefix?.name ?? '';
          r.warn('screen', `unknown screen ${explicit}: element kept, bound wherever a drawing has tag ${tag}; ${listed}`);
        }
      } else if (tag && haveScreens) {
        screen = byPrefix?.name ?? '';
        if (!byPrefix) r.warn('screen', `no screen for ${tag}: the screen column is empty and ${listed}; the element is bound wherever a drawing has its tag`);
      }
      let onClickJump: string | null = null;
      if (jump) {
        const s = screenByName(b, jump);
        if (s) onClickJump = s.name;
        else r.warn('onClickJump', `unknown screen ${jump}: the click does not jump (element kept)`);
      }
      // one grammar with the screen (lib/hmi/toggle.ts): a toggle the screen cannot use is reported here
      const toggleOk = !toggle || parseToggle(toggle) !== null;
      if (!toggleOk)
        r.warn(
          'onClickTextToggle',
          `toggle ${JSON.stringify(toggle)} is not two different options "KEY (label), KEY (label)" (KEY letters, digits or _; a label, when written, letters, digits and spaces, not empty): the screen has no toggle for ${tag} (element kept)`,
        );
      if (!b.accept(r)) continue;
      const e: Element = {
        tag,
        description,
        text,
        fill,
        stroke,
        mark,
        screen,
        disabled,
        onClickJump,
        onClickTextToggle: toggle && toggleOk ? toggle : null,
        linkedTextChange: linked,
        row: r.row,
      };
      b.elements.set(tag, e);
      rows.set(e, r);
    }
    // linked texts: other b.elements of the same screen. A bad link is left out with a warning; the element stays.
    for (const [tag, e] of b.elements) {
      const links = e.linkedTextChange ?? [];
      const bad = links.filter((t) => t === tag || b.elements.get(t)?.screen !== e.screen);
      if (!bad.length) continue;
      const r = rows.get(e)!;
      for (const t of bad)
        r.warn(
          'linkedTextChange',
          (t === tag
            ? `${tag} links to itself`
            : b.elements.has(t)
              ? `linked tag ${t} is on screen ${b.elements.get(t)!.screen || '(none)'}, not ${e.screen || '(none)'}`
              : `linked tag ${t} is not an element`) + ': that link is left out',
        );
      b.problems.push(...r.warnings.slice(-bad.length));
      e.linkedTextChange = links.filter((t) => !bad.includes(t));
    }
    b.model.elements.push(...b.elements.values());
  }
}

/** Sheet formulas: one formula per element attribute. */
function readFormulas(b: Build): void {
  const fo = b.open('formulas');
  if (fo) {
    const seen = new Map<string, number>();
    for (const r of fo.rows()) {
      const attrText = r.str('attr');
      const text = r.str('text');
      if (!attrText || !text) continue; // docs/workbook.md §7.3: rows without a formula or an attribute are skipped
      const tag = r.key('tag', 'tag');
      const attr = attrText.toLowerCase() as ElementAttr;
      if (!ATTRS.includes(attr)) r.fail('attr', `attribute ${JSON.stringify(attrText)} is not one of text, fill, stroke`);
      if (tag && !b.elements.has(tag)) r.fail('tag', `no element ${tag} in sheet eg: formula not imported`);
      const k = `${tag}\u0000${attr}`;
      if (r.ok && seen.has(k)) r.fail('attr', `${tag}.${attr} already has a formula in row ${seen.get(k)} (that one is kept)`);
      if (!b.accept(r)) continue;
      seen.set(k, r.at);
      const f: FormulaRow = { tag, attr, text, row: r.row };
      b.model.formulas.push(f);
    }
  }
}

/** Sheet color: the colour table (index → name, CSS colour). */
function readColours(b: Build): void {
  const co = b.open('color');
  if (co) {
    const seen = new Map<number, number>();
    for (const r of co.rows()) {
      const index = r.reqInt('index', 'colour index', { min: 0 });
      const name = titleCase(r.key('name', 'colour name'));
      const description = r.str('description');
      let css: string | null = null;
      const explicit = r.str('css');
      if (explicit) {
        const m = /^#?([0-9a-f]{6})$/i.exec(explicit);
        if (m) css = '#' + m[1].toLowerCase();
        else r.fail('css', `not a #rrggbb colour: ${JSON.stringify(explicit.slice(0, 40))}`);
      } else {
        const f = r.fill('name');
        css = f && /^#[0-9a-f]{6}$/.test(f) ? f : null;
      }
      if (r.ok && seen.has(index)) r.fail('index', `colour index ${index} already defined in row ${seen.get(index)}`);
      if (!b.accept(r)) continue;
      seen.set(index, r.at);
      const c: Colour = { index, name, css, description, row: r.row };
      b.model.colours.push(c);
    }
  }
}
