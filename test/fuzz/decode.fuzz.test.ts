/**
 * Fuzzing decodeFrame with a seeded PRNG (failures replay): it either returns a frame or throws a
 * MaraError with one of the four frame-level codes, never anything else; a frame it accepts is
 * exactly what the encoder would build from its fields. And every single-bit flip of a valid frame
 * is rejected (the mod-2^16 word sum changes by ±2^k ≠ 0 for any one flipped bit, §3.1).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as mara from '../../lib';
import { MaraError, MaraFrame } from '../../lib';
import { Rng, fixBcc, hexToBytes, int, loadVectors, mulberry32, randomBytes, randomReply, refBcc } from '../unit/helpers';

const FRAME_CODES = new Set(['ESOF', 'ELENGTH', 'EBCC', 'EPAYLOAD']);

interface Tally {
  inputs: number;
  accepted: number;
  byCode: Record<string, number>;
}

/** Decodes `b`; asserts the outcome is a frame or a frame-level MaraError, and checks accepted frames. */
function probe(b: Buffer | number[], tally: Tally, label: string): MaraFrame | undefined {
  tally.inputs++;
  let f: MaraFrame;
  try {
    f = mara.decodeFrame(b);
  } catch (e) {
    if (!(e instanceof MaraError)) assert.fail(`${label}: threw a non-MaraError ${String((e as Error)?.stack ?? e)} for ${Buffer.from(b).toString('hex')}`);
    if (!FRAME_CODES.has(e.code)) assert.fail(`${label}: code ${e.code} (${e.message}) for ${Buffer.from(b).toString('hex')}`);
    assert.equal(typeof e.offset, 'number', `${label}: ${e.code} without an offset`);
    // the offset names a byte of the input, or the first missing one (a buffer that ends too early)
    assert.ok((e.offset as number) >= 0 && (e.offset as number) <= b.length, `${label}: offset ${e.offset} outside the input`);
    tally.byCode[e.code] = (tally.byCode[e.code] ?? 0) + 1;
    return undefined;
  }
  tally.accepted++;
  const bytes = Buffer.from(b);
  // an accepted frame is well-formed, and the encoder rebuilds it from its fields
  assert.equal(bytes[0], 0xfe);
  assert.equal(f.length, bytes.length);
  assert.ok(f.length >= 8 && f.length <= 253);
  assert.equal(f.bcc, refBcc(bytes, bytes.length - 2), `${label}: accepted a frame with a wrong BCC`);
  assert.deepEqual([...mara.encodeFrame(f)], [...bytes], `${label}: encodeFrame(decodeFrame(x)) != x`);
  if (f.reply) {
    // the reply re-encodes identically unless it carries bits the decoded fields do not hold
    // (energy idle bits, type-2 reserved bits: flagged) or a year the encoder refuses (flagged)
    const flagged = f.warnings.some((w) => /idle|reserved type|year/.test(w));
    let again: Buffer | undefined;
    try {
      again = mara.encodePollReply(f);
    } catch (e) {
      assert.ok(e instanceof MaraError && e.code === 'EINVAL' && flagged, `${label}: re-encoding threw ${String(e)} without a warning`);
    }
    if (again && !again.equals(bytes)) assert.ok(flagged, `${label}: re-encoded reply differs without a warning: ${bytes.toString('hex')}`);
  }
  return f;
}

/** A valid frame of any kind: a 0x10 reply, a poll, a PEH or another command with a random payload. */
function randomFrame(rnd: Rng): Buffer {
  switch (int(rnd, 0, 3)) {
    case 0:
      return mara.encodePollReply(randomReply(rnd));
    case 1:
      return mara.encodePoll({ dst: int(rnd, 0, 255), src: int(rnd, 0, 255), seq: int(rnd, 0, 255) });
    case 2: {
      const y = int(rnd, 2000, 2253);
      return mara.encodeTimeSet(
        {
          year: y,
          month: int(rnd, 1, 12),
          day: int(rnd, 1, 28),
          hour: int(rnd, 0, 23),
          minute: int(rnd, 0, 59),
          second: int(rnd, 0, 59),
          fraction: int(rnd, 0, 32767),
        },
        { seq: int(rnd, 0, 255) },
      );
    }
    default: {
      let cmd = int(rnd, 0, 255);
      if (cmd === 0x10 || cmd === 0x12) cmd = 0x13;
      return mara.encodeFrame({ dst: int(rnd, 0, 255), src: int(rnd, 0, 255), seq: int(rnd, 0, 255), cmd, data: randomBytes(rnd, int(rnd, 0, 245)) });
    }
  }
}

/** 1-4 random byte changes, insertions, deletions or a truncation. */
function mutate(rnd: Rng, frame: Buffer): Buffer {
  let b = [...frame];
  const n = int(rnd, 1, 4);
  for (let k = 0; k < n; k++) {
    const op = int(rnd, 0, 4);
    const at = int(rnd, 0, Math.max(b.length - 1, 0));
    if (op === 0 && b.length) b[at] = int(rnd, 0, 255);
    else if (op === 1 && b.length) b[at] ^= 1 << int(rnd, 0, 7);
    else if (op === 2) b.splice(at, 0, int(rnd, 0, 255));
    else if (op === 3 && b.length) b.splice(at, 1);
    else b = b.slice(0, int(rnd, 0, b.length));
  }
  return Buffer.from(b);
}

describe('decodeFrame fuzz: returns or throws MaraError ESOF/ELENGTH/EBCC/EPAYLOAD, nothing else', () => {
  const grand: Tally = { inputs: 0, accepted: 0, byCode: {} };
  const add = (t: Tally) => {
    grand.inputs += t.inputs;
    grand.accepted += t.accepted;
    for (const [k, v] of Object.entries(t.byCode)) grand.byCode[k] = (grand.byCode[k] ?? 0) + v;
  };

  it('30 000 random byte arrays of length 0..300 (half of them starting with SOF)', () => {
    const rnd = mulberry32(0xf0221);
    const t: Tally = { inputs: 0, accepted: 0, byCode: {} };
    for (let i = 0; i < 30000; i++) {
      const b = randomBytes(rnd, int(rnd, 0, 300));
      if (i & 1 && b.length) b[0] = 0xfe;
      probe(b, t, `random #${i}`);
    }
    assert.equal(t.inputs, 30000);
    assert.ok(t.byCode.ESOF > 10000 && t.byCode.ELENGTH > 10000, JSON.stringify(t));
    add(t);
  });

  it('20 000 frames with a random QTY byte (BCC left, and BCC recomputed over the new length)', () => {
    const rnd = mulberry32(0xf0222);
    const t: Tally = { inputs: 0, accepted: 0, byCode: {} };
    for (let i = 0; i < 10000; i++) {
      const f = randomFrame(rnd);
      const qty = int(rnd, 0, 255);
      const b = Buffer.from(f);
      b[1] = qty;
      probe(b, t, `qty #${i}`);
      // a frame truncated/extended to its new QTY, BCC recomputed: passes the header, reaches the payload
      if (qty >= 8 && qty <= 253) {
        const c = Buffer.alloc(qty);
        f.copy(c, 0, 0, Math.min(qty, f.length));
        c[1] = qty;
        probe(fixBcc(c), t, `qty+bcc #${i}`);
      } else probe(b.subarray(0, Math.min(b.length, Math.max(qty, 1))), t, `qty-trunc #${i}`);
    }
    assert.equal(t.inputs, 20000);
    assert.ok(t.accepted > 1000 && t.byCode.EPAYLOAD > 500, JSON.stringify(t));
    add(t);
  });

  it('40 000 mutated valid frames (changes, bit flips, insertions, deletions, truncations)', () => {
    const rnd = mulberry32(0xf0223);
    const t: Tally = { inputs: 0, accepted: 0, byCode: {} };
    for (let i = 0; i < 20000; i++) {
      const m = mutate(rnd, randomFrame(rnd));
      probe(m, t, `mutated #${i}`);
      // the same mutation with QTY and BCC made consistent again, so the payload decoder is exercised
      if (m.length >= 8 && m.length <= 253) {
        const c = Buffer.from(m);
        c[0] = 0xfe;
        c[1] = c.length;
        probe(fixBcc(c), t, `mutated+fixed #${i}`);
      } else probe(m.subarray(0, 7), t, `mutated-short #${i}`);
    }
    assert.equal(t.inputs, 40000);
    assert.ok(t.accepted > 5000 && t.byCode.EBCC > 2000 && t.byCode.EPAYLOAD > 1000, JSON.stringify(t));
    add(t);
  });

  it('20 000 random 0x10 / 0x12 / 0x1A payloads framed with a correct BCC (payload decoder only)', () => {
    const rnd = mulberry32(0xf0224);
    const t: Tally = { inputs: 0, accepted: 0, byCode: {} };
    const cmds = [0x10, 0x12, 0x1a];
    for (let i = 0; i < 20000; i++) {
      const cmd = cmds[i % 3];
      // small count bytes make structurally plausible payloads likely
      const n = cmd === 0x10 ? int(rnd, 1, 60) : int(rnd, 8, 10);
      const data = randomBytes(rnd, n);
      if (cmd === 0x10 && rnd() < 0.7) for (let k = 0; k < n; k++) if (rnd() < 0.5) data[k] = int(rnd, 1, 12);
      probe(mara.encodeFrame({ dst: 0x40, src: 1, seq: int(rnd, 0, 255), cmd, data }), t, `payload #${i}`);
    }
    assert.equal(t.inputs, 20000);
    assert.ok(t.accepted > 5000 && t.byCode.EPAYLOAD > 5000, JSON.stringify(t));
    add(t);
  });

  it('at least 100 000 inputs in total', () => {
    assert.ok(grand.inputs >= 100000, `only ${grand.inputs} inputs`);
    assert.ok(grand.accepted > 0);
    for (const c of FRAME_CODES) assert.ok(grand.byCode[c] > 0, `no ${c} at all: ${JSON.stringify(grand.byCode)}`);
  });
});

describe('every single-bit flip of a valid frame is rejected', () => {
  /** Flips each bit of each byte; asserts the exact code: SOF → ESOF, QTY → ELENGTH, else EBCC. */
  function allFlips(frame: Buffer, label: string): number {
    let n = 0;
    const b = Buffer.from(frame);
    for (let i = 0; i < b.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        b[i] ^= 1 << bit;
        let err: unknown;
        try {
          mara.decodeFrame(b);
        } catch (e) {
          err = e;
        }
        b[i] ^= 1 << bit;
        const want = i === 0 ? 'ESOF' : i === 1 ? 'ELENGTH' : 'EBCC';
        if (!(err instanceof MaraError) || err.code !== want)
          assert.fail(`${label}: flipping bit ${bit} of byte ${i} gave ${err instanceof MaraError ? err.code : 'no error'}, expected ${want}`);
        n++;
      }
    }
    assert.ok(b.equals(frame));
    return n;
  }

  it('all 20 valid vector frames', () => {
    const valid = loadVectors().filter((v) => v.decoded.valid);
    assert.equal(valid.length, 20);
    let n = 0;
    for (const v of valid) n += allFlips(hexToBytes(v.hex), v.name);
    assert.ok(n > 10000, `${n} flips`);
  });

  it('200 random encoded replies (and 200 other random frames)', () => {
    const rnd = mulberry32(0xb17f);
    let n = 0;
    for (let i = 0; i < 200; i++) n += allFlips(mara.encodePollReply(randomReply(rnd)), `reply #${i}`);
    for (let i = 0; i < 200; i++) n += allFlips(randomFrame(rnd), `frame #${i}`);
    assert.ok(n > 100000, `${n} flips`);
  });

  it('the reason, checked exhaustively on the checksum: a one-bit change moves the word sum by ±2^k, never 0 mod 2^16', () => {
    // bit `bit` of byte i contributes 2^(bit + 8) when i is even (high half of a word), 2^bit when odd
    for (let i = 0; i < 2; i++)
      for (let bit = 0; bit < 8; bit++) {
        const delta = 1 << (bit + (i % 2 ? 0 : 8));
        assert.notEqual(delta % 65536, 0);
        assert.notEqual((65536 - delta) % 65536, 0);
      }
    // whereas two flips can cancel: bit 15 of two words (+2^15 + 2^15 = 2^16 ≡ 0) — not a single-bit error
    const f = Buffer.from(hexToBytes('FE 0B 01 40 22 13 03 05 01 DA 9C'));
    f[2] ^= 0x80;
    f[4] ^= 0x80;
    assert.equal(mara.decodeFrame(f).dst, 0x81, 'a double error in the same word bit is not detected by an additive sum');
  });
});
