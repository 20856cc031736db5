import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { parse as parseCsv } from 'csv-parse';
import { InvexError } from '../../core/errors.ts';
import { parseJsonText } from '../../core/json.ts';
import { REF_KINDS } from '../event.schema.ts';
import type { RawRecord } from '../ingest.service.ts';

/** Longest line or CSV record read; a longer one becomes a rejected record, not a crash. */
export const MAX_RECORD_BYTES = 1024 * 1024;

export type FileFormat = 'ndjson' | 'csv' | 'json';

export function formatOf(path: string): FileFormat {
  if (/\.csv$/i.test(path)) return 'csv';
  if (/\.json$/i.test(path)) return 'json';
  return 'ndjson';
}

/** Parses one NDJSON line into a record (blank lines are skipped by the callers). */
export function lineToRecord(line: string, position: number): RawRecord {
  try {
    return { position, value: JSON.parse(line) };
  } catch (error) {
    return { position, value: undefined, text: line.slice(0, 10_000), parseError: (error as Error).message };
  }
}

/**
 * Splits a byte stream into NDJSON records without holding more than one line, and
 * without trusting line length: an over-long line is reported as one unreadable record.
 */
export async function* ndjsonRecords(stream: AsyncIterable<Buffer | string>): AsyncGenerator<RawRecord> {
  let pending = '';
  let oversize = false;
  let lineNumber = 0;
  for await (const chunk of stream) {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let start = 0;
    for (;;) {
      const newline = text.indexOf('\n', start);
      if (newline === -1) {
        if (!oversize) pending += text.slice(start);
        if (pending.length > MAX_RECORD_BYTES) {
          oversize = true;
          pending = '';
        }
        break;
      }
      const line = oversize ? '' : pending + text.slice(start, newline);
      lineNumber += 1;
      if (oversize) {
        yield {
          position: lineNumber,
          value: undefined,
          text: '',
          parseError: `line longer than ${MAX_RECORD_BYTES} bytes`,
        };
      } else if (line.trim() !== '') {
        yield lineToRecord(line.trimEnd(), lineNumber);
      }
      pending = '';
      oversize = false;
      start = newline + 1;
    }
  }
  lineNumber += 1;
  if (oversize)
    yield {
      position: lineNumber,
      value: undefined,
      text: '',
      parseError: `line longer than ${MAX_RECORD_BYTES} bytes`,
    };
  else if (pending.trim() !== '') yield lineToRecord(pending.trimEnd(), lineNumber);
}

const NUMBER_FIELDS = new Set(['qty', 'counted_qty', 'on_hand', 'uplift']);
const REFS = new Set<string>(REF_KINDS);

/**
 * A CSV row into the JSON form of an event: the same column names as the JSON fields;
 * correlation ids either as `po_id` or `ref.po_id`; extra data as `attributes.NAME`.
 * Empty cells are absent fields. Numbers that do not parse stay text, so validation
 * names the field.
 */
export function csvRowToEvent(row: Record<string, string>): Record<string, unknown> {
  const event: Record<string, unknown> = {};
  const ref: Record<string, string> = {};
  const attributes: Record<string, string> = {};
  for (const [column, cell] of Object.entries(row)) {
    if (cell === undefined || cell === '') continue;
    const name = column.startsWith('ref.') ? column.slice(4) : column;
    if (REFS.has(name)) ref[name] = cell;
    else if (column.startsWith('attributes.')) attributes[column.slice(11)] = cell;
    else if (NUMBER_FIELDS.has(column))
      event[column] = /^\s*-?\d+(\.\d+)?\s*$/.test(cell) ? Number(cell) : cell;
    else event[column] = cell;
  }
  if (Object.keys(ref).length > 0) event.ref = ref;
  if (Object.keys(attributes).length > 0) event.attributes = attributes;
  return event;
}

export async function* csvRecords(
  stream: AsyncIterable<Buffer | string> & NodeJS.ReadableStream,
): AsyncGenerator<RawRecord> {
  const parser = stream.pipe(
    parseCsv({
      columns: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
      max_record_size: MAX_RECORD_BYTES,
      relax_column_count: true,
    }),
  );
  let position = 0;
  try {
    for await (const row of parser) {
      position += 1;
      yield { position, value: csvRowToEvent(row as Record<string, string>) };
    }
  } catch (error) {
    throw new InvexError(
      'invalid_input',
      'input_unreadable',
      `CSV unreadable after data row ${position}: ${(error as Error).message}`,
    );
  }
}

/** A JSON array of events: parsed whole (bounded by MAX_JSON_FILE_BYTES). */
export const MAX_JSON_FILE_BYTES = 256 * 1024 * 1024;

export function jsonArrayRecords(value: unknown, what: string): RawRecord[] {
  if (!Array.isArray(value)) {
    throw new InvexError(
      'invalid_input',
      'input_unreadable',
      `${what}: expected a JSON array of events or NDJSON`,
    );
  }
  return value.map((item, i) => ({ position: i + 1, value: item }));
}

/** How far a file has been read, for progress bars. */
export interface ReadProgress {
  bytes: number;
  total: number;
}

/** Reads any supported file as records, streaming where the format allows. */
export async function* fileRecords(
  path: string,
  progress: ReadProgress = { bytes: 0, total: 0 },
): AsyncGenerator<RawRecord> {
  const format = formatOf(path);
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new InvexError(
      'invalid_input',
      'input_unreadable',
      `cannot read ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`,
    );
  });
  if (!info.isFile())
    throw new InvexError('invalid_input', 'input_unreadable', `cannot read ${path}: not a file`);
  progress.total = info.size;
  if (format === 'json') {
    if (info.size > MAX_JSON_FILE_BYTES) {
      throw new InvexError(
        'invalid_input',
        'input_unreadable',
        `${path} is larger than ${MAX_JSON_FILE_BYTES} bytes: use NDJSON`,
      );
    }
    const text = await readFile(path, 'utf8');
    if (text.trimStart().startsWith('[')) {
      const value = parseJsonText(text, path);
      progress.bytes = info.size;
      yield* jsonArrayRecords(value, path);
      return;
    }
  }
  const stream = createReadStream(path);
  const records = format === 'csv' ? csvRecords(stream) : ndjsonRecords(stream);
  for await (const record of records) {
    progress.bytes = stream.bytesRead;
    yield record;
  }
  progress.bytes = info.size;
}
