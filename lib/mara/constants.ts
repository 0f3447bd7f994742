/** Every protocol number of Mara 1.4, named once (spec sections in brackets). */

/** Start of frame [docs/protocol.md §2]. */
export const SOF = 0xfe;
/** Smallest frame: header (6) + BCC (2), no payload [docs/protocol.md §2]. */
export const QTY_MIN = 8;
/** Largest frame: QTY must never equal SOF [docs/protocol.md §2]. */
export const QTY_MAX = 253;
/** Header bytes before the payload: SOF QTY DST SRC SEQ CMD. */
export const HEADER_LEN = 6;
/** Largest payload: QTY_MAX - header - BCC. */
export const PAYLOAD_MAX = QTY_MAX - HEADER_LEN - 2;

/** Field offsets [docs/protocol.md §2]. */
export const OFF_QTY = 1;
export const OFF_DST = 2;
export const OFF_SRC = 3;
export const OFF_SEQ = 4;
export const OFF_CMD = 5;

/** Default addresses [docs/protocol.md §0.2, Q6]. */
export const ADDR_MASTER = 0x40;
export const ADDR_COMASTER = 0x01;
export const ADDR_BROADCAST = 0xff;

/** Master SEQ range and the values it must avoid [docs/protocol.md §7.3]. */
export const SEQ_MIN = 0x20;
export const SEQ_MAX = 0x7f;
/** SEQ of a PEH when no poll has been sent yet [docs/protocol.md §6.2]. */
export const SEQ_PEH_DEFAULT = 0xbb;
/** SEQ the 0x0C Sync broadcast must carry [docs/protocol.md §4.3]. */
export const SEQ_SYNC = 0x80;

/** Command codes [docs/protocol.md §4.3]. */
export const CMD = {
  LEGACY_POLL: 0x00,
  LEGACY_MORE_EVENTS: 0x01,
  LEGACY_TIME_SET: 0x02,
  CONTROL_BIT: 0x03,
  WRITE_REGISTERS: 0x04,
  RESTART: 0x05,
  READ_REGISTERS: 0x06,
  TEST_EVENTS: 0x07,
  WRITE_EEPROM: 0x08,
  READ_EEPROM: 0x09,
  LEGACY_READ_TIME: 0x0a,
  CONTROL_PORT: 0x0b,
  SYNC: 0x0c,
  POLL: 0x10,
  TIME_SET: 0x12,
  CONTROL_LOGICAL_PORT: 0x13,
  WRITE_RAM: 0x14,
  READ_RAM: 0x16,
  WRITE_FLASH: 0x18,
  READ_FLASH: 0x19,
  READ_TIME: 0x1a,
  BRIDGE_READ_RAM: 0x36,
  LOCAL_CONTROL: 0x3a,
  PEH_PERIOD: 0x3b,
  SIMULATED_VALUES: 0x3c,
  SYNC_PERIOD: 0x3d,
  UART_SPEED: 0x3e,
  SCAN_CONTROL: 0x3f,
  PROGRAM_MODE: 0x80,
} as const;

/** Human names of the command codes, for logs and the editor. */
export const CMD_NAMES: Readonly<Record<number, string>> = Object.freeze(
  Object.fromEntries(Object.entries(CMD).map(([name, code]) => [code, name.toLowerCase().replace(/_/g, '-')])),
);

/** PEH payload length: YY MM DD HH MN SS FL FH DoW [docs/protocol.md §6.1]. */
export const TIME_PAYLOAD_LEN = 9;
/** Sub-second fraction unit: 1/32768 s [docs/protocol.md §5.6.1]. */
export const FRACTION_PER_SECOND = 32768;

/** Every event record is 10 bytes [docs/protocol.md §5.5]. */
export const EVENT_LEN = 10;
/** Events per full COMaster reply [docs/protocol.md §5.2]. */
export const EVENTS_PER_REPLY_MAX = 10;

/** Event TYPE, bits 7-6 of the TCD byte [docs/protocol.md §5.5]. */
export const EVENT_TYPE = { DIGITAL: 0, ENERGY: 1, IDLE: 2, COMSYS: 3 } as const;
export const EVENT_TYPE_NAMES = ['digital', 'energy', 'idle', 'comsys'] as const;

/** AI word layout [docs/protocol.md §5.4]. */
export const AI_VALUE_MASK = 0x0fff;
export const AI_RESERVED_MASK = 0x3000;
export const AI_Q_SHIFT = 14;
