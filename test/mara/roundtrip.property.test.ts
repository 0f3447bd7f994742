/** fast-check properties: encode → decode → encode is the identity on valid protocol content. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as mara from '../../lib';
import { EventInput, MaraEvent, MaraTime } from '../../lib';
import { refBcc } from '../unit/helpers';

const RUNS = 2000;
const byte = fc.integer({ min: 0, max: 255 });

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A valid Mara date and time (day clamped to the month's length). */
const timeArb = (withSeconds: boolean): fc.Arbitrary<MaraTime> =>
  fc
    .record({
      year: fc.integer({ min: 2000, max: 2253 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 31 }),
      hour: fc.integer({ min: 0, max: 23 }),
      minute: fc.integer({ min: 0, max: 59 }),
      second: withSeconds ? fc.integer({ min: 0, max: 59 }) : fc.constant(0),
      fraction: withSeconds ? fc.integer({ min: 0, max: 32767 }) : fc.constant(0),
    })
    .map((t) => ({ ...t, day: Math.min(t.day, daysInMonth(t.year, t.month)) }));

const common = { calif: fc.integer({ min: 0, max: 1 }), addr: fc.integer({ min: 0, max: 31 }) };
const eventArb: fc.Arbitrary<EventInput> = fc
  .oneof(
    fc.record({
      type: fc.constant('digital' as const),
      ...common,
      state: fc.integer({ min: 0, max: 1 }),
      port: fc.integer({ min: 0, max: 7 }),
      bit: fc.integer({ min: 0, max: 15 }),
      time: timeArb(true),
    }),
    fc.record({
      type: fc.constant('energy' as const),
      ...common,
      code: fc.integer({ min: 0, max: 7 }),
      channel: fc.integer({ min: 0, max: 7 }),
      value: fc.integer({ min: 0, max: 0xffffff }),
      idle: fc.integer({ min: 0, max: 3 }),
      time: timeArb(false),
    }),
    fc.record({
      type: fc.constant('idle' as const),
      ...common,
      code: fc.integer({ min: 0, max: 7 }),
      idle: fc.integer({ min: 0, max: 255 }).map((b) => b & 0xc7),
      time: timeArb(true),
    }),
    fc.record({
      type: fc.constant('comsys' as const),
      ...common,
      code: fc.integer({ min: 0, max: 15 }),
      motiv: fc.integer({ min: 0, max: 15 }),
      time: timeArb(true),
    }),
  )
  .map((e) => ({ ...e })) as fc.Arbitrary<EventInput>; // plain objects: fc.record builds null-prototype ones

/** AI words with the reserved bits 13-12 clear. */
const aiArb = fc.record({ q: fc.integer({ min: 0, max: 3 }), value: fc.integer({ min: 0, max: 0x0fff }) }).map(({ q, value }) => (q << 14) | value);

/** A reply body; blocks are trimmed (events, then AI, DI, SV) until the payload is ≤ 245 bytes. */
const replyArb = fc
  .record({
    dst: byte,
    src: byte,
    seq: byte,
    sv: fc.array(byte, { maxLength: 80 }),
    di: fc.array(byte, { maxLength: 60 }),
    ai: fc.array(aiArb, { maxLength: 40 }),
    events: fc.array(eventArb, { maxLength: 12 }),
  })
  .map((r) => {
    const size = () => 4 + r.sv.length + r.di.length + 2 * r.ai.length + 10 * r.events.length;
    while (size() > 245) {
      if (r.events.length) r.events.pop();
      else if (r.ai.length) r.ai.pop();
      else if (r.di.length) r.di.pop();
      else r.sv.pop();
    }
    return r;
  });

function withoutRaw(ev: MaraEvent): Record<string, unknown> {
  const { raw: _raw, ...rest } = ev;
  return rest;
}

describe('property: frames', () => {
  it('encodeFrame → decodeFrame returns the same fields and payload (any cmd but 0x10/0x12)', () => {
    fc.assert(
      fc.property(
        byte,
        byte,
        byte,
        byte.filter((c) => c !== 0x10 && c !== 0x12),
        fc.uint8Array({ minLength: 0, maxLength: 245 }),
        (dst, src, seq, cmd, data) => {
          const b = mara.encodeFrame({ dst, src, seq, cmd, data });
          assert.equal(b.length, data.length + 8);
          assert.equal(b[1], b.length);
          assert.equal(b.readUInt16BE(b.length - 2), refBcc(b, b.length - 2), 'BCC agrees with the spec reference');
          const f = mara.decodeFrame(b);
          assert.deepEqual(
            { length: f.length, dst: f.dst, src: f.src, seq: f.seq, cmd: f.cmd, bcc: f.bcc },
            { length: data.length + 8, dst, src, seq, cmd, bcc: b.readUInt16BE(b.length - 2) },
          );
          assert.deepEqual([...f.data], [...data]);
          assert.deepEqual([...mara.encodeFrame(f)], [...b]);
        },
      ),
      { numRuns: RUNS, seed: 0x5eed0001 },
    );
  });

  it('bcc() equals the spec reference on any bytes and any end', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.nat(300), (b, e) => {
        const end = Math.min(e, b.length);
        assert.equal(mara.bcc(b, end), refBcc(b, end));
      }),
      { numRuns: RUNS, seed: 0x5eed0002 },
    );
  });
});

describe('property: poll replies', () => {
  it('encodePollReply → decodeFrame gives the same SV/DI/AI/events; re-encoding is byte-identical', () => {
    fc.assert(
      fc.property(replyArb, (r) => {
        const b = mara.encodePollReply(r);
        const payload = 4 + r.sv.length + r.di.length + 2 * r.ai.length + 10 * r.events.length;
        assert.equal(b.length, payload + 8);
        const f = mara.decodeFrame(b);
        assert.equal(f.kind, 'poll-reply');
        assert.deepEqual([f.dst, f.src, f.seq, f.cmd], [r.dst, r.src, r.seq, 0x10]);
        const reply = f.reply as mara.PollReply;
        assert.deepEqual(reply.sv, r.sv);
        assert.deepEqual(reply.di, r.di);
        assert.equal(reply.diBits.length, 8 * r.di.length);
        reply.diBits.forEach((bit, n) => assert.equal(bit, ((r.di[n >> 3] >> (n & 7)) & 1) === 1));
        assert.deepEqual(
          reply.ai,
          r.ai.map((w) => ({ raw: w, value: w & 0x0fff, q: w >> 14 })),
        );
        assert.equal(reply.events.length, r.events.length);
        reply.events.forEach((ev, i) => {
          assert.deepEqual(withoutRaw(ev), r.events[i], `event ${i}`);
          assert.equal(ev.raw.length, 10);
        });
        // only the expected warnings: odd DI byte count, the reserved event type 2, energy idle bits
        const expected =
          (r.di.length % 2 ? 1 : 0) +
          r.events.filter((e) => (e as MaraEvent).type === 'idle' || ((e as MaraEvent).type === 'energy' && (e as { idle?: number }).idle)).length;
        assert.equal(f.warnings.length, expected, f.warnings.join('; '));
        assert.deepEqual([...mara.encodePollReply(f)], [...b]);
      }),
      { numRuns: RUNS, seed: 0x5eed0003 },
    );
  });

  it('events alone: encodeEvent ∘ decodeEvent is the identity on valid events', () => {
    fc.assert(
      fc.property(eventArb, (ev) => {
        const raw = Buffer.from(mara.encodeEvent(ev));
        assert.equal(raw.length, 10);
        const back = mara.decodeEvent(raw, 0);
        assert.deepEqual(withoutRaw(back), ev);
        assert.deepEqual([...mara.encodeEvent(back)], [...raw]);
      }),
      { numRuns: RUNS, seed: 0x5eed0004 },
    );
  });
});

describe('property: PEH times', () => {
  it('encodeTimeSet(MaraTime) → decodeFrame gives the same time; dayOfWeek computed when absent', () => {
    fc.assert(
      fc.property(timeArb(true), fc.option(fc.integer({ min: 1, max: 7 }), { nil: undefined }), byte, byte, (t, dow, seq, src) => {
        const input: MaraTime = dow === undefined ? t : { ...t, dayOfWeek: dow };
        const b = mara.encodeTimeSet(input, { seq, src });
        assert.equal(b.length, 17);
        const f = mara.decodeFrame(b);
        assert.equal(f.kind, 'time-set');
        assert.deepEqual([f.dst, f.src, f.seq, f.cmd], [0xff, src, seq, 0x12]);
        const want = dow ?? ((new Date(Date.UTC(t.year, t.month - 1, t.day)).getUTCDay() + 6) % 7) + 1;
        assert.deepEqual(f.time, { ...t, dayOfWeek: want });
        assert.deepEqual(f.warnings, []);
        assert.deepEqual([...mara.encodeTimeSet(f.time as MaraTime, { seq, src })], [...b]);
      }),
      { numRuns: RUNS, seed: 0x5eed0005 },
    );
  });

  it('encodeTimeSet(Date, utc) → decodeFrame gives the UTC fields; timeToDate is back within 1 ms', () => {
    const min = Date.UTC(2000, 0, 1);
    const max = Date.UTC(2253, 11, 31, 23, 59, 59, 999);
    fc.assert(
      fc.property(fc.integer({ min, max }), (ms) => {
        const d = new Date(ms);
        const f = mara.decodeFrame(mara.encodeTimeSet(d, { utc: true }));
        const t = f.time as MaraTime;
        assert.deepEqual(t, {
          year: d.getUTCFullYear(),
          month: d.getUTCMonth() + 1,
          day: d.getUTCDate(),
          hour: d.getUTCHours(),
          minute: d.getUTCMinutes(),
          second: d.getUTCSeconds(),
          fraction: Math.floor((d.getUTCMilliseconds() * 32768) / 1000),
          dayOfWeek: ((d.getUTCDay() + 6) % 7) + 1,
        });
        // 1/32768 s cannot hold every millisecond: the instant comes back truncated by < 1 ms
        const back = mara.timeToDate(t, { utc: true }).getTime();
        assert.ok(ms - back >= 0 && ms - back <= 1, `${d.toISOString()} → ${new Date(back).toISOString()}`);
      }),
      { numRuns: RUNS, seed: 0x5eed0006 },
    );
  });
});
