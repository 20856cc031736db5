import type { Queryable } from '../db/index.ts';
import type { AnnotationKind, DemandAnnotation, ValidAnnotation } from './annotations.ts';

/** Demand annotations as stored: rows are never deleted, a removal sets revoked_at. */

const COLUMNS = `id, sku, location, category, channel,
  to_char(from_day, 'YYYY-MM-DD') as "from", to_char(to_day, 'YYYY-MM-DD') as "to",
  kind, reason, created_by, created_at, revoked_at, revoked_by`;

type Row = Omit<DemandAnnotation, 'created_at' | 'revoked_at'> & {
  created_at: Date | string;
  revoked_at: Date | string | null;
};

const iso = (v: Date | string) => new Date(v).toISOString();
const fromRow = (r: Row): DemandAnnotation => ({
  ...r,
  kind: r.kind as AnnotationKind,
  created_at: iso(r.created_at),
  revoked_at: r.revoked_at === null ? null : iso(r.revoked_at),
});

export async function insertAnnotation(
  db: Queryable,
  id: string,
  a: ValidAnnotation,
  actor: string,
  now: number,
): Promise<DemandAnnotation> {
  const { rows } = await db.query<Row>(
    `insert into demand_annotations (id, sku, location, category, channel, from_day, to_day, kind, reason,
       created_by, created_at)
     values ($1, $2, $3, $4, $5, $6::date, $7::date, $8, $9, $10, $11)
     returning ${COLUMNS}`,
    [
      id,
      a.sku ?? null,
      a.location ?? null,
      a.category ?? null,
      a.channel ?? null,
      a.from,
      a.to,
      a.kind,
      a.reason,
      actor,
      new Date(now).toISOString(),
    ],
  );
  return fromRow(rows[0]!);
}

export interface AnnotationFilter {
  sku?: string;
  location?: string;
  /** Include removed ones (default false). */
  revoked?: boolean;
  /** Only those marking a day in [from, to]. */
  from?: string;
  to?: string;
}

export async function listAnnotations(
  db: Queryable,
  filter: AnnotationFilter = {},
  limit = 1000,
): Promise<DemandAnnotation[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replaceAll('$?', `$${params.length}`));
  };
  if (!filter.revoked) where.push('revoked_at is null');
  if (filter.sku) add('(sku = $? or sku is null)', filter.sku);
  if (filter.location) add('(location = $? or location is null)', filter.location);
  if (filter.from) add('to_day >= $?::date', filter.from);
  if (filter.to) add('from_day <= $?::date', filter.to);
  params.push(limit);
  const { rows } = await db.query<Row>(
    `select ${COLUMNS} from demand_annotations ${where.length ? `where ${where.join(' and ')}` : ''}
     order by id limit $${params.length}`,
    params,
  );
  return rows.map(fromRow);
}

export async function getAnnotation(db: Queryable, id: string): Promise<DemandAnnotation | undefined> {
  const { rows } = await db.query<Row>(`select ${COLUMNS} from demand_annotations where id = $1`, [id]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/** Marks an annotation removed; a second removal changes nothing and returns it as it is. */
export async function revokeAnnotation(
  db: Queryable,
  id: string,
  actor: string,
  now: number,
): Promise<DemandAnnotation | undefined> {
  await db.query(
    `update demand_annotations set revoked_at = $2, revoked_by = $3 where id = $1 and revoked_at is null`,
    [id, new Date(now).toISOString(), actor],
  );
  return getAnnotation(db, id);
}
