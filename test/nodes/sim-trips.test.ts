/** The simulator node's protection trips setting: `relay:breaker` pairs, refused clearly when malformed. */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MaraError } from '../../lib/mara/errors';
import { parseTrips } from '../../nodes/shared/sim-input';
import { helper } from '../helpers/red';
import simNode = require('../../nodes/mara-simulator');

describe('mara-simulator: protection trips', () => {
  afterEach(async () => {
    await helper.unload();
  });

  it('parses relay:breaker pairs', () => {
    assert.deepEqual(parseTrips('17:16, 21:20;25:24  29:28'), [
      [17, 16],
      [21, 20],
      [25, 24],
      [29, 28],
    ]);
    assert.deepEqual(parseTrips(''), []);
    assert.deepEqual(parseTrips(undefined), []);
    for (const bad of ['17', '17:17', 'a:b', '1:2:3', '1234:1', 'x'.repeat(2001)])
      assert.throws(
        () => parseTrips(bad),
        (e: unknown) => e instanceof MaraError && e.code === 'EINVAL',
        bad.slice(0, 20),
      );
  });

  it('a malformed setting is a bad config (red status, error), not a crash', async () => {
    await helper.load(simNode, [
      {
        id: 's',
        type: 'mara-simulator',
        transport: 'tcp',
        host: '127.0.0.1',
        port: 0,
        devices: '1',
        activity: true,
        activityInterval: 1,
        trips: '17-16',
        tripEvery: 5,
      },
    ]);
    const n = helper.getNode('s') as any;
    const errors = n.error.getCalls().map((c: any) => String(c.args[0]));
    assert.ok(
      errors.some((m: string) => /bad config: trips: "17-16" is not relay:breaker/.test(m)),
      JSON.stringify(errors),
    );
  });
});
