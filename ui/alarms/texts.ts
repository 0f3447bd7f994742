/** The alarm widget's own words (English); the server sends the locale's (nodes/locales/<lang>/ui_mara_alarms.json) in `config.texts`. */
export const ALARM_TEXTS = {
  banner: 'Latest unattended events',
  none: 'No unattended alarms',
  confirmTitle: 'Attend',
  confirm: 'You are about to notify that the alarm is attended.',
  confirmMany: 'You are about to notify that {n} alarm(s) are attended.',
  attend: 'Attend',
  close: 'Close',
  colDate: 'Date',
  colTag: 'TAG',
  colDesc: 'Description',
  colAttend: 'Attended',
  colBy: 'Attended by',
  unattended: 'Unattended',
  from: 'After',
  to: 'Before',
  tagPrefix: 'Tag prefix',
  type: 'Type',
  anyType: 'All types',
  unattendedOnly: 'Unattended only',
  apply: 'Apply',
  newest: 'Newest',
  older: 'Older',
  newer: 'Newer',
  attendSelected: 'Attend selected',
  attendShown: 'Attend shown',
  attendAll: 'Attend all',
  silence: 'Silence',
  soundOff: 'Click to enable sound',
  soundOn: 'Sound on',
  sounding: 'Horn sounding',
  silenced: 'Silenced by {user}',
  readOnly: 'Read-only',
  noUser: 'Attending needs a signed-in user',
  refused: 'Refused: {reason}',
  user: 'Signed in as {user}',
  noJournal: 'No journal: see the node status',
};

export type AlarmTextKey = keyof typeof ALARM_TEXTS;

/** The text of `key`: the server's (a string) or ours. */
export function textOf(texts: Record<string, unknown> | undefined, key: AlarmTextKey): string {
  const t = texts && Object.prototype.hasOwnProperty.call(texts, key) ? texts[key] : undefined;
  return typeof t === 'string' ? t : ALARM_TEXTS[key];
}
