import type { Queryable } from '../db/index.ts';
import type { PlanLocation, PlanLocationKind, PlanScope, PlanSku } from './plan.model.ts';
import type { AssortmentItem } from './reorder.plan.ts';

/** SQL for plans: which cells a scope covers, master data, record confidence, lead times. No rules here. */

export interface ScopeCell {
  sku: string;
  location: string;
}

const PLANNED_KINDS: PlanLocationKind[] = ['store', 'dc', 'dark_store', 'marketplace_node'];

function scopeFilter(
  scope: PlanScope,
  kinds: readonly PlanLocationKind[],
): { where: string; params: unknown[] } {
  const params: unknown[] = [kinds];
  const filters = ['l.kind = any($1::text[])'];
  const add = (column: string, values: string[] | undefined) => {
    if (!values) return;
    params.push(values);
    filters.push(`${column} = any($${params.length}::text[])`);
  };
  add('s.sku', scope.skus);
  add('s.location', scope.locations);
  add('k.category', scope.categories);
  add('l.region', scope.regions);
  return { where: filters.join(' and '), params };
}

/** SKU x location cells in scope: every key the ledger has a stock history for, at a location that plans. */
export async function countScopeCells(
  db: Queryable,
  scope: PlanScope,
  kinds: readonly PlanLocationKind[] = PLANNED_KINDS,
): Promise<number> {
  const { where, params } = scopeFilter(scope, kinds);
  const { rows } = await db.query<{ n: number | string }>(
    `select count(*) as n from stock_levels s
     join locations l on l.location = s.location join skus k on k.sku = s.sku where ${where}`,
    params,
  );
  return Number(rows[0]?.n ?? 0);
}

export async function listScopeCells(
  db: Queryable,
  scope: PlanScope,
  kinds: readonly PlanLocationKind[] = PLANNED_KINDS,
): Promise<ScopeCell[]> {
  const { where, params } = scopeFilter(scope, kinds);
  const { rows } = await db.query<ScopeCell>(
    `select s.sku, s.location from stock_levels s
     join locations l on l.location = s.location join skus k on k.sku = s.sku where ${where}
     order by s.sku collate "C", s.location collate "C"`,
    params,
  );
  return rows;
}

export async function loadPlanSkus(db: Queryable, skus: readonly string[]): Promise<Map<string, PlanSku>> {
  const { rows } = await db.query<{
    sku: string;
    category: string;
    unit_cost: number | string;
    unit_price: number | string;
    uoms: Record<string, number>;
  }>('select sku, category, unit_cost, unit_price, uoms from skus where sku = any($1::text[])', [skus]);
  return new Map(
    rows.map((r) => [
      r.sku,
      {
        sku: r.sku,
        category: r.category,
        unitCost: Number(r.unit_cost),
        unitPrice: Number(r.unit_price),
        caseSize: Math.max(1, Math.floor(Number(r.uoms?.case ?? 1))),
      },
    ]),
  );
}

export async function loadPlanLocations(
  db: Queryable,
  locations: readonly string[],
): Promise<Map<string, PlanLocation>> {
  const { rows } = await db.query<{
    location: string;
    kind: PlanLocationKind;
    region: string;
    lat: number | null;
    lon: number | null;
    channels: string[];
  }>('select location, kind, region, lat, lon, channels from locations where location = any($1::text[])', [
    locations,
  ]);
  return new Map(
    rows.map((r) => [
      r.location,
      {
        ...r,
        lat: r.lat === null ? null : Number(r.lat),
        lon: r.lon === null ? null : Number(r.lon),
      },
    ]),
  );
}

/** Record confidence the exception engine keeps (detect's record_confidence table), for many keys at once. */
export async function loadRecordConfidence(
  db: Queryable,
  cells: readonly ScopeCell[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (cells.length === 0) return out;
  const { rows } = await db.query<{ sku: string; location: string; confidence: number }>(
    `select c.sku, c.location, c.confidence from record_confidence c
     join unnest($1::text[], $2::text[]) as k(location, sku) on k.location = c.location and k.sku = c.sku`,
    [cells.map((c) => c.location), cells.map((c) => c.sku)],
  );
  for (const r of rows) out.set(`${r.sku}\u0000${r.location}`, Number(r.confidence));
  return out;
}

/** The UTC day of the latest event in the log (the plan date by default), or null on an empty log. */
export async function latestEventDay(db: Queryable): Promise<string | null> {
  const { rows } = await db.query<{ day: string | null }>(
    `select to_char((max(occurred_at) at time zone 'UTC')::date, 'YYYY-MM-DD') as day from events`,
  );
  return rows[0]?.day ?? null;
}

/** Units sold per SKU at each location over [from, to] (UTC days), with cost and price: a location's assortment. */
export async function loadAssortment(
  db: Queryable,
  locations: readonly string[],
  from: string,
  to: string,
): Promise<Map<string, AssortmentItem[]>> {
  const { rows } = await db.query<{
    location: string;
    sku: string;
    units: number | string;
    unit_cost: number | string;
    unit_price: number | string;
  }>(
    `select a.location, a.sku, a.units, k.unit_cost, k.unit_price
     from (select location, sku, sum(qty_base) as units from events
           where type = 'sale' and location = any($1::text[])
             and occurred_at >= $2::date::timestamp at time zone 'UTC'
             and occurred_at < ($3::date + 1)::timestamp at time zone 'UTC'
           group by location, sku) a
     join skus k on k.sku = a.sku`,
    [locations, from, to],
  );
  const out = new Map<string, AssortmentItem[]>();
  for (const r of rows) {
    const list = out.get(r.location) ?? [];
    list.push({
      sku: r.sku,
      units: Number(r.units),
      unitCost: Number(r.unit_cost),
      unitPrice: Number(r.unit_price),
    });
    out.set(r.location, list);
  }
  return out;
}

export interface LeadTimeSample {
  location: string;
  mean: number;
  sd: number;
  samples: number;
}

/**
 * Measured replenishment lead times per location since a day: purchase order to its first
 * receipt (matched on the po_id reference, per SKU), and transfer shipped to received
 * (matched on the transfer_id reference), in days.
 */
export async function measuredLeadTimes(
  db: Queryable,
  locations: readonly string[],
  since: string,
): Promise<Map<string, LeadTimeSample>> {
  const { rows } = await db.query<{
    location: string;
    mean: number;
    sd: number | null;
    samples: number | string;
  }>(
    `with po as (
       select e.location, e.sku, r as ref, min(e.occurred_at) as at from events e, unnest(e.refs) r
       where e.type = 'purchase_order' and e.location = any($1::text[]) and r like 'po_id:%'
         and e.occurred_at >= $2::date::timestamp at time zone 'UTC'
       group by 1, 2, 3),
     received as (
       select e.location, e.sku, r as ref, min(e.occurred_at) as at from events e, unnest(e.refs) r
       where e.type = 'receipt' and e.location = any($1::text[]) and r like 'po_id:%'
         and e.occurred_at >= $2::date::timestamp at time zone 'UTC'
       group by 1, 2, 3),
     shipped as (
       select e.counterpart_location as location, e.sku, r as ref, min(e.occurred_at) as at from events e, unnest(e.refs) r
       where e.type = 'transfer_shipped' and e.counterpart_location = any($1::text[]) and r like 'transfer_id:%'
         and e.occurred_at >= $2::date::timestamp at time zone 'UTC'
       group by 1, 2, 3),
     arrived as (
       select e.location, e.sku, r as ref, min(e.occurred_at) as at from events e, unnest(e.refs) r
       where e.type = 'transfer_received' and e.location = any($1::text[]) and r like 'transfer_id:%'
         and e.occurred_at >= $2::date::timestamp at time zone 'UTC'
       group by 1, 2, 3),
     samples as (
       select po.location, extract(epoch from received.at - po.at) / 86400 as days
       from po join received using (location, sku, ref)
       union all
       select shipped.location, extract(epoch from arrived.at - shipped.at) / 86400 as days
       from shipped join arrived using (location, sku, ref))
     select location, avg(days) as mean, stddev_samp(days) as sd, count(*) as samples
     from samples where days >= 0 group by location`,
    [locations, since],
  );
  return new Map(
    rows.map((r) => [
      r.location,
      { location: r.location, mean: Number(r.mean), sd: Number(r.sd ?? 0), samples: Number(r.samples) },
    ]),
  );
}
