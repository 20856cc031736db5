import { z } from 'zod';
import { InvexError } from '../core/errors.ts';
import { ROLES } from '../govern/index.ts';
import { REJECTION_REASONS } from '../ingest/index.ts';

/** Response shapes: the handlers' output is checked against them and they make the OpenAPI document. */
const reported = z.object({ on_hand: z.number(), reported_at: z.string(), event_id: z.string() });

export const stockPictureSchema = z
  .object({
    sku: z.string(),
    location: z.string(),
    as_of: z.string().nullable().describe('The time this picture is for; null for now'),
    ledger_on_hand: z.number().describe('On-hand from movements: the latest count plus movements after it'),
    reserved: z.number(),
    picked: z.number(),
    in_transit_in: z.number(),
    in_transit_out: z.number(),
    on_order: z.number(),
    sellable: z.number().describe('ledger_on_hand - unsellable'),
    unsellable: z.number().describe('returns_pending + damaged'),
    returns_pending: z.number(),
    damaged: z.number(),
    by_source: z
      .record(z.string(), reported)
      .describe('On-hand as each system last reported it; `count` = latest cycle count'),
    atp: z
      .record(
        z.string(),
        z.object({
          qty: z.number(),
          buffer: z.number(),
          listing: z.enum(['active', 'paused']),
          confidence_factor: z
            .number()
            .optional()
            .describe('Share of ATP kept because the record is in doubt (1 or absent: none held back)'),
        }),
      )
      .describe('Available-to-promise per channel the location sells through'),
    record_confidence: z
      .object({
        confidence: z.number().describe('Probability that the on-hand record is right'),
        probability_empty: z
          .number()
          .describe('Probability that the shelf is empty though the record shows stock'),
        updated_at: z.string(),
      })
      .nullable()
      .optional()
      .describe(
        'From the exception engine (docs/exceptions.md); null when the record has given no cause for doubt',
      ),
    event_count: z.number(),
    last_event_at: z.string().nullable(),
    lots: z
      .record(z.string(), z.number())
      .optional()
      .describe('On-hand per lot; regulated SKUs only, in single-key pictures'),
  })
  .describe('The inventory picture of one SKU at one location');

export const rejectionSchema = z.object({
  record: z.number().describe('1-based position of the record in the request'),
  event_id: z.string().optional(),
  reason: z.enum(REJECTION_REASONS),
  field: z.string(),
  rule: z.string(),
  message: z.string(),
  dead_letter_id: z.string(),
});

export const ingestResultSchema = z.object({
  received: z.number(),
  accepted: z.number(),
  duplicates: z.number(),
  conflicts: z.number(),
  rejected: z.number(),
  rejections: z.array(rejectionSchema),
  rejections_truncated: z.boolean(),
});

export const deadLetterSchema = z.object({
  id: z.string(),
  event_id: z.string().nullable(),
  record: z.unknown(),
  reason: z.enum(REJECTION_REASONS),
  field: z.string().nullable(),
  rule: z.string().nullable(),
  message: z.string(),
  origin: z.string(),
  attempts: z.number(),
  status: z.enum(['open', 'resolved']),
  first_seen_at: z.string(),
  last_seen_at: z.string(),
  resolved_at: z.string().nullable(),
  resolution: z.string().nullable(),
});

export const lineageEntrySchema = z.object({
  seq: z.number(),
  event_id: z.string(),
  type: z.string(),
  occurred_at: z.string(),
  ingested_at: z.string(),
  location: z.string(),
  sku: z.string(),
  event: z.record(z.string(), z.unknown()),
  changes: z.array(
    z.object({ location: z.string(), sku: z.string(), change: z.record(z.string(), z.unknown()) }),
  ),
});

export const masterImportResultSchema = z.object({
  skus: z.number(),
  locations: z.number(),
  channels: z.number(),
  rejected: z.array(
    z.object({
      record: z.number(),
      key: z.string().optional(),
      field: z.string(),
      rule: z.string(),
      message: z.string(),
    }),
  ),
});

export const tokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  created_at: z.string(),
  created_by: z.string(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number(),
    detail: z.string(),
    instance: z.string(),
    code: z.string(),
    errors: z.array(z.object({ field: z.string(), rule: z.string(), message: z.string() })).optional(),
  })
  .passthrough()
  .describe('RFC 9457 problem details');

export const limitQuery = z.coerce.number().int().min(1).max(1000).default(100);
export const cursorQuery = z.string().max(512).optional().describe('next_cursor of the previous page');

/**
 * A page from a keyset query asked for `limit + 1` rows: the extra row only says that
 * there is more, and the cursor is the key of the page's last row.
 */
export function toPage<T>(
  rows: T[],
  limit: number,
  keyOf: (last: T) => unknown,
): { items: T[]; next_cursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next_cursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

/** Opaque keyset cursors: the last key of a page, base64url JSON. */
export function encodeCursor(key: unknown): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<T>(cursor: string | undefined, shape: z.ZodType<T>): T | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = shape.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // reported below
  }
  throw new InvexError(
    'invalid_input',
    'request_invalid',
    'cursor is not one this API issued; pass next_cursor as received',
  );
}
