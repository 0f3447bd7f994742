import fs from 'node:fs';
import path from 'node:path';

/** The package's examples/ folder: beside the package.json above this file (dist/nodes/shared/ or nodes/shared/). */
export const EXAMPLES_DIR = packageExamples(__dirname);

function packageExamples(from: string): string {
  for (let dir = from, up = path.dirname(dir); dir !== up; dir = up, up = path.dirname(dir))
    if (fs.existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'examples');
  return path.join(from, 'examples');
}
/** Where the example flows expect their workbook, relative to the user directory. */
export const EXAMPLE_PROJECT_DIR = 'mara-projects';

/**
 * A flow imported from Import ▸ Examples names `mara-projects/substation.xlsx`, which a palette install does
 * not have. When a project's workbook is missing and it is one of the workbooks shipped in the package's
 * examples/ folder, copy that workbook and the example drawings (the *.svg beside it, which its screens
 * sheet names) into <userDir>/mara-projects/ once, so the example runs as imported and the user owns an
 * editable copy. Never overwrites a file; returns the files it copied (empty when there was nothing to do).
 */
export function provideExampleProject(userDir: string, file: string, examplesDir = EXAMPLES_DIR): string[] {
  const dir = path.resolve(userDir, EXAMPLE_PROJECT_DIR);
  if (path.dirname(file) !== dir || fs.existsSync(file)) return [];
  const name = path.basename(file);
  if (!/\.(xlsx|xls)$/i.test(name)) return [];
  let shipped: string[];
  try {
    shipped = fs.readdirSync(examplesDir);
  } catch {
    return [];
  }
  if (!shipped.includes(name)) return [];
  fs.mkdirSync(dir, { recursive: true });
  const copied: string[] = [];
  for (const f of [name, ...shipped.filter((s) => s.endsWith('.svg'))]) {
    const dest = path.join(dir, f);
    if (fs.existsSync(dest)) continue;
    fs.copyFileSync(path.join(examplesDir, f), dest, fs.constants.COPYFILE_EXCL);
    copied.push(path.join(EXAMPLE_PROJECT_DIR, f));
  }
  return copied;
}
