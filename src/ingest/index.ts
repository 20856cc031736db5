export {
  csvRecords,
  csvRowToEvent,
  type FileFormat,
  fileRecords,
  formatOf,
  jsonArrayRecords,
  lineToRecord,
  MAX_RECORD_BYTES,
  ndjsonRecords,
  type ReadProgress,
} from './adapters/file-reader.ts';
export {
  countDeadLetters,
  type DeadLetter,
  type DeadLetterFilter,
  listDeadLetters,
} from './dead-letter.repository.ts';
export { type ReplayResult, replayDeadLetters } from './dead-letter.service.ts';
export * from './event.schema.ts';
export {
  DEFAULT_BATCH_SIZE,
  emptyResult,
  type IngestOptions,
  type IngestResult,
  ingestRecords,
  ingestStream,
  mergeResults,
  type RawRecord,
  type Rejection,
} from './ingest.service.ts';
export { canonicalJsonSchema } from './json-schema.ts';
export {
  MASTER_DATA_REASONS,
  type MasterView,
  parseEvent,
  REJECTION_REASONS,
  type RejectionReason,
  resolveEvent,
} from './validate.ts';
