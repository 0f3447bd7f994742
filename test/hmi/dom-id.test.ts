/** The widget element id rule shared by the server (nodes/ui_mara_screen.ts) and the browser (ui/dashboard1/attach.ts). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { domId, screenElementId } from '../../lib/hmi/dom-id';

describe('domId', () => {
  it('keeps letters, digits, _ . - and replaces every other character by _', () => {
    assert.equal(domId('a1b2c3d4.e5f6_-'), 'a1b2c3d4.e5f6_-');
    assert.equal(domId('scr 1:"<x>/ü'), 'scr_1___x___');
    assert.equal(domId(''), '');
  });

  it('the screen element id is the prefixed domId', () => {
    assert.equal(screenElementId('scr:1'), 'mara-screen-scr_1');
    assert.equal(screenElementId('scr'), 'mara-screen-scr');
  });
});
