/** node-red-node-test-helper set up once per test file, with the core nodes our flows use. */
import helper from 'node-red-node-test-helper';
import path from 'node:path';
import { NODE_RED_DIR, resolveFromNodeRed } from './node-red-path';

helper.init(resolveFromNodeRed(NODE_RED_DIR));

const core = path.join(path.dirname(resolveFromNodeRed('@node-red/nodes/package.json')), 'core', 'common');
/** Core catch and status nodes, to assert Catch-visible errors and statuses. */
export const catchNode = require(path.join(core, '25-catch.js'));
export const statusNode = require(path.join(core, '25-status.js'));
/** A core node module of the Node-RED under test (4.1, or 5 under MARA_NODE_RED_PATH), e.g. `coreNode('24-complete.js')`. */
export const coreNode = (file: string): unknown => require(path.join(core, file));

export { helper };

/** Resolves with the first `n` msgs a helper node receives (rejects after `ms`). */
export function collect<T = Record<string, unknown>>(node: { on(ev: string, f: (m: T) => void): void }, n: number, ms = 3000): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const got: T[] = [];
    const t = setTimeout(() => reject(new Error(`timed out with ${got.length}/${n} msgs`)), ms);
    node.on('input', (m: T) => {
      got.push(m);
      if (got.length === n) {
        clearTimeout(t);
        resolve(got);
      }
    });
  });
}
