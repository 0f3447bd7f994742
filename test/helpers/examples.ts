import fs from 'node:fs';
import path from 'node:path';

/** The checkout's examples/ folder. */
export const EXAMPLES = path.resolve(__dirname, '../../examples');

/** The example drawings: the *.svg beside the example workbook (no sub-folder, which Node-RED would list). */
export function exampleDrawings(): string[] {
  return fs
    .readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.svg'))
    .sort();
}
