'use strict';
// `npm pack` / `npm publish` (the prepack script) / an install from git: build dist/ for release first, installing the build's
// devDependencies when a fresh clone has none, so the tarball always carries the code Node-RED loads.
const path = require('node:path');
const { run, ensureInstalled } = require('./ensure');

ensureInstalled();
run(process.execPath, [path.join(__dirname, 'build.js'), '--release']);
