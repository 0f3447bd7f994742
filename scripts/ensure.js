'use strict';
// Installs and builds what is missing, so `npm start`, `npm test` and `npm run bench` work on a fresh clone.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function mtime(p) {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}

function newest(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let m = st.mtimeMs;
  for (const e of fs.readdirSync(p)) m = Math.max(m, newest(path.join(p, e)));
  return m;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

/** `npm ci` when node_modules is missing or older than package-lock.json. */
function ensureInstalled() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  if (mtime(marker) >= mtime(path.join(root, 'package-lock.json'))) return;
  console.log('[mara] installing dependencies (npm ci)…');
  run(NPM, ['ci', '--no-audit', '--no-fund']);
}

const SOURCES = ['lib', 'nodes', 'icons', 'ui', 'tsconfig.json', 'package.json', 'scripts/build.js'];

/** Builds dist/ when any source is newer than the last build. */
function ensureBuilt() {
  const stamp = path.join(root, 'dist', '.build-stamp');
  const src = Math.max(...SOURCES.map((s) => newest(path.join(root, s))));
  if (mtime(stamp) >= src) return;
  run(process.execPath, [path.join(__dirname, 'build.js')]);
}

module.exports = { root, run, ensureInstalled, ensureBuilt };
