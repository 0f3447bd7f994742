/** MaraError (lib/mara/errors.ts): code, offset and message. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as mara from '../../lib';
import { MaraError } from '../../lib';
import { fixBcc } from '../unit/helpers';

describe('MaraError', () => {
  it('carries code, offset and a message naming the offset', () => {
    const e = new MaraError('EBCC', 'bad', 6);
    assert.equal(e.code, 'EBCC');
    assert.equal(e.offset, 6);
    assert.equal(e.message, 'bad (offset 6)');
    const n = new MaraError('EINVAL', 'no offset');
    assert.equal(n.offset, undefined);
    assert.equal(n.message, 'no offset');
  });

  it('every frame built by fixBcc in these tests is valid (helper sanity)', () => {
    const b = Buffer.from([0xfe, 0x0a, 1, 0x40, 0x20, 0x06, 1, 2, 0, 0]);
    assert.equal(mara.decodeFrame(fixBcc(b)).data.length, 2);
  });
});
