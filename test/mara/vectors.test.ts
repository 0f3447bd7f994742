/**
 * The 29 vectors of test/fixtures/mara-vectors.json (spec §10) and the worked BCC examples of
 * spec §3.2, decoded and re-encoded.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as mara from '../../lib';
import { EventInput, MaraErrorCode, MaraEvent } from '../../lib';
import { Vector, VectorEvent, catchMara, hexToBytes, parseStamp, refBcc } from '../unit/helpers';

const vectors = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../fixtures/mara-vectors.json'), 'utf8')) as Vector[];
const valid = vectors.filter((v) => v.decoded.valid);
const rejected = vectors.filter((v) => !v.decoded.valid);
const pollResponses = valid.filter((v) => v.decoded.kind === 'poll-response');
const pehs = valid.filter((v) => v.decoded.kind === 'peh');

/** "80 A7" → 0x80A7 */
const bccNumber = (s: string) => parseInt(s.replace(/\s+/g, ''), 16);

/** The codec names the spec's kinds differently. */
const KIND: Record<string, string> = { 'poll-request': 'poll-request', 'poll-response': 'poll-reply', peh: 'time-set', other: 'other' };

/** Expected code of each rejected vector (brief / spec §9). */
const REJECT_CODE: Record<string, MaraErrorCode> = {
  'bad-sof': 'ESOF',
  'qty-mismatch': 'ELENGTH',
  'stream-frame-plus-garbage': 'ELENGTH',
  'poll-response-bad-bcc': 'EBCC',
  'event-count-not-multiple-of-10': 'EPAYLOAD',
  'trailing-payload-byte': 'EPAYLOAD',
  'zero-count-byte': 'EPAYLOAD',
  'block-overruns-frame': 'EPAYLOAD',
  'odd-ai-byte-count': 'EPAYLOAD',
};

/** The vector's event as an encoder input built from its decoded fields only (not from `raw`). */
function eventFromVector(e: VectorEvent): EventInput {
  const ts = parseStamp(e.timestamp);
  const base = { calif: e.calif, addr: e.addr };
  switch (e.type) {
    case 'DIGITAL':
      return { type: 'digital', ...base, state: e.status, port: e.port, bit: e.bit, time: { ...ts, fraction: e.fraction } } as EventInput;
    case 'ENERGY':
      return { type: 'energy', ...base, code: e.code, channel: e.channel, value: e.value, time: { ...ts, fraction: 0 } } as EventInput;
    case 'COMSYS':
      return { type: 'comsys', ...base, code: e.code, motiv: e.motiv, time: { ...ts, fraction: e.fraction } } as EventInput;
    default:
      throw new Error(`no vector has type ${e.type}; extend the test`);
  }
}

function checkEvent(ev: MaraEvent, e: VectorEvent, where: string): void {
  assert.equal(ev.type, e.type.toLowerCase(), `${where}: type`);
  assert.equal(ev.addr, e.addr, `${where}: addr`);
  assert.equal(ev.calif, e.calif, `${where}: calif`);
  assert.deepEqual([...ev.raw], [...hexToBytes(e.raw)], `${where}: raw bytes`);
  const ts = parseStamp(e.timestamp);
  const { year, month, day, hour, minute, second } = ev.time;
  assert.deepEqual({ year, month, day, hour, minute, second }, ts, `${where}: time`);
  switch (ev.type) {
    case 'digital':
      assert.equal(ev.state, e.status, `${where}: state`);
      assert.equal(ev.port, e.port, `${where}: port`);
      assert.equal(ev.bit, e.bit, `${where}: bit`);
      assert.equal(ev.time.fraction, e.fraction, `${where}: fraction`);
      assert.ok(Math.abs(ev.time.fraction / 32768 - (e.subsecond as number)) < 1e-6, `${where}: subsecond`);
      break;
    case 'energy':
      assert.equal(ev.code, e.code, `${where}: code`);
      assert.equal(ev.channel, e.channel, `${where}: channel`);
      assert.equal(ev.value, e.value, `${where}: value`);
      assert.equal(ev.time.fraction, 0, `${where}: an energy time has no fraction`);
      // the vector's `idle` field is bits 7-6 of byte 1; the codec exposes them only through `raw`
      assert.equal(ev.raw[1] >> 6, e.idle, `${where}: idle bits`);
      break;
    case 'comsys':
      assert.equal(ev.code, e.code, `${where}: code`);
      assert.equal(ev.motiv, e.motiv, `${where}: motiv`);
      assert.equal(ev.time.fraction, e.fraction, `${where}: fraction`);
      break;
    default:
      assert.fail(`${where}: unexpected event type ${ev.type}`);
  }
}

describe('mara-vectors.json', () => {
  it('holds 29 vectors: 20 valid, 9 to reject, each with a test expectation', () => {
    assert.equal(vectors.length, 29);
    assert.equal(valid.length, 20);
    assert.equal(rejected.length, 9);
    for (const v of rejected) assert.ok(REJECT_CODE[v.name], `no expected error code for rejected vector ${v.name}`);
    assert.ok(pollResponses.length >= 10 && pehs.length === 3);
  });

  describe('valid vectors decode to the documented header fields', () => {
    for (const v of valid) {
      it(v.name, () => {
        const d = v.decoded;
        const bytes = hexToBytes(v.hex);
        const f = mara.decodeFrame(v.hex);
        assert.equal(f.length, d.qty);
        assert.equal(f.length, bytes.length);
        assert.equal(f.dst, d.dst);
        assert.equal(f.src, d.src);
        assert.equal(f.seq, d.seq);
        assert.equal(f.cmd, d.cmd);
        assert.equal(f.bcc, bccNumber(d.bcc as string));
        assert.equal(f.kind, KIND[d.kind as string]);
        assert.deepEqual([...f.data], [...bytes.subarray(6, bytes.length - 2)], 'data = payload');
        if (d.payload !== undefined) assert.deepEqual([...f.data], [...hexToBytes(d.payload)]);
        // only the odd-DI vector is odd-but-acceptable (spec §9); every other vector decodes cleanly
        if (v.name === 'poll-response-odd-di-byte-count') {
          assert.equal(f.warnings.length, 1);
          assert.match(f.warnings[0], /odd DI/i);
        } else {
          assert.deepEqual(f.warnings, []);
        }
      });
    }
  });

  describe('poll-response vectors: SV, DI, AI and events', () => {
    for (const v of pollResponses) {
      it(v.name, () => {
        const d = v.decoded;
        const f = mara.decodeFrame(v.hex);
        const r = f.reply;
        assert.ok(r, 'a 0x10 frame with a payload has a decoded reply');
        // count bytes [§5.2]
        const counts = [d.qsv, d.qdi, d.qai, d.qev] as number[];
        let p = 0;
        for (const c of counts) {
          assert.equal(f.data[p], c);
          p += c;
        }
        assert.equal(p, f.data.length);

        assert.deepEqual(r.sv, d.sv);

        const di = [...hexToBytes(d.diBytes as string)];
        assert.deepEqual(r.di, di);
        assert.equal(r.diBits.length, di.length * 8);
        const on = new Set(d.diOn);
        for (let n = 0; n < r.diBits.length; n++) assert.equal(r.diBits[n], on.has(n), `diBits[${n}]`);
        for (const n of on) assert.ok(n < r.diBits.length, `diOn ${n} inside the DI block`);

        const ai = (d.ai ?? []).map((a) => ({ raw: parseInt(a.raw, 16), value: a.value, q: a.q }));
        assert.deepEqual(r.ai, ai);

        const events = d.events ?? [];
        assert.equal(r.events.length, events.length);
        assert.equal(r.events.length, ((d.qev as number) - 1) / 10);
        r.events.forEach((ev, i) => checkEvent(ev, events[i], `${v.name} event ${i}`));
      });
    }
  });

  describe('PEH vectors: time, fraction, day of week', () => {
    for (const v of pehs) {
      it(v.name, () => {
        const d = v.decoded;
        const f = mara.decodeFrame(v.hex);
        assert.ok(f.time);
        const { year, month, day, hour, minute, second } = f.time;
        assert.deepEqual({ year, month, day, hour, minute, second }, parseStamp(d.time as string));
        assert.equal(f.time.fraction, d.fraction);
        assert.ok(Math.abs(f.time.fraction / 32768 - (d.subsecond as number)) < 1e-6);
        assert.equal(f.time.dayOfWeek, d.dow);
      });
    }
  });

  describe('rejected vectors throw a MaraError with the right code and offset', () => {
    for (const v of rejected) {
      it(`${v.name} → ${REJECT_CODE[v.name]}`, () => {
        const err = catchMara(() => mara.decodeFrame(v.hex), REJECT_CODE[v.name]);
        assert.match(err.message, /offset/);
        assert.equal(typeof err.offset, 'number');
        const bytes = hexToBytes(v.hex);
        if (err.code === 'ESOF') assert.equal(err.offset, 0);
        if (err.code === 'ELENGTH') assert.equal(err.offset, 1);
        if (err.code === 'EBCC') assert.equal(err.offset, bytes[1] - 2);
        if (err.code === 'EPAYLOAD') {
          // the fault is inside the payload: from the first count byte to before the BCC
          assert.ok((err.offset as number) >= 6 && (err.offset as number) <= bytes.length - 2, `EPAYLOAD offset ${err.offset}`);
          // these vectors have a correct BCC (they test the structure, not the check code)
          assert.equal(refBcc(bytes, bytes.length - 2), bytes.readUInt16BE(bytes.length - 2));
        }
        // the same bytes as a Buffer and as an array give the same error
        assert.equal(catchMara(() => mara.decodeFrame(bytes)).code, err.code);
        assert.equal(catchMara(() => mara.decodeFrame([...bytes])).code, err.code);
      });
    }

    it('stream-frame-plus-garbage: its first QTY bytes are the documented valid frame', () => {
      const v = vectors.find((x) => x.name === 'stream-frame-plus-garbage') as Vector;
      const ff = v.decoded.firstFrame as NonNullable<Vector['decoded']['firstFrame']>;
      const bytes = hexToBytes(v.hex);
      const f = mara.decodeFrame(bytes.subarray(0, bytes[1]));
      assert.deepEqual(
        { length: f.length, dst: f.dst, src: f.src, seq: f.seq, cmd: f.cmd, bcc: f.bcc, kind: f.kind },
        { length: ff.qty, dst: ff.dst, src: ff.src, seq: ff.seq, cmd: ff.cmd, bcc: bccNumber(ff.bcc), kind: ff.kind },
      );
    });
  });
});

describe('BCC worked examples (spec §3.2)', () => {
  const examples: [string, string, number][] = [
    ['1 poll request', 'FE 08 01 40 80 10', 0x80a7],
    ['2 sync broadcast', 'FE 08 FF 01 80 0C', 0x82ea],
    ['3 DST 0x0A', 'FE 08 0A 01 06 10', 0xf1e6],
    ['4 PEH, odd length', 'FE 11 FF 40 22 12 0C 0A 10 00 37 0D 50 3D 02', 0x3b48],
    ['5 PEH from the bug report', 'FE 11 FF 40 23 12 0E 02 06 13 23 1B 00 00 03', 0xa56c],
    ['6 empty poll reply', 'FE 0C 40 01 20 10 01 01 01 01', 0x9fe0],
    ['counter-example (sheet shows 80 A7, wrong)', 'FE 0A 01 07 80 03 07 05', 0x79e6],
  ];
  for (const [name, hex, want] of examples) {
    it(`example ${name}: ${want.toString(16).toUpperCase()}`, () => {
      const b = hexToBytes(hex);
      assert.equal(mara.bcc(b, b.length), want);
      assert.equal(mara.bcc([...b], b.length), want, 'a number[] gives the same');
      assert.equal(refBcc(b, b.length), want, 'the spec reference agrees');
      // with the trailer appended, the default `end` (length - 2) covers the same bytes
      const framed = Buffer.concat([b, Buffer.from([want >> 8, want & 0xff])]);
      assert.equal(mara.bcc(framed), want);
      assert.equal(mara.bcc(framed, framed.length - 2), want);
    });
  }

  it('the sheet trailer 80 A7 of the counter-example is rejected by decodeFrame', () => {
    catchMara(() => mara.decodeFrame('FE 0A 01 07 80 03 07 05 80 A7'), 'EBCC');
    assert.equal(mara.decodeFrame('FE 0A 01 07 80 03 07 05 79 E6').cmd, 3);
  });

  it('every vector frame (valid or not) carries a trailer consistent with the spec reference', () => {
    for (const v of vectors) {
      const b = hexToBytes(v.hex);
      if (b[0] !== 0xfe || b[1] !== b.length) continue; // the BCC position is undefined for these
      const trailer = b.readUInt16BE(b.length - 2);
      const ok = refBcc(b, b.length - 2) === trailer;
      assert.equal(mara.bcc(b) === trailer, ok, v.name);
      assert.equal(ok, v.name !== 'poll-response-bad-bcc', v.name);
    }
  });
});

describe('encode round trips of the vectors', () => {
  for (const v of valid) {
    it(`encodeFrame of the fields of ${v.name} gives the exact bytes`, () => {
      const d = v.decoded;
      const bytes = hexToBytes(v.hex);
      const out = mara.encodeFrame({
        dst: d.dst as number,
        src: d.src as number,
        seq: d.seq as number,
        cmd: d.cmd as number,
        data: bytes.subarray(6, bytes.length - 2),
      });
      assert.deepEqual([...out], [...bytes]);
      const f = mara.decodeFrame(bytes);
      assert.deepEqual([...mara.encodeFrame(f)], [...bytes], 'encodeFrame(decodeFrame(x)) = x');
    });
  }

  for (const v of pollResponses) {
    it(`encodePollReply(decodeFrame(x)) = x for ${v.name}`, () => {
      const bytes = hexToBytes(v.hex);
      assert.deepEqual([...mara.encodePollReply(mara.decodeFrame(bytes))], [...bytes]);
    });

    it(`encodePollReply of the vector's documented fields = x for ${v.name}`, () => {
      const d = v.decoded;
      const bytes = hexToBytes(v.hex);
      const out = mara.encodePollReply({
        dst: d.dst as number,
        src: d.src as number,
        seq: d.seq as number,
        sv: d.sv,
        di: [...hexToBytes(d.diBytes as string)],
        ai: (d.ai ?? []).map((a) => ({ value: a.value, q: a.q })),
        events: (d.events ?? []).map(eventFromVector),
      });
      assert.deepEqual([...out], [...bytes]);
    });
  }

  for (const v of pehs) {
    it(`encodeTimeSet of the decoded time of ${v.name} gives the exact bytes`, () => {
      const d = v.decoded;
      const bytes = hexToBytes(v.hex);
      const f = mara.decodeFrame(bytes);
      assert.deepEqual([...mara.encodeTimeSet(f.time as mara.MaraTime, { seq: d.seq, src: d.src })], [...bytes]);
      // and from the vector's own fields
      const t = { ...parseStamp(d.time as string), fraction: d.fraction as number, dayOfWeek: d.dow };
      assert.deepEqual([...mara.encodeTimeSet(t, { seq: d.seq, src: d.src })], [...bytes]);
    });
  }

  it('encodePoll rebuilds the poll-request vectors', () => {
    for (const v of valid.filter((x) => x.decoded.kind === 'poll-request')) {
      const d = v.decoded;
      assert.deepEqual([...mara.encodePoll({ dst: d.dst as number, src: d.src, seq: d.seq as number })], [...hexToBytes(v.hex)], v.name);
    }
  });
});
