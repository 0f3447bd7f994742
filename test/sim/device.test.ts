/** SimDevice: the slave rules of spec §7.3/§7.5, with no I/O. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CMD, MaraFrame, decodeFrame, encodeEvent, encodeFrame, encodePoll, encodeTimeSet } from '../../lib/mara';
import { SimDevice } from '../../lib/sim/device';
import { SubstationActivity } from '../../lib/sim/activity';

/** 2014-01-13 16:15:30.000 local time, as the host clock of the tests. */
const T0 = new Date(2014, 0, 13, 16, 15, 30).getTime();

function poll(seq: number, dst = 1): MaraFrame {
  return decodeFrame(encodePoll({ dst, seq }));
}
function cmd(c: number, seq: number, data: number[] = [], dst = 1): MaraFrame {
  return decodeFrame(encodeFrame({ dst, src: 0x40, seq, cmd: c, data }));
}
/** A distinct digital event record per n (unique port/bit/second/fraction). */
function uniqueEvent(n: number): Buffer {
  return Buffer.from(
    encodeEvent({
      type: 'digital',
      raw: Buffer.alloc(0),
      addr: 1,
      calif: 0,
      state: n & 1,
      port: (n >> 1) & 7,
      bit: (n >> 4) & 15,
      time: { year: 2014, month: 1, day: 13, hour: 16, minute: (n >> 8) % 60, second: n % 60, fraction: n * 13 },
    }),
  );
}
function eventsOf(reply: Buffer | null): string[] {
  assert.ok(reply, 'expected a reply');
  const f = decodeFrame(reply);
  assert.ok(f.reply);
  return f.reply.events.map((e) => e.raw.toString('hex'));
}

describe('SimDevice 0x10 poll and retry buffer (§7.3)', () => {
  it('answers with swapped addresses, the echoed SEQ and the SV/DI/AI snapshot', () => {
    const d = new SimDevice({ clock: () => T0, sv: [1, 2, 3, 4, 5, 6], di: [0x01, 0x80, 0, 0], ai: [100, 0x4000 | 7] });
    const f = decodeFrame(d.handle(poll(0x21)) as Buffer);
    assert.deepEqual([f.dst, f.src, f.seq, f.cmd, f.kind], [0x40, 0x01, 0x21, 0x10, 'poll-reply']);
    assert.deepEqual(f.reply?.sv, [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(f.reply?.di, [0x01, 0x80, 0, 0]);
    assert.deepEqual(
      f.reply?.ai.map((a) => [a.value, a.q]),
      [
        [100, 0],
        [7, 1],
      ],
    );
    assert.deepEqual(f.reply?.events, []);
    assert.equal(d.lastSeq, 0x21);
    assert.deepEqual(d.stats, { requests: 1, replies: 1, replays: 0, queued: 0, delivered: 0, dropped: 0, pehs: 0, broadcasts: 0 });
  });

  it('defaults: address 1, 6 SV bytes, two 16-bit DI ports, 8 AI words', () => {
    const f = decodeFrame(new SimDevice().handle(poll(0x20)) as Buffer);
    assert.equal(f.src, 1);
    assert.equal(f.reply?.sv.length, 6);
    assert.equal(f.reply?.di.length, 4);
    assert.equal(f.reply?.ai.length, 8);
  });

  it('same SEQ → the retry buffer byte for byte, even after the data changed', () => {
    const d = new SimDevice({ clock: () => T0 });
    for (let i = 0; i < 3; i++) d.queueEvent(uniqueEvent(i));
    const first = d.handle(poll(0x30)) as Buffer;
    d.setAi(0, 999);
    d.queueEvent(uniqueEvent(99));
    const again = d.handle(poll(0x30));
    assert.deepEqual(again, first);
    assert.notEqual(again, first, 'a copy, not the retry buffer itself');
    assert.equal(d.stats.replays, 1);
    assert.equal(d.stats.delivered, 0, 'a retransmission acknowledges nothing');
    // a new SEQ takes a new snapshot
    const next = decodeFrame(d.handle(poll(0x31)) as Buffer);
    assert.equal(next.reply?.ai[0].value, 999);
    assert.equal(next.seq, 0x31);
  });

  it('new SEQ → the previous events are delivered; at most 10 events per reply', () => {
    const d = new SimDevice({ clock: () => T0 });
    const queued = Array.from({ length: 25 }, (_, i) => d.queueEvent(uniqueEvent(i)).toString('hex'));
    assert.equal(d.queueLength, 25);
    const r1 = eventsOf(d.handle(poll(0x20)));
    assert.deepEqual(r1, queued.slice(0, 10));
    assert.equal(d.stats.delivered, 0);
    const r2 = eventsOf(d.handle(poll(0x21)));
    assert.deepEqual(r2, queued.slice(10, 20));
    assert.equal(d.stats.delivered, 10);
    assert.deepEqual(d.deliveredLog, queued.slice(0, 10));
    const r3 = eventsOf(d.handle(poll(0x22)));
    assert.deepEqual(r3, queued.slice(20));
    assert.equal(d.queueLength, 0);
    assert.deepEqual(eventsOf(d.handle(poll(0x23))), []);
    assert.equal(d.stats.delivered, 25);
    assert.deepEqual(d.deliveredLog, queued);
  });

  it('1000 queued events are drained in 100 polls, nothing lost or duplicated', () => {
    const d = new SimDevice({ clock: () => T0 });
    const queued: string[] = [];
    for (let i = 0; i < 1000; i++) queued.push(d.queueEvent(uniqueEvent(i)).toString('hex'));
    assert.equal(new Set(queued).size, 1000, 'test events are distinct');
    const received: string[] = [];
    let seq = 0x20;
    for (let p = 0; p < 100; p++) {
      const evs = eventsOf(d.handle(poll(seq)));
      assert.equal(evs.length, 10);
      // every other poll is retransmitted once: the replay must not duplicate anything
      if (p % 2) assert.deepEqual(eventsOf(d.handle(poll(seq))), evs);
      received.push(...evs);
      seq = seq === 0x7f ? 0x20 : seq + 1;
    }
    assert.equal(d.queueLength, 0);
    assert.equal(d.stats.delivered, 990, 'the 100th reply is not acknowledged yet');
    assert.deepEqual(eventsOf(d.handle(poll(seq))), []);
    assert.equal(d.stats.delivered, 1000);
    assert.deepEqual(received, queued);
    assert.deepEqual(d.deliveredLog, queued);
    assert.equal(d.stats.replays, 50);
  });

  it('deliveredLog keeps only the last deliveredLogLimit entries', () => {
    const d = new SimDevice({ clock: () => T0, deliveredLogLimit: 15 });
    const queued = Array.from({ length: 40 }, (_, i) => d.queueEvent(uniqueEvent(i)).toString('hex'));
    for (let s = 0x20; s < 0x25; s++) d.handle(poll(s));
    assert.equal(d.stats.delivered, 40);
    assert.deepEqual(d.deliveredLog, queued.slice(25));
  });

  it('queue overflow drops the oldest events and counts them', () => {
    const d = new SimDevice({ clock: () => T0, eventQueueLimit: 5 });
    const queued = Array.from({ length: 8 }, (_, i) => d.queueEvent(uniqueEvent(i)).toString('hex'));
    assert.equal(d.stats.dropped, 3);
    assert.equal(d.queueLength, 5);
    assert.deepEqual(eventsOf(d.handle(poll(0x20))), queued.slice(3));
  });

  it('maxEventsPerReply is honoured, and a reply that cannot fit a frame is refused at construction', () => {
    const d = new SimDevice({ clock: () => T0, maxEventsPerReply: 3 });
    d.queueEvents(7);
    assert.equal(eventsOf(d.handle(poll(0x20))).length, 3);
    assert.throws(() => new SimDevice({ ai: new Array(100).fill(0) }), { code: 'EINVAL' });
    assert.throws(() => new SimDevice({ address: 20 }), { code: 'EINVAL' }, 'eventAddr > 15 (spec Q1)');
    assert.equal(new SimDevice({ address: 20, eventAddr: 4 }).eventAddr, 4);
  });
});

describe('SimDevice addressing and broadcasts', () => {
  it('ignores frames for other addresses and never answers a broadcast', () => {
    const d = new SimDevice({ address: 2, clock: () => T0 });
    d.queueEvents(3);
    assert.equal(d.handle(poll(0x20, 1)), null);
    assert.equal(d.handle(poll(0x20, 0xff)), null);
    assert.equal(d.handle(cmd(CMD.SIMULATED_VALUES, 0x21, [1], 0xff)), null);
    assert.equal(d.stats.requests, 0);
    assert.equal(d.lastSeq, null, 'SEQ of broadcasts is not taken by default');
    assert.equal(d.queueLength, 3);
    assert.ok(d.handle(poll(0x20, 2)));
  });

  it('ignores a 0x10 reply addressed to it (not a request)', () => {
    const d = new SimDevice({ address: 0x40, eventAddr: 0 });
    const other = new SimDevice({ address: 1 });
    assert.equal(d.handle(decodeFrame(other.handle(poll(0x20)) as Buffer)), null);
    assert.equal(d.stats.requests, 0);
  });

  it('a PEH sets the device clock; events carry device time', () => {
    let now = T0;
    const d = new SimDevice({ clock: () => now });
    const peh = { year: 2020, month: 2, day: 29, hour: 23, minute: 59, second: 58, fraction: 16384 };
    assert.equal(d.handle(decodeFrame(encodeTimeSet(peh, { seq: 0x22 }))), null);
    assert.equal(d.stats.pehs, 1);
    assert.deepEqual({ ...d.lastPeh, dayOfWeek: undefined }, { ...peh, dayOfWeek: undefined });
    const t = d.time();
    assert.deepEqual([t.year, t.month, t.day, t.hour, t.minute, t.second, t.fraction], [2020, 2, 29, 23, 59, 58, 16384]);
    now += 2500; // the device clock runs on from the PEH
    const t2 = d.time();
    assert.deepEqual([t2.month, t2.day, t2.hour, t2.minute, t2.second, t2.fraction], [3, 1, 0, 0, 1, 0]);
    d.setDi(17, true);
    const f = decodeFrame(d.handle(poll(0x23)) as Buffer);
    const ev = f.reply?.events[0];
    assert.ok(ev && ev.type === 'digital');
    assert.deepEqual([ev.addr, ev.calif, ev.state, ev.port, ev.bit], [1, 0, 1, 1, 1]);
    assert.deepEqual([ev.time.year, ev.time.month, ev.time.day, ev.time.second], [2020, 3, 1, 1]);
    assert.equal(f.reply?.diBits[17], true);
  });

  it('BugPeH (§6.2): with seqFromBroadcast the next poll gets the stale reply replayed', () => {
    const run = (seqFromBroadcast: boolean) => {
      const d = new SimDevice({ clock: () => T0, seqFromBroadcast });
      d.queueEvents(10);
      const r7a = d.handle(poll(0x7a)) as Buffer;
      d.handle(decodeFrame(encodeTimeSet(new Date(T0), { seq: 0x7b }))); // PEH with the *next* poll SEQ
      return { d, r7a, r7b: d.handle(poll(0x7b)) as Buffer };
    };
    const bug = run(true);
    assert.equal(bug.d.lastSeq, 0x7b);
    assert.deepEqual(bug.r7b, bug.r7a, 'the reply to 0x7A is replayed');
    assert.equal(decodeFrame(bug.r7b).seq, 0x7a);
    assert.equal(bug.d.stats.replays, 1);
    assert.equal(bug.d.stats.delivered, 0);
    const fixed = run(false);
    assert.equal(decodeFrame(fixed.r7b).seq, 0x7b);
    assert.equal(fixed.d.stats.replays, 0);
    assert.equal(fixed.d.stats.delivered, 10);
  });

  it('every accepted command sets the remembered SEQ (so a poll reusing it is a replay)', () => {
    const d = new SimDevice({ clock: () => T0 });
    const r = d.handle(poll(0x20)) as Buffer;
    assert.ok(d.handle(cmd(CMD.SIMULATED_VALUES, 0x21, [1])));
    assert.equal(d.lastSeq, 0x21);
    assert.deepEqual(d.handle(poll(0x21)), r);
  });
});

describe('SimDevice other commands', () => {
  it('0x13 control logical port: sets the DI, queues an event, echoes (spec vector)', () => {
    const d = new SimDevice({ clock: () => T0, di: [0, 0, 0, 0, 0, 0, 0, 0] });
    const req = decodeFrame('FE 0B 01 40 22 13 03 05 01 DA 9C');
    assert.equal((d.handle(req) as Buffer).toString('hex'), 'fe0b400122130305019bdb');
    assert.equal(d.getDi(3 * 16 + 5), true);
    assert.equal(d.queueLength, 1);
    const ev = decodeFrame(d.handle(poll(0x23)) as Buffer).reply?.events[0];
    assert.ok(ev && ev.type === 'digital');
    assert.deepEqual([ev.state, ev.port, ev.bit], [1, 3, 5]);
    // switch it off again
    assert.deepEqual([...(d.handle(cmd(CMD.CONTROL_LOGICAL_PORT, 0x24, [3, 5, 0])) as Buffer).subarray(6, 9)], [3, 5, 0]);
    assert.equal(d.getDi(53), false);
  });

  it('0x13 on a port out of range or Bit 0xFF → echo with Bit = 0xFF, nothing written', () => {
    const d = new SimDevice({ clock: () => T0 }); // two ports
    for (const args of [
      [3, 5, 1],
      [0, 0xff, 1],
      [1, 16, 1],
    ]) {
      const f = decodeFrame(d.handle(cmd(CMD.CONTROL_LOGICAL_PORT, 0x30, args)) as Buffer);
      assert.deepEqual([...f.data], [args[0], 0xff, 1]);
      assert.deepEqual([f.dst, f.src, f.seq, f.cmd], [0x40, 1, 0x30, 0x13]);
    }
    assert.deepEqual(d.di, [0, 0, 0, 0]);
    assert.equal(d.queueLength, 0);
    assert.equal(d.handle(cmd(CMD.CONTROL_LOGICAL_PORT, 0x31, [0, 1])), null, 'malformed: ignored');
  });

  it('echo commands 0x3B 0x3C 0x3F 0x3A 0x0B', () => {
    const d = new SimDevice();
    for (const c of [0x3b, 0x3c, 0x3f, 0x3a, 0x0b]) {
      const args = c === 0x0b ? [0, 1, 2, 1] : [1];
      const f = decodeFrame(d.handle(cmd(c, 0x40, args)) as Buffer);
      assert.deepEqual([f.dst, f.src, f.seq, f.cmd, ...f.data], [0x40, 1, 0x40, c, ...args]);
    }
  });

  it('0x1A returns the device time in the PEH layout', () => {
    const d = new SimDevice({ clock: () => T0 });
    const f = decodeFrame(d.handle(cmd(CMD.READ_TIME, 0x25)) as Buffer);
    assert.equal(f.kind, 'time-reply');
    assert.deepEqual([f.dst, f.src, f.seq], [0x40, 1, 0x25]);
    assert.deepEqual(f.time, { year: 2014, month: 1, day: 13, hour: 16, minute: 15, second: 30, fraction: 0, dayOfWeek: 1 });
  });

  it('0x05 AA 55 restarts silently: SEQ and retry buffer forgotten, events kept', () => {
    const d = new SimDevice({ clock: () => T0 });
    const queued = Array.from({ length: 12 }, (_, i) => d.queueEvent(uniqueEvent(i)).toString('hex'));
    d.handle(poll(0x20)); // 10 events in the retry buffer, not acknowledged
    assert.equal(d.handle(cmd(CMD.RESTART, 0x20, [0xaa, 0x55])), null);
    assert.equal(d.lastSeq, null);
    assert.equal(d.lastReply, null);
    assert.equal(d.queueLength, 12);
    assert.equal(d.stats.replays, 0);
    assert.deepEqual(eventsOf(d.handle(poll(0x20))), queued.slice(0, 10), 'a fresh reply, not a replay');
    assert.equal(d.stats.replays, 0);
    // wrong guard: `05 00 00`, no restart
    assert.deepEqual([...decodeFrame(d.handle(cmd(CMD.RESTART, 0x21, [1, 2])) as Buffer).data], [0, 0]);
    assert.ok(d.lastReply);
  });

  it('0x06 / 0x16 read RAM: header + Cant deterministic bytes', () => {
    const d = new SimDevice();
    const a = decodeFrame(d.handle(cmd(CMD.READ_RAM, 0x26, [0x10, 0x02, 5])) as Buffer);
    assert.deepEqual([...a.data], [0x10, 0x02, 5, ...[0, 1, 2, 3, 4].map((i) => ((0x210 + i) * 7 + 3) & 0xff)]);
    const b = decodeFrame(d.handle(cmd(CMD.READ_REGISTERS, 0x27, [0x02, 0x10, 3])) as Buffer);
    assert.deepEqual([...b.data.subarray(3)], [...a.data.subarray(3, 6)], '0x06 sends the address high byte first');
    const big = decodeFrame(d.handle(cmd(CMD.READ_RAM, 0x28, [0, 0, 255])) as Buffer);
    assert.equal(big.data[2], 240);
    assert.equal(big.data.length, 243);
  });

  it('unknown commands are ignored', () => {
    const d = new SimDevice();
    assert.equal(d.handle(cmd(0x55, 0x29, [1, 2])), null);
    assert.equal(d.handle(cmd(CMD.WRITE_EEPROM, 0x2a, [1, 2])), null);
    assert.equal(d.stats.replies, 0);
  });

  it('setDi / setAi / setSv / queueEvents', () => {
    const d = new SimDevice({ clock: () => T0 });
    d.setAi(2, 4095, 1);
    d.setSv(0, 0x10);
    d.setDi(31, true);
    d.setDi(31, false);
    assert.throws(() => d.setDi(32, true), { code: 'EINVAL' });
    assert.throws(() => d.setAi(0, 4096), { code: 'EINVAL' });
    assert.throws(() => d.queueEvent(Buffer.alloc(9)), { code: 'EINVAL' });
    d.queueEvents(3);
    assert.equal(d.stats.queued, 5);
    const f = decodeFrame(d.handle(poll(0x20)) as Buffer);
    assert.deepEqual(f.reply?.ai[2], { raw: 0x4fff, value: 4095, q: 1 });
    assert.equal(f.reply?.sv[0], 0x10);
    const evs = f.reply?.events ?? [];
    assert.deepEqual(
      evs.map((e) => (e.type === 'digital' ? [e.state, e.port, e.bit] : null)),
      [
        [1, 1, 15],
        [0, 1, 15],
        [1, 0, 0],
        [1, 0, 1],
        [1, 0, 2],
      ],
    );
    assert.deepEqual(f.reply?.di, [0x07, 0, 0, 0]);
  });

  it('an unset clock (before 2000) gives the 2000-00-00 time of an unsynchronised unit', () => {
    const d = new SimDevice({ clock: () => 0 });
    d.setDi(0, true);
    const ev = decodeFrame(d.handle(poll(0x20)) as Buffer).reply?.events[0];
    assert.deepEqual(ev?.time, { year: 2000, month: 0, day: 0, hour: 0, minute: 0, second: 0, fraction: 0 });
  });
});

describe('SubstationActivity', () => {
  it('is deterministic with a seed, flips breakers, drifts AIs within 0..4095 and queues energy every 15 min', () => {
    const runOnce = () => {
      let now = new Date(2014, 0, 13, 23, 40, 0).getTime();
      const d = new SimDevice({ clock: () => now });
      const act = new SubstationActivity(d, { seed: 42, flipProbability: 0.5, glitchProbability: 0.05 });
      const seen = { glitch: false };
      for (let i = 0; i < 590; i++) {
        now += 5000; // to 00:29:10: crosses 23:45, 00:00 and 00:15
        act.tick();
        for (const w of d.ai) {
          assert.ok((w & 0x0fff) >= 0 && (w & 0x0fff) <= 4095 && (w & 0x3000) === 0);
          if (w >> 14 === 1) seen.glitch = true;
        }
      }
      const all: string[] = [];
      let seq = 0x20;
      while (d.queueLength) all.push(...eventsOf(d.handle(poll(seq++))));
      return { all, ai: [...d.ai], di: [...d.di], glitch: seen.glitch, d };
    };
    const a = runOnce();
    const b = runOnce();
    assert.deepEqual(a.all, b.all);
    assert.deepEqual(a.ai, b.ai);
    assert.ok(a.glitch, 'a q = 1 glitch happened');
    assert.ok(a.d.stats.queued > 100, `breakers toggled (${a.d.stats.queued} events)`);
    // energy events: codes and stamps of the periods ending 23:45, 00:00 (→ CODE 1 at 23:59), 00:15
    const energy = a.all.map((h) => Buffer.from(h, 'hex')).filter((b) => b[0] >> 6 === 1);
    const stamps = [...new Set(energy.map((e) => `${e[4]} ${e[5]}:${e[6]} code ${(e[1] >> 3) & 7}`))];
    assert.deepEqual(stamps, ['13 23:45 code 0', '13 23:59 code 1', '14 0:15 code 0']);
    assert.equal(energy.length, 6);
  });

  it('trips a protection: relay 1 and its breaker open, then the relay resets, then the breaker recloses', () => {
    const d = new SimDevice({ clock: () => new Date(2026, 11, 4, 1, 0, 0).getTime() });
    d.setDi(16, true); // the breaker starts closed
    const rng = () => 0.99; // no flips, no glitches; a trip whenever none runs (tripProbability 1)
    const act = new SubstationActivity(d, {
      rng,
      flipProbability: 0,
      glitchProbability: 0,
      energy: false,
      trips: [[17, 16]],
      tripProbability: 1,
      tripTicks: 2,
    });
    const states: string[] = [];
    for (let i = 0; i < 6; i++) {
      act.tick();
      states.push(`${+d.getDi(17)}${+d.getDi(16)}${act.tripping ? 't' : ''}`);
    }
    // relay, breaker: 1 0 for two ticks, relay reset, two ticks later the breaker closes; then the next trip
    assert.deepEqual(states, ['10t', '10t', '00t', '00t', '01', '10t']);
    const events: string[] = [];
    let seq = 0x20;
    while (d.queueLength) events.push(...eventsOf(d.handle(poll(seq++))));
    const digital = events.map((h) => Buffer.from(h, 'hex')).filter((b) => b[0] >> 6 === 0);
    assert.equal(digital.length, 7, 'the closed breaker at start, relay up, breaker open, relay down, breaker closed, the next trip (2)');
  });

  it('ignores trip pairs outside the DIs, the same DI twice, and a tripped breaker is not flipped meanwhile', () => {
    const d = new SimDevice({});
    const act = new SubstationActivity(d, {
      seed: 1,
      flipProbability: 1,
      dis: [16],
      trips: [
        [17, 16],
        [200, 1],
        [3, 3],
      ],
      tripProbability: 1,
      tripTicks: 50,
      energy: false,
    });
    act.tick(); // flip of 16 (closes it), then the trip opens it
    for (let i = 0; i < 20; i++) {
      act.tick();
      assert.equal(d.getDi(16), false, 'the tripped breaker stays open');
      assert.equal(d.getDi(17), true);
    }
  });
});
