/**
 * Entry of dist/ui/mara-alarms.js, the browser side of the ui_mara_alarms Dashboard 1 widget (docs/alarms.md):
 * bundled by esbuild (scripts/build.js) as an ES2017 IIFE declaring `var MaraAlarmsUI`, sent by the node as the
 * body of the dashboard's initController followed by `MaraAlarmsUI.attach(scope, events, {id})`.
 */
export { attach } from './attach';
export { createAlarmWidget } from './widget';
export { createHorn } from './horn';
