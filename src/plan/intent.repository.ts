import type { Queryable } from '../db/index.ts';
import type { IntentKind, NewIntent, PlanIntent } from './intents.ts';

const COLUMNS = `id, kind, sku, location, from_location, to_location, min_units, max_units,
  to_char(starts_on, 'YYYY-MM-DD') as starts_on, to_char(ends_on, 'YYYY-MM-DD') as ends_on, reason, created_by,
  to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_at,
  to_char(revoked_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as revoked_at, revoked_by`;

type Row = Omit<PlanIntent, 'min_units' | 'max_units'> & {
  min_units: number | string | null;
  max_units: number | string | null;
};

const toIntent = (r: Row): PlanIntent => ({
  ...r,
  min_units: r.min_units === null ? null : Number(r.min_units),
  max_units: r.max_units === null ? null : Number(r.max_units),
});

export async function insertIntent(
  db: Queryable,
  id: string,
  intent: NewIntent,
  createdBy: string,
): Promise<PlanIntent> {
  const { rows } = await db.query<Row>(
    `insert into plan_intents (id, kind, sku, location, from_location, to_location, min_units, max_units,
       starts_on, ends_on, reason, created_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9::date, $10::date, $11, $12)
     returning ${COLUMNS}`,
    [
      id,
      intent.kind,
      intent.sku ?? null,
      intent.kind === 'cap' ? null : (intent.location ?? null),
      intent.kind === 'cap' ? intent.from_location : null,
      intent.kind === 'cap' ? intent.to_location : null,
      intent.kind === 'pin' ? intent.min_units : null,
      intent.kind === 'cap' ? intent.max_units : null,
      intent.starts_on ?? null,
      intent.ends_on ?? null,
      intent.reason,
      createdBy,
    ],
  );
  return toIntent(rows[0]!);
}

export interface IntentFilter {
  kind?: IntentKind | undefined;
  sku?: string | undefined;
  location?: string | undefined;
  /** Include revoked intents (default: only the ones not revoked). */
  includeRevoked?: boolean | undefined;
  limit: number;
}

/** Intents, newest first. A location filter matches a pin's or freeze's location and either end of a cap. */
export async function listIntents(db: Queryable, filter: IntentFilter): Promise<PlanIntent[]> {
  const { rows } = await db.query<Row>(
    `select ${COLUMNS} from plan_intents
     where ($1::text is null or kind = $1) and ($2::text is null or sku = $2)
       and ($3::text is null or location = $3 or from_location = $3 or to_location = $3)
       and ($4::boolean or revoked_at is null)
     order by created_at desc, id desc limit $5`,
    [
      filter.kind ?? null,
      filter.sku ?? null,
      filter.location ?? null,
      filter.includeRevoked ?? false,
      filter.limit,
    ],
  );
  return rows.map(toIntent);
}

/** Intents not revoked whose period overlaps [from, to] (YYYY-MM-DD, inclusive). */
export async function intentsInForce(db: Queryable, from: string, to: string): Promise<PlanIntent[]> {
  const { rows } = await db.query<Row>(
    `select ${COLUMNS} from plan_intents
     where revoked_at is null and (starts_on is null or starts_on <= $2::date) and (ends_on is null or ends_on >= $1::date)
     order by id`,
    [from, to],
  );
  return rows.map(toIntent);
}

export async function getIntent(db: Queryable, id: string): Promise<PlanIntent | null> {
  const { rows } = await db.query<Row>(`select ${COLUMNS} from plan_intents where id = $1`, [id]);
  return rows[0] ? toIntent(rows[0]) : null;
}

/** Marks an intent revoked (the row stays); null when it does not exist or was already revoked. */
export async function markRevoked(db: Queryable, id: string, revokedBy: string): Promise<PlanIntent | null> {
  const { rows } = await db.query<Row>(
    `update plan_intents set revoked_at = now(), revoked_by = $2 where id = $1 and revoked_at is null
     returning ${COLUMNS}`,
    [id, revokedBy],
  );
  return rows[0] ? toIntent(rows[0]) : null;
}
