'use strict';
// tsc into dist/, then copy lib/'s plain .js files and what Node-RED looks for next to each node's .js: the editor
// .html, locales/ and icons/; and bundle the browser code of the dashboard widgets (ui/, TypeScript, checked by
// ui/tsconfig.json) with esbuild into dist/ui/.
// `--release` (what `npm pack` runs, scripts/build-release.js): no source maps and no .build-stamp, so the
// tarball holds only what a user runs and the next `npm test` rebuilds the development dist/.
const fs = require('node:fs');
const path = require('node:path');
const { root, run } = require('./ensure');

const dist = path.join(root, 'dist');
fs.rmSync(dist, { recursive: true, force: true });
const release = process.argv.includes('--release');
const tscArgs = release ? ['--sourceMap', 'false'] : [];
run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json'), ...tscArgs]);

// plain JavaScript under lib/ that runs as it is (lib/project/workbook-reader.js, the workbook reader's source)
(function copyJs(rel) {
  for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) copyJs(r);
    else if (e.name.endsWith('.js')) fs.copyFileSync(path.join(root, r), path.join(dist, r));
  }
})('lib');

const nodesSrc = path.join(root, 'nodes');
const nodesOut = path.join(dist, 'nodes');
fs.mkdirSync(nodesOut, { recursive: true });
for (const f of fs.readdirSync(nodesSrc)) if (f.endsWith('.html')) fs.copyFileSync(path.join(nodesSrc, f), path.join(nodesOut, f));
fs.cpSync(path.join(nodesSrc, 'locales'), path.join(nodesOut, 'locales'), { recursive: true });
fs.cpSync(path.join(root, 'icons'), path.join(nodesOut, 'icons'), { recursive: true });
// browser code of the dashboard widgets, read at run time from dist/ui (nodes/shared/dashboard.ts): one ES2017
// script per widget that declares one global (the node sends it as the body of the dashboard's initController)
run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'ui', 'tsconfig.json'), '--noEmit']);
// one bundle per widget (ui_mara_screen, ui_mara_alarms): each initController carries its own widget's code only
for (const [entry, file, globalName] of [
  ['dashboard1', 'mara-screen.js', 'MaraScreenUI'],
  ['alarms', 'mara-alarms.js', 'MaraAlarmsUI'],
]) {
  require('esbuild').buildSync({
    entryPoints: [path.join(root, 'ui', entry, 'index.ts')],
    outfile: path.join(dist, 'ui', file),
    bundle: true,
    format: 'iife',
    globalName,
    target: 'es2017',
    platform: 'browser',
    charset: 'ascii',
    legalComments: 'inline',
    // development builds map the bundle to ui/**/*.ts, so c8 counts the browser runs against the sources
    // (test/helpers/browser-coverage.ts); the tarball ships no maps
    sourcemap: !release,
    logLevel: 'warning',
  });
}
if (!release) fs.writeFileSync(path.join(dist, '.build-stamp'), new Date().toISOString() + '\n');
console.log(`[mara] built dist/${release ? ' (release: no source maps)' : ''}`);
