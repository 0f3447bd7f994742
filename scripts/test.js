'use strict';
// `npm test`: install and build what is missing, then
//   - with file arguments (`npm test -- test/mara/frame.test.ts`): run those tests only, fast;
//   - without: the gates and the whole suite: ESLint, Prettier's check, the type-check of everything
//     (scripts/typecheck.js), then every test under c8, whose summary and thresholds (.c8rc.json) close the run.
// MARA_GATES=0 runs the whole suite without lint, format check, type-check and coverage (CI's second run,
// .ci/run: they depend on the code, not on the Node or Node-RED version).
// A failing gate does not stop the tests: one run shows every problem, and the exit status is non-zero.
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

const env = { ...process.env, NODE_ENV: 'test' };
const bin = (pkg, file) => path.join(root, 'node_modules', pkg, file);
/** Runs one step, prints its time, and returns whether it passed. */
function step(name, args) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env });
  const ok = r.status === 0;
  console.log(`[mara] ${name}: ${ok ? 'passed' : 'FAILED'} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return ok;
}

const args = process.argv.slice(2);
const runner = ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2'];
// a folder stands for the test files in it (node 20's runner takes files only: `npm test -- test/nodes/` ran none)
const selected = args.flatMap((a) => (fs.existsSync(a) && fs.statSync(a).isDirectory() ? find(path.resolve(a)) : [a]));
if (args.length) process.exit(step('tests', [...runner, ...selected]) ? 0 : 1);

const gates = process.env.MARA_GATES !== '0';
const failed = [];
if (gates) {
  if (!step('lint', [bin('eslint', 'bin/eslint.js'), '.'])) failed.push('lint');
  if (!step('format', [bin('prettier', 'bin/prettier.cjs'), '--check', '--log-level', 'warn', '.'])) failed.push('format (npm run format)');
  if (!step('typecheck', [path.join(__dirname, 'typecheck.js'), '--no-build-config'])) failed.push('typecheck');
}
const files = find(path.join(root, 'test'));
const tests = gates ? [bin('c8', 'bin/c8.js'), process.execPath, ...runner, ...files] : [...runner, ...files];
if (!step(gates ? 'tests and coverage' : 'tests', tests)) failed.push(gates ? 'tests or coverage thresholds' : 'tests');
if (failed.length) console.error(`[mara] failed: ${failed.join(', ')}`);
process.exit(failed.length ? 1 : 0);
