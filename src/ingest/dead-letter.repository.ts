import { newId } from '../core/ids.ts';
import { type Queryable, utcText } from '../db/index.ts';
import type { RejectionReason } from './validate.ts';

export interface DeadLetterEntry {
  eventId: string | undefined;
  hash: string;
  record: unknown;
  reason: RejectionReason;
  field: string;
  rule: string;
  message: string;
  origin: string;
}

export interface DeadLetter {
  id: string;
  event_id: string | null;
  record: unknown;
  reason: RejectionReason;
  field: string | null;
  rule: string | null;
  message: string;
  origin: string;
  attempts: number;
  status: 'open' | 'resolved';
  first_seen_at: string;
  last_seen_at: string;
  resolved_at: string | null;
  resolution: string | null;
}

/**
 * Stores rejected records. The same record rejected again (same body) is one open dead
 * letter with its attempts counted and its reason brought up to date.
 * Returns the dead-letter id per body hash.
 */
export async function upsertDeadLetters(
  tx: Queryable,
  entries: DeadLetterEntry[],
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (entries.length === 0) return ids;
  const unique = new Map<string, DeadLetterEntry>();
  for (const entry of entries) unique.set(entry.hash, entry);
  const list = [...unique.values()];
  const { rows } = await tx.query<{ id: string; body_hash: string }>(
    `insert into dead_letters as d (id, event_id, body_hash, record, reason, field, rule, message, origin)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::text[], $7::text[],
       $8::text[], $9::text[])
     on conflict (body_hash) where status = 'open' do update set
       attempts = d.attempts + 1, last_seen_at = now(), reason = excluded.reason, field = excluded.field,
       rule = excluded.rule, message = excluded.message
     returning id, body_hash`,
    [
      list.map(() => newId('dlq')),
      list.map((e) => e.eventId ?? null),
      list.map((e) => e.hash),
      list.map((e) => JSON.stringify(e.record)),
      list.map((e) => e.reason),
      list.map((e) => e.field),
      list.map((e) => e.rule),
      list.map((e) => e.message),
      list.map((e) => e.origin),
    ],
  );
  for (const row of rows) ids.set(row.body_hash, row.id);
  return ids;
}

export async function resolveDeadLetters(tx: Queryable, ids: string[], resolution: string): Promise<void> {
  if (ids.length === 0) return;
  await tx.query(
    `update dead_letters set status = 'resolved', resolved_at = now(), resolution = $2
     where id = any($1::text[]) and status = 'open'`,
    [ids, resolution],
  );
}

export interface DeadLetterFilter {
  status?: 'open' | 'resolved' | undefined;
  reason?: RejectionReason | undefined;
  ids?: string[] | undefined;
  /** Keyset pagination: ids sort by creation time. */
  after?: string | undefined;
  limit: number;
}

export async function listDeadLetters(db: Queryable, filter: DeadLetterFilter): Promise<DeadLetter[]> {
  const { rows } = await db.query<DeadLetter>(
    `select id, event_id, record, reason, field, rule, message, origin, attempts, status,
       ${utcText('first_seen_at')} as first_seen_at, ${utcText('last_seen_at')} as last_seen_at,
       ${utcText('resolved_at')} as resolved_at, resolution
     from dead_letters
     where ($1::text is null or status = $1) and ($2::text is null or reason = $2)
       and ($3::text[] is null or id = any($3)) and ($4::text is null or id > $4)
     order by id limit $5`,
    [filter.status ?? null, filter.reason ?? null, filter.ids ?? null, filter.after ?? null, filter.limit],
  );
  return rows;
}

export async function countDeadLetters(db: Queryable): Promise<Record<string, number>> {
  const { rows } = await db.query<{ status: string; n: number }>(
    'select status, count(*)::int8 as n from dead_letters group by status',
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}
