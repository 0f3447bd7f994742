/**
 * The one grammar of tags (docs/formulas.md §1.1), used wherever a tag enters: workbook import, msgs to the points,
 * formula and screen nodes, and the screen state. A tag names a point or a graphic element: 1 to 64 Unicode
 * letters, digits, `_`, `.` or `-` (what the SVG sanitiser keeps in a drawing's `tag` attribute; real tags are
 * 8 characters such as `E4152B04`, at most 16 in the original database), case-sensitive.
 *
 * Refused although made of those characters: names JavaScript objects treat specially (`__proto__`,
 * `constructor`, `prototype`, and anything starting with `__`), so that a tag can never reach an object's
 * prototype even where a map keyed by tags is a plain object.
 *
 * Checked with a hand-written scanner over at most 65 characters: no regular expression sees the input.
 */
import { preview } from '../preview';

export const MAX_TAG_LENGTH = 64;

const RESERVED = new Set(['constructor', 'prototype']);
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;

function tagChar(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45) return 1;
  if (c < 0x80) return 0;
  // outside ASCII: one code point (a surrogate pair is two units), tested alone
  const cp = s.codePointAt(i)!;
  const n = cp > 0xffff ? 2 : 1;
  return LETTER_OR_DIGIT.test(String.fromCodePoint(cp)) ? n : 0;
}

/** Why `tag` is not a valid tag (a message that previews it), or null when it is one. */
export function tagProblem(tag: unknown): string | null {
  if (typeof tag !== 'string') return `a tag must be text, not ${preview(tag)}`;
  if (tag.length === 0) return 'empty tag';
  if (tag.length > MAX_TAG_LENGTH) return `tag ${preview(tag)} is longer than ${MAX_TAG_LENGTH} characters`;
  for (let i = 0; i < tag.length;) {
    const n = tagChar(tag, i);
    if (n === 0)
      return `tag ${preview(tag)}: character ${JSON.stringify(String.fromCodePoint(tag.codePointAt(i)!))} at ${i + 1} is not a letter, digit, _ . or -`;
    i += n;
  }
  if (RESERVED.has(tag) || tag.startsWith('__'))
    return `tag ${preview(tag)} is reserved (__proto__, constructor, prototype and names starting with __ are refused)`;
  return null;
}

export function isTag(tag: unknown): tag is string {
  return tagProblem(tag) === null;
}
