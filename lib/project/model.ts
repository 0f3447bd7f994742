/**
 * One installation as its workbook describes it (docs/workbook.md §7): COMasters, IEDs, points, graphic
 * elements, formulas, screens, colours and event texts. Plain data (JSON-serialisable), no methods:
 * it crosses a worker boundary and is stored in flows. `row` is the 1-based workbook row it came from.
 */
export type PointTable = 'di' | 'ai' | 'sv';
export type ElementAttr = 'text' | 'fill' | 'stroke';

export interface Comaster {
  id: string;
  host: string;
  port: number;
  enabled: boolean;
  row: number;
}

/** An IED (remote unit), or the COMaster's own inputs (address 1). */
export interface Device {
  id: string;
  comaster: string;
  /** Position of its blocks in the COMaster's reply (IED order, docs/screens.md §5.2). */
  offset: number;
  /** RS-485 address: events name their IED by it (docs/screens.md §5.5). */
  address: number;
  /** Bytes / words this IED contributes to the reply blocks (can_varsys, can_dis, can_ais). */
  svCount: number;
  diCount: number;
  aiCount: number;
  row: number;
}

export interface PointBase {
  /** '' for a reserve row (no tag): it keeps its position in the reply order (docs/protocol.md §8.1) and maps nothing. */
  tag: string;
  table: PointTable;
  /** Device id. */
  device: string;
  comaster: string;
  /** Ordering key inside its device's block (not a calibration offset, docs/protocol.md §8.2). */
  offset: number;
  description: string;
  row: number;
}
export interface DiPoint extends PointBase {
  table: 'di';
  port: number;
  bit: number;
  /** 0/1: the stored value is bit XOR maskinv (docs/protocol.md §8.1). */
  maskinv: number;
  /** Event behaviour: 0 protection, 1 alarm, 2 breaker (docs/screens.md §6.3). */
  tipo: number;
  /** Key of the state texts in `eventTexts`. */
  textId: number | null;
}
export interface AiPoint extends PointBase {
  table: 'ai';
  /** Energy channel of the IED: 0 active, 1 reactive. */
  channel: number;
  unit: string;
  /** Engineering value = raw × escala. */
  escala: number;
  /** Energy value = pulses × escalaE. */
  escalaE: number | null;
  /** Scale factors escala is computed from (sheet columns multip_asm, divider, RelTV, RelTI, peso_p / Rel33-13; docs/protocol.md §8.2). */
  multipAsm?: number | null;
  divider?: number | null;
  relTv?: number | null;
  relTi?: number | null;
  pesoP?: number | null;
}
export interface SvPoint extends PointBase {
  table: 'sv';
  bit: number | null;
  param: string;
}
export type Point = DiPoint | AiPoint | SvPoint;

export interface Element {
  tag: string;
  description: string;
  text: string;
  fill: number | null;
  stroke: number | null;
  mark: number | null;
  /** Screen name. */
  screen: string;
  disabled: boolean;
  onClickJump?: string | null;
  onClickTextToggle?: string | null;
  linkedTextChange?: string[];
  row: number;
}

export interface FormulaRow {
  tag: string;
  attr: ElementAttr;
  text: string;
  row: number;
}

export interface Screen {
  name: string;
  file: string;
  description: string;
  prefix: string;
  parent: string | null;
  row: number;
}

export interface Colour {
  index: number;
  name: string;
  /** `#rrggbb`, from the cell's background fill (docs/workbook.md §7.9), or null when the cell has none. */
  css: string | null;
  description: string;
  row?: number;
}

/** State text of a DI event: `textId` + value → text (sheet textoevtipo, docs/screens.md §6.3). */
export interface EventText {
  textId: number;
  value: number;
  text: string;
  row?: number;
}

/** A communication event kind (sheet com, docs/workbook.md §7.7). */
export interface ComEvent {
  code: number;
  description: string;
  /** Key of the state texts in `eventTexts`. */
  textId: number | null;
  pesoaccion: number | null;
  row: number;
}

export interface ProjectModel {
  comasters: Comaster[];
  devices: Device[];
  points: Point[];
  elements: Element[];
  formulas: FormulaRow[];
  screens: Screen[];
  colours: Colour[];
  eventTexts: EventText[];
  /** Sheet com, when the workbook has one. */
  comEvents?: ComEvent[];
}

/** Something wrong in the workbook: where (1-based row, column label or letter) and what. */
export interface Problem {
  sheet: string;
  row: number | null;
  column: string | null;
  message: string;
  /**
   * 'error': the row (or sheet, or file) was left out; 'warning': it was imported as the message says, the
   * integrator should still look. Absent = 'error' (problems made before severities existed).
   */
  severity?: 'error' | 'warning';
}

export function emptyModel(): ProjectModel {
  return { comasters: [], devices: [], points: [], elements: [], formulas: [], screens: [], colours: [], eventTexts: [] };
}
