/** Stable error codes of the codec; a Catch node can switch on `err.code`. */
export type MaraErrorCode =
  | 'ESOF' // first byte is not 0xFE
  | 'ELENGTH' // QTY out of range or not the buffer length
  | 'EBCC' // check code mismatch
  | 'EPAYLOAD' // payload inconsistent with its command
  | 'EINVAL' // an argument that cannot be encoded or is not bytes at all
  | 'ELIMIT' // an input beyond a documented limit (its size, or what it would produce)
  // line master
  | 'ETIMEOUT' // no valid answer within the response timeout (after the retries)
  | 'ENOTCONN' // the line is not connected, or was lost while the request waited
  | 'EQUEUEFULL' // the line's request queue is full
  | 'EABORT' // the caller aborted the request (AbortSignal)
  | 'ENAK' // the device answered but did not carry the command out
  | 'ESTATE' // the line's SEQ state file could not be read (kept aside) or written
  | 'ENOSERIAL'; // the serialport package could not be loaded

/** The only exception the library throws (codec and line master). `offset` is the byte offset of the fault, when there is one. */
export class MaraError extends Error {
  readonly code: MaraErrorCode;
  readonly offset?: number;

  constructor(code: MaraErrorCode, message: string, offset?: number) {
    super(offset === undefined ? message : `${message} (offset ${offset})`);
    this.name = 'MaraError';
    this.code = code;
    if (offset !== undefined) this.offset = offset;
  }
}

export function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

export function hexBytes(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (i ? ' ' : '') + hex2(b[i]);
  return s;
}
