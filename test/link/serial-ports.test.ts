/** listSerialPorts(): the /dev scan without udevadm, by-id links first, each device once. */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listSerialPorts } from '../../lib/link/serial-ports';

const T = { timeout: 10_000 };

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('listSerialPorts', () => {
  it('resolves to port infos without crashing (no udevadm here: /dev scan)', T, async () => {
    const ports = await listSerialPorts();
    assert.ok(Array.isArray(ports));
    for (const p of ports) assert.equal(typeof p.path, 'string', JSON.stringify(p));
    // by-id links first
    const firstPlain = ports.findIndex((p) => !p.byId);
    if (firstPlain >= 0) assert.ok(ports.slice(firstPlain).every((p) => !p.byId));
    assert.equal(new Set(ports.map((p) => p.path)).size, ports.length, 'no duplicates');
  });

  it('scans /dev without udevadm: by-id links first (once per device), then ttyUSB/ACM/S/AMA in numeric order', T, async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mara-dev-'));
    cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));
    const dev = path.join(root, 'dev');
    const byId = path.join(root, 'by-id');
    fs.mkdirSync(dev);
    fs.mkdirSync(byId);
    for (const n of ['ttyUSB10', 'ttyUSB2', 'ttyS0', 'ttyACM0', 'ttyAMA0', 'tty', 'ttyp0', 'null', 'ttyUSB']) fs.writeFileSync(path.join(dev, n), '');
    fs.symlinkSync('../dev/ttyUSB10', path.join(byId, 'usb-FTDI_FT232R_A1-if00-port0'));
    fs.symlinkSync('../dev/ttyUSB99', path.join(byId, 'usb-gone-if00')); // dangling: unplugged
    const ports = await listSerialPorts({ dev, byId });
    assert.deepEqual(ports, [
      {
        path: path.join(byId, 'usb-FTDI_FT232R_A1-if00-port0'),
        byId: path.join(byId, 'usb-FTDI_FT232R_A1-if00-port0'),
        device: fs.realpathSync(path.join(dev, 'ttyUSB10')),
      },
      { path: path.join(dev, 'ttyACM0') },
      { path: path.join(dev, 'ttyAMA0') },
      { path: path.join(dev, 'ttyS0') },
      { path: path.join(dev, 'ttyUSB2') },
    ]);
    assert.deepEqual(await listSerialPorts({ dev: path.join(root, 'missing'), byId: path.join(root, 'missing') }), []);
  });
});
