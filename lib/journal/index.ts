export { JournalError, type JournalErrorCode } from './errors';
export { replyKey } from './keys';
export { defaultBinding, type BindingName } from './sqlite';
export { openJournal, SqliteJournal, type OpenOptions, type Recovery } from './sqlite-journal';
export { JournalStateStore, bareEvents, type AppendTarget, type DescribeReply } from './state-store';
export { EventDescriber, DEFAULT_ALARMS, type AlarmDefaults } from './describe-events';
export { MarkIndex, alarmTagsOf, isTrip, marksOfAttend, marksOfNew, restoreMarks, type RestoreResult, type TextOf } from './protection-marks';
export { ProjectAlarms, type ProjectAlarmsOptions, type AlarmTagsListener } from './project-alarms';
export { JournalHub, acquireJournal, openJournalCount, type JournalChange, type JournalLease, type JournalListener } from './journal-hub';
export type {
  AppendResult,
  AttendTarget,
  EventInput,
  HornState,
  JournalDeviceState,
  JournalEventType,
  JournalPage,
  JournalQuery,
  JournalRecord,
  JournalStore,
  ReplyInput,
  Retention,
} from './types';
export { exportJournal, exportPages, COLUMNS as EXPORT_COLUMNS, type ExportFilter, type ExportFormat, type ExportOptions, type ExportResult } from './export';
