/**
 * The messages the widget gets from the server, as they arrive (lib/hmi/screen-state.ts ScreenSnapshot,
 * ScreenDelta, ScreenRecord make them). Declared here rather than imported: that module pulls in Node-only
 * code, and nothing received is trusted to have its declared shape anyway (every use checks it).
 */

/** What a click needs to know about an element: description, toggle options, jump target, static text. */
export interface RecordLike {
  d?: string;
  t?: unknown;
  j?: string;
  s?: string;
}

export interface DeltaLike {
  seq?: number;
  state?: Record<string, Record<string, unknown> | null>;
  quality?: Record<string, string | null | undefined>;
  screen?: { name?: unknown } | null;
  /** The whole list of tags with an unattended alarm, when it changed. */
  alarms?: unknown;
}
