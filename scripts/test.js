'use strict';
// `npm test`: install and build what is missing, then run every test with node's test runner.
// Extra arguments select test files (`npm test -- test/mara/frame.test.ts`).
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { root, ensureInstalled, ensureBuilt } = require('./ensure');

ensureInstalled();
ensureBuilt();

function find(dir) {
  const out = [];
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...find(p));
    else if (/\.test\.(ts|js)$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

const args = process.argv.slice(2);
const files = args.length ? args : find(path.join(root, 'test'));
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(r.status ?? 1);
