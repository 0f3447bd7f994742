import { MaraError } from '../mara/errors';
import { SerialPortClass, SerialTransport, describeSerial } from './serial';
import { TcpTransport, describeTcp } from './tcp';
import { SerialOptions, TcpOptions, Transport, TransportOptions } from './transport';

export interface TransportDeps {
  /** serialport's class to use instead of the lazily loaded `SerialPort` (tests: `SerialPortMock`). */
  SerialPort?: SerialPortClass;
}

const PARITIES = ['none', 'even', 'odd', 'mark', 'space'];

function invalid(message: string): MaraError {
  return new MaraError('EINVAL', message);
}

function checkTcp(o: TcpOptions): void {
  if (typeof o.host !== 'string' || !o.host.trim()) throw invalid('tcp: host is missing');
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port >= 1 && o.port <= 65535)) {
    throw invalid(`tcp: port ${o.port} is not an integer in 1…65535`);
  }
  if (o.connectTimeoutMs !== undefined && !(Number.isFinite(o.connectTimeoutMs) && o.connectTimeoutMs > 0)) {
    throw invalid(`tcp: connect timeout ${o.connectTimeoutMs} ms is not a positive number`);
  }
}

function checkSerial(o: SerialOptions): void {
  if (typeof o.path !== 'string' || !o.path.trim()) throw invalid('serial: port path is missing');
  if (o.baudRate !== undefined && !(Number.isInteger(o.baudRate) && o.baudRate > 0)) {
    throw invalid(`serial: baud rate ${o.baudRate} is not a positive integer`);
  }
  if (o.dataBits !== undefined && ![5, 6, 7, 8].includes(o.dataBits)) throw invalid(`serial: data bits ${o.dataBits} is not 5, 6, 7 or 8`);
  if (o.parity !== undefined && !PARITIES.includes(o.parity)) throw invalid(`serial: parity ${o.parity} is not one of ${PARITIES.join(', ')}`);
  if (o.stopBits !== undefined && ![1, 1.5, 2].includes(o.stopBits)) throw invalid(`serial: stop bits ${o.stopBits} is not 1, 1.5 or 2`);
}

/** Throws MaraError EINVAL when the options cannot make a transport. */
function check(opts: TransportOptions): void {
  if (!opts || typeof opts !== 'object') throw invalid('transport options are missing');
  if (opts.type === 'tcp') checkTcp(opts);
  else if (opts.type === 'serial') checkSerial(opts);
  else throw invalid(`unknown transport type ${JSON.stringify((opts as { type?: unknown }).type)}`);
}

/**
 * A new, unopened transport for `opts`. Validates first (MaraError EINVAL), so a caller can call it once
 * at deploy to report a bad config, then once per connection attempt. Does not load serialport: that
 * happens in `open()`, so a missing native build is reported per line, not at require time.
 */
export function createTransport(opts: TransportOptions, deps: TransportDeps = {}): Transport {
  check(opts);
  if (opts.type === 'tcp') return new TcpTransport(opts);
  return new SerialTransport(opts, deps.SerialPort);
}

/** `tcp 10.0.0.5:9761` / `serial /dev/ttyUSB0 9600 8N1`, without validating. */
export function describeTransport(opts: TransportOptions): string {
  return opts.type === 'tcp' ? describeTcp(opts.host, opts.port) : describeSerial(opts);
}
