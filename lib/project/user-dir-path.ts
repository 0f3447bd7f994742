import fs from 'node:fs';
import path from 'node:path';

/**
 * A path the user typed, resolved inside the Node-RED user directory: absolute paths and `..` that
 * would leave it are refused (CONTRIBUTING.md §13: no user-supplied paths joined on the server), and so is a
 * path that leaves it through a symbolic link (see {@link assertRealPathInside}). Errors never show the
 * server's absolute paths.
 */
export function resolveInUserDir(userDir: string, p: string): string {
  if (typeof p !== 'string' || !p.trim()) throw new Error('no workbook path');
  const root = path.resolve(userDir);
  const abs = path.resolve(root, p.trim());
  const shown = path.isAbsolute(p.trim()) ? 'an absolute path' : JSON.stringify(p.trim().slice(0, 200));
  if (abs !== root && !abs.startsWith(root + path.sep)) throw new Error(`the workbook path must be inside the Node-RED user directory: ${shown}`);
  assertRealPathInside(root, abs);
  return abs;
}

/**
 * Throws (code EPATH) when `abs`, or the deepest of its parents that exists, resolves through symbolic links
 * to a place outside `root` (itself resolved). A file that does not exist yet is checked through its parents,
 * so a link planted later is caught when the file is read or written (callers check again then).
 */
export function assertRealPathInside(root: string, abs: string): void {
  let realRoot: string;
  try {
    realRoot = fs.realpathSync(root);
  } catch {
    realRoot = path.resolve(root);
  }
  let probe = path.resolve(abs);
  for (;;) {
    let real: string | null = null;
    try {
      real = fs.realpathSync(probe);
    } catch {
      // missing: check the parent; a dangling link is a link to somewhere we cannot check
      let link: boolean;
      try {
        link = fs.lstatSync(probe).isSymbolicLink();
      } catch {
        link = false;
      }
      if (link) real = '\0dangling';
    }
    if (real !== null) {
      if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
        const rel = path.relative(path.resolve(root), path.resolve(abs)) || '.';
        throw Object.assign(new Error(`${JSON.stringify(rel.slice(0, 200))} leads outside the Node-RED user directory through a symbolic link: refused`), {
          code: 'EPATH',
        });
      }
      return;
    }
    const up = path.dirname(probe);
    if (up === probe) return;
    probe = up;
  }
}
