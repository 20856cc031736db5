import type { Queryable } from '../db/index.ts';
import type { Channel, Location, Sku } from './master.schema.ts';

/** The only code that reads and writes master data. */
export async function upsertSkus(db: Queryable, skus: Sku[]): Promise<void> {
  if (skus.length === 0) return;
  await db.query(
    `insert into skus (sku, gtin, name, category, unit_cost, unit_price, base_uom, uoms, regulated, updated_at)
     select s.sku, s.gtin, s.name, s.category, s.unit_cost, s.unit_price, s.base_uom, s.uoms, s.regulated, now()
     from jsonb_to_recordset($1::jsonb) as s(sku text, gtin text, name text, category text, unit_cost numeric,
       unit_price numeric, base_uom text, uoms jsonb, regulated boolean)
     on conflict (sku) do update set gtin = excluded.gtin, name = excluded.name, category = excluded.category,
       unit_cost = excluded.unit_cost, unit_price = excluded.unit_price, base_uom = excluded.base_uom,
       uoms = excluded.uoms, regulated = excluded.regulated, updated_at = now()`,
    [JSON.stringify(skus)],
  );
}

export async function upsertLocations(db: Queryable, locations: Location[]): Promise<void> {
  if (locations.length === 0) return;
  await db.query(
    `insert into locations (location, name, kind, region, lat, lon, timezone, channels, updated_at)
     select l.location, l.name, l.kind, l.region, l.lat, l.lon, l.timezone,
       array(select jsonb_array_elements_text(l.channels)), now()
     from jsonb_to_recordset($1::jsonb) as l(location text, name text, kind text, region text,
       lat double precision, lon double precision, timezone text, channels jsonb)
     on conflict (location) do update set name = excluded.name, kind = excluded.kind, region = excluded.region,
       lat = excluded.lat, lon = excluded.lon, timezone = excluded.timezone, channels = excluded.channels,
       updated_at = now()`,
    [JSON.stringify(locations)],
  );
}

export async function upsertChannels(db: Queryable, channels: Channel[]): Promise<void> {
  if (channels.length === 0) return;
  await db.query(
    `insert into channels (channel, name, updated_at)
     select c.channel, c.name, now() from jsonb_to_recordset($1::jsonb) as c(channel text, name text)
     on conflict (channel) do update set name = excluded.name, updated_at = now()`,
    [JSON.stringify(channels)],
  );
}

export interface SkuRecord {
  sku: string;
  base_uom: string;
  uoms: Record<string, number>;
  regulated: boolean;
  category: string;
  unit_cost: number;
  unit_price: number;
}

export async function findSkus(db: Queryable, skus: string[]): Promise<Map<string, SkuRecord>> {
  const { rows } = await db.query<SkuRecord>(
    `select sku, base_uom, uoms, regulated, category, unit_cost, unit_price from skus where sku = any($1::text[])`,
    [skus],
  );
  return new Map(rows.map((row) => [row.sku, row]));
}

export interface LocationRecord {
  location: string;
  kind: string;
  region: string;
  channels: string[];
}

export async function findLocations(
  db: Queryable,
  locations: string[],
): Promise<Map<string, LocationRecord>> {
  const { rows } = await db.query<LocationRecord>(
    'select location, kind, region, channels from locations where location = any($1::text[])',
    [locations],
  );
  return new Map(rows.map((row) => [row.location, row]));
}

export async function listChannelNames(db: Queryable): Promise<Set<string>> {
  const { rows } = await db.query<{ channel: string }>('select channel from channels');
  return new Set(rows.map((row) => row.channel));
}

export async function countMasterData(db: Queryable): Promise<{ skus: number; locations: number }> {
  const { rows } = await db.query<{ skus: number; locations: number }>(
    'select (select count(*) from skus) as skus, (select count(*) from locations) as locations',
  );
  return rows[0] ?? { skus: 0, locations: 0 };
}
