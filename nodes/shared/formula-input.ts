import type { NodeMessageInFlow } from 'node-red';
import type { PointInput } from '../../lib/formula/engine';
import { MaraError } from '../../lib/mara/errors';
import type { ElementAttr } from '../../lib/project/model';
import { tagProblem } from '../../lib/project/tag';
import { preview } from '../../lib/preview';

const ATTRS = new Set(['text', 'fill', 'stroke', 'mark']);

/**
 * Reads one input msg into point values and element writes: point changes from mara-points
 * (`payload: [{tag, table, value, q}]`), element writes (`payload: {tag, attr, value}` or a list), or a
 * plain msg from any source (`topic: "ai.TAG"` / `"di.TAG"`, `payload` a number or `{value, q}`).
 */
export function readInput(msg: NodeMessageInFlow): { points: PointInput[]; elements: { tag: string; attr: ElementAttr | 'mark'; value: unknown }[] } {
  const points: PointInput[] = [];
  const elements: { tag: string; attr: ElementAttr | 'mark'; value: unknown }[] = [];
  const topic = typeof msg.topic === 'string' ? msg.topic : '';
  const m = /^(ai|di|sv|eg)\.([^.\s]+)(?:\.(\w+))?$/.exec(topic);
  const p = msg.payload;
  if (m) {
    const [, table, tag, attr] = m;
    if (tagProblem(tag)) throw new MaraError('EINVAL', `msg.topic: ${tagProblem(tag)}`);
    if (table === 'eg') {
      const a = attr ?? 'text';
      if (!ATTRS.has(a)) throw new MaraError('EINVAL', `msg.topic ${preview(topic)}: an element attribute is text, fill, stroke or mark`);
      elements.push({ tag, attr: a as ElementAttr, value: p });
    } else {
      const v = p && typeof p === 'object' ? (p as { value?: unknown; q?: unknown }) : { value: p };
      const value = typeof v.value === 'boolean' ? Number(v.value) : Number(v.value);
      if (!Number.isFinite(value)) throw new MaraError('EINVAL', `msg.payload for ${topic} must be a number or {value, q}`);
      const q = v.q === undefined ? undefined : Number(v.q);
      points.push({ table: table as 'ai' | 'di' | 'sv', tag, value, ...(q !== undefined && Number.isFinite(q) ? { q } : {}) });
    }
    return { points, elements };
  }
  const list = Array.isArray(p) ? p : p && typeof p === 'object' ? [p] : null;
  if (!list)
    throw new MaraError('EINVAL', 'expected point changes [{tag, table, value}], element writes {tag, attr, value}, or topic "ai.TAG"/"di.TAG" with a number');
  for (const item of list) {
    if (!item || typeof item !== 'object') throw new MaraError('EINVAL', 'each change must be an object');
    const it = item as Record<string, unknown>;
    const tag = typeof it.tag === 'string' ? it.tag : '';
    if (!tag) throw new MaraError('EINVAL', 'a change without a tag');
    if (tagProblem(tag)) throw new MaraError('EINVAL', tagProblem(tag)!);
    if (it.table === 'ai' || it.table === 'di' || it.table === 'sv') {
      // an event or energy record is history, not the point's state (the state change follows it)
      if (it.kind === 'event' || it.kind === 'energy' || (it.value === undefined && it.q === undefined)) continue;
      points.push({
        table: it.table,
        tag,
        ...(it.value !== undefined ? { value: it.value === null ? null : Number(it.value) } : {}),
        ...(it.q !== undefined ? { q: Number(it.q) } : {}),
        ...(typeof it.quality === 'string' ? { quality: it.quality } : {}),
      });
    } else if (typeof it.attr === 'string') {
      if (!ATTRS.has(it.attr)) throw new MaraError('EINVAL', `element attribute ${preview(it.attr)}: text, fill, stroke or mark`);
      elements.push({ tag, attr: it.attr as ElementAttr, value: it.value });
    } else throw new MaraError('EINVAL', `change for ${tag} has neither table (ai/di/sv) nor attr`);
  }
  return { points, elements };
}
