'use strict';
// `npm start`: install and build what is missing, then run Node-RED with this package, the demo flow
// and (once it exists) the simulated device, in a user directory inside the checkout.
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { spawn } = require('node:child_process');
const { root, ensureInstalled, ensureBuilt } = require('./ensure');

ensureInstalled();
ensureBuilt();

const userDir = path.join(root, '.node-red-user');
const port = Number(process.env.PORT) || 1880;
const host = process.env.HOST || '127.0.0.1';
fs.mkdirSync(path.join(userDir, 'node_modules'), { recursive: true });

// Node-RED finds packages in <userDir>/node_modules: link this checkout there.
const link = path.join(userDir, 'node_modules', 'node-red-contrib-mara');
try {
  fs.lstatSync(link);
} catch {
  fs.symlinkSync(root, link, 'dir');
}
fs.writeFileSync(
  path.join(userDir, 'package.json'),
  JSON.stringify({ name: 'mara-demo-userdir', private: true, dependencies: { 'node-red-contrib-mara': 'file:..' } }, null, 2),
);
fs.writeFileSync(
  path.join(userDir, 'settings.js'),
  `module.exports = ${JSON.stringify(
    { uiHost: host, uiPort: port, flowFile: 'flows.json', credentialSecret: false, logging: { console: { level: 'info' } } },
    null,
    2,
  )};\n`,
);

// The demo project: the example workbook and its screens, where a mara-project node may read them
// (paths are resolved inside the user directory).
const projectDir = path.join(userDir, 'mara-projects');
fs.mkdirSync(projectDir, { recursive: true });
const copies = ['substation.xlsx', ...fs.readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.svg'))].map((f) => [`examples/${f}`, f]);
for (const [from, to] of copies) {
  const dest = path.join(projectDir, to);
  if (!fs.existsSync(dest) || process.env.MARA_RESET_FLOWS) fs.copyFileSync(path.join(root, from), dest);
}

// Deploy the demo flow unless the user changed the flows since we last wrote them. The demo is the
// substation example and the decode example side by side (one copy of each, no duplicated node ids).
const DEMO = ['substation-demo.json', 'mara-decode.json'];
const demo = Buffer.from(
  JSON.stringify(
    DEMO.flatMap((f) => JSON.parse(fs.readFileSync(path.join(root, 'examples', f), 'utf8'))),
    null,
    2,
  ),
);
const flowFile = path.join(userDir, 'flows.json');
const hashFile = path.join(userDir, '.demo-hash');
const hash = (b) => crypto.createHash('sha256').update(b).digest('hex');
const current = fs.existsSync(flowFile) ? fs.readFileSync(flowFile) : null;
const written = fs.existsSync(hashFile) ? fs.readFileSync(hashFile, 'utf8') : '';
if (!current || hash(current) === written || process.env.MARA_RESET_FLOWS) {
  fs.writeFileSync(flowFile, demo);
  fs.writeFileSync(hashFile, hash(demo));
} else {
  console.log('[mara] keeping your modified flows.json (MARA_RESET_FLOWS=1 restores the demo)');
}

console.log(`[mara] Node-RED on http://${host}:${port}/ (user dir ${path.relative(root, userDir)})`);
const red = spawn(process.execPath, [require.resolve('node-red/red.js'), '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], {
  cwd: root,
  stdio: 'inherit',
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => red.kill(sig));
red.on('exit', (code) => process.exit(code ?? 0));
