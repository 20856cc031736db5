import { InvexError } from '../core/errors.ts';
import type { Queryable } from '../db/index.ts';

/**
 * Demand history from the event log: units demanded per SKU x location x channel per local
 * day (the location's own calendar day) or per ISO week (Monday to Sunday), dense from
 * `from` to `to` with zeros where nothing sold. The log is the source of truth, so a
 * history read twice over the same period gives the same series.
 *
 * What counts as demand: at the store channel, `sale` events (the till). On the other
 * channels (ecommerce, marketplace), orders: `reservation` events, the units promised to
 * orders when they were placed (an online order reaches a DC or a ship-from-store site as a
 * reservation, then a pick and a shipment, with no sale). A non-store series with no
 * reservation in the range falls back to its `sale` events (a system that reports online
 * orders as sales). So no unit is counted twice: one kind of event per series.
 */

export type Grain = 'day' | 'week';
export const GRAINS: readonly Grain[] = ['day', 'week'];

export interface DemandHistoryQuery {
  /** First local day, YYYY-MM-DD (a week grain starts at the Monday on or before it). */
  from: string;
  /** Last local day, YYYY-MM-DD, inclusive. */
  to: string;
  grain?: Grain;
  skus?: string[];
  locations?: string[];
  channels?: string[];
  categories?: string[];
  regions?: string[];
}

export interface DemandSeries {
  sku: string;
  location: string;
  channel: string;
  category: string;
  region: string;
  grain: Grain;
  /** The first period: a local day, or the Monday of the first week. */
  start: string;
  /** Days since 1970-01-01 (or weeks since the Monday 1969-12-29) of y[0]: a shared calendar phase. */
  startIndex: number;
  /** Units per period, oldest first. */
  y: number[];
}

const DAY_MS = 86_400_000;
/** 1969-12-29, a Monday: week indices count from it. */
const WEEK_EPOCH_MS = -3 * DAY_MS;
/** Longest history one read may cover (ten years of days). */
export const MAX_HISTORY_DAYS = 3660;

const dayMs = (text: string, field: string): number => {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text)
    throw new InvexError(
      'invalid_input',
      'request_invalid',
      `${field} must be a calendar date YYYY-MM-DD, got "${text}"`,
      {
        [field]: text,
      },
    );
  return ms;
};

/** The Monday on or before a day (UTC milliseconds of local midnight). */
export const mondayOf = (ms: number): number => ms - ((new Date(ms).getUTCDay() + 6) % 7) * DAY_MS;

export interface PeriodRange {
  grain: Grain;
  startMs: number;
  periods: number;
  startIndex: number;
}

/** The periods a query covers; throws a validation error for a reversed or too long range. */
export function periodRange(query: Pick<DemandHistoryQuery, 'from' | 'to' | 'grain'>): PeriodRange {
  const grain = query.grain ?? 'day';
  if (!GRAINS.includes(grain))
    throw new InvexError(
      'invalid_input',
      'request_invalid',
      `grain must be one of ${GRAINS.join(', ')}, got "${grain}"`,
      {
        grain,
      },
    );
  const from = dayMs(query.from, 'from');
  const to = dayMs(query.to, 'to');
  if (to < from)
    throw new InvexError(
      'invalid_input',
      'request_invalid',
      `to (${query.to}) is before from (${query.from})`,
      {
        from: query.from,
        to: query.to,
      },
    );
  if ((to - from) / DAY_MS + 1 > MAX_HISTORY_DAYS)
    throw new InvexError(
      'invalid_input',
      'request_invalid',
      `a history read covers at most ${MAX_HISTORY_DAYS} days; ${query.from} to ${query.to} is longer`,
      { from: query.from, to: query.to },
    );
  if (grain === 'day')
    return { grain, startMs: from, periods: (to - from) / DAY_MS + 1, startIndex: from / DAY_MS };
  const startMs = mondayOf(from);
  return {
    grain,
    startMs,
    periods: Math.floor((mondayOf(to) - startMs) / (7 * DAY_MS)) + 1,
    startIndex: (startMs - WEEK_EPOCH_MS) / (7 * DAY_MS),
  };
}

export interface SalesRow {
  sku: string;
  location: string;
  channel: string;
  category: string;
  region: string;
  /** Local day, YYYY-MM-DD. */
  day: string;
  /** Units sold (`sale` events). */
  units: number;
  /** Units ordered (`reservation` events); counted instead of sales off the store channel. */
  ordered?: number;
}

/** Dense series from per-day sales rows (pure): rows outside the range are ignored. */
export function toSeries(rows: SalesRow[], range: PeriodRange): DemandSeries[] {
  const byKey = new Map<string, { series: DemandSeries; ordered: number[] | null }>();
  const start = new Date(range.startMs).toISOString().slice(0, 10);
  const width = range.grain === 'day' ? DAY_MS : 7 * DAY_MS;
  for (const row of rows) {
    const ms = Date.parse(`${row.day}T00:00:00Z`);
    const period = Math.floor((ms - range.startMs) / width);
    if (period < 0 || period >= range.periods) continue;
    const key = `${row.sku}\u0000${row.location}\u0000${row.channel}`;
    let entry = byKey.get(key);
    if (!entry) {
      entry = {
        series: {
          sku: row.sku,
          location: row.location,
          channel: row.channel,
          category: row.category,
          region: row.region,
          grain: range.grain,
          start,
          startIndex: range.startIndex,
          y: new Array<number>(range.periods).fill(0),
        },
        ordered: null,
      };
      byKey.set(key, entry);
    }
    entry.series.y[period]! += row.units;
    if ((row.ordered ?? 0) > 0 && row.channel !== 'store') {
      entry.ordered ??= new Array<number>(range.periods).fill(0);
      entry.ordered[period]! += row.ordered!;
    }
  }
  const series = [...byKey.values()]
    .map(({ series, ordered }) => (ordered ? { ...series, y: ordered } : series))
    .filter((s) => s.y.some((v) => v > 0));
  return series.sort((a, b) =>
    a.sku !== b.sku
      ? a.sku < b.sku
        ? -1
        : 1
      : a.location !== b.location
        ? a.location < b.location
          ? -1
          : 1
        : a.channel < b.channel
          ? -1
          : a.channel > b.channel
            ? 1
            : 0,
  );
}

/**
 * Demand per SKU x location x channel per local day from the event log, as dense series
 * (sales at the store channel, orders elsewhere: see the top of this file). An event
 * without a channel is a store event. Only series with some demand in the range are returned. A week grain reads whole weeks, so its first and last weeks are complete.
 */
export async function loadDemandHistory(db: Queryable, query: DemandHistoryQuery): Promise<DemandSeries[]> {
  const range = periodRange(query);
  // A week grain reads whole weeks: the Monday on or before `from` to the Sunday on or after `to`.
  const width = range.grain === 'day' ? 1 : 7;
  const first = new Date(range.startMs).toISOString().slice(0, 10);
  const last = new Date(range.startMs + (range.periods * width - 1) * DAY_MS).toISOString().slice(0, 10);
  const params: unknown[] = [first, last];
  const filters: string[] = [];
  const filter = (column: string, values: string[] | undefined) => {
    if (!values || values.length === 0) return;
    params.push(values);
    filters.push(`${column} = any($${params.length}::text[])`);
  };
  filter('e.sku', query.skus);
  filter('e.location', query.locations);
  filter(`coalesce(e.channel, 'store')`, query.channels);
  filter('s.category', query.categories);
  filter('l.region', query.regions);
  // The day bounds are padded by a day either way in UTC so the index narrows the scan;
  // the local-day test then keeps exactly the range.
  const { rows } = await db.query<{
    sku: string;
    location: string;
    channel: string;
    category: string;
    region: string;
    day: string;
    units: string | number;
    ordered: string | number;
  }>(
    `select e.sku, e.location, coalesce(e.channel, 'store') as channel, s.category, l.region,
       to_char((e.occurred_at at time zone l.timezone)::date, 'YYYY-MM-DD') as day,
       coalesce(sum(e.qty_base) filter (where e.type = 'sale'), 0) as units,
       coalesce(sum(e.qty_base) filter (where e.type = 'reservation'), 0) as ordered
     from events e
     join locations l on l.location = e.location
     join skus s on s.sku = e.sku
     where e.type in ('sale', 'reservation')
       and e.occurred_at >= ($1::date - 1)::timestamp at time zone 'UTC'
       and e.occurred_at < ($2::date + 2)::timestamp at time zone 'UTC'
       and (e.occurred_at at time zone l.timezone)::date between $1::date and $2::date
       ${filters.map((f) => `and ${f}`).join(' ')}
     group by 1, 2, 3, 4, 5, 6`,
    params,
  );
  return toSeries(
    rows.map((r) => ({ ...r, units: Number(r.units), ordered: Number(r.ordered) })),
    range,
  );
}
