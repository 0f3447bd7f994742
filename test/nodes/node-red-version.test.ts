/**
 * The Node-RED the suite runs is the one CI means to test (.ci/run sets MARA_EXPECT_NODE_RED for each of its
 * two runs), and it runs on a Node it supports; without that variable, the checkout's devDependency.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../helpers/red';
import { NODE_RED_VERSION } from '../helpers/node-red-path';
import decodeNode = require('../../nodes/mara-decode');

describe('Node-RED under test', () => {
  it('is the expected version, loaded by the test helper, on a Node it supports', async () => {
    const red = (helper as unknown as { _RED: { version(): string } })._RED;
    // RED.version() adds "-git" when it finds a .git folder above its install (a checkout, as here)
    const running = red.version().replace(/-git$/, '');
    assert.equal(running, NODE_RED_VERSION);
    const expected = process.env.MARA_EXPECT_NODE_RED;
    if (expected) assert.equal(running, expected);
    else assert.equal(NODE_RED_VERSION, require('node-red/package.json').version);
    const major = Number(NODE_RED_VERSION.split('.')[0]);
    const node = process.versions.node.split('.').map(Number);
    if (major >= 5) assert.ok(node[0] > 22 || (node[0] === 22 && node[1] >= 9), `Node-RED ${NODE_RED_VERSION} needs Node >= 22.9, got ${process.version}`);
    else assert.ok(node[0] >= 20, process.version);
    // and a node of this package loads into that runtime
    await new Promise<void>((r) => helper.startServer(() => r()));
    try {
      await helper.load(decodeNode, [{ id: 'd', type: 'mara-decode', mode: 'stream', property: 'payload' }]);
      assert.ok(helper.getNode('d'));
      await helper.unload();
    } finally {
      await new Promise<void>((r) => helper.stopServer(() => r()));
    }
  });
});
