import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { JournalHub, openJournal, type EventInput } from '../../lib/journal';
import { ProjectAlarms } from '../../lib/journal/project-alarms';
import type { ElementWrite } from '../../lib/project/project-runtime';
import { diPoint as di, element as el, event, reply, tempDir } from './fixtures';

const MODEL = { points: [di('S1151_03', 0), di('S1152B03', 2), di('S1164_01', 1)], elements: [el('S1151_03'), el('S1152B03'), el('S1164_01')] };

function rig(t: { after(fn: () => void): void }, maxTracked?: number) {
  const j = openJournal(path.join(tempDir(t), 'j.sqlite'));
  t.after(() => j.close());
  const hub = new JournalHub(j);
  const texts = new Map<string, string>();
  const writes: ElementWrite[] = [];
  const sets: string[][] = [];
  const warnings: string[] = [];
  const alarms = new ProjectAlarms({
    hub,
    apply: (w) => {
      writes.push(...w);
      for (const x of w) texts.set(x.tag, String(x.value));
    },
    textOf: (tag) => texts.get(tag),
    warn: (m) => warnings.push(m),
    maxTracked,
  });
  t.after(() => alarms.close());
  let r = 0;
  const add = (...events: EventInput[]) => hub.append({ ...reply(r++, 0), events }).ids;
  const took = () => writes.splice(0).map((w) => `${w.tag}=${w.value}`);
  return { j, hub, alarms, texts, add, took, sets, warnings };
}
const ev = (n: number, tag: string, value: number, severity: number) => event(n, { tag, value, severity });

describe('project alarms (marks live, blink set)', () => {
  it('marks on a trip, clears on attend, and keeps the blink set in step', (t) => {
    const { hub, alarms, add, took, sets } = rig(t);
    alarms.setModel(MODEL);
    alarms.subscribe('s', (tags) => sets.push([...tags]));
    assert.deepEqual(sets, [[]]);
    const [trip] = add(ev(1, 'S1151_03', 1, 3));
    assert.deepEqual(took(), ['S1151_03=1', 'S1152B03=1']);
    assert.deepEqual(alarms.tags(), ['S1151_03', 'S1152B03']);
    const [brk] = add(ev(2, 'S1152B03', 0, 1));
    assert.deepEqual(took(), []);
    hub.attend({ ids: [trip] }, 'op', 10);
    assert.deepEqual(took(), ['S1151_03=0']);
    assert.deepEqual(alarms.tags(), ['S1152B03']); // the breaker's own event is still unattended
    hub.attend({ ids: [brk] }, 'op', 11);
    assert.deepEqual(took(), ['S1152B03=0']);
    assert.deepEqual(sets, [[], ['S1151_03', 'S1152B03'], ['S1152B03'], []]);
  });

  it('starts from the journal: restores the marks and the unattended set at the first model', (t) => {
    const { alarms, add, took } = rig(t);
    add(ev(1, 'S1151_03', 1, 3), ev(2, 'S1164_01', 1, 2));
    assert.deepEqual(took(), []); // no model yet: nothing is interpreted
    alarms.setModel(MODEL);
    assert.deepEqual(took(), ['S1151_03=1', 'S1152B03=1']);
    assert.deepEqual(alarms.tags(), ['S1151_03', 'S1152B03', 'S1164_01']);
    alarms.setModel(MODEL); // a reload does not write the marks again
    assert.deepEqual(took(), []);
  });

  it('past maxTracked an attend reads the unattended set again', (t) => {
    const { hub, alarms, add } = rig(t, 1);
    alarms.setModel(MODEL);
    const [a] = add(ev(1, 'S1164_01', 1, 2));
    const [b] = add(ev(2, 'S1152B03', 1, 1));
    assert.deepEqual(alarms.tags(), ['S1152B03', 'S1164_01']);
    hub.attend({ ids: [a] }, 'op', 1);
    assert.deepEqual(alarms.tags(), ['S1152B03']);
    hub.attend({ ids: [b] }, 'op', 2);
    assert.deepEqual(alarms.tags(), []);
  });

  it('a failing apply or listener is reported and stops nothing', (t) => {
    const j = openJournal(path.join(tempDir(t), 'j.sqlite'));
    t.after(() => j.close());
    const hub = new JournalHub(j);
    const warnings: string[] = [];
    const alarms = new ProjectAlarms({
      hub,
      apply: () => {
        throw new Error('full');
      },
      textOf: () => undefined,
      warn: (m) => warnings.push(m),
    });
    alarms.setModel(MODEL);
    alarms.subscribe('bad', () => {
      throw new Error('boom');
    });
    hub.append({ ...reply(1, 0), events: [ev(1, 'S1151_03', 1, 3)] });
    assert.deepEqual(alarms.tags(), ['S1151_03', 'S1152B03']);
    assert.ok(warnings.some((w) => /protection marks not applied: full/.test(w)));
    assert.ok(warnings.some((w) => /alarm listener failed: boom/.test(w)));
    alarms.close();
    hub.append({ ...reply(2, 0), events: [ev(2, 'S1164_01', 1, 2)] });
    assert.deepEqual(alarms.tags(), ['S1151_03', 'S1152B03']); // closed: no longer listening
  });
});
