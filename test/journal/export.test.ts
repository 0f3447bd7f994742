import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import zlib from 'node:zlib';
import { JournalError, openJournal, type JournalStore } from '../../lib/journal';
import { exportJournal, exportPages, localStamp, UNATTENDED_TEXT } from '../../lib/journal/export';
import { xmlText } from '../../lib/journal/export/sheet-xml';
import { event, reply, tempDir } from './fixtures';
const XLSX = require('xlsx') as typeof import('xlsx');

/** The zip format's CRC-32, the test's own (so the archive is not checked with the writer's). */
function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return ~c >>> 0;
}

const code = (c: string) => (e: unknown) => e instanceof JournalError && e.code === c;

/** A journal of `replies` replies of 10 events in a temporary directory. */
function journal(t: { after(fn: () => void): void }, replies: number) {
  const j = openJournal(path.join(tempDir(t), 'j.sqlite'));
  t.after(() => j.close());
  for (let r = 0; r < replies; r++) j.append(reply(r, 10));
  return j;
}

/** Everything written to a stream, as one Buffer. */
function collector(): { out: PassThrough; bytes: () => Buffer } {
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on('data', (b: Buffer) => parts.push(b));
  return { out, bytes: () => Buffer.concat(parts) };
}

/** A strict RFC 4180 reader (the test's own, so the writer is not checked against itself). */
function parseCsv(text: string, sep = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let f = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        f += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        f += c;
        i++;
      }
    } else if (c === '"' && f === '') {
      quoted = true;
      i++;
    } else if (c === sep) {
      row.push(f);
      f = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(f);
      rows.push(row);
      row = [];
      f = '';
      i += 2;
    } else {
      assert.ok(c !== '\r' && c !== '\n' && c !== '"', `bare ${JSON.stringify(c)} at ${i}`);
      f += c;
      i++;
    }
  }
  assert.equal(f, '', 'the last record ends with CRLF');
  assert.equal(row.length, 0);
  return rows;
}

describe('journal export', () => {
  it('CSV: every row of a few thousand, RFC 4180 quoting, the grid columns then ours, formula injection neutralised', async (t) => {
    const j = journal(t, 300);
    const hostile = j.append(
      reply(1000, 4, {
        events: [
          event(90001, { tag: '=HYPERLINK("http://x")', description: 'a, "quoted"\r\nline', stateText: 'ABIERTO', severity: 2 }),
          event(90002, { tag: '+1', description: '-2', stateText: '@SUM(A1)' }),
          event(90003, { tag: '\tTAB', description: null, stateText: null }),
          event(90004, { tag: 'Ñandú', description: 'protección', stateText: 'ACTUADA', severity: 1 }),
        ],
      }),
    ).ids;
    j.attend({ ids: [hostile[3]] }, 'operador; "jefe"', 1_800_000_123_456);
    const { out, bytes } = collector();
    const res = await exportJournal(j, out, { format: 'csv', pageSize: 700 });
    assert.deepEqual({ ...res, bytes: 0 }, { format: 'csv', rows: 3004, bytes: 0, sheets: 1, truncated: false, throughId: hostile[3] });
    const buf = bytes();
    assert.equal(res.bytes, buf.length);
    assert.deepEqual([...buf.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte order mark');
    const rows = parseCsv(buf.toString('utf8').slice(1));
    assert.equal(rows.length, 3005);
    assert.deepEqual(rows[0], [
      'Fecha',
      'TAG',
      'Descripción',
      'Atención',
      'Atendido por',
      'id',
      'received (UTC)',
      'line',
      'device',
      'type',
      'value',
      'quality',
      'severity',
      'raw',
    ]);
    assert.deepEqual(rows[1], [
      '2026-12-03 10:20:30.500',
      'BAY0.CB',
      'breaker open',
      '',
      '',
      '1',
      '2027-01-15T08:00:00.000Z',
      'L1',
      '1',
      'digital',
      '0',
      'good',
      '0',
      Buffer.from(event(0).raw).toString('hex'),
    ]);
    const ids = rows.slice(1).map((r) => Number(r[5]));
    assert.deepEqual(
      ids,
      Array.from({ length: 3004 }, (_, k) => k + 1),
      'oldest first, none missing, none twice',
    );
    const [a, b, c, d] = rows.slice(-4);
    assert.equal(a[1], `'=HYPERLINK("http://x")`);
    assert.equal(a[2], 'a, "quoted"\r\nline ABIERTO');
    assert.equal(a[3], UNATTENDED_TEXT, 'an unattended alarm');
    assert.deepEqual([b[1], b[2]], ["'+1", "'-2 @SUM(A1)"]);
    assert.equal(c[1], "'\tTAB");
    assert.deepEqual([d[1], d[2], d[3], d[4]], ['Ñandú', 'protección ACTUADA', localStamp(1_800_000_123_456), 'operador; "jefe"']);
    assert.match(d[3], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.456$/);
  });

  it("CSV with ';' and no byte order mark, newest first, filtered", async (t) => {
    const j = journal(t, 20);
    const { out, bytes } = collector();
    const res = await exportJournal(j, out, { format: 'csv', separator: ';', bom: false, order: 'newest', filter: { tagPrefix: 'BAY1' }, pageSize: 7 });
    const rows = parseCsv(bytes().toString('utf8'), ';');
    assert.equal(rows[0][0], 'Fecha');
    assert.equal(res.rows, 50);
    const ids = rows.slice(1).map((r) => Number(r[5]));
    assert.deepEqual(
      ids,
      [...ids].sort((x, y) => y - x),
      'newest first',
    );
    assert.ok(rows.slice(1).every((r) => r[1] === 'BAY1.CB'));
  });

  it('XLSX opens with SheetJS: the cells, numbers as numbers, hostile text intact, several sheets past the row limit', async (t) => {
    const j = journal(t, 250);
    const odd = '<b>&"x"</b> \u0001\u000b ctl _x0041_ end';
    j.append(reply(2000, 1, { events: [event(7, { tag: ' spaced ', description: odd, stateText: null, severity: 3 })] }));
    const { out, bytes } = collector();
    const res = await exportJournal(j, out, { format: 'xlsx', pageSize: 333, sheetRows: 1001 });
    assert.equal(res.rows, 2501);
    assert.equal(res.sheets, 3, '1000 data rows a sheet');
    const buf = bytes();
    assert.equal(res.bytes, buf.length);
    const wb = XLSX.read(buf, { type: 'buffer' });
    assert.deepEqual(wb.SheetNames, ['Eventos', 'Eventos 2', 'Eventos 3']);
    const all = wb.SheetNames.flatMap((n) => {
      const rows = XLSX.utils.sheet_to_json<unknown[]>(wb.Sheets[n], { header: 1, defval: null });
      assert.equal(rows[0][0], 'Fecha', `${n} has its header`);
      return rows.slice(1);
    });
    assert.equal(all.length, 2501);
    assert.deepEqual(
      all.map((r) => r[5]),
      Array.from({ length: 2501 }, (_, k) => k + 1),
    );
    assert.deepEqual(all[0], [
      '2026-12-03 10:20:30.500',
      'BAY0.CB',
      'breaker open',
      null,
      null,
      1,
      '2027-01-15T08:00:00.000Z',
      'L1',
      1,
      'digital',
      0,
      'good',
      0,
      Buffer.from(event(0).raw).toString('hex'),
    ]);
    const last = all[2500];
    assert.equal(last[1], ' spaced ', 'spaces kept');
    assert.equal(last[2], odd, 'markup, controls and a literal _x0041_ round-trip');
    assert.equal(last[3], UNATTENDED_TEXT);
    assert.equal(xmlText('_x0041_'), '_x005F_x0041_');
    assert.equal(xmlText('a\ud800b\udc00c\ud83d\ude00'), 'a\ufffdb\ufffdc\ud83d\ude00', 'lone surrogates (not UTF-8) replaced, pairs kept');
  });

  it('the zip: every entry inflates to data matching its CRC (data descriptors)', async (t) => {
    const j = journal(t, 120);
    const { out, bytes } = collector();
    await exportJournal(j, out, { format: 'xlsx', level: 1 });
    const buf = bytes();
    const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    const n = buf.readUInt16LE(eocd + 10);
    let p = buf.readUInt32LE(eocd + 16);
    const names: string[] = [];
    for (let k = 0; k < n; k++) {
      assert.equal(buf.readUInt32LE(p), 0x02014b50);
      const crc = buf.readUInt32LE(p + 16);
      const csize = buf.readUInt32LE(p + 20);
      const size = buf.readUInt32LE(p + 24);
      const nameLen = buf.readUInt16LE(p + 28);
      const off = buf.readUInt32LE(p + 42);
      const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
      names.push(name);
      assert.equal(buf.readUInt32LE(off), 0x04034b50);
      const start = off + 30 + buf.readUInt16LE(off + 26) + buf.readUInt16LE(off + 28);
      const data = zlib.inflateRawSync(buf.subarray(start, start + csize));
      assert.equal(data.length, size, name);
      assert.equal(crc32(data), crc, name);
      if (buf.readUInt16LE(p + 8) & 0x8) {
        // sizes and CRC after the data, as a sheet is written (streamed)
        assert.equal(buf.readUInt32LE(start + csize), 0x08074b50, `${name}: data descriptor`);
        assert.equal(buf.readUInt32LE(start + csize + 4), crc);
      } else {
        assert.ok(!name.startsWith('xl/worksheets/'), `${name}: a sheet is streamed`);
        assert.equal(buf.readUInt32LE(off + 14), crc, `${name}: CRC in the local header`);
      }
      p += 46 + nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32); // name, extra field, comment
    }
    assert.deepEqual(names.sort(), [
      '[Content_Types].xml',
      '_rels/.rels',
      'xl/_rels/workbook.xml.rels',
      'xl/styles.xml',
      'xl/workbook.xml',
      'xl/worksheets/sheet1.xml',
    ]);
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926, "the test's CRC: the standard check value");
  });

  it('the zip output refuses misuse with a code', async () => {
    const { ZipOutput } = await import('../../lib/journal/export/zip');
    const z = new ZipOutput(new PassThrough().resume());
    await assert.rejects(z.write(Buffer.from('x')), code('EJOURNAL_INVALID'));
    await assert.rejects(z.end(), code('EJOURNAL_INVALID'));
    await z.begin('a');
    await z.write(Buffer.alloc(0));
    await assert.rejects(z.begin('b'), code('EJOURNAL_INVALID'));
    await assert.rejects(z.add('c', 'x'), code('EJOURNAL_INVALID'));
    await assert.rejects(z.finish(), code('EJOURNAL_INVALID'));
    await z.end();
    await z.finish();
  });

  it('reads pages only as fast as the output drains (backpressure): a stalled output holds the export back', async (t) => {
    const j = journal(t, 1000);
    let queries = 0;
    const store: Pick<JournalStore, 'query'> = {
      query(q) {
        queries++;
        return j.query(q);
      },
    };
    const held: Array<() => void> = [];
    const out = new Writable({
      highWaterMark: 1024,
      write(_c, _e, cb) {
        held.push(cb); // nothing is taken until the test says so
      },
    });
    for (const format of ['csv', 'xlsx'] as const) {
      queries = 0;
      let finished = false;
      const p = exportJournal(store, out, { format, pageSize: 50 }).then((r) => {
        finished = true;
        return r;
      });
      // long enough for an export without backpressure to read all 200 pages (one a turn of the event loop)
      for (let k = 0; k < 400; k++) await new Promise((r) => setImmediate(r));
      assert.equal(finished, false, `${format}: waits for the output`);
      // CSV holds at most two pages; the XLSX stops feeding yazl once the output is full, so what is read ahead is
      // what yazl's deflate takes before its first output reaches the stalled stream: 15 queries on Node 20 and
      // on Node 22 (whose larger default stream buffers let 87-126 through when only yazl's buffers held it back)
      const most = format === 'xlsx' ? 20 : 3;
      assert.ok(queries <= most, `${format}: ${queries} queries while the output was stalled (the top id and at most ${most - 1} pages)`);
      // let it drain, one write at a time, until done
      while (!finished) {
        held.shift()?.();
        await new Promise((r) => setImmediate(r));
      }
      const r = await p;
      assert.equal(r.rows, 10_000);
      assert.ok(queries >= 1 + 10_000 / 50, `${format}: read page by page (${queries} queries)`);
    }
  });

  it('an export is a snapshot: rows committed while it runs are not in it; maxRows truncates and says so', async (t) => {
    const j = journal(t, 10);
    let r = 100;
    const pages: number[][] = [];
    for await (const page of exportPages(j, {}, { pageSize: 30, pause: async () => void j.append(reply(r++, 10)) })) pages.push(page.map((x) => x.id));
    assert.deepEqual(
      pages.flat(),
      Array.from({ length: 100 }, (_, k) => k + 1),
    );
    const { out, bytes } = collector();
    const res = await exportJournal(j, out, { format: 'csv', maxRows: 42, pageSize: 40 });
    assert.deepEqual([res.rows, res.truncated, res.throughId], [42, true, 42]);
    assert.equal(parseCsv(bytes().toString('utf8').slice(1)).length, 43);
    const all = await exportJournal(j, new PassThrough().resume(), { format: 'xlsx', maxRows: 5 });
    assert.deepEqual([all.rows, all.truncated], [5, true]);
  });

  it('refuses bad options and stops on an abort or a failed output, with a code', async (t) => {
    const j = journal(t, 30);
    const sink = () => new PassThrough().resume();
    for (const o of [
      { format: 'pdf' },
      { format: 'csv', order: 'sideways' },
      { format: 'csv', maxRows: -1 },
      { format: 'csv', separator: '|' },
      { format: 'xlsx', level: 0 },
      { format: 'xlsx', sheetRows: 1 },
      { format: 'csv', pageSize: 10_001 },
      { format: 'csv', filter: { type: 'nope' } },
    ])
      await assert.rejects(exportJournal(j, sink(), o as never), code('EJOURNAL_INVALID'), JSON.stringify(o));
    const ac = new AbortController();
    let pages = 0;
    const stopped = exportJournal(j, sink(), {
      format: 'csv',
      pageSize: 10,
      signal: ac.signal,
      pause: async () => {
        if (++pages === 2) ac.abort();
      },
    });
    await assert.rejects(stopped, code('EJOURNAL_CLOSED'));
    for (const format of ['csv', 'xlsx'] as const) {
      const broken = new Writable({
        highWaterMark: 16,
        write(_c, _e, cb) {
          setImmediate(() => cb(new Error('disk full')));
        },
      });
      broken.on('error', () => undefined);
      await assert.rejects(exportJournal(j, broken, { format, pageSize: 10, bom: false }), code('EJOURNAL_IO'), format);
      const closed = new PassThrough();
      closed.destroy();
      await assert.rejects(exportJournal(j, closed, { format }), code('EJOURNAL_IO'));
    }
  });
});
