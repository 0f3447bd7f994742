/**
 * The sheets of a Mara workbook and their columns (docs/workbook.md §7): for each column the normalised labels that
 * name it, the canonical one first, then the aliases of older workbooks (docs/workbook.md §7.1, docs/workbook.md §7.4, docs/workbook.md §7.9) and the field names
 * of the JSON model (lower-cased, since the JSON form goes through the same label normalisation).
 */

export type SheetKind = 'comaster' | 'ied' | 'di' | 'ai' | 'varsys' | 'com' | 'textoevtipo' | 'screens' | 'eg' | 'formulas' | 'color';

/** Load order of docs/workbook.md §7.2: each sheet may refer to the ones before it. */
export const SHEET_ORDER: readonly SheetKind[] = ['comaster', 'ied', 'di', 'ai', 'varsys', 'com', 'textoevtipo', 'screens', 'eg', 'formulas', 'color'];

/** Sheet names (lower-case) that name each kind. */
export const SHEET_NAMES: ReadonlyMap<string, SheetKind> = new Map<string, SheetKind>([
  ['comaster', 'comaster'],
  ['ied', 'ied'],
  ['di', 'di'],
  ['ai', 'ai'],
  ['varsys', 'varsys'],
  ['com', 'com'],
  ['textoevtipo', 'textoevtipo'],
  ['screens', 'screens'],
  ['eg', 'eg'],
  ['formulas', 'formulas'],
  ['color', 'color'],
]);

export interface ColumnDef {
  /** Normalised labels naming the column, canonical first. */
  names: readonly string[];
  required?: boolean;
}

function col(required: boolean, ...names: string[]): ColumnDef {
  return { names, required };
}

/** Columns read per sheet. Unknown extra columns are ignored (docs/workbook.md §7.1). */
export const COLUMNS = {
  comaster: {
    id: col(true, 'id'),
    host: col(true, 'ip_address', 'ip', 'host', 'address'),
    port: col(true, 'port'),
    enabled: col(false, 'enabled'),
  },
  ied: {
    id: col(true, 'id'),
    comaster: col(true, 'comaster_id', 'comaster'),
    offset: col(true, 'offset'),
    svCount: col(true, 'can_varsys', 'svcount'),
    diCount: col(true, 'can_dis', 'dicount'),
    aiCount: col(true, 'can_ais', 'aicount'),
    address: col(true, 'rs485_address', 'address'),
  },
  di: {
    device: col(true, 'ied_id', 'ied', 'device'),
    comaster: col(false, 'comaster_id', 'comaster'),
    offset: col(true, 'offset'),
    port: col(true, 'port'),
    bit: col(true, 'bit'),
    tag: col(true, 'tag'),
    description: col(false, 'description'),
    maskinv: col(false, 'maskinv'),
    tipo: col(false, 'tipodi', 'tipo'),
    textId: col(false, 'idtextoev2', 'textid'),
  },
  ai: {
    device: col(true, 'ied_id', 'ied', 'device'),
    comaster: col(false, 'comaster_id', 'comaster'),
    offset: col(true, 'offset'),
    channel: col(false, 'channel'),
    description: col(false, 'description'),
    tag: col(true, 'tag'),
    unit: col(false, 'unit'),
    multipAsm: col(false, 'multip_asm', 'multipasm'),
    divider: col(false, 'divider'),
    relTv: col(false, 'reltv', 'rel_tv'),
    relTi: col(false, 'relti', 'rel_ti'),
    pesoP: col(false, 'peso_p', 'rel33_13', 'pesop'),
    escala: col(true, 'escala'),
    escalaE: col(false, 'escala_e', 'esce', 'escalae'),
  },
  varsys: {
    device: col(true, 'ied_id', 'ied', 'device'),
    comaster: col(false, 'comaster_id', 'comaster'),
    offset: col(true, 'offset'),
    bit: col(false, 'bit'),
    param: col(false, 'param'),
    description: col(false, 'description'),
    tag: col(false, 'tag'),
  },
  com: {
    code: col(true, 'code'),
    description: col(false, 'description'),
    textId: col(false, 'idtextoev2', 'textid'),
    pesoaccion: col(false, 'pesoaccion'),
  },
  textoevtipo: {
    textId: col(true, 'idtextoev2', 'textid'),
    value: col(true, 'value'),
    text: col(true, 'textoev2', 'text'),
  },
  screens: {
    file: col(true, 'path', 'file', 'svg'),
    name: col(true, 'name'),
    description: col(false, 'description'),
    prefix: col(false, 'prefix'),
    parent: col(false, 'parent'),
  },
  eg: {
    tag: col(true, 'tag'),
    description: col(false, 'description'),
    text: col(false, 'text'),
    fill: col(false, 'fill', 'colbak'),
    stroke: col(false, 'stroke'),
    mark: col(false, 'mark'),
    screen: col(false, 'screen'),
    disabled: col(false, 'disabled'),
    onClickJump: col(false, 'on_click_jump', 'onclickjump'),
    onClickTextToggle: col(false, 'on_click_text_toggle', 'onclicktexttoggle'),
    linkedTextChange: col(false, 'linked_text_change', 'linkedtextchange'),
  },
  formulas: {
    tag: col(true, 'tag'),
    attr: col(true, 'atributo', 'attribute', 'attr'),
    text: col(true, 'formula', 'text'),
  },
  color: {
    index: col(true, 'id_col', 'index'),
    name: col(true, 'color', 'colbak', 'name'),
    description: col(false, 'description'),
    css: col(false, 'css', 'rgb'),
  },
} as const satisfies Record<SheetKind, Record<string, ColumnDef>>;

export type Columns<K extends SheetKind> = keyof (typeof COLUMNS)[K] & string;
