import type { Writable } from 'node:stream';
import { JournalError } from '../errors';

/**
 * Writes to a Node Writable with backpressure: `write` resolves at once while the stream takes more, and
 * waits for 'drain' when it says it is full, so a slow file or socket holds the export back instead of
 * the export filling memory. A stream that fails or closes meanwhile rejects (EJOURNAL_IO).
 */
export class OutputSink {
  bytes = 0;

  constructor(private readonly out: Writable) {}

  write(chunk: Buffer | string): Promise<void> {
    const out = this.out;
    if (out.destroyed || out.writableEnded) return Promise.reject(new JournalError('EJOURNAL_IO', 'the export output is closed'));
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    this.bytes += b.length;
    if (out.write(b)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const cleanup = () => {
        out.off('drain', onDrain);
        out.off('error', onError);
        out.off('close', onClose);
      };
      const onDrain = () => {
        cleanup();
        resolve();
      };
      const onError = (e: Error) => {
        cleanup();
        reject(new JournalError('EJOURNAL_IO', `the export output failed: ${e.message}`, { cause: e }));
      };
      const onClose = () => {
        cleanup();
        reject(new JournalError('EJOURNAL_IO', 'the export output closed before the export ended'));
      };
      out.on('drain', onDrain);
      out.on('error', onError);
      out.on('close', onClose);
    });
  }
}
