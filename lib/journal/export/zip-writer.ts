import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Writable } from 'node:stream';
import { JournalError } from '../errors';
import { OutputSink } from './sink';

const deflateRaw = promisify(zlib.deflateRaw);
/** Node 20.15+ and 22.2+ have zlib.crc32; older 20.x take the table below. */
const nativeCrc = (zlib as { crc32?: (d: Uint8Array, v?: number) => number }).crc32;

let table: Uint32Array | null = null;
function tableCrc(data: Uint8Array, value = 0): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = ~value >>> 0;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-32 of the zip format (exported for its test against the table version). */
export const crc32 = (data: Uint8Array, value = 0): number => (nativeCrc ? nativeCrc(data, value) : tableCrc(data, value));
export { tableCrc as crc32Table };

const MAX32 = 0xffffffff;
const FLAGS = 0x0808; // bit 3: sizes in a data descriptor after the data; bit 11: names in UTF-8
const DEFLATE = 8;
/** The end of a deflate stream: an empty final block (what deflateRaw of nothing gives). */
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);

interface Entry {
  name: Buffer;
  offset: number;
  crc: number;
  compressed: number;
  size: number;
}

/**
 * A zip archive written as a stream, one entry at a time, for files too big to hold (an XLSX of 10^6 rows).
 * Each entry is compressed chunk by chunk: every chunk is deflated on its own in Node's thread pool with a sync
 * flush (no final block), and the chunks' outputs concatenated and closed by an empty final block form one valid
 * deflate stream; sizes and CRC follow the data (data descriptors). Memory is a chunk, whatever the entry's size.
 * No ZIP64: an archive or entry past 4 GiB fails with EJOURNAL_LIMIT (an XLSX splits its sheets long before).
 */
export class ZipWriter {
  private readonly entries: Entry[] = [];
  private current: Entry | null = null;
  /** The chunk being compressed and written (in order, one after the other). */
  private tail: Promise<void> = Promise.resolve();
  private readonly sink: OutputSink;
  private readonly time: number;
  private readonly date: number;

  constructor(
    out: Writable,
    private readonly level = 6,
    now = new Date(),
  ) {
    this.sink = new OutputSink(out);
    this.time = (now.getHours() << 11) | (now.getMinutes() << 5) | (now.getSeconds() >> 1);
    this.date = (Math.max(0, now.getFullYear() - 1980) << 9) | ((now.getMonth() + 1) << 5) | now.getDate();
  }

  /** Bytes written so far. */
  get bytes(): number {
    return this.sink.bytes;
  }

  /** Starts an entry (the previous one must have been ended). */
  async begin(name: string): Promise<void> {
    if (this.current) throw new JournalError('EJOURNAL_INVALID', 'zip: the previous entry is not ended');
    const n = Buffer.from(name, 'utf8');
    this.current = { name: n, offset: this.sink.bytes, crc: 0, compressed: 0, size: 0 };
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(FLAGS, 6);
    h.writeUInt16LE(DEFLATE, 8);
    h.writeUInt16LE(this.time, 10);
    h.writeUInt16LE(this.date, 12);
    // crc and sizes (14-25) stay 0: they are in the data descriptor
    h.writeUInt16LE(n.length, 26);
    await this.sink.write(Buffer.concat([h, n]));
  }

  /**
   * Adds a chunk of the current entry's data. It is compressed in the thread pool while the caller makes the
   * next one: this resolves once the previous chunk is out, so at most two are held, and a full output holds
   * the caller back.
   */
  async write(chunk: Buffer): Promise<void> {
    const e = this.entry();
    if (!chunk.length) return;
    e.crc = crc32(chunk, e.crc);
    e.size += chunk.length;
    this.limit(e.size);
    const z = deflateRaw(chunk, { level: this.level, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const prev = this.tail;
    this.tail = (async () => {
      await prev;
      const out = await z;
      e.compressed += out.length;
      await this.sink.write(out);
    })();
    // seen here or by the next write / end; never an unhandled rejection when the export stops between them
    this.tail.catch(() => undefined);
    await prev;
  }

  /** Every chunk written out. */
  private async drained(): Promise<void> {
    await this.tail;
  }

  /** Ends the current entry: the final deflate block and the data descriptor. */
  async end(): Promise<void> {
    const e = this.entry();
    await this.drained();
    e.compressed += FINAL_BLOCK.length;
    const d = Buffer.alloc(16);
    d.writeUInt32LE(0x08074b50, 0);
    d.writeUInt32LE(e.crc >>> 0, 4);
    d.writeUInt32LE(this.limit(e.compressed), 8);
    d.writeUInt32LE(this.limit(e.size), 12);
    await this.sink.write(Buffer.concat([FINAL_BLOCK, d]));
    this.entries.push(e);
    this.current = null;
  }

  /** A whole small entry at once. */
  async add(name: string, data: string | Buffer): Promise<void> {
    await this.begin(name);
    await this.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    await this.end();
  }

  /** The central directory and its end record; the output is not ended (the caller ends it). */
  async finish(): Promise<void> {
    if (this.current) throw new JournalError('EJOURNAL_INVALID', 'zip: the last entry is not ended');
    await this.drained();
    const start = this.limit(this.sink.bytes);
    const parts: Buffer[] = [];
    for (const e of this.entries) {
      const c = Buffer.alloc(46);
      c.writeUInt32LE(0x02014b50, 0);
      c.writeUInt16LE(20, 4); // made by: MS-DOS/FAT attributes, version 2.0
      c.writeUInt16LE(20, 6);
      c.writeUInt16LE(FLAGS, 8);
      c.writeUInt16LE(DEFLATE, 10);
      c.writeUInt16LE(this.time, 12);
      c.writeUInt16LE(this.date, 14);
      c.writeUInt32LE(e.crc >>> 0, 16);
      c.writeUInt32LE(e.compressed, 20);
      c.writeUInt32LE(e.size, 24);
      c.writeUInt16LE(e.name.length, 28);
      // extra, comment, disk, attributes: 0
      c.writeUInt32LE(this.limit(e.offset), 42);
      parts.push(c, e.name);
    }
    const dir = Buffer.concat(parts);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    if (this.entries.length > 0xffff) throw new JournalError('EJOURNAL_LIMIT', 'zip: too many entries');
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(dir.length, 12);
    end.writeUInt32LE(start, 16);
    await this.sink.write(Buffer.concat([dir, end]));
    this.limit(this.sink.bytes);
  }

  private entry(): Entry {
    if (!this.current) throw new JournalError('EJOURNAL_INVALID', 'zip: no entry begun');
    return this.current;
  }

  private limit(n: number): number {
    if (n > MAX32) throw new JournalError('EJOURNAL_LIMIT', 'the export is larger than 4 GiB, which a zip without ZIP64 cannot hold: narrow the filter');
    return n;
  }
}
