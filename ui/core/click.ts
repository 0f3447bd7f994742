/**
 * What a click does (docs/screens.md §6.5): the innermost node handling it, then toggle → jump → info.
 */
import { isTogglePairs } from '../../lib/hmi/toggle';
import type { RecordLike } from './messages';

export interface ClickContext {
  key: string | null;
  record: RecordLike | null;
  jumpTo: string | null;
  readOnly?: boolean;
  hasRecords?: boolean;
  screenExists?: (name: string) => boolean;
}

export type ClickDecision =
  | { action: 'toggle'; options: [[string, string], [string, string]] }
  | { action: 'jump'; target: string }
  | { action: 'info'; readOnly?: boolean }
  | { action: 'none' };

/**
 * toggle (record with a valid toggle, not read-only) → jump (record's onClickJump, else the node's `jump-to`
 * when that screen exists, fix of docs/screens.md §6.2) → info dialog. In a project a tag without a record shows nothing (the
 * original warned debug users only); a single SVG has no records and shows the info dialog.
 */
export function decideClick(c: ClickContext): ClickDecision {
  const rec = c.record;
  const exists = c.screenExists || (() => false);
  if (rec && isTogglePairs(rec.t)) {
    if (!c.readOnly) return { action: 'toggle', options: rec.t };
    return { action: 'info', readOnly: true };
  }
  if (rec && rec.j && exists(rec.j)) return { action: 'jump', target: rec.j };
  if (c.jumpTo && exists(c.jumpTo)) return { action: 'jump', target: c.jumpTo };
  if (rec || !c.hasRecords) return c.key ? { action: 'info' } : { action: 'none' };
  return { action: 'none' };
}

export interface ClickTarget {
  node: Element;
  key: string | null;
  jumpTo: string | null;
}

/**
 * The innermost node handling a click (docs/screens.md §6.5 fix): from `target` up to (not including) `root`, the first
 * node that is bound (`isKey(key)`) or carries `jump-to`.
 */
export function findClickTarget(target: Node | null, root: Node | null, isKey: (k: string | null) => boolean, bindBy?: string): ClickTarget | null {
  let n = target;
  while (n && n !== root && n.nodeType === 1) {
    const el = n as Element;
    const k = el.getAttribute(bindBy || 'tag');
    const j = el.getAttribute('jump-to');
    const bound = isKey(k);
    if (bound || j) return { node: el, key: bound ? k : null, jumpTo: j || null };
    n = n.parentNode;
  }
  return null;
}
