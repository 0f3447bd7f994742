import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { JournalError } from '../../lib/journal/errors';
import { exportJournal, type ExportOptions, type ExportResult } from '../../lib/journal/export/export';
import type { JournalStore } from '../../lib/journal/types';
import { assertRealPathInside } from '../../lib/project/user-dir-path';

/** Where an export goes when its msg names no file. */
export const EXPORT_DIR = 'mara-exports';

const bad = (m: string) => new JournalError('EJOURNAL_INVALID', m);
const p2 = (n: number) => String(n).padStart(2, '0');

/**
 * The file of an export, inside the Node-RED user directory: a relative path the msg gives (its extension must
 * be the format's, so that no export can overwrite flows.json or settings.js), or `mara-exports/events-<time>.<ext>`.
 * Absolute paths, `..` out of the directory and symbolic links out of it are refused (EJOURNAL_INVALID); errors
 * never show the server's paths.
 */
export function exportTarget(userDir: string, file: string | null, format: 'csv' | 'xlsx', now: Date): { abs: string; rel: string } {
  const root = path.resolve(userDir);
  const ext = `.${format}`;
  let rel = file;
  if (rel === null) {
    const t = `${now.getFullYear()}${p2(now.getMonth() + 1)}${p2(now.getDate())}-${p2(now.getHours())}${p2(now.getMinutes())}${p2(now.getSeconds())}`;
    rel = path.join(EXPORT_DIR, `events-${t}-${String(now.getMilliseconds()).padStart(3, '0')}${ext}`);
  }
  if (rel.includes('\0') || path.isAbsolute(rel)) throw bad('the export file must be a path relative to the Node-RED user directory');
  const abs = path.resolve(root, rel);
  if (!abs.startsWith(root + path.sep)) throw bad(`the export file must be inside the Node-RED user directory: ${JSON.stringify(rel.slice(0, 200))}`);
  if (path.extname(abs).toLowerCase() !== ext) throw bad(`the export file of a ${format} export must end in ${ext}`);
  try {
    assertRealPathInside(root, abs);
  } catch (e) {
    throw bad((e as Error).message);
  }
  return { abs, rel: path.relative(root, abs) };
}

/**
 * Exports into `abs` through a temporary `<file>.<n>.part` renamed when complete, so a reader never takes a half
 * file for an export, and a failed or stopped export leaves nothing behind. An existing file is kept unless
 * `overwrite`.
 */
export async function exportToFile(
  store: Pick<JournalStore, 'query'>,
  root: string,
  abs: string,
  overwrite: boolean,
  opts: ExportOptions,
): Promise<ExportResult> {
  if (!overwrite && fs.existsSync(abs)) throw bad(`${path.relative(root, abs).slice(0, 200)} exists (set overwrite: true to replace it)`);
  try {
    fs.mkdirSync(path.dirname(abs), { recursive: true });
  } catch (e) {
    throw new JournalError('EJOURNAL_IO', `cannot make the export's directory (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  // again now the directories exist: a link planted meanwhile leads nowhere outside
  try {
    assertRealPathInside(root, abs);
  } catch (e) {
    throw bad((e as Error).message);
  }
  const part = `${abs}.${process.pid}-${Date.now()}.part`;
  const out = fs.createWriteStream(part, { flags: 'wx' });
  // kept, not thrown from nowhere: a write that fails between two of the export's writes (or one still pending
  // when a stopped export destroys the stream) is seen by the next write or by the end below
  let failed: Error | null = null;
  out.on('error', (e) => (failed ??= e));
  try {
    await once(out, 'open');
    const res = await exportJournal(store, out, opts);
    if (out.destroyed) throw failed ?? new Error('the file closed');
    await new Promise<void>((resolve, reject) => {
      out.once('close', resolve);
      out.once('error', reject);
      out.end();
    });
    fs.renameSync(part, abs);
    return res;
  } catch (e) {
    out.destroy();
    fs.rmSync(part, { force: true });
    if (e instanceof JournalError) throw e;
    throw new JournalError('EJOURNAL_IO', `the export could not be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
}
