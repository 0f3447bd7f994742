/**
 * node-red-contrib-mara as a library: `const mara = require('node-red-contrib-mara')`.
 * - the codec at the top level (`mara.decodeFrame`) and as `mara.mara`;
 * - `mara.link`: transports, the line master, the device simulator;
 * - `mara.formula`: the HMI formula language (`formula.compile`) and its incremental engine;
 * - `mara.workbook`: installations from .xlsx/.xls/JSON/CSV workbooks (`workbook.load`);
 * - `mara.points`: replies → named points with quality (`PointMapper`);
 * - `mara.hmi`: SVG screens (`hmi.sanitizeSvg`, `hmi.indexScreen`) and display helpers.
 */
import * as formulaLang from './formula';
import { FormulaEngine, normalise } from './formula/engine';
import * as hmi from './hmi';
import * as link from './link';
import * as mara from './mara';
import { PointMapper } from './points/mapping';
import * as model from './project/model';
import * as workbook from './project/workbook';
import { LineMapper, comasterChoices, pickComaster } from './points/line-mapper';
import { checkFormulas, projectProblems, runtimeFailures } from './project/problems';
import { checkScreenFiles } from './project/screen-check';

export * from './mara';

/** The formula language plus the engine that runs a whole installation's formulas. */
export const formula = { ...formulaLang, FormulaEngine, normalise };
export const points = {
  PointMapper, emptyModel: model.emptyModel,
  LineMapper, pickComaster, comasterChoices, projectProblems, checkFormulas, runtimeFailures, checkScreenFiles,
};
export { mara, link, hmi, workbook };
