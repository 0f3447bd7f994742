/** The Mara 1.4 protocol codec: pure, no Node-RED import. */
export * from './constants';
export { MaraError, MaraErrorCode, hexBytes } from './errors';
export { bcc } from './bcc';
export { BytesInput, parseHex } from './bytes';
export { MaraTime, timeToDate, dateToTime, formatTime, timeProblem } from './time';
export { MaraEvent, DigitalEvent, EnergyEvent, IdleEvent, ComsysEvent, EventInput, decodeEvent, encodeEvent } from './events';
export { AnalogValue, PollReply, PollReplyInput, encodePollReplyPayload } from './reply';
export { MaraFrame, FrameKind, FrameFields, Addressing, TimeSetOptions, encodeFrame, decodeFrame, encodePoll, encodePollReply, encodeTimeSet } from './frame';
export { FrameReader, DiscardRun, DiscardReason, ReaderStats } from './reader';
export { nextSeq, validSeq } from './seq';
export { expectsReply, refusal } from './commands';
