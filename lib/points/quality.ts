/**
 * Quality of mapped points: the IEC 61850 validity (`good` / `questionable` / `invalid`) derived from
 * what the Mara protocol carries — the AI word's 2-bit qualifier (docs/protocol.md §5.4), the per-IED system
 * variable flags the COMaster keeps (docs/protocol.md §8.5) and the state of the link. Pure functions and constants,
 * no state.
 *
 * Rules (decided for PointMapper, docs/protocol.md §8.2, docs/formulas.md §1.2):
 *  - `invalid`: the COMaster is offline (`PointMapper.offline()`), or the IED's SV flag CalifNoResp is set
 *    (the COMaster gave up on it after 5 unanswered queries: its DI bits are stale and its AI words are
 *    forced to 0x4000), or an AI word carries q = 1 ("stalled": forced to zero, painted red by the HMI).
 *  - `questionable`: an AI word with q = 2 (calculated) or q = 3 (other): "qualified", not known good.
 *  - `good`: anything else from an answering device.
 *  - A clock that has not received a PEH (PrimeraPeH = 0) or is out of tolerance does NOT change the
 *    validity of values by default: it only affects timestamps, so event records carry
 *    `clockNotSynchronized: true` (IEC 61850 keeps this in TimeQuality, not in validity). The SMVE SV
 *    layout is informative (docs/protocol.md §8.5), the COMaster's own block differs, and the real 2014 capture shows a
 *    working COMaster block with bit 6 = 0: degrading values on it would flag a healthy installation.
 *    `unsyncedClock: 'questionable'` opts into the stricter reading.
 */

/** IEC 61850 validity. */
export type Quality = 'good' | 'questionable' | 'invalid';

/** Internal quality codes (Uint8Array state); NONE = never received (reported as invalid). */
export const Q_NONE = 0;
export const Q_GOOD = 1;
export const Q_QUESTIONABLE = 2;
export const Q_INVALID = 3;

/** Code → name; a never-received point reads as `invalid`. */
export const QUALITY_NAMES: readonly Quality[] = ['invalid', 'good', 'questionable', 'invalid'];

/** Bits of the first SV byte of an IED block, ComErrorL (docs/protocol.md §8.5, SMVE profile). */
export const SV_FLAG = {
  /** 0 = the last reset had a brown-out cause. */
  BOR: 0x01,
  /** 0 = the last reset was a power-on. */
  POR: 0x02,
  /** 0 = the last reset was the watchdog. */
  WDT: 0x04,
  /** Reset cause: 1 IED, 0 new PEH. */
  IED_ARR: 0x08,
  /** Set by the COMaster: the IED does not answer (its AIs are forced to 0x4000). */
  CALIF_NO_RESP: 0x10,
  /** The IED's event stack is full: events may have been lost. */
  OVF_PILA_EV: 0x20,
  /** The IED has received a PEH (time set) since it started. */
  PRIMERA_PEH: 0x40,
  /** The IED's clock is out of tolerance. */
  CLOCK_OUT_OF_TOLERANCE: 0x80,
} as const;

/** Validity code of an AI word's qualifier (bits 15-14): 0 good, 1 invalid, 2/3 questionable. */
export function aiQualityCode(q: number): number {
  return q === 0 ? Q_GOOD : q === 1 ? Q_INVALID : Q_QUESTIONABLE;
}

/** Validity of an AI word's qualifier (bits 15-14 of the word, docs/protocol.md §5.4). */
export function aiQuality(q: number): Quality {
  return QUALITY_NAMES[aiQualityCode(q)];
}

/** The IED's clock is not to be trusted: no PEH received yet, or out of tolerance. */
export function clockNotSynchronized(flags: number): boolean {
  return (flags & SV_FLAG.PRIMERA_PEH) === 0 || (flags & SV_FLAG.CLOCK_OUT_OF_TOLERANCE) !== 0;
}

/** The decoded flags of the first SV byte of an IED block. */
export function svFlags(byte: number): {
  bor: boolean;
  por: boolean;
  wdt: boolean;
  iedArr: boolean;
  califNoResp: boolean;
  ovfPilaEv: boolean;
  primeraPeh: boolean;
  clockOutOfTolerance: boolean;
} {
  return {
    bor: (byte & SV_FLAG.BOR) !== 0,
    por: (byte & SV_FLAG.POR) !== 0,
    wdt: (byte & SV_FLAG.WDT) !== 0,
    iedArr: (byte & SV_FLAG.IED_ARR) !== 0,
    califNoResp: (byte & SV_FLAG.CALIF_NO_RESP) !== 0,
    ovfPilaEv: (byte & SV_FLAG.OVF_PILA_EV) !== 0,
    primeraPeh: (byte & SV_FLAG.PRIMERA_PEH) !== 0,
    clockOutOfTolerance: (byte & SV_FLAG.CLOCK_OUT_OF_TOLERANCE) !== 0,
  };
}

/** Short English meaning of a COMSYS event (docs/protocol.md §5.6.4); unknown codes say so. */
export function comsysMeaning(code: number, motiv: number): string {
  switch (code) {
    case 2:
      return motiv & 1 ? 'link to IED re-connected' : 'link to IED lost';
    case 3: {
      // bit names as the sheet gives them; their reading is not consistent across its examples
      // (0x34 is documented as "start by watchdog" although bit 3 UART is 0), so just name the bits set
      const bits = ['POR', 'BOR', 'WDT', 'UART'].filter((_, i) => motiv & (1 << i));
      return `IED start-up${bits.length ? ` (${bits.join(', ')})` : ''}`;
    }
    case 4:
      return 'communications start';
    case 6:
      return 'RAM values returned';
    case 7:
      return `forced digital event on port 7, state ${motiv & 1}`;
    default:
      return `unknown COMSYS code ${code}`;
  }
}
