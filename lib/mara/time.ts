import { FRACTION_PER_SECOND } from './constants';
import { MaraError } from './errors';

/**
 * A Mara date and time [docs/protocol.md §5.5, docs/protocol.md §6.1]: local civil time of the installation, no zone.
 * `year` in full (2014), `fraction` in 1/32768 s. Event times carry no day of week.
 */
export interface MaraTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  fraction: number;
  dayOfWeek?: number;
}

/** Reads YY MM DD HH MN SS FL FH (fraction little-endian, spec Q2) at `off`. */
export function readTime(b: Uint8Array, off: number): MaraTime {
  return {
    year: 2000 + b[off],
    month: b[off + 1],
    day: b[off + 2],
    hour: b[off + 3],
    minute: b[off + 4],
    second: b[off + 5],
    fraction: b[off + 6] | (b[off + 7] << 8),
  };
}

/** Writes YY MM DD HH MN SS FL FH at `off`; the fields must already be validated. */
export function writeTime(b: Uint8Array, off: number, t: MaraTime): void {
  b[off] = t.year - 2000;
  b[off + 1] = t.month;
  b[off + 2] = t.day;
  b[off + 3] = t.hour;
  b[off + 4] = t.minute;
  b[off + 5] = t.second;
  b[off + 6] = t.fraction & 0xff;
  b[off + 7] = (t.fraction >> 8) & 0xff;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Days in `month` (1-12) of `year`: exactly `new Date(Date.UTC(year, month, 0)).getUTCDate()`, without
 * allocating a Date (that allocation was a third of `decodeFrame`'s time: one per event). Arithmetic for
 * integer years 100-275000 (Date.UTC maps years 0-99 to 1900-1999) and integer months 1-12, checked
 * equal to Date for all of them; any other input still goes through Date.
 */
function daysInMonth(year: number, month: number): number {
  if (Number.isInteger(year) && year >= 100 && year <= 275000 && Number.isInteger(month) && month >= 1 && month <= 12) {
    if (month !== 2) return DAYS_IN_MONTH[month - 1];
    return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  }
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Why a decoded time is impossible (unsynchronised clocks send 2000-00-00), or '' when it is plausible. */
export function timeProblem(t: MaraTime): string {
  // YY is 0-253 [docs/protocol.md §5.5, docs/protocol.md §6.1]; 254/255 decode to years the encoder (checkTimeFields) refuses
  if (t.year < 2000 || t.year > 2253) return `year ${t.year}`;
  if (t.month < 1 || t.month > 12) return `month ${t.month}`;
  const dim = daysInMonth(t.year, t.month);
  if (t.day < 1 || t.day > dim) return `day ${t.day}`;
  if (t.hour > 23) return `hour ${t.hour}`;
  if (t.minute > 59) return `minute ${t.minute}`;
  if (t.second > 59) return `second ${t.second}`;
  if (t.fraction >= FRACTION_PER_SECOND) return `fraction ${t.fraction}`;
  if (t.dayOfWeek !== undefined && (t.dayOfWeek < 1 || t.dayOfWeek > 7)) return `day of week ${t.dayOfWeek}`;
  return '';
}

/** ISO-like text of a Mara time, seconds with milliseconds, no zone (it is local civil time). */
export function formatTime(t: MaraTime): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const ms = Math.floor((t.fraction * 1000) / FRACTION_PER_SECOND);
  return `${p(t.year, 4)}-${p(t.month)}-${p(t.day)}T${p(t.hour)}:${p(t.minute)}:${p(t.second)}.${p(ms, 3)}`;
}

/**
 * The instant of a Mara time. Mara carries local civil time without zone: by default it is read in
 * this process's zone; `utc: true` reads it as UTC. Returns an invalid Date for impossible times.
 */
export function timeToDate(t: MaraTime, opts: { utc?: boolean } = {}): Date {
  if (timeProblem(t)) return new Date(NaN);
  // nearest ms (capped): dateToTime floors ms → fraction, so rounding back gives the same ms
  const ms = Math.min(999, Math.round((t.fraction * 1000) / FRACTION_PER_SECOND));
  return opts.utc
    ? new Date(Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second, ms))
    : new Date(t.year, t.month - 1, t.day, t.hour, t.minute, t.second, ms);
}

/** Mara time of a Date, with the protocol sheet's day of week 1 = Monday … 7 = Sunday (spec Q3). */
export function dateToTime(d: Date, opts: { utc?: boolean } = {}): MaraTime {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new MaraError('EINVAL', 'not a valid Date');
  const u = !!opts.utc;
  const ms = u ? d.getUTCMilliseconds() : d.getMilliseconds();
  const dow = u ? d.getUTCDay() : d.getDay();
  const t: MaraTime = {
    year: u ? d.getUTCFullYear() : d.getFullYear(),
    month: (u ? d.getUTCMonth() : d.getMonth()) + 1,
    day: u ? d.getUTCDate() : d.getDate(),
    hour: u ? d.getUTCHours() : d.getHours(),
    minute: u ? d.getUTCMinutes() : d.getMinutes(),
    second: u ? d.getUTCSeconds() : d.getSeconds(),
    fraction: Math.floor((ms * FRACTION_PER_SECOND) / 1000),
    dayOfWeek: ((dow + 6) % 7) + 1,
  };
  checkTimeFields(t, true);
  return t;
}

/** Throws EINVAL unless every field fits its byte; the year must be 2000-2253 [docs/protocol.md §5.5]. */
export function checkTimeFields(t: MaraTime, withDow: boolean): void {
  if (t === null || typeof t !== 'object') throw new MaraError('EINVAL', 'time must be an object');
  const f = (name: keyof MaraTime, lo: number, hi: number) => {
    const v = t[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi)
      throw new MaraError('EINVAL', `time.${name} must be an integer ${lo}-${hi}, got ${String(v)}`);
  };
  f('year', 2000, 2253);
  f('month', 0, 255);
  f('day', 0, 255);
  f('hour', 0, 255);
  f('minute', 0, 255);
  f('second', 0, 255);
  f('fraction', 0, 0xffff);
  if (withDow) f('dayOfWeek', 0, 255);
}
