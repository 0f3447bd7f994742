/**
 * node-red-contrib-mara as a library: `const mara = require('node-red-contrib-mara')`.
 * - the codec at the top level (`mara.decodeFrame`) and as `mara.mara`;
 * - `mara.link`: transports, the line master (and, as before, the device simulator);
 * - `mara.sim`: the device simulator (SimDevice, MaraSimulator, startActivity);
 * - `mara.formula`: the HMI formula language (`formula.compile`) and its incremental engine (`formula.FormulaEngine`);
 * - `mara.project`: an installation's model, its import from workbooks (`project.load`) and its problem list;
 * - `mara.workbook`: workbook import as before (`workbook.load`, same as `project.load`);
 * - `mara.points`: replies → named points with quality (`PointMapper`);
 * - `mara.svg`: the XML parser, the SVG sanitiser and its CSS filter (`svg.sanitizeSvg`);
 * - `mara.hmi`: SVG screens (`hmi.sanitizeSvg`, `hmi.indexScreen`), screen state and display helpers;
 * - `mara.journal`: the durable event journal (`journal.openJournal`, the line's write-ahead store, alarms).
 */
import * as formula from './formula';
import * as hmi from './hmi';
import * as journal from './journal';
import * as link from './link';
import * as mara from './mara';
import * as project from './project';
import * as sim from './sim';
import * as svg from './svg';
import { PointMapper } from './points/mapping';
import * as model from './project/model';
import * as workbook from './project/workbook';
import { LineMapper, comasterChoices, pickComaster } from './points/line-mapper';
import { checkFormulas, projectProblems, runtimeFailures } from './project/problems';
import { checkScreenFiles } from './project/screen-check';

export * from './mara';

/** Replies → points; the project's problem functions stay here too, as before (also in `mara.project`). */
export const points = {
  PointMapper,
  emptyModel: model.emptyModel,
  LineMapper,
  pickComaster,
  comasterChoices,
  projectProblems,
  checkFormulas,
  runtimeFailures,
  checkScreenFiles,
};
export { mara, link, hmi, journal, workbook, formula, project, sim, svg };
