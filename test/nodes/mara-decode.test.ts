import { after, afterEach, before, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { catchNode, collect, helper } from '../helpers/red';
import decodeNode = require('../../nodes/mara-decode');

/** The node's limit of one msg (documented in its help). */
const MAX_INPUT_BYTES = 1024 * 1024;

const vectors: { name: string; hex: string }[] = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../fixtures/mara-vectors.json'), 'utf8'));
const hexOf = (name: string) => vectors.find((v) => v.name === name)!.hex;
const bytesOf = (name: string) => Buffer.from(hexOf(name).replace(/ /g, ''), 'hex');

type Msg = { payload: any; mara?: any; error?: any; topic?: string };

function flow(extra: Record<string, unknown> = {}) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'dec', type: 'mara-decode', z: 'tab', mode: 'stream', property: 'payload', timeout: 0, wires: [['out']], ...extra },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'c', type: 'catch', z: 'tab', scope: ['dec'], uncaught: false, wires: [['err']] },
    { id: 'err', type: 'helper', z: 'tab' },
  ];
}

describe('mara-decode node', () => {
  before(() => new Promise<void>((r) => helper.startServer(() => r())));
  after(() => new Promise<void>((r) => helper.stopServer(() => r())));
  afterEach(() => {
    mock.timers.reset(); // first: unload must not run on mock time
    return helper.unload();
  });

  it('decodes a real 0x10 reply given as a Buffer and keeps the msg', async () => {
    await helper.load([decodeNode, catchNode], flow());
    const got = collect<Msg>(helper.getNode('out'), 1);
    helper.getNode('dec').receive({ payload: bytesOf('poll-response-mixed-events'), topic: 'line1' });
    const [m] = await got;
    assert.equal(m.topic, 'line1');
    assert.equal(m.payload.kind, 'poll-reply');
    assert.equal(m.payload.seq, 0x21);
    assert.deepEqual(
      m.payload.reply.ai.map((a: any) => [a.value, a.q]),
      [
        [1352, 0],
        [0, 1],
        [4095, 2],
      ],
    );
    assert.equal(m.payload.reply.events.length, 5);
    assert.equal(m.payload.reply.events[2].value, 178707);
    assert.ok(Buffer.isBuffer(m.mara.raw) && m.mara.raw.equals(bytesOf('poll-response-mixed-events')));
  });

  it('accepts hex text and an array of bytes', async () => {
    await helper.load([decodeNode, catchNode], flow());
    const got = collect<Msg>(helper.getNode('out'), 2);
    helper.getNode('dec').receive({ payload: 'fe 08 01 40 80 10 80 a7' });
    helper.getNode('dec').receive({ payload: [...bytesOf('peh-test-2012')] });
    const [a, b] = await got;
    assert.equal(a.payload.kind, 'poll-request');
    assert.equal(a.payload.bcc, 0x80a7);
    assert.deepEqual(b.payload.time, { year: 2012, month: 10, day: 16, hour: 0, minute: 55, second: 13, fraction: 15696, dayOfWeek: 2 });
  });

  it('reassembles a frame torn across msgs and splits frames sharing a msg', async () => {
    await helper.load([decodeNode, catchNode], flow());
    const reply = bytesOf('poll-response-18-digital-events');
    const poll = bytesOf('poll-request-basic');
    const got = collect<Msg>(helper.getNode('out'), 3);
    const dec = helper.getNode('dec');
    dec.receive({ payload: Buffer.concat([Buffer.from([0x00, 0x13]), reply.subarray(0, 100)]) });
    dec.receive({ payload: reply.subarray(100, 101) });
    dec.receive({ payload: Buffer.concat([reply.subarray(101), poll, Buffer.from([0xfe])]) });
    dec.receive({ payload: poll.subarray(1) });
    const msgs = await got;
    assert.deepEqual(
      msgs.map((m) => m.payload.kind),
      ['poll-reply', 'poll-request', 'poll-request'],
    );
    assert.equal(msgs[0].payload.reply.events.length, 18);
  });

  it('fails the msg with EBCC so a Catch node sees it, and still outputs the good frames', async () => {
    await helper.load([decodeNode, catchNode], flow());
    const out = collect<Msg>(helper.getNode('out'), 1);
    const err = collect<Msg>(helper.getNode('err'), 1);
    helper.getNode('dec').receive({ payload: Buffer.concat([bytesOf('poll-response-bad-bcc'), bytesOf('poll-request-basic')]) });
    const [[e], [o]] = await Promise.all([err, out]);
    assert.equal(e.error.code, 'EBCC');
    assert.match(e.error.message, /offset 138/);
    assert.equal(o.payload.kind, 'poll-request');
  });

  it('in frame mode rejects anything but exactly one frame with the codec error code', async () => {
    await helper.load([decodeNode, catchNode], flow({ mode: 'frame' }));
    const err = collect<Msg>(helper.getNode('err'), 3);
    const dec = helper.getNode('dec');
    dec.receive({ payload: hexOf('bad-sof') });
    dec.receive({ payload: hexOf('stream-frame-plus-garbage') });
    dec.receive({ payload: hexOf('zero-count-byte') });
    const codes = (await err).map((m) => m.error.code);
    assert.deepEqual(codes, ['ESOF', 'ELENGTH', 'EPAYLOAD']);
  });

  it('rejects input that is not bytes with EINVAL and keeps running', async () => {
    await helper.load([decodeNode, catchNode], flow());
    const err = collect<Msg>(helper.getNode('err'), 2);
    const out = collect<Msg>(helper.getNode('out'), 1);
    const dec = helper.getNode('dec');
    dec.receive({ payload: 42 });
    dec.receive({ payload: 'FE 0G' });
    dec.receive({ payload: hexOf('poll-request-basic') });
    assert.deepEqual(
      (await err).map((m) => m.error.code),
      ['EINVAL', 'EINVAL'],
    );
    assert.equal((await out)[0].payload.seq, 0x80);
  });

  it('counts noise in its status and drops a partial frame after the silence timeout', async () => {
    await helper.load([decodeNode, catchNode], flow({ timeout: 50 }));
    const dec = helper.getNode('dec');
    const statuses: any[] = [];
    dec.on('call:status', (call: any) => statuses.push(call.args[0]));
    const out = collect<Msg>(helper.getNode('out'), 1);
    // mock time drives the node's silence timeout and its status throttle (collect's bound stays real)
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.now() });
    dec.receive({ payload: Buffer.from([1, 2, 3, 4, 5, 0xfe, 0x08, 0x01]) }); // noise, then a torn poll
    await new Promise((r) => setImmediate(r));
    mock.timers.tick(50); // the 50 ms silence timeout drops the torn frame
    dec.receive({ payload: bytesOf('poll-request-basic').subarray(3) }); // the rest arrives too late: noise
    dec.receive({ payload: bytesOf('poll-request-basic') });
    const [m] = await out;
    assert.equal(m.payload.seq, 0x80);
    mock.timers.tick(1000); // the status throttle's 1 s: its pending status lands
    await new Promise((r) => setImmediate(r)); // the runtime hands a status on asynchronously
    const last = statuses[statuses.length - 1];
    assert.equal(last.fill, 'green');
    assert.match(last.text, /1[^0-9]+0[^0-9]+13/); // 1 ok, 0 bad, 5 + 3 + 5 bytes of noise
  });

  it('bounds what one msg may produce: at most 1000 frames, then ELIMIT; an input above 1 MiB is refused at once (issue 10 item 5)', async () => {
    await helper.load([decodeNode, catchNode], flow());
    const poll = bytesOf('poll-request-basic'); // 8 bytes
    const out = collect<Msg>(helper.getNode('out'), 1000, 10_000);
    const err = collect<Msg>(helper.getNode('err'), 2, 10_000);
    const dec = helper.getNode('dec');
    // 6 000 frames in one 48 KB msg (the 48 MB msg of the report made 6 M msgs and exhausted the heap)
    dec.receive({ payload: Buffer.concat(Array.from({ length: 6000 }, () => poll)), topic: 'big' });
    dec.receive({ payload: Buffer.alloc(MAX_INPUT_BYTES + 1, 0xfe) });
    const frames = await out;
    assert.equal(frames.length, 1000);
    const errs = await err;
    assert.deepEqual(
      errs.map((m) => m.error.code),
      ['ELIMIT', 'ELIMIT'],
    );
    assert.match(
      errs[0].error.message,
      /more than 1000 frames in one msg: the first 1000 were sent, the rest of its 48000 bytes \(from about byte \d+\) dropped/,
    );
    assert.match(errs[1].error.message, /a Buffer of 1048577 bytes, more than one msg may carry \(1048576 bytes\)/);
    // the node keeps decoding what follows, from a clean state
    const next = collect<Msg>(helper.getNode('out'), 1);
    dec.receive({ payload: poll });
    assert.equal((await next)[0].payload.seq, 0x80);
    // hex text and arrays are measured before they are parsed
    const err2 = collect<Msg>(helper.getNode('err'), 2);
    dec.receive({ payload: 'fe '.repeat(MAX_INPUT_BYTES + 10) });
    dec.receive({ payload: new Array(MAX_INPUT_BYTES + 1).fill(0) });
    const e2 = await err2;
    assert.deepEqual(
      e2.map((m) => m.error.code),
      ['ELIMIT', 'ELIMIT'],
    );
    assert.ok(e2[0].error.message.length < 300, 'the message previews the input');
  });
});
