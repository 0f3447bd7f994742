/** The widget's own words (a project may replace each one through `config.texts`) and their placeholders. */

export const DEFAULT_TEXTS = {
  up: '\u2191 Up',
  upTitle: 'Parent screen',
  screens: 'Screens',
  confirmTitle: 'Manual change',
  confirm: '{tag} {description} \u2014 change {from} to {to}?',
  change: 'Change to {to}',
  cancel: 'Cancel',
  close: 'Close',
  readOnly: 'Read-only: changes are disabled.',
  waiting: 'Waiting for the screen\u2026',
  badSvg: 'This screen could not be displayed.',
};

export type TextKey = keyof typeof DEFAULT_TEXTS;

/** `{name}` placeholders replaced by plain strings (the result only ever goes to textContent). */
export function formatText(template: unknown, vars: Record<string, unknown>): string {
  return String(template).replace(/\{(\w+)\}/g, (m, k: string) => (Object.prototype.hasOwnProperty.call(vars, k) ? String(vars[k]) : m));
}
