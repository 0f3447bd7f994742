import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MaraError } from '../../lib/mara/errors';

/**
 * Stores an uploaded workbook under `<userDir>/<folder>/<name>` without following any symbolic link:
 * the folder must be a real directory directly inside the (resolved) user directory, the target must not be a
 * link, the bytes go to a fresh temporary file opened with O_CREAT|O_EXCL|O_NOFOLLOW and are renamed over the
 * target (rename replaces a directory entry, it never writes through one). The previous file is kept as
 * `<name>.bak` the same way. Errors carry a code and never an absolute path.
 */
export interface Stored {
  /** Relative to the user directory, with `/`. */
  path: string;
  /** The previous file's copy, or null when there was none. */
  backup: string | null;
}

const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

function fail(code: string, message: string): never {
  throw new MaraError(code as never, message);
}

/** `name` as a plain file name: word characters, `.` and `-`, no leading dots, at most 120 characters. */
export function cleanUploadName(raw: unknown): string {
  return String(raw ?? '')
    .replace(/[^\w.-]+/g, '_')
    .replace(/^\.+/, '')
    .slice(0, 120);
}

function lstat(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    fail('EIO', `cannot inspect the upload folder (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function readNoFollow(p: string): Buffer {
  const fd = fs.openSync(p, fs.constants.O_RDONLY | NOFOLLOW);
  try {
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function writeAtomic(dir: string, name: string, bytes: Buffer): void {
  const tmp = path.join(dir, `.${name}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | NOFOLLOW, 0o600);
  try {
    fs.writeSync(fd, bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, path.join(dir, name));
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

export function storeUpload(userDir: string, folder: string, name: string, bytes: Buffer): Stored {
  let root: string;
  try {
    root = fs.realpathSync(userDir);
  } catch {
    fail('EIO', 'the Node-RED user directory cannot be resolved');
  }
  const dir = path.join(root, folder);
  const st = lstat(dir);
  if (!st) {
    try {
      fs.mkdirSync(dir, { mode: 0o755 });
    } catch (e) {
      fail('EIO', `cannot create ${folder}/ (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  } else if (st.isSymbolicLink() || !st.isDirectory()) fail('EPATH', `${folder}/ is a symbolic link or not a folder: uploads refused`);
  const target = path.join(dir, name);
  const cur = lstat(target);
  if (cur && (cur.isSymbolicLink() || !cur.isFile())) fail('EPATH', `${folder}/${name} is a symbolic link or not a file: not replaced`);
  const bak = lstat(path.join(dir, `${name}.bak`));
  if (bak && (bak.isSymbolicLink() || !bak.isFile())) fail('EPATH', `${folder}/${name}.bak is a symbolic link or not a file: not replaced`);
  try {
    let backup: string | null = null;
    if (cur) {
      writeAtomic(dir, `${name}.bak`, readNoFollow(target));
      backup = `${folder}/${name}.bak`;
    }
    writeAtomic(dir, name, bytes);
    return { path: `${folder}/${name}`, backup };
  } catch (e) {
    if (e instanceof MaraError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    fail(code === 'ELOOP' ? 'EPATH' : 'EIO', `the file could not be stored (${code})`);
  }
}
