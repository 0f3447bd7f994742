'use strict';
// `npm run typecheck`: type-checks every part of the project, emitting nothing:
//   tsconfig.json       lib/ and nodes/ as the build compiles them (Node only, no DOM)
//   tsconfig.test.json  test/ and bench/ with the code they exercise
//   ui/tsconfig.json    the browser code (DOM), when the checkout has one
// `--no-build-config` skips tsconfig.json: `npm test` builds dist/ with it just before, which type-checks it.
const fs = require('node:fs');
const path = require('node:path');
const { root, run } = require('./ensure');

const tsc = require.resolve('typescript/bin/tsc');
const configs = ['tsconfig.json', 'tsconfig.test.json', path.join('ui', 'tsconfig.json')]
  .filter((c) => !(c === 'tsconfig.json' && process.argv.includes('--no-build-config')))
  .filter((c) => fs.existsSync(path.join(root, c)));
for (const c of configs) {
  console.log(`[mara] tsc -p ${c}`);
  run(process.execPath, [tsc, '-p', path.join(root, c), '--noEmit']);
}
