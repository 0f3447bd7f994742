/**
 * One installation: its model (plain data, docs/workbook.md §7), its import from .xlsx/.xls/JSON/CSV workbooks
 * (`load`), the tag grammar, and the project's complete problem list. No Node-RED import.
 */
export { load, loadJson, fromJson, loadCsv, loadRows, emptyModel, CellError, normaliseLabels, parseCsv } from './workbook';
export type { LoadOptions, LoadResult, RowSet, Cell } from './workbook';
export type {
  PointTable,
  ElementAttr,
  Comaster,
  Device,
  PointBase,
  DiPoint,
  AiPoint,
  SvPoint,
  Point,
  Element,
  FormulaRow,
  Screen,
  Colour,
  EventText,
  ComEvent,
  ProjectModel,
  Problem,
} from './model';
export { MAX_TAG_LENGTH, tagProblem, isTag } from './tag';
export { projectProblems, checkFormulas, runtimeFailures } from './problems';
export type { ProblemSource, ProjectProblem, RuntimeFailure, ProblemCounts, ProblemList, FormulaCheck, ProjectProblemsInput } from './problems';
export { checkScreenFiles } from './screen-check';
