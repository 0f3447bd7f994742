'use strict';
// `npm run scorecard`: the flow library's scorecard (node-red-dev validate) on the package as published:
// `npm pack` (prepack builds dist/), the tarball unpacked and its runtime dependencies installed, then
// node-red-dev 0.1.6 (installed into a temporary folder, not a devDependency: it pulls in ~150 packages)
// validates it. The catalogue request (catalogue.nodered.org) is answered from
// test/fixtures/catalogue-stub.json, or from MARA_CATALOGUE=<file>; the npm registry is asked for real.
// Exits 1 when a check fails. Needs the npm registry.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { root, run } = require('./ensure');

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NODE_RED_DEV = 'node-red-dev@0.1.6';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mara-scorecard-'));
const quiet = ['--no-audit', '--no-fund', '--prefer-offline'];
try {
  run(NPM, ['pack', '--pack-destination', work]);
  const tgz = fs.readdirSync(work).find((f) => f.endsWith('.tgz'));
  run('tar', ['xzf', path.join(work, tgz), '-C', work]);
  const pkgDir = path.join(work, 'package');
  run(NPM, ['install', '--omit=dev', ...quiet], { cwd: pkgDir });
  const tool = path.join(work, 'tool');
  fs.mkdirSync(tool);
  fs.writeFileSync(path.join(tool, 'package.json'), '{"private":true}');
  run(NPM, ['install', ...quiet, NODE_RED_DEV], { cwd: tool });
  const catalogue = path.resolve(process.env.MARA_CATALOGUE || path.join(root, 'test', 'fixtures', 'catalogue-stub.json'));
  const stub = path.join(work, 'catalogue-stub.js');
  fs.writeFileSync(
    stub,
    `// answers node-red-dev's catalogue requests from a file
const Module = require('module');
const load = Module._load;
const data = JSON.parse(require('fs').readFileSync(${JSON.stringify(catalogue)}, 'utf8'));
Module._load = function (req, parent, isMain) {
  const m = load.apply(this, arguments);
  if (req !== 'axios' || m.__maraStub) return m;
  const get = m.get.bind(m);
  m.get = (url, ...rest) => (/^https:\\/\\/catalogue\\.nodered\\.org\\//.test(url) ? Promise.resolve({ data }) : get(url, ...rest));
  m.__maraStub = true;
  return m;
};
`,
  );
  const out = path.join(work, 'scorecard.json');
  run(process.execPath, ['--require', stub, path.join(tool, 'node_modules', 'node-red-dev', 'bin', 'run'), 'validate', '-p', pkgDir, '-o', out], {
    cwd: pkgDir,
  });
  const card = JSON.parse(fs.readFileSync(out, 'utf8'));
  const checks = Object.entries(card).filter(([k]) => /^[A-Z]\d\d$/.test(k));
  for (const [k, v] of checks) console.log(`${v.test ? 'pass' : 'FAIL'} ${k} ${JSON.stringify(v)}`);
  const failed = checks.filter(([, v]) => !v.test);
  console.log(failed.length ? `[mara] scorecard: ${failed.length} check(s) failed` : `[mara] scorecard: all ${checks.length} checks pass`);
  process.exitCode = failed.length ? 1 : 0;
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
