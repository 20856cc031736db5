import type { Database } from '../db/index.ts';
import { type DeadLetter, listDeadLetters } from './dead-letter.repository.ts';
import {
  emptyResult,
  type IngestResult,
  ingestRecords,
  mergeResults,
  type RawRecord,
} from './ingest.service.ts';
import type { RejectionReason } from './validate.ts';

export interface ReplayResult extends IngestResult {
  /** Dead letters taken up by this replay. */
  replayed: number;
}

function toRecord(letter: DeadLetter, position: number): RawRecord {
  const record = letter.record as { raw_text?: unknown };
  if (
    record &&
    typeof record === 'object' &&
    typeof record.raw_text === 'string' &&
    Object.keys(record).length === 1
  ) {
    // An unreadable line: try it again as it arrived.
    try {
      return { position, value: JSON.parse(record.raw_text), deadLetterId: letter.id };
    } catch (error) {
      return {
        position,
        value: undefined,
        text: record.raw_text,
        parseError: (error as Error).message,
        deadLetterId: letter.id,
      };
    }
  }
  return { position, value: letter.record, deadLetterId: letter.id };
}

/**
 * Sends open dead letters through ingestion again (after the cause was fixed, e.g. the
 * missing SKU added). Applied ones are resolved as `applied`, ones already applied
 * meanwhile as `duplicate`; the rest stay open with their attempts counted. The event_id
 * registry makes this exactly-once however often it runs.
 */
export async function replayDeadLetters(
  db: Database,
  filter: { ids?: string[] | undefined; reason?: RejectionReason | undefined },
  batchSize = 1000,
): Promise<ReplayResult> {
  const total: ReplayResult = { ...emptyResult(), replayed: 0 };
  let after: string | undefined;
  // Dead letters that stay open are upserted in place, so a keyset walk sees each once.
  for (;;) {
    const letters = await listDeadLetters(db, {
      status: 'open',
      reason: filter.reason,
      ids: filter.ids,
      after,
      limit: batchSize,
    });
    if (letters.length === 0) break;
    after = letters.at(-1)!.id;
    const records = letters.map((letter, i) => toRecord(letter, total.replayed + i + 1));
    const result = await ingestRecords(db, records, { origin: 'replay', batchSize });
    mergeResults(total, result);
    total.replayed += letters.length;
  }
  return total;
}
