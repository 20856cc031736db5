import type { Queryable } from '../db/index.ts';

/**
 * Promotions as the event log records them (`promotion` events: sku, location, optional
 * channel, starts_at, ends_at), as local days at the location. A promotion re-sent with
 * new dates is a new event; each one counts, which is harmless for a day flag.
 */
export interface PromotionDays {
  sku: string;
  location: string;
  /** Null: every channel of the location. */
  channel: string | null;
  /** First and last local day the promotion runs, inclusive. */
  first: string;
  last: string;
}

export async function loadPromotionDays(
  db: Queryable,
  query: { from: string; to: string; skus?: string[]; locations?: string[] },
): Promise<PromotionDays[]> {
  const params: unknown[] = [query.from, query.to];
  const filters: string[] = [];
  if (query.skus?.length) {
    params.push(query.skus);
    filters.push(`and e.sku = any($${params.length}::text[])`);
  }
  if (query.locations?.length) {
    params.push(query.locations);
    filters.push(`and e.location = any($${params.length}::text[])`);
  }
  // The end is exclusive: a promotion ending at local midnight does not run that day.
  const { rows } = await db.query<PromotionDays>(
    `select sku, location, channel, to_char(first, 'YYYY-MM-DD') as first, to_char(last, 'YYYY-MM-DD') as last
     from (
       select e.sku, e.location, e.channel,
         ((e.body->>'starts_at')::timestamptz at time zone l.timezone)::date as first,
         (((e.body->>'ends_at')::timestamptz - interval '1 microsecond') at time zone l.timezone)::date as last
       from events e join locations l on l.location = e.location
       where e.type = 'promotion' ${filters.join(' ')}
     ) p
     where last >= $1::date and first <= $2::date`,
    params,
  );
  return rows;
}
