/**
 * A real pty pair from socat, for serial transport tests (conventions §12, layer 4). Linux/macOS only;
 * tests skip with `SOCAT_MISSING` when socat is not installed.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const SOCAT_MISSING = 'socat not installed: apt-get install socat';

export interface PtyPair {
  /** Stable symlinks to the two pty ends (bytes written to one come out of the other). */
  a: string;
  b: string;
  /** The /dev/pts/N devices behind `a` and `b`. */
  ptys: string[];
  /** socat's pid, for tests that want to see it killed. */
  pid: number;
  /** Kills socat (the ptys vanish) and waits for it to exit; idempotent. Removes the temp dir (or the links). */
  close(): Promise<void>;
}

/** True when an executable `socat` is on PATH. */
export function socatAvailable(): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    if (!dir) return false;
    try {
      fs.accessSync(path.join(dir, 'socat'), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts `socat -d -d pty,raw,echo=0,link=<tmp>/a pty,raw,echo=0,link=<tmp>/b` and resolves once socat
 * reports its transfer loop running (both ptys exist and are being relayed). Rejects after `timeoutMs`.
 * `at` gives the link paths instead of a new temp dir.
 */
export async function socatPair(timeoutMs = 5000, at?: { a: string; b: string }): Promise<PtyPair> {
  // `at` reuses the link paths of an earlier pair: the same port path coming back (an adapter re-plugged)
  const dir = at ? path.dirname(at.a) : fs.mkdtempSync(path.join(os.tmpdir(), 'mara-pty-'));
  const a = at?.a ?? path.join(dir, 'a');
  const b = at?.b ?? path.join(dir, 'b');
  if (at) {
    fs.mkdirSync(dir, { recursive: true });
    for (const l of [a, b]) fs.rmSync(l, { force: true }); // a stale link would look ready before socat's own
  }
  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.on('error', (e) => (stderr += `\n${e.message}`)); // a spawn failure must not be an uncaught 'error'
  const ptys: string[] = [];
  // A failed spawn (no pid) emits 'error' and never 'exit'.
  const done = child.pid === undefined ? Promise.resolve() : exited(child);
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await done;
      child.stderr?.destroy();
      if (!at) fs.rmSync(dir, { recursive: true, force: true });
      else {
        // only what we made: the links, and their directory once it is empty (never someone's whole dir)
        for (const l of [a, b]) fs.rmSync(l, { force: true });
        try {
          fs.rmdirSync(dir);
        } catch {
          /* not empty, or gone */
        }
      }
    })();
    return closing;
  };

  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`socat did not start within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
      const finish = (err?: Error) => {
        clearTimeout(timer);
        child.stderr?.off('data', onData);
        child.off('error', onError);
        child.off('exit', onExit);
        if (err) reject(err);
        else resolve();
      };
      const onData = (chunk: Buffer) => {
        stderr += chunk.toString();
        for (const m of stderr.matchAll(/PTY is (\S+)/g)) if (!ptys.includes(m[1])) ptys.push(m[1]);
        // "starting data transfer loop" comes after both ptys and their links exist.
        if (/starting data transfer loop/.test(stderr) && fs.existsSync(a) && fs.existsSync(b)) finish();
      };
      const onError = (err: Error) => finish(err); // e.g. ENOENT: socat vanished from PATH
      const onExit = (code: number | null) => finish(new Error(`socat exited (${code}) before the ptys were ready:\n${stderr}`));
      child.stderr?.on('data', onData);
      child.once('error', onError);
      child.once('exit', onExit);
    });
  } catch (e) {
    await close();
    throw e;
  }
  // Keep draining stderr so socat never blocks on a full pipe.
  child.stderr?.on('data', () => undefined);
  return { a, b, ptys, pid: child.pid!, close };
}
