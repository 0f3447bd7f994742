/**
 * Dashboard 1 glue of the alarm widget: `initController(scope, events)` calls this with the node's id. The
 * dashboard keeps the newest update with a `msg` (our snapshot) per widget and replays it on connect and
 * reload; replies for this client alone come as updates without `msg`. One listener per widget id lives for the
 * page (on the dashboard's `events` service), so a widget re-created by a tab switch starts from the newest snapshot.
 */
import { alarmsElementId } from '../../lib/hmi/alarm-rows';
import { attachGlue, snapshotKind, type GlueEvents, type GlueScope, type GlueUpdate } from '../core/attach';
import { createAlarmWidget, type AlarmReply, type AlarmSnapshot, type AlarmWidget } from './widget';

interface Update extends AlarmReply, GlueUpdate<AlarmSnapshot> {}

export type Scope = GlueScope<AlarmSnapshot>;

export interface Events extends GlueEvents<Update> {
  __maraAlarms?: Record<string, unknown>;
}

const isSnap = snapshotKind<AlarmSnapshot>('mara-alarms');

export function attach(scope: Scope, events: Events, cfg: { id?: unknown } | null | undefined): void {
  attachGlue<AlarmSnapshot, Update, AlarmWidget>(scope, events, cfg, {
    key: '__maraAlarms',
    isSnap,
    elementId: alarmsElementId,
    create: (host) => createAlarmWidget(host, { doc: document, win: window, send: (m) => scope.send(m) }),
    update: (app, e) => app.reply(e),
  });
}
