import type { MaraEvent } from '../mara/events';
import { timeProblem } from '../mara/time';
import { layoutFromModel, diEventKey, energyKey, MAX_EVENT_ADDR, type Layout } from '../points/mapping-layout';
import { comsysMeaning } from '../points/quality';
import type { DiPoint, Point, ProjectModel } from '../project/model';
import type { EventInput } from './types';

/**
 * Alarm severity by kind of event (issue 14): 0 = recorded only, 1 … 9 = an alarm to attend (higher is more
 * severe). A DI's kind is its workbook `tipo` (docs/screens.md §6.3: 0 protection, 1 alarm, 2 breaker).
 */
export interface AlarmDefaults {
  /** DI tipo 0 going to 1 (a trip). Going back to 0 is not an alarm: the original hides it (`show=False`). */
  protection: number;
  /** DI tipo 1, both ways. */
  alarm: number;
  /** DI tipo 2 (a breaker opening or closing). */
  breaker: number;
  /** A DI tipo the workbook does not know, or a digital event of no configured DI. */
  otherDigital: number;
  /** COMSYS (communication) events. */
  comsys: number;
  energy: number;
  idle: number;
}

export const DEFAULT_ALARMS: Readonly<AlarmDefaults> = Object.freeze({
  protection: 3,
  alarm: 2,
  breaker: 1,
  otherDigital: 1,
  comsys: 1,
  energy: 0,
  idle: 0,
});

type Model = Pick<ProjectModel, 'comasters' | 'devices' | 'points' | 'eventTexts'> & Partial<Pick<ProjectModel, 'comEvents'>>;

/**
 * Turns the events of a reply into journal entries: the point each maps to (the same layout rules as the
 * point mapper, lib/points/mapping-layout.ts), its description, the state text of `textoevtipo` (value-0
 * texts kept) and the alarm severity. Built once per model (and COMaster); `describe` is then a few map
 * lookups per event. Without a model every event is recorded unmapped (tag null).
 */
export class EventDescriber {
  private readonly layout: Layout | null;
  private readonly di = new Map<number, DiPoint>();
  private readonly ai = new Map<number, Point>();
  private readonly texts = new Map<string, string>();
  private readonly alarms: AlarmDefaults;
  /** Why the workbook could not be used (its COMaster could not be picked); events are then unmapped. */
  readonly problem: string | null = null;

  constructor(model: Model | null, opts: { comaster?: string; alarms?: Partial<AlarmDefaults> } = {}) {
    this.alarms = { ...DEFAULT_ALARMS, ...opts.alarms };
    let layout: Layout | null = null;
    if (model) {
      try {
        layout = layoutFromModel(model, { comaster: opts.comaster });
      } catch (e) {
        this.problem = (e as Error).message;
      }
    }
    this.layout = layout;
    if (!model || !layout) return;
    const byKey = new Map<string, Point>();
    for (const p of model.points) if (p && p.tag) byKey.set(`${p.table}\u0000${p.device}\u0000${p.tag}`, p);
    const pointOf = (slot: number) => {
      const s = layout.slots[slot];
      return s ? byKey.get(`${s.table}\u0000${s.device}\u0000${s.tag}`) : undefined;
    };
    for (let k = 0; k < layout.diByEvent.length; k++) {
      const i = layout.diByEvent[k];
      if (i < 0) continue;
      const p = pointOf(layout.diSlot[i]);
      if (p && p.table === 'di') this.di.set(k, p);
    }
    for (let k = 0; k < layout.aiByEnergy.length; k++) {
      const s = layout.aiByEnergy[k];
      if (s < 0) continue;
      const p = pointOf(s);
      if (p) this.ai.set(k, p);
    }
    for (const t of model.eventTexts ?? []) if (t && typeof t.text === 'string') this.texts.set(`${t.textId}:${t.value}`, t.text);
  }

  /** The COMaster whose points the events map to, or null without a usable model. */
  get comaster(): string | null {
    return this.layout?.comaster ?? null;
  }

  describe(events: readonly MaraEvent[]): EventInput[] {
    return events.map((ev) => this.one(ev));
  }

  private one(ev: MaraEvent): EventInput {
    const base = {
      type: ev.type,
      deviceTime: ev.time,
      raw: ev.raw,
      // CALIF set, or a time the device could not have meant: the record is not fully trusted
      quality: ev.calif || timeProblem(ev.time) ? 'questionable' : 'good',
    };
    const addrOk = Number.isInteger(ev.addr) && ev.addr >= 0 && ev.addr <= MAX_EVENT_ADDR;
    switch (ev.type) {
      case 'digital': {
        const p = addrOk && ev.port <= 7 && ev.bit <= 15 ? this.di.get(diEventKey(ev.addr, ev.port, ev.bit)) : undefined;
        if (!p) return { ...base, value: ev.state & 1, severity: this.alarms.otherDigital };
        const value = (ev.state & 1) ^ (p.maskinv ? 1 : 0);
        const stateText = p.textId === null ? null : (this.texts.get(`${p.textId}:${value}`) ?? null);
        return { ...base, value, tag: p.tag, description: p.description || null, stateText, severity: this.severityOf(p.tipo, value) };
      }
      case 'energy': {
        const p = addrOk && ev.channel <= 7 ? this.ai.get(energyKey(ev.addr, ev.channel)) : undefined;
        return { ...base, value: ev.value, tag: p?.tag ?? null, description: p?.description || null, severity: this.alarms.energy };
      }
      case 'comsys':
        return { ...base, value: ev.code, stateText: comsysMeaning(ev.code, ev.motiv), severity: this.alarms.comsys };
      default:
        return { ...base, value: null, severity: this.alarms.idle };
    }
  }

  private severityOf(tipo: number, value: number): number {
    switch (tipo) {
      case 0:
        return value === 1 ? this.alarms.protection : 0;
      case 1:
        return this.alarms.alarm;
      case 2:
        return this.alarms.breaker;
      default:
        return this.alarms.otherDigital;
    }
  }
}
