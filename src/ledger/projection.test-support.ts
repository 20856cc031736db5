import type { Queryable } from '../db/index.ts';

/** Every projection row, in a stable order: two databases with equal snapshots show the same stock. */
export async function snapshotProjection(db: Queryable): Promise<unknown[]> {
  const levels = await db.query(
    `select location, sku, to_char(count_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as count_at, count_event_id,
       count_qty, on_hand_delta, reserved, picked, in_transit_in, in_transit_out, on_order, returns_pending, damaged,
       event_count, to_char(last_event_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as last_event_at
     from stock_levels order by location collate "C", sku collate "C"`,
  );
  const snapshots = await db.query(
    `select location, sku, source, on_hand, event_id from source_snapshots
     order by location collate "C", sku collate "C", source collate "C"`,
  );
  const listings = await db.query(
    `select location, sku, channel, status, event_id from listings
     order by location collate "C", sku collate "C", channel collate "C"`,
  );
  return [levels.rows, snapshots.rows, listings.rows];
}

export async function clearEventData(db: Queryable): Promise<void> {
  await db.query('truncate events, event_ids, stock_levels, source_snapshots, listings, dead_letters');
}
