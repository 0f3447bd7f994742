/**
 * ui_mara_alarms under Dashboard 1's own read-only mode (`ui.readOnly` in settings.js), which the dashboard reads
 * once per process when it starts (hence a file of its own): the dashboard drops every browser message before a
 * widget sees it, yet a viewer's journal pages are still answered and attend and silence are still refused.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { helper } from '../helpers/red';
import { acquireJournal } from '../../lib/journal/journal-hub';
import { asUser, flow, fromBrowser, nodes, recordingResolver, rig, seed, settle, take } from '../helpers/alarms-rig';
import alarmsNode = require('../../nodes/ui_mara_alarms');

describe('ui_mara_alarms with the dashboard read-only', () => {
  let dir = '';
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mara-alarms-ro-'));
    helper.settings({ ui: { readOnly: true } });
    await new Promise<void>((r) => helper.startServer(() => r()));
    rig.lease = acquireJournal(path.join(dir, 'j.sqlite'));
    alarmsNode.setDashboardResolver(recordingResolver);
  });
  after(async () => {
    await helper.unload();
    rig.lease?.release();
    alarmsNode.setDashboardResolver();
    helper.settings({});
    await new Promise<void>((r) => helper.stopServer(() => r()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers pages once each and refuses attend and silence', async () => {
    seed(1, 3);
    await helper.load(nodes(), flow({ mode: 'journal' }));
    assert.equal((helper.getNode('al') as any).maraAlarms.snapshot().config.readOnly, true);
    fromBrowser({ type: 'hello' }, 'sock-1', asUser('ana'));
    fromBrowser({ type: 'page', req: 1, filter: { tagPrefix: 'S11PR_' } }, 'sock-1', asUser('ana'));
    fromBrowser({ type: 'attend', ids: [1] }, 'sock-1', asUser('ana'));
    fromBrowser({ type: 'silence' }, 'sock-1', asUser('ana'));
    await settle();
    assert.deepEqual(take('who'), [{ user: 'ana', canAttend: false }]);
    const pages = take('page');
    assert.equal(pages.length, 1, 'answered once');
    assert.deepEqual(
      pages[0].rows.map((r: any) => r.tag),
      ['S11PR_03', 'S11PR_02', 'S11PR_01'],
    );
    assert.deepEqual(take('refused'), [{ reason: 'readOnly' }, { reason: 'readOnly' }]);
    assert.equal(rig.lease!.hub.store.horn().unattended, 3);
    assert.equal(rig.lease!.hub.store.horn().sounding, true);
  });
});
