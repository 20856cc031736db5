import type { Queryable } from '../db/index.ts';
import type { InventoryEvent } from '../ingest/index.ts';
import type { ExceptionRecord } from './exception.ts';
import type { ObservedDelivery, ObservedEvent } from './state.ts';

const COLUMNS = `id, key, type, status, sku, location, channel, region, category, grp, opened_at, updated_at,
  closed_at, close_reason, root_cause, reasoning, confidence, impact, urgency, priority, priority_band,
  evidence, explanation, actions, updates`;

/** A row as stored: the record, with `group` as `grp` and times as the driver returns them. */
type Row = Omit<ExceptionRecord, 'group' | 'opened_at' | 'updated_at' | 'closed_at'> & {
  grp: string | null;
  opened_at: Date | string;
  updated_at: Date | string;
  closed_at: Date | string | null;
};

const isoOf = (v: Date | string) => (v instanceof Date ? v.toISOString() : new Date(v).toISOString());

function fromRow(r: Row): ExceptionRecord {
  const { grp, opened_at, updated_at, closed_at, ...rest } = r;
  return {
    ...rest,
    group: grp,
    opened_at: isoOf(opened_at),
    updated_at: isoOf(updated_at),
    closed_at: closed_at === null ? null : isoOf(closed_at),
    confidence: Number(r.confidence),
    urgency: Number(r.urgency),
    priority: Number(r.priority),
  };
}

/**
 * Writes exceptions the engine opened, updated or closed. Closings go first, so that a
 * problem closed and reopened under a new id in one batch never holds two open rows.
 */
export async function saveExceptions(db: Queryable, records: ExceptionRecord[]): Promise<void> {
  if (records.length === 0) return;
  const ordered = [...records].sort((a, b) => (a.status === b.status ? 0 : a.status === 'closed' ? -1 : 1));
  for (let i = 0; i < ordered.length; i += 1000) {
    const chunk = ordered.slice(i, i + 1000).map((r) => ({ ...r, grp: r.group }));
    await db.query(
      `insert into exceptions (${COLUMNS})
       select id, key, type, status, sku, location, channel, region, category, grp, opened_at, updated_at,
         closed_at, close_reason, root_cause, reasoning, confidence, impact, urgency, priority, priority_band,
         evidence, explanation, actions, updates
       from json_populate_recordset(null::exceptions, $1::json)
       on conflict (id) do update set
         key = excluded.key, type = excluded.type, status = excluded.status, sku = excluded.sku,
         location = excluded.location, channel = excluded.channel, region = excluded.region,
         category = excluded.category, grp = excluded.grp, updated_at = excluded.updated_at,
         closed_at = excluded.closed_at, close_reason = excluded.close_reason, root_cause = excluded.root_cause,
         reasoning = excluded.reasoning, confidence = excluded.confidence, impact = excluded.impact,
         urgency = excluded.urgency, priority = excluded.priority, priority_band = excluded.priority_band,
         evidence = excluded.evidence, explanation = excluded.explanation, actions = excluded.actions,
         updates = excluded.updates`,
      [JSON.stringify(chunk)],
    );
  }
}

/** Open exceptions and those closed in the last days (a recurring problem reopens them). */
export async function loadActiveExceptions(db: Queryable, closedSinceDays = 3): Promise<ExceptionRecord[]> {
  const { rows } = await db.query<Row>(
    `select ${COLUMNS} from exceptions
     where status = 'open' or closed_at > now() - make_interval(days => $1)`,
    [closedSinceDays],
  );
  return rows.map(fromRow);
}

export interface ExceptionFilter {
  type?: string[];
  status?: string[];
  location?: string;
  region?: string;
  category?: string;
  sku?: string;
  priority?: string[];
  minPriority?: number;
}

export type ExceptionSort = 'priority' | 'opened_at' | 'updated_at';

/** A page of exceptions, highest priority first by default; `after` is the last row's sort key and id. */
export async function listExceptions(
  db: Queryable,
  filter: ExceptionFilter,
  page: { limit: number; after?: { value: number | string; id: string } | undefined; sort?: ExceptionSort },
): Promise<ExceptionRecord[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('$?', `$${params.length}`));
  };
  if (filter.type?.length) add('type = any($?::text[])', filter.type);
  if (filter.status?.length) add('status = any($?::text[])', filter.status);
  if (filter.location) add('location = $?', filter.location);
  if (filter.region) add('region = $?', filter.region);
  if (filter.category) add('category = $?', filter.category);
  if (filter.sku) add('sku = $?', filter.sku);
  if (filter.priority?.length) add('priority_band = any($?::text[])', filter.priority);
  if (filter.minPriority !== undefined) add('priority >= $?', filter.minPriority);
  const sort = page.sort ?? 'priority';
  const column = sort === 'priority' ? 'priority' : sort;
  if (page.after) {
    params.push(page.after.value, page.after.id);
    where.push(`(${column}, id) < ($${params.length - 1}, $${params.length})`);
  }
  params.push(page.limit);
  const { rows } = await db.query<Row>(
    `select ${COLUMNS} from exceptions ${where.length ? `where ${where.join(' and ')}` : ''}
     order by ${column} desc, id desc limit $${params.length}`,
    params,
  );
  return rows.map(fromRow);
}

export async function getException(db: Queryable, id: string): Promise<ExceptionRecord | undefined> {
  const { rows } = await db.query<Row>(`select ${COLUMNS} from exceptions where id = $1`, [id]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/** The open exception of a key, if there is one (at most one: a unique index). */
export async function findOpenException(db: Queryable, key: string): Promise<ExceptionRecord | undefined> {
  const { rows } = await db.query<Row>(
    `select ${COLUMNS} from exceptions where key = $1 and status = 'open'`,
    [key],
  );
  return rows[0] ? fromRow(rows[0]) : undefined;
}

export interface Checkpoint {
  events: number;
  anomalies: number;
}

export async function readCheckpoint(db: Queryable, name = 'engine'): Promise<Checkpoint> {
  const { rows } = await db.query<{ events_seq: number; anomalies_seq: number }>(
    'select events_seq, anomalies_seq from detector_checkpoints where name = $1',
    [name],
  );
  return { events: Number(rows[0]?.events_seq ?? 0), anomalies: Number(rows[0]?.anomalies_seq ?? 0) };
}

export async function writeCheckpoint(db: Queryable, cp: Checkpoint, name = 'engine'): Promise<void> {
  await db.query(
    `insert into detector_checkpoints (name, events_seq, anomalies_seq, updated_at) values ($1, $2, $3, now())
     on conflict (name) do update set events_seq = excluded.events_seq, anomalies_seq = excluded.anomalies_seq,
       updated_at = now()`,
    [name, cp.events, cp.anomalies],
  );
}

/** Events of the log after a position, in log order (arrival order). */
export async function readEventsAfter(
  db: Queryable,
  seq: number,
  limit: number,
  occurredFrom?: string,
  upTo?: number,
): Promise<ObservedEvent[]> {
  const params: unknown[] = [seq, limit];
  let extra = '';
  if (occurredFrom) {
    params.push(occurredFrom);
    extra += ` and occurred_at >= $${params.length}`;
  }
  if (upTo !== undefined) {
    params.push(upTo);
    extra += ` and seq <= $${params.length}`;
  }
  const { rows } = await db.query<{
    seq: number;
    body: InventoryEvent;
    qty_base: number | null;
    occurred_at: Date;
  }>(
    `select seq, body, qty_base, occurred_at from events where seq > $1${extra} order by seq limit $2`,
    params,
  );
  return rows.map((r) => ({
    seq: Number(r.seq),
    event: typeof r.body === 'string' ? JSON.parse(r.body) : r.body,
    qtyBase: r.qty_base === null ? null : Number(r.qty_base),
    at: new Date(r.occurred_at).getTime(),
  }));
}

export async function readAnomaliesAfter(
  db: Queryable,
  seq: number,
  limit: number,
): Promise<ObservedDelivery[]> {
  const { rows } = await db.query<Omit<ObservedDelivery, 'at'> & { occurred_at: Date }>(
    'select seq, kind, event_id, type, sku, location, occurred_at from delivery_anomalies where seq > $1 order by seq limit $2',
    [seq, limit],
  );
  return rows.map((r) => ({ ...r, seq: Number(r.seq), at: new Date(r.occurred_at).getTime() }));
}

export async function saveRecordConfidence(
  db: Queryable,
  rows: {
    location: string;
    sku: string;
    confidence: number;
    probability_empty: number;
    updated_at: string;
  }[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += 5000) {
    await db.query(
      `insert into record_confidence (location, sku, confidence, probability_empty, updated_at)
       select location, sku, confidence, probability_empty, updated_at
       from json_populate_recordset(null::record_confidence, $1::json)
       on conflict (location, sku) do update set confidence = excluded.confidence,
         probability_empty = excluded.probability_empty, updated_at = excluded.updated_at`,
      [JSON.stringify(rows.slice(i, i + 5000))],
    );
  }
}

export async function readRecordConfidence(
  db: Queryable,
  location: string,
  sku: string,
): Promise<{ confidence: number; probability_empty: number; updated_at: string } | undefined> {
  const { rows } = await db.query<{ confidence: number; probability_empty: number; updated_at: Date }>(
    'select confidence, probability_empty, updated_at from record_confidence where location = $1 and sku = $2',
    [location, sku],
  );
  const r = rows[0];
  return r
    ? {
        confidence: Number(r.confidence),
        probability_empty: Number(r.probability_empty),
        updated_at: isoOf(r.updated_at),
      }
    : undefined;
}

export async function loadMasterRows(db: Queryable) {
  const skus = await db.query<{ sku: string; category: string; unit_cost: number; unit_price: number }>(
    'select sku, category, unit_cost, unit_price from skus',
  );
  const locations = await db.query<{ location: string; kind: 'store'; region: string; timezone: string }>(
    'select location, kind, region, timezone from locations',
  );
  return { skus: skus.rows, locations: locations.rows };
}
