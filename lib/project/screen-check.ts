/**
 * Import-time checks of a project's drawings: every `jump-to` hot-spot that names no screen of the workbook is a
 * warning on its screen's row (it would show a pointer and do nothing). Reads each screen's SVG from the
 * workbook's folder (the same files the screen widget serves), sanitised and indexed as the widget does.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { deadJumpProblems, indexScreen } from '../hmi/svg-index';
import { MAX_INPUT_LENGTH, sanitizeSvg } from '../svg/sanitize';
import type { Problem, ProjectModel } from './model';

/**
 * The screens' problems: dead hot-spots of each drawing. A drawing that cannot be read is left to the screen
 * widget (it reports it); this never throws.
 */
/** `guard` throws for a path that must not be read (the nodes refuse symbolic links out of the user directory). */
export async function checkScreenFiles(
  model: Pick<ProjectModel, 'screens'>,
  workbookFile: string,
  guard: (abs: string) => void = () => undefined,
): Promise<Problem[]> {
  const out: Problem[] = [];
  const dir = path.dirname(path.resolve(workbookFile));
  const names = model.screens.map((s) => s.name);
  for (const s of model.screens) {
    try {
      const abs = path.resolve(dir, s.file);
      if (!abs.startsWith(dir + path.sep)) continue;
      guard(abs);
      const st = await fsp.stat(abs);
      if (!st.isFile() || st.size > MAX_INPUT_LENGTH) continue;
      const svg = sanitizeSvg(await fsp.readFile(abs, 'utf8')).svg;
      if (!svg) continue;
      out.push(...deadJumpProblems(s, indexScreen(svg, { screens: names })));
    } catch {
      // unreadable: reported by the screen widget when it loads the drawing
    }
  }
  return out;
}
