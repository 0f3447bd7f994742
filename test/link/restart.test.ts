/**
 * Issue 9 item 2: a restart of Node-RED (SIGKILL, SIGTERM, a full deploy) while a reply is outstanding,
 * against a simulated COMaster with the BugPeH firmware (it takes the SEQ of a broadcast PEH, spec §6.2).
 * The connect-time PEH must carry the SEQ of the unanswered poll, so the retry fetches the lost reply.
 * Every event is counted by its raw bytes: each must reach the flow's file exactly once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { MaraSimulator } from '../../lib/sim/simulator';
import type { SimDevice } from '../../lib/sim/device';
import { ensureBuilt } from '../helpers/red-child';
import { RedProcess } from '../helpers/red-restart';

function flows(port: number, file: string) {
  return [
    { id: 'tab1', type: 'tab', label: 'restart' },
    {
      id: 'line1',
      type: 'mara-line',
      name: 'cm',
      transport: 'tcp',
      host: '127.0.0.1',
      port,
      masterAddress: 64,
      // a long timeout: the restart happens while the master still waits for the dropped reply
      devices: [{ address: 1, name: 'comaster', pollInterval: 0.1, timeout: 8000, retries: 3 }],
      pehInterval: 60,
      pehOnConnect: true,
      maxQueue: 100,
      persist: true,
    },
    { id: 'poll1', type: 'mara-poll', z: 'tab1', line: 'line1', wires: [['hex1'], []] },
    {
      id: 'hex1',
      type: 'function',
      z: 'tab1',
      outputs: 1,
      func: "const ev = msg.payload.events.map((e) => Buffer.from(e.raw).toString('hex'));\nif (!ev.length) return null;\nmsg.payload = ev.join('\\n');\nreturn msg;",
      wires: [['out1']],
    },
    {
      id: 'out1',
      type: 'file',
      z: 'tab1',
      filename: file,
      filenameType: 'str',
      appendNewline: true,
      createDir: true,
      overwriteFile: 'false',
      encoding: 'none',
      wires: [],
    },
  ];
}

describe('restart against BugPeH firmware (Node-RED child process)', { timeout: 240_000 }, () => {
  let sim: MaraSimulator;
  let dev: SimDevice;
  let red: RedProcess;
  let file = '';
  let flow: unknown[] = [];
  const sent: string[] = [];

  before(async () => {
    ensureBuilt();
    sim = new MaraSimulator([{ address: 1, seqFromBroadcast: true, maxEventsPerReply: 5 }]);
    dev = sim.device(1)!;
    const port = await sim.listenTcp({ port: 0 });
    red = new RedProcess([]);
    file = path.join(red.userDir, 'events.txt');
    flow = flows(port, file);
    fs.writeFileSync(path.join(red.userDir, 'flows.json'), JSON.stringify(flow));
  });
  after(async () => {
    await red?.dispose();
    await sim?.close();
  });

  const lines = () => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
  function queue(n: number): void {
    for (let i = 0; i < n; i++) {
      const k = sent.length;
      sent.push(
        dev
          .queueEvent({
            type: 'digital',
            raw: Buffer.alloc(0),
            addr: 1,
            calif: 0,
            state: k & 1,
            port: (k >> 4) & 7,
            bit: k & 15,
            time: { year: 2026, month: 12, day: 3, hour: 10, minute: k % 60, second: 0, fraction: 0 },
          })
          .toString('hex'),
      );
    }
  }

  /**
   * Queues events, lets the next new poll's reply (5 events) be lost, waits until the flow has written
   * every event the device counts as delivered, then runs `restart` while the master waits for its retry.
   */
  async function lostReplyThen(restart: () => Promise<void>): Promise<void> {
    queue(12);
    let dropped = false;
    const onRequest = (f: { cmd: number; seq: number }) => {
      if (dropped || f.cmd !== 0x10 || f.seq === dev.lastSeq || dev.queueLength === 0) return;
      dropped = true;
      sim.dropReplies(1);
    };
    sim.on('request', onRequest);
    await red.waitFor(() => dropped, 20_000, 'a new poll whose reply is dropped');
    sim.off('request', onRequest);
    await red.waitFor(() => lines().length >= dev.deliveredLog.length, 20_000, 'the flow caught up with the device');
    assert.ok(dev.lastReply && dev.queueLength + 5 >= 0, 'a reply with events is outstanding');
    await restart();
  }

  it('SIGKILL, SIGTERM and a full deploy with a reply outstanding: every event once', async () => {
    await red.start();
    await red.waitFor(() => dev.stats.pehs >= 1, 20_000, 'first PEH');
    queue(8);
    await red.waitFor(() => lines().length >= 8, 20_000, 'first events');

    await lostReplyThen(async () => {
      await red.kill('SIGKILL');
      await red.start();
    });
    await lostReplyThen(async () => {
      await red.kill('SIGTERM');
      await red.start();
    });
    await lostReplyThen(() => red.deployFull(flow));

    queue(7);
    await red.waitFor(() => lines().length >= sent.length && dev.queueLength === 0, 30_000, `all ${sent.length} events in the flow's file`);
    queue(1); // a marker: once it is in the file, a reply handed on twice before it is in there too
    await red.waitFor(() => lines().length >= sent.length, 30_000, 'the marker event');
    assert.deepEqual(lines(), sent, 'every event exactly once, in order');
    assert.ok(dev.stats.pehs >= 4, 'a PEH at each (re)start');
    assert.equal(dev.stats.dropped, 0);
  });
});
