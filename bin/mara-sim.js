#!/usr/bin/env node
'use strict';
// mara-sim: a simulated COMaster / IED line for trying the Mara master without hardware.
//   mara-sim --tcp 9761 [--host 127.0.0.1] [--devices 1,2,3] [--activity] [--serial /dev/ttyX --baud 9600]
const path = require('node:path');
const fs = require('node:fs');

const USAGE = `usage: mara-sim [--tcp PORT] [--host HOST] [--devices 1,2,3] [--activity] [--seed N]
                [--serial PATH] [--baud 9600] [--bugpeh] [--summary SECONDS]
  --tcp PORT        listen for masters on TCP (default 9761 when --serial is not given)
  --host HOST       address to listen on (default 127.0.0.1)
  --devices LIST    RS-485 addresses 0-15 of the simulated units (default 1, the COMaster)
  --activity        toggle breakers, drift currents and queue energy events
  --seed N          make --activity reproducible
  --serial PATH     also answer on a serial port (needs the serialport package)
  --baud N          serial speed (default 9600)
  --bugpeh          take the SEQ of broadcasts, like the 2014 firmware (docs/protocol.md §6.2)
  --summary S       seconds between summary lines (default 10, 0 = none)`;

function fail(msg) {
  console.error(`mara-sim: ${msg}`);
  process.exit(1);
}

function parseArgs(argv) {
  const o = { host: '127.0.0.1', devices: [1], activity: false, baud: 9600, summary: 10, bugpeh: false };
  const num = (name, v, lo, hi) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < lo || n > hi) fail(`${name} must be an integer ${lo}-${hi}, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => (i + 1 < argv.length ? argv[++i] : fail(`${a} needs a value`));
    switch (a) {
      case '--tcp':
        o.tcp = num('--tcp', val(), 0, 65535);
        break;
      case '--host':
        o.host = val();
        break;
      // events carry the address in 4-5 bits: keep it ≤ 15 so both readings of the TCD byte agree (spec Q1)
      case '--devices':
        o.devices = val()
          .split(',')
          .map((s) => num('--devices', s.trim(), 0, 15));
        break;
      case '--activity':
        o.activity = true;
        break;
      case '--seed':
        o.seed = num('--seed', val(), 0, 2 ** 32 - 1);
        break;
      case '--serial':
        o.serial = val();
        break;
      case '--baud':
        o.baud = num('--baud', val(), 50, 4000000);
        break;
      case '--bugpeh':
        o.bugpeh = true;
        break;
      case '--summary':
        o.summary = num('--summary', val(), 0, 86400);
        break;
      case '-h':
      case '--help':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        fail(`unknown argument ${a}\n${USAGE}`);
    }
  }
  if (o.tcp === undefined && !o.serial) o.tcp = 9761;
  return o;
}

function load() {
  const dist = path.join(__dirname, '..', 'dist', 'lib', 'sim');
  if (!fs.existsSync(path.join(dist, 'simulator.js'))) {
    console.error('mara-sim: the compiled library is missing: run npm run build first');
    process.exit(1);
  }
  return { ...require(path.join(dist, 'simulator.js')), ...require(path.join(dist, 'activity.js')) };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const { MaraSimulator, startActivity } = load();
  let sim;
  try {
    sim = new MaraSimulator(o.devices.map((address) => ({ address, seqFromBroadcast: o.bugpeh })));
  } catch (e) {
    fail(e.message);
  }
  sim.on('connection', (r) => console.log(`[mara-sim] master connected from ${r}`));
  sim.on('disconnect', (r) => console.log(`[mara-sim] master ${r} disconnected`));
  sim.on('linkError', (e) => console.error(`[mara-sim] link error: ${e.message}`));

  const stops = o.activity ? sim.devices.map((d, i) => startActivity(d, { seed: o.seed === undefined ? undefined : o.seed + i })) : [];
  const where = [];
  try {
    if (o.tcp !== undefined) where.push(`tcp ${o.host}:${await sim.listenTcp({ port: o.tcp, host: o.host })}`);
    if (o.serial) {
      await sim.openSerial({ path: o.serial, baudRate: o.baud });
      where.push(`serial ${o.serial} ${o.baud} 8N1`);
    }
  } catch (e) {
    await sim.close();
    fail(e.message);
  }
  console.log(`[mara-sim] listening on ${where.join(' and ')}; devices ${o.devices.join(',')}${o.activity ? ', activity on' : ''}`);

  const summary =
    o.summary > 0
      ? setInterval(() => {
          const s = sim.stats;
          const queued = sim.devices.reduce((n, d) => n + d.queueLength, 0);
          console.log(
            `[mara-sim] links ${s.links} requests ${s.devices.requests} replies ${s.repliesSent} replays ${s.devices.replays} ` +
              `events queued ${s.devices.queued} delivered ${s.devices.delivered} pending ${queued} pehs ${s.devices.pehs} bad-in ${s.rejectedIn}`,
          );
        }, o.summary * 1000)
      : null;

  let stopping = false;
  const stop = async (sig) => {
    if (stopping) return;
    stopping = true;
    console.log(`[mara-sim] ${sig}: closing`);
    if (summary) clearInterval(summary);
    for (const s of stops) s();
    await sim.close();
    process.exit(0);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e) => fail(e && e.stack ? e.stack : String(e)));
