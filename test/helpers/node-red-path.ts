/**
 * Which Node-RED the tests run. By default the devDependency (Node-RED 4.1); MARA_NODE_RED_PATH names the
 * folder of another installed `node-red` package (CI's second run: Node-RED 5 under .ci/.nr5, see .ci/run).
 */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

function locate(): string {
  const env = process.env.MARA_NODE_RED_PATH;
  if (!env) return path.dirname(require.resolve('node-red/package.json', { paths: [ROOT] }));
  const dir = path.resolve(ROOT, env);
  if (!fs.existsSync(path.join(dir, 'package.json'))) throw new Error(`MARA_NODE_RED_PATH=${env}: no node-red package in ${dir}`);
  return dir;
}

/** Folder of the `node-red` package under test. */
export const NODE_RED_DIR = locate();
/** Its version, e.g. "4.1.15". */
export const NODE_RED_VERSION: string = JSON.parse(fs.readFileSync(path.join(NODE_RED_DIR, 'package.json'), 'utf8')).version;
/** True when the tests run a Node-RED other than the checkout's devDependency. */
export const EXTERNAL_NODE_RED = Boolean(process.env.MARA_NODE_RED_PATH);

/** Resolves a module as the Node-RED under test sees it (`@node-red/nodes/package.json`, `node-red/red.js`). */
export function resolveFromNodeRed(id: string): string {
  return require.resolve(id, { paths: [NODE_RED_DIR] });
}
