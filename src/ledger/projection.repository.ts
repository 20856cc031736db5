import { type Queryable, utcText } from '../db/index.ts';
import { BUCKETS, compareKeys, effectsOf, type LedgerEvent } from './movements.ts';
import { emptyState, type StockState } from './stock-state.ts';

interface KeySums {
  location: string;
  sku: string;
  /** Sums in BUCKETS order; index 0 is on-hand. */
  buckets: number[];
  events: number;
  lastAt: string;
  onHandMoves: { at: string; id: string; delta: number }[];
}

/**
 * Applies events already written to the log to the stock projection. The same function
 * serves live ingestion and `db rebuild`, so the two cannot disagree. `maxSeq` is the
 * highest log sequence number of this batch: a count re-sums the movements after it from
 * the log, and must not see events of batches not yet applied (in a rebuild they are
 * already in the log). Callers hold the ingest lock, so sequence numbers grow by batch.
 */
export async function applyToProjection(tx: Queryable, events: LedgerEvent[], maxSeq: number): Promise<void> {
  if (events.length === 0) return;
  // Movements summed per SKU x location here, so the database does one additive upsert
  // per key. On-hand movements are also kept per key, for the rare correction below.
  const sums = new Map<string, KeySums>();
  // Latest count / report / listing per key within the batch: one upsert row per key.
  const counts = new Map<string, { location: string; sku: string; at: string; id: string; qty: number }>();
  const snapshots = new Map<
    string,
    { location: string; sku: string; source: string; at: string; id: string; qty: number }
  >();
  const listings = new Map<
    string,
    { location: string; sku: string; channel: string; at: string; id: string; status: string }
  >();
  const later = (a: { at: string; id: string }, b: { at: string; id: string } | undefined) =>
    !b || compareKeys(a, b) > 0;

  for (const event of events) {
    const { sku, event_id: id } = event.event;
    const at = event.at;
    for (const effect of effectsOf(event)) {
      const location = effect.location;
      if (effect.kind === 'delta') {
        const key = stateKey(location, sku);
        let sum = sums.get(key);
        if (!sum) {
          sum = {
            location,
            sku,
            buckets: new Array(BUCKETS.length).fill(0),
            events: 0,
            lastAt: at,
            onHandMoves: [],
          };
          sums.set(key, sum);
        }
        BUCKETS.forEach((bucket, i) => {
          sum.buckets[i]! += effect.delta[bucket] ?? 0;
        });
        if (effect.primary) sum.events += 1;
        if (at > sum.lastAt) sum.lastAt = at;
        if (effect.delta.on_hand) sum.onHandMoves.push({ at, id, delta: effect.delta.on_hand });
      } else if (effect.kind === 'count') {
        if (effect.lot !== undefined) continue; // a lot's count: lot balances only (stock.service.ts)
        const key = stateKey(location, sku);
        const candidate = { location, sku, at, id, qty: effect.qty };
        if (later(candidate, counts.get(key))) counts.set(key, candidate);
      } else if (effect.kind === 'snapshot') {
        const key = `${location}\u0000${sku}\u0000${effect.source}`;
        const candidate = { location, sku, source: effect.source, at, id, qty: effect.onHand };
        if (later(candidate, snapshots.get(key))) snapshots.set(key, candidate);
      } else {
        const key = `${location}\u0000${sku}\u0000${effect.channel}`;
        const candidate = { location, sku, channel: effect.channel, at, id, status: effect.status };
        if (later(candidate, listings.get(key))) listings.set(key, candidate);
      }
    }
  }

  const rows = [...sums.values()];
  const column = (i: number) => rows.map((r) => r.buckets[i]!);
  const { rows: counted } = await tx.query<{
    location: string;
    sku: string;
    count_at: string;
    count_event_id: string;
  }>(
    `with up as (
       insert into stock_levels as s (location, sku, on_hand_delta, reserved, picked, in_transit_in, in_transit_out,
         on_order, returns_pending, damaged, event_count, last_event_at)
       select * from unnest($1::text[], $2::text[], $3::int8[], $4::int8[], $5::int8[], $6::int8[], $7::int8[],
         $8::int8[], $9::int8[], $10::int8[], $11::int8[], $12::timestamptz[])
       on conflict (location, sku) do update set
         on_hand_delta = s.on_hand_delta + excluded.on_hand_delta,
         reserved = s.reserved + excluded.reserved,
         picked = s.picked + excluded.picked,
         in_transit_in = s.in_transit_in + excluded.in_transit_in,
         in_transit_out = s.in_transit_out + excluded.in_transit_out,
         on_order = s.on_order + excluded.on_order,
         returns_pending = s.returns_pending + excluded.returns_pending,
         damaged = s.damaged + excluded.damaged,
         event_count = s.event_count + excluded.event_count,
         last_event_at = greatest(s.last_event_at, excluded.last_event_at)
       returning s.location, s.sku, s.count_at, s.count_event_id
     )
     select location, sku, ${utcText('count_at')} as count_at, count_event_id from up where count_at is not null`,
    [
      rows.map((r) => r.location),
      rows.map((r) => r.sku),
      ...BUCKETS.map((_, i) => column(i)),
      rows.map((r) => r.events),
      rows.map((r) => r.lastAt),
    ],
  );
  // On-hand movements that happened before a key's latest count are history: the count
  // already reflects them. The upsert added every movement; take those back out.
  const corrections: { location: string; sku: string; delta: number }[] = [];
  for (const row of counted) {
    const anchor = { at: row.count_at, id: row.count_event_id };
    let delta = 0;
    for (const move of sums.get(stateKey(row.location, row.sku))?.onHandMoves ?? []) {
      if (compareKeys(move, anchor) <= 0) delta += move.delta;
    }
    if (delta !== 0) corrections.push({ location: row.location, sku: row.sku, delta });
  }
  if (corrections.length > 0) {
    await tx.query(
      `update stock_levels s set on_hand_delta = s.on_hand_delta - c.delta
       from unnest($1::text[], $2::text[], $3::int8[]) as c(location, sku, delta)
       where s.location = c.location and s.sku = c.sku`,
      [corrections.map((c) => c.location), corrections.map((c) => c.sku), corrections.map((c) => c.delta)],
    );
  }

  if (counts.size > 0) {
    const c = [...counts.values()];
    // A count newer than the current one becomes the anchor; on-hand after it is
    // re-summed from the log, so movements that arrived before the count but happened
    // after it are kept, and those that happened before it are dropped.
    await tx.query(
      `with c as (
         select * from unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::int8[])
           as c(location, sku, at, event_id, qty)
       )
       insert into stock_levels as s (location, sku, count_at, count_event_id, count_qty, on_hand_delta)
       select c.location, c.sku, c.at, c.event_id, c.qty,
         coalesce((select sum(e.d_on_hand) from events e
                   where e.location = c.location and e.sku = c.sku and e.seq <= $6
                     and (e.occurred_at, e.event_id) > (c.at, c.event_id collate "C")), 0)::int8
       from c order by c.location, c.sku
       on conflict (location, sku) do update set
         count_at = excluded.count_at, count_event_id = excluded.count_event_id,
         count_qty = excluded.count_qty, on_hand_delta = excluded.on_hand_delta
       where s.count_at is null or (excluded.count_at, excluded.count_event_id) > (s.count_at, s.count_event_id)`,
      [
        c.map((x) => x.location),
        c.map((x) => x.sku),
        c.map((x) => x.at),
        c.map((x) => x.id),
        c.map((x) => x.qty),
        maxSeq,
      ],
    );
  }

  if (snapshots.size > 0) {
    const s = [...snapshots.values()];
    await tx.query(
      `insert into source_snapshots as t (location, sku, source, on_hand, reported_at, event_id)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::timestamptz[], $6::text[])
       order by 1, 2, 3
       on conflict (location, sku, source) do update set on_hand = excluded.on_hand,
         reported_at = excluded.reported_at, event_id = excluded.event_id
       where (excluded.reported_at, excluded.event_id) > (t.reported_at, t.event_id)`,
      [
        s.map((x) => x.location),
        s.map((x) => x.sku),
        s.map((x) => x.source),
        s.map((x) => x.qty),
        s.map((x) => x.at),
        s.map((x) => x.id),
      ],
    );
  }

  if (listings.size > 0) {
    const l = [...listings.values()];
    await tx.query(
      `insert into listings as t (location, sku, channel, status, changed_at, event_id)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[])
       order by 1, 2, 3
       on conflict (location, sku, channel) do update set status = excluded.status,
         changed_at = excluded.changed_at, event_id = excluded.event_id
       where (excluded.changed_at, excluded.event_id) > (t.changed_at, t.event_id)`,
      [
        l.map((x) => x.location),
        l.map((x) => x.sku),
        l.map((x) => x.channel),
        l.map((x) => x.status),
        l.map((x) => x.at),
        l.map((x) => x.id),
      ],
    );
  }
}

interface LevelRow {
  location: string;
  sku: string;
  count_at: string | null;
  count_event_id: string | null;
  count_qty: number | null;
  on_hand_delta: number;
  reserved: number;
  picked: number;
  in_transit_in: number;
  in_transit_out: number;
  on_order: number;
  returns_pending: number;
  damaged: number;
  event_count: number;
  last_event_at: string | null;
}

const LEVEL_COLUMNS = `s.location, s.sku, ${utcText('s.count_at')} as count_at, s.count_event_id, s.count_qty,
  s.on_hand_delta, s.reserved, s.picked, s.in_transit_in, s.in_transit_out, s.on_order, s.returns_pending,
  s.damaged, s.event_count, ${utcText('s.last_event_at')} as last_event_at`;

/** Reads the projected states of the given keys (absent keys are left out). */
export async function readStates(
  db: Queryable,
  keys: { location: string; sku: string }[],
): Promise<Map<string, StockState>> {
  const states = new Map<string, StockState>();
  if (keys.length === 0) return states;
  const locations = keys.map((k) => k.location);
  const skus = keys.map((k) => k.sku);
  const { rows } = await db.query<LevelRow>(
    `select ${LEVEL_COLUMNS} from stock_levels s
     join unnest($1::text[], $2::text[]) as k(location, sku) on k.location = s.location and k.sku = s.sku`,
    [locations, skus],
  );
  for (const row of rows) {
    const state = emptyState();
    state.count =
      row.count_at && row.count_event_id !== null && row.count_qty !== null
        ? { at: row.count_at, event_id: row.count_event_id, qty: row.count_qty }
        : null;
    state.on_hand_delta = row.on_hand_delta;
    state.buckets = {
      reserved: row.reserved,
      picked: row.picked,
      in_transit_in: row.in_transit_in,
      in_transit_out: row.in_transit_out,
      on_order: row.on_order,
      returns_pending: row.returns_pending,
      damaged: row.damaged,
    };
    state.event_count = row.event_count;
    state.last_event_at = row.last_event_at;
    states.set(stateKey(row.location, row.sku), state);
  }
  const snapshotRows = await db.query<{
    location: string;
    sku: string;
    source: string;
    on_hand: number;
    reported_at: string;
    event_id: string;
  }>(
    `select t.location, t.sku, t.source, t.on_hand, ${utcText('t.reported_at')} as reported_at, t.event_id
     from source_snapshots t join unnest($1::text[], $2::text[]) as k(location, sku) on k.location = t.location and k.sku = t.sku`,
    [locations, skus],
  );
  for (const row of snapshotRows.rows) {
    const state = states.get(stateKey(row.location, row.sku));
    if (state)
      state.snapshots[row.source] = {
        on_hand: row.on_hand,
        reported_at: row.reported_at,
        event_id: row.event_id,
      };
  }
  const listingRows = await db.query<{
    location: string;
    sku: string;
    channel: string;
    status: 'active' | 'paused';
    changed_at: string;
    event_id: string;
  }>(
    `select t.location, t.sku, t.channel, t.status, ${utcText('t.changed_at')} as changed_at, t.event_id
     from listings t join unnest($1::text[], $2::text[]) as k(location, sku) on k.location = t.location and k.sku = t.sku`,
    [locations, skus],
  );
  for (const row of listingRows.rows) {
    const state = states.get(stateKey(row.location, row.sku));
    if (state)
      state.listings[row.channel] = {
        status: row.status,
        changed_at: row.changed_at,
        event_id: row.event_id,
      };
  }
  return states;
}

/** The map key of one SKU x location. */
export function stateKey(location: string, sku: string): string {
  return `${location}\u0000${sku}`;
}
