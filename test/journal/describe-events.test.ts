import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventDescriber, DEFAULT_ALARMS } from '../../lib/journal/describe-events';
import type { MaraEvent } from '../../lib/mara/events';
import type { ProjectModel } from '../../lib/project/model';

const time = { year: 2026, month: 12, day: 4, hour: 1, minute: 2, second: 3, fraction: 0 };
const raw = (n: number) => Buffer.from([n, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
const di = (tag: string, port: number, bit: number, tipo: number, over: Record<string, unknown> = {}) => ({
  tag,
  table: 'di' as const,
  device: 'D1',
  comaster: 'C1',
  offset: port * 16 + bit,
  description: `desc ${tag}`,
  row: 2,
  port,
  bit,
  maskinv: 0,
  tipo,
  textId: 4,
  ...over,
});

function model(): ProjectModel {
  return {
    comasters: [{ id: 'C1', host: '127.0.0.1', port: 9761, enabled: true, row: 2 }],
    devices: [{ id: 'D1', comaster: 'C1', offset: 0, address: 3, svCount: 0, diCount: 4, aiCount: 1, row: 2 }],
    points: [
      di('51_01', 0, 0, 0),
      di('64_01', 0, 1, 1, { textId: 5 }),
      di('52B01', 0, 2, 2, { textId: 0, maskinv: 1 }),
      di('XX_01', 0, 3, 7, { textId: null }),
      {
        tag: 'P01',
        table: 'ai',
        device: 'D1',
        comaster: 'C1',
        offset: 0,
        description: 'active power',
        row: 3,
        channel: 0,
        unit: 'kW',
        escala: 1,
        escalaE: 0.5,
      },
    ],
    elements: [],
    formulas: [],
    screens: [],
    colours: [],
    eventTexts: [
      { textId: 4, value: 0, text: 'ACTUADA' },
      { textId: 4, value: 1, text: 'NORMAL' },
      { textId: 5, value: 0, text: 'ACTUADO' },
      { textId: 5, value: 1, text: 'NORMAL' },
      { textId: 0, value: 0, text: 'CERRADO' },
      { textId: 0, value: 1, text: 'ABIERTO' },
    ],
  };
}

const dig = (port: number, bit: number, state: number, extra: Partial<MaraEvent> = {}): MaraEvent =>
  ({ type: 'digital', raw: raw(bit), addr: 3, calif: 0, state, port, bit, time, ...extra }) as MaraEvent;

describe('EventDescriber', () => {
  const d = new EventDescriber(model());

  it('maps a digital event to its DI: tag, description, state text (value-0 texts kept), severity by tipo', () => {
    const [trip, back] = d.describe([dig(0, 0, 1), dig(0, 0, 0)]);
    assert.equal(trip.tag, '51_01');
    assert.equal(trip.description, 'desc 51_01');
    assert.equal(trip.value, 1);
    assert.equal(trip.stateText, 'NORMAL');
    assert.equal(trip.severity, DEFAULT_ALARMS.protection);
    assert.equal(back.stateText, 'ACTUADA', 'the value-0 text is kept');
    assert.equal(back.severity, 0, 'a protection going back to 0 is not an alarm (the original hides it)');
    const [alarm0, alarm1] = d.describe([dig(0, 1, 0), dig(0, 1, 1)]);
    assert.deepEqual([alarm0.tag, alarm0.stateText, alarm0.severity], ['64_01', 'ACTUADO', DEFAULT_ALARMS.alarm]);
    assert.equal(alarm1.severity, DEFAULT_ALARMS.alarm);
  });

  it('applies maskinv to the value before the state text, and a DI without texts has none', () => {
    const [b] = d.describe([dig(0, 2, 1)]);
    assert.deepEqual([b.tag, b.value, b.stateText, b.severity], ['52B01', 0, 'CERRADO', DEFAULT_ALARMS.breaker]);
    const [x] = d.describe([dig(0, 3, 1)]);
    assert.deepEqual([x.tag, x.stateText, x.severity], ['XX_01', null, DEFAULT_ALARMS.otherDigital]);
  });

  it('records events of no configured point unmapped, and marks CALIF or an impossible time questionable', () => {
    const [u, q, bad] = d.describe([dig(1, 5, 1), dig(0, 1, 1, { calif: 1 }), dig(0, 1, 1, { time: { ...time, month: 13 } })]);
    assert.equal(u.tag ?? null, null);
    assert.equal(u.severity, DEFAULT_ALARMS.otherDigital);
    assert.equal(u.quality, 'good');
    assert.equal(q.quality, 'questionable');
    assert.equal(bad.quality, 'questionable');
    const [other] = d.describe([dig(0, 0, 1, { addr: 9 })]);
    assert.equal(other.tag ?? null, null, 'another address is another device');
  });

  it('maps energy to its AI (not an alarm), comsys to its meaning (an alarm), idle to nothing', () => {
    const [e, c, i] = d.describe([
      { type: 'energy', raw: raw(1), addr: 3, calif: 0, channel: 0, code: 0, value: 1234, time } as MaraEvent,
      { type: 'comsys', raw: raw(2), addr: 3, calif: 0, code: 2, motiv: 0, time } as MaraEvent,
      { type: 'idle', raw: raw(3), addr: 3, calif: 0, code: 0, time } as MaraEvent,
    ]);
    assert.deepEqual([e.tag, e.value, e.severity], ['P01', 1234, 0]);
    assert.deepEqual([c.value, c.stateText, c.severity], [2, 'link to IED lost', DEFAULT_ALARMS.comsys]);
    assert.deepEqual([i.type, i.value, i.severity], ['idle', null, 0]);
  });

  it('takes severity overrides, and without a usable model records every event unmapped', () => {
    const strict = new EventDescriber(model(), { alarms: { breaker: 0, protection: 9 } });
    assert.deepEqual(
      strict.describe([dig(0, 2, 1), dig(0, 0, 1)]).map((x) => x.severity),
      [0, 9],
    );
    const none = new EventDescriber(null);
    assert.equal(none.comaster, null);
    assert.equal(none.describe([dig(0, 0, 1)])[0].tag ?? null, null);
    const wrong = new EventDescriber(model(), { comaster: 'NOPE' });
    assert.match(String(wrong.problem), /COMaster NOPE is not in the model/);
    assert.equal(wrong.comaster, null);
    assert.equal(wrong.describe([dig(0, 0, 1)])[0].tag ?? null, null);
    assert.equal(d.comaster, 'C1');
  });
});
