/** The attribute allowlist of the binder (lib/hmi/safe-attr.ts). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isSafeAttributeName, isSafeAttributeValue } from '../../lib/hmi';

describe('isSafeAttributeName / isSafeAttributeValue', () => {
  it('allows the painting attributes only', () => {
    for (const ok of [
      'fill',
      'stroke',
      'opacity',
      'fill-opacity',
      'stroke-opacity',
      'stroke-width',
      'stroke-dasharray',
      'visibility',
      'display',
      'class',
      'transform',
    ]) {
      assert.equal(isSafeAttributeName(ok), true, ok);
    }
    for (const bad of [
      'onclick',
      'ONCLICK',
      'onload',
      'href',
      'xlink:href',
      'style',
      'src',
      'Fill',
      'fill ',
      'filter',
      'mask',
      'clip-path',
      'tag',
      'jump-to',
      'id',
      '',
      'innerHTML',
      '__proto__',
      'constructor',
      null,
      1,
    ]) {
      assert.equal(isSafeAttributeName(bad as string), false, String(bad));
    }
  });

  it('checks values against each attribute syntax', () => {
    assert.equal(isSafeAttributeValue('fill', '#ff0000'), true);
    assert.equal(isSafeAttributeValue('fill', 'url(http://x/#a)'), false);
    assert.equal(isSafeAttributeValue('stroke', 'red;background:url(x)'), false);
    assert.equal(isSafeAttributeValue('opacity', '0.5'), true);
    assert.equal(isSafeAttributeValue('opacity', 'calc(1)'), false);
    assert.equal(isSafeAttributeValue('stroke-width', '2.5px'), true);
    assert.equal(isSafeAttributeValue('stroke-dasharray', '4, 2 1'), true);
    assert.equal(isSafeAttributeValue('visibility', 'hidden'), true);
    assert.equal(isSafeAttributeValue('display', 'none'), true);
    assert.equal(isSafeAttributeValue('display', 'url(x)'), false);
    assert.equal(isSafeAttributeValue('class', 'open tripped'), true);
    assert.equal(isSafeAttributeValue('class', 'a"b'), false);
    assert.equal(isSafeAttributeValue('transform', 'translate(10,20) rotate(45)'), true);
    assert.equal(isSafeAttributeValue('transform', 'translate(10,20) url(x)'), false);
    assert.equal(isSafeAttributeValue('onclick', 'x'), false);
    assert.equal(isSafeAttributeValue('fill', 12 as unknown as string), false);
  });
});
