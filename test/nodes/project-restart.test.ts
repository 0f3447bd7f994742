/**
 * A project whose workbook cannot be loaded must not take Node-RED down, at start or at any restart (issue 10
 * item 1: a 13 KB .xlsx with one 8 MB shared string in 300 cells killed Node-RED at every start). A real
 * Node-RED child process is started twice on the same files, as a restart would; each time it stays up, serves,
 * and reports the workbook's problems.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBuilt, startNodeRed } from '../helpers/red-child';
import { sharedStringBomb } from '../helpers/hostile-workbook';

describe('a project whose workbook fails to load', () => {
  it('does not crash Node-RED at start nor at the next start', { timeout: 120_000 }, async () => {
    ensureBuilt();
    const files = { 'bomb.xlsx': sharedStringBomb(8 * 1024 * 1024, 300) };
    const flows = [{ id: 'proj', type: 'mara-project', path: 'bomb.xlsx', dialect: 'txscada', watch: false }];
    for (const start of [1, 2]) {
      const red = await startNodeRed(flows, files);
      try {
        let body: { version: number; problems: { message: string }[] } = { version: 0, problems: [] };
        for (let i = 0; i < 200 && body.version === 0; i++) {
          const r = await fetch(`${red.url}/mara/project/proj/problems`);
          assert.equal(r.status, 200, `start ${start}`);
          body = await r.json();
          if (body.version === 0) await new Promise((res) => setTimeout(res, 100));
        }
        assert.ok(body.version > 0, `start ${start}: the workbook was read`);
        assert.equal(body.problems.filter((p) => /maxCellChars/.test(p.message)).length, 300, `start ${start}`);
        assert.equal(red.proc.exitCode, null, `start ${start}: Node-RED is running\n${red.output().slice(-2000)}`);
        assert.equal((await fetch(`${red.url}/flows`)).status, 200, `start ${start}: still serving`);
      } finally {
        await red.stop();
      }
    }
  });
});
