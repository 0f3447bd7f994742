/**
 * Every "§N.M" citation in the code points to a numbered section of the package's own documents (docs/,
 * CONTRIBUTING.md), so a reader of a clone finds what a comment cites.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const root = path.resolve(__dirname, '../..');

describe('documentation references', () => {
  it('every § citation in lib, nodes, ui, bin and scripts names a document of the package and one of its sections', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'doc-refs.js'), '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
    assert.equal(r.status, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as { file: string; line: number; text: string; ok: boolean }[];
    assert.ok(rows.length > 100, `citations found: ${rows.length}`);
    const unnamed = rows.filter((x) => !/^(docs\/\w+\.md|CONTRIBUTING\.md) §/.test(x.text)).map((x) => `${x.file}:${x.line} ${x.text}`);
    assert.deepEqual(unnamed, [], 'citations that do not name their document');
    assert.deepEqual(rows.filter((x) => !x.ok), []);
  });
});
