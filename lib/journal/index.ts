export { JournalError, type JournalErrorCode } from './errors';
export { replyKey } from './keys';
export { defaultBinding, type BindingName } from './sqlite';
export { openJournal, SqliteJournal, type OpenOptions, type Recovery } from './sqlite-journal';
export { JournalStateStore, MAX_STAGED_REPLIES, type StagedReply } from './state-store';
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
