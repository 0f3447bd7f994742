export { exportJournal, exportPages, type ExportFilter, type ExportFormat, type ExportOptions, type ExportResult } from './export';
export { COLUMNS, UNATTENDED_TEXT, cells, describe, localStamp, type Cell } from './columns';
export { csvField, csvRow } from './csv';
