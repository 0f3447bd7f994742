/**
 * Serial ports for the editor's picker (`listSerialPorts`): serialport's `list()` when it can run safely, else a
 * scan of /dev. Apart from the transport (serial.ts): listing ports opens none.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadSerialPort } from './serial';

/** What serialport's `SerialPort.list()` returns on Linux. */
export interface PortListEntry {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
  pnpId?: string;
}

export interface SerialPortInfo {
  /** The path to use: the stable `/dev/serial/by-id/…` link when there is one, else the device. */
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
  pnpId?: string;
  /** The `/dev/serial/by-id/…` link, when the device has one. */
  byId?: string;
  /** The device node behind a by-id link (`/dev/ttyUSB0`). */
  device?: string;
}

/** Where the /dev scan looks; tests point it at a temp dir. */
export interface PortScanDirs {
  dev?: string;
  byId?: string;
}

/** True when `cmd` is an executable file in a PATH directory. */
function onPath(cmd: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    try {
      fs.accessSync(path.join(dir, cmd), fs.constants.X_OK);
      return true;
    } catch {
      /* next */
    }
  }
  return false;
}

function realpath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

function readdir(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return []; // /dev/serial/by-id exists only while a USB serial adapter is plugged in
  }
}

/** by-id links, keyed by the device they point to. */
function byIdLinks(dir: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const n of readdir(dir)) {
    const link = path.join(dir, n);
    const real = realpath(link);
    if (real !== link && fs.existsSync(real) && !m.has(real)) m.set(real, link); // skip dangling links
  }
  return m;
}

/** The /dev scan used without `udevadm`: the by-id targets plus the usual tty names that exist. */
function scanDev(dir: string, links: Map<string, string>): PortListEntry[] {
  const devices = readdir(dir)
    .filter((n) => /^tty(USB|ACM|S|AMA)\d+$/.test(n))
    .map((n) => path.join(dir, n));
  return [...links.keys(), ...devices].map((p) => ({ path: p }));
}

/** by-id first, then by name with numbers compared as numbers (ttyUSB2 < ttyUSB10). */
function compareInfo(a: SerialPortInfo, b: SerialPortInfo): number {
  if (!!a.byId !== !!b.byId) return a.byId ? -1 : 1;
  return a.path.localeCompare(b.path, 'en', { numeric: true });
}

/**
 * Serial ports for the editor's picker; never rejects. serialport's `list()` spawns `udevadm` on Linux,
 * and a missing `udevadm` has been seen to crash the process with an uncaught 'error' on the child, so
 * `list()` is called only when `udevadm` is on PATH; otherwise (or when it fails) /dev is scanned.
 * Each port is listed once, under its `/dev/serial/by-id/…` link when it has one.
 * @param dirs other directories to scan instead of /dev (tests); `list()` is then not called.
 */
export async function listSerialPorts(dirs: PortScanDirs = {}): Promise<SerialPortInfo[]> {
  const custom = dirs.dev !== undefined || dirs.byId !== undefined;
  const links = byIdLinks(dirs.byId ?? '/dev/serial/by-id');
  let found: PortListEntry[] | null = null;
  if (!custom && (process.platform !== 'linux' || onPath('udevadm'))) {
    try {
      const list = loadSerialPort().list;
      if (list) found = await list();
    } catch {
      found = null;
    }
  }
  if (!found) found = scanDev(dirs.dev ?? '/dev', links);
  const seen = new Set<string>();
  const out: SerialPortInfo[] = [];
  for (const e of found) {
    const real = realpath(e.path);
    if (seen.has(real)) continue;
    seen.add(real);
    const byId = links.get(real);
    const info: SerialPortInfo = { ...e, path: byId ?? e.path };
    if (byId) Object.assign(info, { byId, device: real });
    for (const k of Object.keys(info) as (keyof SerialPortInfo)[]) if (info[k] === undefined) delete info[k];
    out.push(info);
  }
  return out.sort(compareInfo);
}
