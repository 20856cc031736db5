import { parse as parseCsv } from 'csv-parse/sync';
import type { z } from 'zod';
import { InvexError } from '../core/errors.ts';
import { parseJsonText } from '../core/json.ts';
import { describeIssues, type FieldProblem } from '../core/validation.ts';
import type { Queryable } from '../db/index.ts';
import { upsertChannels, upsertLocations, upsertSkus } from './catalog.repository.ts';
import {
  type Channel,
  channelSchema,
  type Location,
  locationSchema,
  type Sku,
  skuSchema,
} from './master.schema.ts';

export type MasterKind = 'sku' | 'location' | 'channel';

export interface MasterRejection extends FieldProblem {
  /** 1-based position of the record in its file (for CSV, the data row after the header). */
  record: number;
  key?: string;
}

export interface MasterImportResult {
  skus: number;
  locations: number;
  channels: number;
  rejected: MasterRejection[];
}

/** Which kind of master data a record is, told by its fields. */
export function masterKindOf(record: Record<string, unknown>): MasterKind | undefined {
  if ('sku' in record) return 'sku';
  if ('location' in record) return 'location';
  if ('channel' in record) return 'channel';
  return undefined;
}

/** Reads master records from a file's text: a JSON array of objects, or CSV with a header row. */
export function parseMasterText(text: string, fileName: string): Record<string, unknown>[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) {
    const parsed = parseJsonText(trimmed, fileName);
    if (!Array.isArray(parsed)) {
      throw new InvexError(
        'invalid_input',
        'master_file_unrecognised',
        `${fileName}: expected a JSON array of objects`,
      );
    }
    return parsed as Record<string, unknown>[];
  }
  if (trimmed.startsWith('{')) {
    throw new InvexError(
      'invalid_input',
      'master_file_unrecognised',
      `${fileName}: expected a JSON array of SKU, location or channel objects, or a CSV file with a header row`,
    );
  }
  try {
    const rows = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<
      string,
      string
    >[];
    return rows.map(fromCsvRow);
  } catch (error) {
    throw new InvexError(
      'invalid_input',
      'input_unreadable',
      `${fileName} is not valid CSV: ${(error as Error).message}`,
    );
  }
}

const NUMERIC = new Set(['unit_cost', 'unit_price', 'lat', 'lon']);

/** CSV cells are text: turn them into the JSON form the schemas validate. Empty cells are absent. */
function fromCsvRow(row: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, cell] of Object.entries(row)) {
    if (cell === '' || cell === undefined) continue;
    if (NUMERIC.has(key)) out[key] = Number.isNaN(Number(cell)) ? cell : Number(cell);
    else if (key === 'regulated')
      out[key] = /^(true|yes|1|y)$/i.test(cell) ? true : /^(false|no|0|n)$/i.test(cell) ? false : cell;
    else if (key === 'uoms') out[key] = parseUomCell(cell);
    else if (key === 'channels')
      out[key] = cell
        .split(/[;|]/)
        .map((c) => c.trim())
        .filter(Boolean);
    else out[key] = cell;
  }
  return out;
}

/** `case=12;inner=6` (or a JSON object). */
function parseUomCell(cell: string): unknown {
  if (cell.startsWith('{')) {
    try {
      return JSON.parse(cell);
    } catch {
      return cell;
    }
  }
  const uoms: Record<string, unknown> = {};
  for (const part of cell.split(/[;|]/)) {
    const [name, factor] = part.split('=').map((s) => s.trim());
    if (!name) continue;
    uoms[name] = factor !== undefined && !Number.isNaN(Number(factor)) ? Number(factor) : factor;
  }
  return uoms;
}

export interface ValidatedMaster {
  skus: Sku[];
  locations: Location[];
  channels: Channel[];
  rejected: MasterRejection[];
}

export function validateMaster(records: unknown[]): ValidatedMaster {
  const result: ValidatedMaster = { skus: [], locations: [], channels: [], rejected: [] };
  records.forEach((record, i) => {
    const position = i + 1;
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      result.rejected.push({
        record: position,
        field: '(record)',
        rule: 'type',
        message: 'expected an object',
      });
      return;
    }
    const kind = masterKindOf(record as Record<string, unknown>);
    const schemas: Record<MasterKind, z.ZodType> = {
      sku: skuSchema,
      location: locationSchema,
      channel: channelSchema,
    };
    if (!kind) {
      result.rejected.push({
        record: position,
        field: '(record)',
        rule: 'kind',
        message: 'a master record needs a sku, location or channel field to say what it is',
      });
      return;
    }
    const parsed = schemas[kind].safeParse(record);
    const key = String((record as Record<string, unknown>)[kind] ?? '');
    if (!parsed.success) {
      for (const problem of describeIssues(parsed.error)) {
        result.rejected.push({
          record: position,
          key,
          ...problem,
          message: `${kind} ${key}: ${problem.message}`,
        });
      }
      return;
    }
    if (kind === 'sku') result.skus.push(parsed.data as Sku);
    else if (kind === 'location') result.locations.push(parsed.data as Location);
    else result.channels.push(parsed.data as Channel);
  });
  return result;
}

/** Loads valid records (re-importing updates them) and reports each rejected one. */
export async function importMaster(db: Queryable, records: unknown[]): Promise<MasterImportResult> {
  const { skus, locations, channels, rejected } = validateMaster(records);
  await upsertChannels(db, channels);
  await upsertSkus(db, skus);
  await upsertLocations(db, locations);
  return { skus: skus.length, locations: locations.length, channels: channels.length, rejected };
}
