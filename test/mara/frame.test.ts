/** Unit tests of the frame codec (lib/mara/frame.ts): validation, input forms, error offsets, warnings, PEH and reply encoding. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as mara from '../../lib';
import { catchMara, hexToBytes } from '../unit/helpers';

const POLL = 'FE 08 01 40 80 10 80 A7';
const MIXED =
  'FE 4E 40 01 21 10 07 44 0E 02 00 94 02 05 01 80 00 01 07 48 05 00 40 FF 8F 33 01 87 0E 01 0D 10 0F 1E 00 40 02 15 0E 01 0D 10 0F 1E 00 14 43 01 0E 01 0D 10 0F 02 13 BA 43 18 0E 01 0D 17 3B 1D 76 6C C4 34 0E 01 0D 10 0F 1F 00 00 D3 8D';

/** A 0x10 reply whose only event is `ev` (10 raw bytes). */
function replyWithEvent(ev: number[] | Buffer): Buffer {
  return mara.encodePollReply({ dst: 0x40, src: 0x01, seq: 0x30, events: [Buffer.from(ev)] });
}

describe('encodeFrame validation', () => {
  const ok = { dst: 1, src: 0x40, seq: 0x20, cmd: 0x06 };

  it('computes QTY and BCC; payload of 245 bytes (QTY 253) is the largest accepted', () => {
    const f = mara.encodeFrame({ ...ok, data: Buffer.alloc(245, 0x5a) });
    assert.equal(f.length, 253);
    assert.equal(f[0], 0xfe);
    assert.equal(f[1], 0xfd);
    assert.deepEqual([f[2], f[3], f[4], f[5]], [1, 0x40, 0x20, 0x06]);
    assert.equal(mara.decodeFrame(f).data.length, 245);
    const empty = mara.encodeFrame(ok);
    assert.equal(empty.length, 8);
    assert.equal(empty[1], 8);
    assert.deepEqual([...mara.encodeFrame({ dst: 1, src: 0x40, seq: 0x80, cmd: 0x10 })], [...hexToBytes(POLL)]);
  });

  it('payload of 246+ bytes (QTY > 253) → EINVAL', () => {
    for (const n of [246, 247, 300, 1000]) {
      const e = catchMara(() => mara.encodeFrame({ ...ok, data: Buffer.alloc(n) }), 'EINVAL');
      assert.match(e.message, /QTY/);
    }
  });

  for (const name of ['dst', 'src', 'seq', 'cmd'] as const) {
    it(`${name} out of 0..255, not an integer or missing → EINVAL`, () => {
      for (const bad of [-1, 256, 1000, 1.5, NaN, Infinity, '1', null, undefined, {}, true]) {
        const e = catchMara(() => mara.encodeFrame({ ...ok, [name]: bad } as unknown as mara.FrameFields), 'EINVAL');
        assert.match(e.message, new RegExp(name));
      }
      const { [name]: _omit, ...missing } = ok;
      catchMara(() => mara.encodeFrame(missing as unknown as mara.FrameFields), 'EINVAL');
      // the extremes are fine
      assert.equal(mara.encodeFrame({ ...ok, [name]: 0 }).length, 8);
      assert.equal(mara.encodeFrame({ ...ok, [name]: 255 }).length, 8);
    });
  }

  it('a non-object or payload that is not bytes → EINVAL', () => {
    for (const bad of [null, undefined, 42, 'FE']) catchMara(() => mara.encodeFrame(bad as unknown as mara.FrameFields), 'EINVAL');
    for (const data of [[256], [-1], [0.5], ['a'], 'zz', 'F', 42, {}])
      catchMara(() => mara.encodeFrame({ ...ok, data } as unknown as mara.FrameFields), 'EINVAL');
  });

  it('does not alias the caller payload', () => {
    const data = Buffer.from([1, 2, 3]);
    const f = mara.encodeFrame({ ...ok, data });
    data.fill(9);
    assert.deepEqual([...f.subarray(6, 9)], [1, 2, 3]);
  });
});

describe('decodeFrame input forms', () => {
  const bytes = hexToBytes(MIXED);

  it('Buffer, Uint8Array (also a view at an offset), number[] and hex text decode identically', () => {
    const ref = mara.decodeFrame(bytes);
    const big = new Uint8Array(bytes.length + 10);
    big.set(bytes, 7);
    const spaced = MIXED;
    const inputs: mara.BytesInput[] = [
      Buffer.from(bytes),
      new Uint8Array(bytes),
      big.subarray(7, 7 + bytes.length),
      [...bytes],
      spaced,
      spaced.toLowerCase(),
      spaced.replace(/ /g, ''),
      spaced.replace(/ /g, '').toLowerCase(),
      spaced
        .split(' ')
        .map((h) => '0x' + h)
        .join(','),
      `  ${spaced}\n`,
    ];
    for (const input of inputs) {
      const f = mara.decodeFrame(input);
      assert.equal(f.length, ref.length);
      assert.equal(f.seq, 0x21);
      assert.deepEqual([...f.data], [...ref.data]);
      assert.deepEqual(
        f.reply?.events.map((e) => [...e.raw]),
        ref.reply?.events.map((e) => [...e.raw]),
      );
    }
  });

  it('non-bytes inputs throw MaraError (EINVAL), never TypeError', () => {
    const bad: unknown[] = [
      null,
      undefined,
      {},
      42,
      true,
      Symbol('x'),
      () => 1,
      [256],
      [-1],
      [1.5],
      [NaN],
      ['FE'],
      [null],
      'zz',
      'F',
      'FE 0',
      'FE G8',
      { length: -1 },
      { length: 2 },
      { length: 1.5 },
      new ArrayBuffer(8),
      new Uint16Array([0x1fe]),
    ];
    for (const b of bad) {
      const e = catchMara(() => mara.decodeFrame(b as mara.BytesInput));
      assert.equal(e.code, 'EINVAL', `input ${String(b)}`);
      assert.ok(!(e instanceof TypeError));
      assert.equal(e.name, 'MaraError');
      assert.ok(e instanceof Error);
    }
  });

  it('does not alias the caller buffer', () => {
    const buf = Buffer.from(bytes);
    const f = mara.decodeFrame(buf);
    const data = [...f.data];
    const raw0 = [...(f.reply as mara.PollReply).events[0].raw];
    buf.fill(0);
    assert.deepEqual([...f.data], data);
    assert.deepEqual([...(f.reply as mara.PollReply).events[0].raw], raw0);
    const u8 = new Uint8Array(bytes);
    const g = mara.decodeFrame(u8);
    u8.fill(0xff);
    assert.deepEqual([...g.data], data);
    // and two decodes of the same buffer are independent
    const h = mara.decodeFrame(bytes);
    h.data[0] = 0;
    assert.equal(mara.decodeFrame(bytes).data[0], 7);
  });
});

describe('decode error codes and offsets', () => {
  it('ESOF at offset 0', () => {
    for (const sof of [0x00, 0xff, 0xfd, 0x7e]) {
      const b = hexToBytes(POLL);
      b[0] = sof;
      const e = catchMara(() => mara.decodeFrame(b), 'ESOF');
      assert.equal(e.offset, 0);
      assert.match(e.message, /offset 0/);
    }
  });

  it('ELENGTH at offset 1: QTY out of 8..253, QTY ≠ length, no QTY byte', () => {
    const cases: number[][] = [
      [0xfe, 7, 1, 0x40, 0x80, 0x10, 0x80],
      [0xfe, 0, 1, 0x40, 0x80, 0x10, 0x80, 0xa7],
      [0xfe, 254, ...new Array(252).fill(0)],
      [0xfe, 255, ...new Array(253).fill(0)],
      [...hexToBytes(POLL), 0x00], // one byte too many
      [...hexToBytes(POLL)].slice(0, 7), // one byte short
      [0xfe, 0x09, 1, 0x40, 0x80, 0x10, 0x80, 0xa7],
      [0xfe],
    ];
    for (const c of cases) {
      const e = catchMara(() => mara.decodeFrame(c), 'ELENGTH');
      assert.equal(e.offset, 1, `case ${c.slice(0, 3)} (length ${c.length})`);
    }
    // an empty buffer has no byte 1; the codec reports offset 0
    assert.equal(catchMara(() => mara.decodeFrame([]), 'ELENGTH').offset, 0);
    assert.equal(catchMara(() => mara.decodeFrame(''), 'ELENGTH').offset, 0);
  });

  it('EBCC at offset QTY-2, for either trailer byte and for a covered byte', () => {
    for (const hex of [POLL, MIXED, 'FE 11 FF 40 22 12 0C 0A 10 00 37 0D 50 3D 02 3B 48']) {
      const good = hexToBytes(hex);
      for (const at of [good.length - 1, good.length - 2, 2, good.length - 3]) {
        const b = Buffer.from(good);
        b[at] ^= 0x01;
        const e = catchMara(() => mara.decodeFrame(b), 'EBCC');
        assert.equal(e.offset, good.length - 2);
        assert.match(e.message, new RegExp(`offset ${good.length - 2}`));
      }
    }
  });

  it('EPAYLOAD for PEH frames whose payload is not 9 bytes', () => {
    for (const n of [0, 8, 10]) {
      const f = mara.encodeFrame({ dst: 0xff, src: 0x40, seq: 0x21, cmd: 0x12, data: Buffer.alloc(n, 1) });
      const e = catchMara(() => mara.decodeFrame(f), 'EPAYLOAD');
      assert.equal(typeof e.offset, 'number');
    }
  });

  it('EPAYLOAD offsets point at the offending count byte', () => {
    // QSV = 0 at offset 6
    assert.equal(catchMara(() => mara.decodeFrame(mara.encodeFrame({ dst: 0x40, src: 1, seq: 0x20, cmd: 0x10, data: [0, 1, 1, 1] })), 'EPAYLOAD').offset, 6);
    // QEV = 0 at offset 9
    assert.equal(catchMara(() => mara.decodeFrame(mara.encodeFrame({ dst: 0x40, src: 1, seq: 0x20, cmd: 0x10, data: [1, 1, 1, 0] })), 'EPAYLOAD').offset, 9);
    // QAI = 2 (one AI byte) at offset 8
    assert.equal(catchMara(() => mara.decodeFrame(mara.encodeFrame({ dst: 0x40, src: 1, seq: 0x20, cmd: 0x10, data: [1, 1, 2, 0, 1] })), 'EPAYLOAD').offset, 8);
    // QDI overruns the payload: at its count byte, offset 7
    assert.equal(catchMara(() => mara.decodeFrame(mara.encodeFrame({ dst: 0x40, src: 1, seq: 0x20, cmd: 0x10, data: [1, 9, 1, 1] })), 'EPAYLOAD').offset, 7);
  });
});

describe('warnings: odd but acceptable content is flagged, not rejected', () => {
  it('odd DI byte count', () => {
    const f = mara.decodeFrame('FE 0F 40 01 24 10 01 04 11 22 33 01 01 57 B8');
    assert.deepEqual(f.reply?.di, [0x11, 0x22, 0x33]);
    assert.equal(f.warnings.length, 1);
    assert.match(f.warnings[0], /odd DI byte count 3/);
  });

  it('AI reserved bits 13-12: value and q still decoded, raw preserved, re-encodes identically', () => {
    const b = mara.encodePollReply({ dst: 0x40, src: 1, seq: 0x20, ai: [0x3000 | 0x123, 0x1000 | (2 << 14) | 7, 0x0456] });
    const f = mara.decodeFrame(b);
    assert.deepEqual(f.reply?.ai, [
      { raw: 0x3123, value: 0x123, q: 0 },
      { raw: 0x9007, value: 7, q: 2 },
      { raw: 0x0456, value: 0x456, q: 0 },
    ]);
    assert.equal(f.warnings.length, 2);
    assert.match(f.warnings[0], /AI 0 .*reserved bits/);
    assert.match(f.warnings[1], /AI 1 .*reserved bits/);
    assert.deepEqual([...mara.encodePollReply(f)], [...b]);
  });

  it('impossible event dates (month 0, day 0, Feb 30, hour 24, fraction ≥ 32768) are decoded and flagged', () => {
    const cases: [number[], RegExp][] = [
      [[0x01, 0x87, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], /month 0/], // 2000-00-00, unsynchronised clock
      [[0x01, 0x87, 0x0e, 0x01, 0x00, 0x10, 0x0f, 0x1e, 0x00, 0x40], /day 0/],
      [[0x01, 0x87, 0x0e, 0x02, 0x1e, 0x10, 0x0f, 0x1e, 0x00, 0x40], /day 30/],
      [[0x01, 0x87, 0x0e, 0x01, 0x0d, 0x18, 0x0f, 0x1e, 0x00, 0x40], /hour 24/],
      [[0xc4, 0x34, 0x0e, 0x01, 0x0d, 0x10, 0x0f, 0x1e, 0x00, 0x80], /fraction 32768/],
      [[0x43, 0x01, 0x0e, 0x0d, 0x0d, 0x10, 0x0f, 0x02, 0x13, 0xba], /month 13/], // energy event
    ];
    for (const [ev, why] of cases) {
      const b = replyWithEvent(ev);
      const f = mara.decodeFrame(b);
      assert.equal(f.reply?.events.length, 1);
      assert.equal(f.warnings.length, 1, `${ev}: ${f.warnings}`);
      assert.match(f.warnings[0], /event at offset 10: impossible time/);
      assert.match(f.warnings[0], why);
      assert.deepEqual([...mara.encodePollReply(f)], [...b], 'an impossible date still round-trips');
    }
  });

  it('event year byte 254/255 (beyond the 0-253 range of the sheet) is flagged as impossible', () => {
    for (const yy of [0xfe, 0xff]) {
      const f = mara.decodeFrame(replyWithEvent([0x01, 0x87, yy, 0x01, 0x0d, 0x10, 0x0f, 0x1e, 0x00, 0x40]));
      assert.equal(f.reply?.events[0].time.year, 2000 + yy);
      assert.equal(f.warnings.length, 1);
      assert.match(f.warnings[0], /impossible time \(year/);
    }
    // year 2253 (YY 253) is fine
    assert.deepEqual(mara.decodeFrame(replyWithEvent([0x01, 0x87, 0xfd, 0x01, 0x0d, 0x10, 0x0f, 0x1e, 0x00, 0x40])).warnings, []);
  });

  it('energy idle bits, reserved type 2 and impossible PEH fields are flagged', () => {
    const energyIdle = mara.decodeFrame(replyWithEvent([0x43, 0xc1, 0x0e, 0x01, 0x0d, 0x10, 0x0f, 0x02, 0x13, 0xba]));
    assert.deepEqual(energyIdle.warnings.length, 1);
    assert.match(energyIdle.warnings[0], /energy idle bits/);
    const idle = mara.decodeFrame(replyWithEvent([0x81, 0x28, 0x0e, 0x01, 0x0d, 0x10, 0x0f, 0x1e, 0x00, 0x40]));
    assert.equal(idle.reply?.events[0].type, 'idle');
    assert.match(idle.warnings.join('|'), /reserved type 2/);
    const peh = (data: number[]) => mara.decodeFrame(mara.encodeFrame({ dst: 0xff, src: 0x40, seq: 0x21, cmd: 0x12, data }));
    assert.match(peh([14, 13, 1, 12, 0, 0, 0, 0, 3]).warnings.join('|'), /month 13/);
    assert.match(peh([14, 1, 1, 12, 0, 0, 0, 0, 0]).warnings.join('|'), /day of week 0/);
    assert.match(peh([14, 1, 1, 12, 0, 0, 0, 0, 8]).warnings.join('|'), /day of week 8/);
    assert.deepEqual(peh([14, 1, 1, 12, 0, 0, 0, 0x40, 3]).warnings, []);
  });
});

describe('encodeTimeSet', () => {
  it('from a Date with utc:true: every byte of the spec example (peh-computed-spec)', () => {
    const d = new Date(Date.UTC(2014, 0, 1, 12, 0, 0, 500));
    const f = mara.encodeTimeSet(d, { utc: true, seq: 0x21 });
    assert.deepEqual([...f], [...hexToBytes('FE 11 FF 40 21 12 0E 01 01 0C 00 00 00 40 03 CF 4F')]);
  });

  it('from a Date with utc:true: defaults, each field, fraction and day of week 1=Monday..7=Sunday', () => {
    // 2024-01-01 was a Monday
    for (let k = 0; k < 7; k++) {
      for (const ms of [0, 1, 2, 123, 124, 125, 500, 998, 999]) {
        const d = new Date(Date.UTC(2024, 0, 1 + k, 23 - k, 59 - k, 58 - k, ms));
        const f = mara.encodeTimeSet(d, { utc: true });
        const frac = Math.floor((ms * 32768) / 1000);
        assert.equal(f.length, 17);
        assert.deepEqual([...f.subarray(0, 6)], [0xfe, 0x11, 0xff, 0x40, 0xbb, 0x12], 'SOF QTY broadcast master SEQ 0xBB PEH');
        assert.deepEqual([...f.subarray(6, 15)], [24, 1, 1 + k, 23 - k, 59 - k, 58 - k, frac & 0xff, frac >> 8, k + 1], `day ${k}, ${ms} ms`);
        assert.equal(f.readUInt16BE(15), mara.bcc(f));
        const back = mara.decodeFrame(f).time as mara.MaraTime;
        assert.equal(back.fraction, frac);
        assert.equal(back.dayOfWeek, k + 1);
      }
    }
    assert.equal(Math.floor((999 * 32768) / 1000), 32735);
    const last = mara.encodeTimeSet(new Date(Date.UTC(2024, 0, 7, 0, 0, 0, 999)), { utc: true });
    assert.deepEqual([last[12], last[13], last[14]], [32735 & 0xff, 32735 >> 8, 7]);
  });

  it('dst, src, seq and cmd options', () => {
    const f = mara.encodeTimeSet(new Date(Date.UTC(2014, 1, 6, 19, 35, 27)), { utc: true, dst: 0x05, src: 0x01, seq: 0x7b, cmd: 0x1a });
    assert.deepEqual([...f.subarray(0, 6)], [0xfe, 0x11, 0x05, 0x01, 0x7b, 0x1a]);
    const d = mara.decodeFrame(f);
    assert.equal(d.kind, 'time-reply');
    assert.equal(d.time?.dayOfWeek, 4); // Thursday
  });

  it('from a Date without utc: the local civil fields of this process', () => {
    const d = new Date(2014, 5, 15, 8, 9, 10, 250);
    const f = mara.encodeTimeSet(d);
    assert.deepEqual(
      [...f.subarray(6, 15)],
      [d.getFullYear() - 2000, d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), 0x00, 0x20, ((d.getDay() + 6) % 7) + 1],
    );
  });

  it('from a MaraTime without dayOfWeek: the day of week is computed', () => {
    const cases: [number, number, number, number][] = [
      [2014, 2, 6, 4], // Thursday
      [2012, 10, 16, 2], // Tuesday
      [2014, 1, 1, 3], // Wednesday
      [2000, 1, 1, 6], // Saturday
      [2000, 2, 29, 2], // Tuesday, leap day
      [2024, 1, 7, 7], // Sunday
      [2253, 12, 31, 6], // Saturday (proleptic Gregorian)
    ];
    for (const [year, month, day, dow] of cases) {
      const want = ((new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7) + 1;
      assert.equal(want, dow, `test table ${year}-${month}-${day}`);
      const f = mara.encodeTimeSet({ year, month, day, hour: 1, minute: 2, second: 3, fraction: 0x1234 }, { seq: 0x22 });
      assert.deepEqual([...f.subarray(6, 15)], [year - 2000, month, day, 1, 2, 3, 0x34, 0x12, dow]);
    }
    // a given dayOfWeek is sent as is (the repository's 0=Monday frames are reproducible)
    const g = mara.encodeTimeSet({ year: 2014, month: 2, day: 6, hour: 19, minute: 35, second: 27, fraction: 0, dayOfWeek: 3 }, { seq: 0x7b });
    assert.deepEqual([...g], [...hexToBytes('FE 11 FF 40 7B 12 0E 02 06 13 23 1B 00 00 03 4D 6C')]);
  });

  it('year outside 2000..2253 → EINVAL (Date and MaraTime)', () => {
    for (const y of [1999, 1970, 2254, 2300]) {
      catchMara(() => mara.encodeTimeSet(new Date(Date.UTC(y, 0, 1)), { utc: true }), 'EINVAL');
      catchMara(() => mara.encodeTimeSet({ year: y, month: 1, day: 1, hour: 0, minute: 0, second: 0, fraction: 0 }), 'EINVAL');
    }
    assert.equal(mara.encodeTimeSet(new Date(Date.UTC(2000, 0, 1)), { utc: true })[6], 0);
    assert.equal(mara.encodeTimeSet(new Date(Date.UTC(2253, 11, 31, 23, 59, 59, 999)), { utc: true })[6], 253);
  });

  it('invalid Date, non-integer or out-of-byte fields → EINVAL', () => {
    catchMara(() => mara.encodeTimeSet(new Date(NaN)), 'EINVAL');
    const t = { year: 2014, month: 1, day: 1, hour: 0, minute: 0, second: 0, fraction: 0 };
    for (const [k, v] of [
      ['month', 256],
      ['day', -1],
      ['hour', 1.5],
      ['fraction', 0x10000],
      ['second', '3'],
      ['minute', undefined],
      ['dayOfWeek', 256],
    ] as const)
      catchMara(() => mara.encodeTimeSet({ ...t, [k]: v } as unknown as mara.MaraTime), 'EINVAL');
    catchMara(() => mara.encodeTimeSet(null as unknown as mara.MaraTime), 'EINVAL');
    catchMara(() => mara.encodeTimeSet(t, { seq: 256 }), 'EINVAL');
  });
});

describe('encodePollReply', () => {
  it('accepts (header, body), one object, or a decoded frame', () => {
    const body = { sv: [1, 2], di: [0x01, 0x80], ai: [0x4000], events: [] };
    const a = mara.encodePollReply({ dst: 0x40, src: 1, seq: 0x21 }, body);
    const b = mara.encodePollReply({ dst: 0x40, src: 1, seq: 0x21, ...body });
    const c = mara.encodePollReply(mara.decodeFrame(a));
    assert.deepEqual([...a], [...b]);
    assert.deepEqual([...a], [...c]);
    assert.deepEqual([...a.subarray(6, a.length - 2)], [3, 1, 2, 3, 0x01, 0x80, 3, 0x00, 0x40, 1]);
  });

  it('diBits are packed LSB first into whole 16-bit ports', () => {
    const f = mara.decodeFrame(mara.encodePollReply({ dst: 0x40, src: 1, seq: 0x21, diBits: [1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1] }));
    assert.deepEqual(f.reply?.di, [0x01, 0x02, 0x01, 0x00]);
  });

  it('rejects bad blocks with EINVAL and a payload above 245 bytes', () => {
    const h = { dst: 0x40, src: 1, seq: 0x21 };
    catchMara(() => mara.encodePollReply(h, { sv: [256] }), 'EINVAL');
    catchMara(() => mara.encodePollReply(h, { ai: [0x10000] }), 'EINVAL');
    catchMara(() => mara.encodePollReply(h, { ai: [{ value: 4096 }] }), 'EINVAL');
    catchMara(() => mara.encodePollReply(h, { ai: [{ value: 1, q: 4 }] }), 'EINVAL');
    catchMara(() => mara.encodePollReply(h, { events: [Buffer.alloc(9)] }), 'EINVAL');
    catchMara(() => mara.encodePollReply(h, { events: [{ type: 'nope' } as unknown as mara.MaraEvent] }), 'EINVAL');
    catchMara(() => mara.encodePollReply(h, { sv: new Array(242).fill(0) }), 'EINVAL'); // 246-byte payload
    assert.equal(mara.encodePollReply(h, { sv: new Array(241).fill(0) }).length, 253);
    catchMara(() => mara.encodePollReply(null as unknown as Parameters<typeof mara.encodePollReply>[0]), 'EINVAL');
  });
});
