'use strict';
// `node scripts/doc-refs.js [--json]`: every "§N.M" citation in lib/, nodes/, ui/, bin/, scripts/ and the
// docs section it means, so the comments can be rewritten mechanically ("spec §7.3" → "docs/protocol.md
// §7.3"). Which document a citation means:
//   "conventions §N"                        → CONTRIBUTING.md §N
//   "hmi §N" / "spec hmi §N"                → formulas.md (§1-4), screens.md (§5-6), workbook.md (§7)
//   "mara §N" / "spec mara §N"              → protocol.md
//   a bare "spec §N" or "§N"                → by the file: formula, HMI, workbook and screen code → the hmi
//                                             documents; the rest → protocol.md; a section only one of them
//                                             has goes there.
// A citation that names its document ("docs/protocol.md §7.3", the form the code uses now) is taken as named.
// Exits 1 when a citation has no numbered heading to point to (test/dist/doc-refs.test.ts runs it).
const fs = require('node:fs');
const path = require('node:path');
const root = path.resolve(__dirname, '..');

function headings(rel) {
  const out = new Set();
  for (const l of fs.readFileSync(path.join(root, rel), 'utf8').split('\n')) {
    const m = /^#+\s+(\d+(?:\.\d+)*)\.?\s/.exec(l);
    if (m) out.add(m[1]);
  }
  return out;
}
const DOCS = {
  protocol: { file: 'docs/protocol.md', has: headings('docs/protocol.md') },
  formulas: { file: 'docs/formulas.md', has: headings('docs/formulas.md') },
  screens: { file: 'docs/screens.md', has: headings('docs/screens.md') },
  workbook: { file: 'docs/workbook.md', has: headings('docs/workbook.md') },
  contributing: { file: 'CONTRIBUTING.md', has: headings('CONTRIBUTING.md') },
};
const HMI_FILES =
  /^(lib\/formula|lib\/hmi|lib\/svg|ui\/|lib\/project\/(workbook|sheet|model)|nodes\/(ui_mara_screen|mara-formula|mara-project)|nodes\/shared\/(formula|dashboard)|scripts\/make-example)/;

function hmiDoc(n) {
  const major = Number(n.split('.')[0]);
  return major <= 4 ? 'formulas' : major <= 6 ? 'screens' : 'workbook';
}

function resolve(kind, n, file) {
  const named = /^docs\/(protocol|formulas|screens|workbook)\.md$/.exec(kind);
  if (named) return named[1];
  if (/conventions|CONTRIBUTING/.test(kind)) return 'contributing';
  if (/hmi/.test(kind)) return hmiDoc(n);
  if (/mara/.test(kind)) return 'protocol';
  const preferHmi = HMI_FILES.test(file);
  const first = preferHmi ? hmiDoc(n) : 'protocol';
  const second = preferHmi ? 'protocol' : hmiDoc(n);
  return DOCS[first].has.has(n) ? first : DOCS[second].has.has(n) ? second : first;
}

function walk(dir, out = []) {
  for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) walk(rel, out);
    else if (/\.(ts|js)$/.test(e.name)) out.push(rel);
  }
  return out;
}

const rows = [];
for (const file of ['lib', 'nodes', 'ui', 'bin', 'scripts'].flatMap((d) => walk(d))) {
  if (file === 'scripts/doc-refs.js') continue;
  fs.readFileSync(path.join(root, file), 'utf8')
    .split('\n')
    .forEach((line, i) => {
      for (const m of line.matchAll(
        /(?:(docs\/(?:protocol|formulas|screens|workbook)\.md|CONTRIBUTING\.md|\bconventions|\bspec hmi|\bspec mara|\bhmi|\bmara|\bspec)\s*)?§\s?(\d+(?:\.\d+)*)/g,
      )) {
        const doc = resolve(m[1] || '', m[2], file);
        rows.push({ file, line: i + 1, text: m[0].trim(), doc: DOCS[doc].file, section: m[2], ok: DOCS[doc].has.has(m[2]) });
      }
    });
}
if (process.argv.includes('--json')) console.log(JSON.stringify(rows, null, 1));
else for (const r of rows) console.log(`${r.ok ? '' : 'MISSING '}${r.file}:${r.line}  ${r.text}  →  ${r.doc} §${r.section}`);
const missing = rows.filter((r) => !r.ok);
console.error(`[mara] ${rows.length} citations, ${missing.length} without a matching section`);
process.exitCode = missing.length ? 1 : 0;
