/**
 * DOM walking with childNodes + nodeType only, so a tiny fake DOM (test/helpers/fake-dom.ts) is enough to test
 * the binder, navigator and click logic in Node.
 */

export const SVG_NS = 'http://www.w3.org/2000/svg';

export function localNameOf(el: Element): string {
  return el.localName || (el.tagName ? String(el.tagName).toLowerCase() : '');
}

/** Pre-order walk of the element tree below (and including) `root`; `fn` returns false to skip a subtree. */
export function walk(root: Element, fn: (el: Element) => boolean | void): void {
  const stack: Element[] = [root];
  while (stack.length) {
    const el = stack.pop() as Element;
    if (fn(el) === false) continue;
    const kids = el.childNodes;
    for (let i = kids.length - 1; i >= 0; i--) if (kids[i].nodeType === 1) stack.push(kids[i] as Element);
  }
}
