/**
 * The client's copy of a screen snapshot (lib/hmi/screen-state.ts makes them): deltas merged in place.
 */
import type { DeltaLike } from './messages';

/** A snapshot as the browser keeps it (fields may be missing in what arrives). */
export interface SnapshotLike {
  state?: Record<string, Record<string, unknown>>;
  quality?: Record<string, string>;
  seq?: number;
  screen?: string | null;
  /** Tags of the elements with an unattended alarm (what blinks). */
  alarms?: unknown;
}

/** Merges a delta into a snapshot in place (state, quality); returns the tags touched. */
export function mergeDelta(snap: SnapshotLike | null | undefined, d: DeltaLike | null | undefined): string[] {
  const touched: string[] = [];
  if (!snap || !d) return touched;
  if (!snap.state) snap.state = {};
  if (!snap.quality) snap.quality = {};
  const state = snap.state;
  const quality = snap.quality;
  const st = d.state || {};
  Object.keys(st).forEach((tag) => {
    const ch = st[tag];
    if (!ch || typeof ch !== 'object') return;
    let cur = state[tag];
    Object.keys(ch).forEach((attr) => {
      const v = ch[attr];
      if (v === null || v === undefined) {
        if (cur) delete cur[attr];
      } else {
        if (!cur) cur = state[tag] = {};
        cur[attr] = v;
      }
    });
    if (cur && !Object.keys(cur).length) delete state[tag];
    touched.push(tag);
  });
  const q = d.quality || {};
  Object.keys(q).forEach((tag) => {
    const v = q[tag];
    if (v === null || v === undefined || v === 'good') delete quality[tag];
    else quality[tag] = v;
  });
  if (typeof d.seq === 'number') snap.seq = d.seq;
  if (d.screen && typeof d.screen.name === 'string') snap.screen = d.screen.name;
  if (Array.isArray(d.alarms)) snap.alarms = d.alarms;
  return touched;
}
