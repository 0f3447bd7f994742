import { once } from 'node:events';
import { PassThrough, type Writable } from 'node:stream';
import { ZipFile } from 'yazl';
import { JournalError } from '../errors';
import { OutputSink } from './sink';

/**
 * The XLSX export's zip, written by yazl as a stream, one entry at a time: each sheet is a stream yazl deflates
 * (Node's zlib, in the thread pool) with its CRC and sizes after the data (a data descriptor); ZIP64 when an
 * entry, the archive or the entry count needs it. yazl's output goes through an OutputSink, so a full or failed
 * output holds back or stops the export as the CSV's does; the sheet stream's buffer holds the caller back
 * while yazl is behind, and a full output holds it back before yazl is given more. Memory: a chunk and yazl's
 * stream buffers, whatever the size.
 */
export class ZipOutput {
  private readonly zip = new ZipFile();
  private readonly sink: OutputSink;
  private current: PassThrough | null = null;
  /** Settles when yazl's output has all been written (or the output or yazl failed). */
  private readonly pumped: Promise<void>;
  /** While the real output is full: settles when it has drained (the export waits for it before feeding yazl more). */
  private stalled: Promise<void> | null = null;

  constructor(
    out: Writable,
    private readonly level = 6,
    private readonly now = new Date(),
  ) {
    this.sink = new OutputSink(out);
    this.pumped = new Promise<void>((resolve, reject) => {
      this.zip.on('error', (e: Error) => reject(new JournalError('EJOURNAL_IO', `zip: ${e.message}`, { cause: e })));
      (async () => {
        for await (const chunk of this.zip.outputStream) {
          const w = this.sink.write(chunk as Buffer);
          this.stalled = w;
          await w;
          this.stalled = null;
        }
      })().then(resolve, reject);
    });
    // seen by the next write / finish; never an unhandled rejection when the export stops between them
    this.pumped.catch(() => undefined);
  }

  /** Bytes written so far. */
  get bytes(): number {
    return this.sink.bytes;
  }

  /** Starts an entry (the previous one must have been ended). */
  async begin(name: string): Promise<void> {
    if (this.current) throw new JournalError('EJOURNAL_INVALID', 'zip: the previous entry is not ended');
    this.current = new PassThrough();
    this.zip.addReadStream(this.current, name, { compressionLevel: this.level, mtime: this.now });
    await this.alive();
  }

  /**
   * Adds a chunk of the current entry's data; resolves once yazl can take more and the real output is not full.
   * Waiting for the output too bounds what is read ahead by the output, not by the buffers of yazl's chain of
   * streams (whose default sizes differ between Node versions: 16 KB on Node 20, 64 KB on Node 22).
   */
  async write(chunk: Buffer): Promise<void> {
    const s = this.entry();
    if (!chunk.length) return;
    while (this.stalled) await Promise.race([this.stalled, this.pumped]);
    if (!s.write(chunk)) await Promise.race([once(s, 'drain'), this.pumped]);
    await this.alive();
  }

  /** Ends the current entry (yazl writes its data descriptor when the deflate has caught up). */
  async end(): Promise<void> {
    this.entry().end();
    this.current = null;
    await this.alive();
  }

  /** A whole small entry at once. */
  async add(name: string, data: string | Buffer): Promise<void> {
    if (this.current) throw new JournalError('EJOURNAL_INVALID', 'zip: the previous entry is not ended');
    this.zip.addBuffer(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, name, { compressionLevel: this.level, mtime: this.now });
    await this.alive();
  }

  /** The central directory and its end record, all written; the output is not ended (the caller ends it). */
  async finish(): Promise<void> {
    if (this.current) throw new JournalError('EJOURNAL_INVALID', 'zip: the last entry is not ended');
    this.zip.end();
    await this.pumped;
  }

  /** Rejects at once when the output or yazl has failed. */
  private alive(): Promise<void> {
    return Promise.race([this.pumped, Promise.resolve()]);
  }

  private entry(): PassThrough {
    if (!this.current) throw new JournalError('EJOURNAL_INVALID', 'zip: no entry begun');
    return this.current;
  }
}
