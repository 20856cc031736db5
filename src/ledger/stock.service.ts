import type { Config } from '../core/config.ts';
import { InvexError } from '../core/errors.ts';
import { type Database, type Queryable, utcText } from '../db/index.ts';
import type { InventoryEvent } from '../ingest/event.schema.ts';
import { effectsOf, type LedgerEvent } from './movements.ts';
import { applyToProjection, readStates, stateKey } from './projection.repository.ts';
import { type StockPicture, toPicture } from './stock-picture.ts';
import { emptyState, foldStock } from './stock-state.ts';

interface KeyInfo {
  sku: string;
  location: string;
  channels: string[];
  regulated: boolean;
}

async function keyInfo(db: Queryable, sku: string, location: string): Promise<KeyInfo> {
  const { rows } = await db.query<{ regulated: boolean | null; channels: string[] | null }>(
    `select (select regulated from skus where sku = $1) as regulated,
       (select channels from locations where location = $2) as channels`,
    [sku, location],
  );
  const row = rows[0];
  if (row?.regulated == null)
    throw new InvexError('not_found', 'sku_not_found', `sku ${sku} is not in master data`, { sku });
  if (!row.channels) {
    throw new InvexError('not_found', 'location_not_found', `location ${location} is not in master data`, {
      location,
    });
  }
  return { sku, location, channels: row.channels, regulated: row.regulated };
}

/**
 * On-hand per lot of a regulated SKU: the ledger fold of each lot's own movements (a
 * count that names a lot anchors that lot). Computed from the log, so it holds at any time.
 */
export function lotBalances(location: string, events: LedgerEvent[]): Record<string, number> {
  const byLot = new Map<string, LedgerEvent[]>();
  for (const event of events) {
    const lot = event.event.lot;
    if (lot === undefined) continue;
    const list = byLot.get(lot) ?? [];
    list.push(event);
    byLot.set(lot, list);
  }
  const lots: Record<string, number> = {};
  for (const [lot, list] of [...byLot].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const state = foldStock(location, list, 'lot');
    lots[lot] = (state.count?.qty ?? 0) + state.on_hand_delta;
  }
  return lots;
}

/** The current picture of one SKU x location (all zeros when nothing has happened there yet). */
export async function getStock(
  db: Queryable,
  config: Pick<Config, 'atpBuffers'>,
  sku: string,
  location: string,
): Promise<StockPicture> {
  const info = await keyInfo(db, sku, location);
  const states = await readStates(db, [{ location, sku }]);
  const state = states.get(stateKey(location, sku)) ?? emptyState();
  const picture = toPicture(state, { ...info, buffers: config.atpBuffers });
  if (info.regulated) picture.lots = lotBalances(location, await loadLedgerEvents(db, sku, location));
  return picture;
}

/** Events that touch a SKU at a location up to a time, from the log, as the ledger sees them. */
export async function loadLedgerEvents(
  db: Queryable,
  sku: string,
  location: string,
  at?: string,
): Promise<LedgerEvent[]> {
  const { rows } = await db.query<{ body: InventoryEvent; at: string; qty_base: number | null }>(
    `select body, ${utcText('occurred_at')} as at, qty_base from events
     where sku = $1 and (location = $2 or counterpart_location = $2) and ($3::timestamptz is null or occurred_at <= $3)
     order by occurred_at, event_id`,
    [sku, location, at ?? null],
  );
  return rows.map((row) => ({ event: row.body, at: row.at, qtyBase: row.qty_base }));
}

/** The picture as it stood at `at`: the ledger fold of the events that had occurred by then. */
export async function getStockAt(
  db: Queryable,
  config: Pick<Config, 'atpBuffers'>,
  sku: string,
  location: string,
  at: string,
): Promise<StockPicture> {
  const info = await keyInfo(db, sku, location);
  const events = await loadLedgerEvents(db, sku, location, at);
  const picture = toPicture(foldStock(location, events), { ...info, buffers: config.atpBuffers, asOf: at });
  if (info.regulated) picture.lots = lotBalances(location, events);
  return picture;
}

export interface StockFilter {
  sku?: string | undefined;
  location?: string | undefined;
  region?: string | undefined;
  category?: string | undefined;
  /** Keyset cursor: the last (location, sku) of the previous page. */
  after?: { location: string; sku: string } | undefined;
  limit: number;
}

/** A page of pictures ordered by location then SKU, for the keys that have any stock history. */
export async function listStock(
  db: Queryable,
  config: Pick<Config, 'atpBuffers'>,
  filter: StockFilter,
): Promise<{ items: StockPicture[]; next: { location: string; sku: string } | null }> {
  const { rows } = await db.query<{ location: string; sku: string; channels: string[] }>(
    `select s.location, s.sku, l.channels from stock_levels s
     join locations l on l.location = s.location
     join skus k on k.sku = s.sku
     where ($1::text is null or s.sku = $1) and ($2::text is null or s.location = $2)
       and ($3::text is null or l.region = $3) and ($4::text is null or k.category = $4)
       and ($5::text is null or (s.location collate "C", s.sku collate "C") > ($5 collate "C", $6 collate "C"))
     order by s.location collate "C", s.sku collate "C" limit $7`,
    [
      filter.sku ?? null,
      filter.location ?? null,
      filter.region ?? null,
      filter.category ?? null,
      filter.after?.location ?? null,
      filter.after?.sku ?? null,
      filter.limit + 1,
    ],
  );
  const page = rows.slice(0, filter.limit);
  const states = await readStates(db, page);
  const items = page.map((row) =>
    toPicture(states.get(stateKey(row.location, row.sku)) ?? emptyState(), {
      ...row,
      buffers: config.atpBuffers,
    }),
  );
  const last = page.at(-1);
  return {
    items,
    next: rows.length > filter.limit && last ? { location: last.location, sku: last.sku } : null,
  };
}

export interface LineageEntry {
  seq: number;
  event_id: string;
  type: string;
  occurred_at: string;
  ingested_at: string;
  location: string;
  sku: string;
  event: InventoryEvent;
  /** The state changes the event made, per location it touched. */
  changes: { location: string; sku: string; change: Record<string, unknown> }[];
}

const REF_PATTERN = /^(order_id|po_id|asn_id|transfer_id|return_id|count_id|promotion_id):(.{1,128})$/;

/** Events tied to a correlation id (`po_id:PO-123`) and what they changed, in time order, a page at a time. */
export async function lineage(
  db: Queryable,
  ref: string,
  limit: number,
  after?: { at: string; event_id: string },
): Promise<LineageEntry[]> {
  if (!REF_PATTERN.test(ref)) {
    throw new InvexError(
      'invalid_input',
      'lineage_ref_invalid',
      `ref must look like po_id:PO-123 (kinds: order_id, po_id, asn_id, transfer_id, return_id, count_id, promotion_id); got ${JSON.stringify(ref)}`,
    );
  }
  const { rows } = await db.query<{
    seq: number;
    body: InventoryEvent;
    at: string;
    ingested_at: string;
    qty_base: number | null;
  }>(
    `select seq, body, ${utcText('occurred_at')} as at, ${utcText('ingested_at')} as ingested_at, qty_base
     from events where refs @> array[$1]::text[]
       and ($3::timestamptz is null or (occurred_at, event_id) > ($3, $4 collate "C"))
     order by occurred_at, event_id limit $2`,
    [ref, limit, after?.at ?? null, after?.event_id ?? null],
  );
  return rows.map((row) => {
    const ledgerEvent: LedgerEvent = { event: row.body, at: row.at, qtyBase: row.qty_base };
    const changes = effectsOf(ledgerEvent).map((effect) => {
      const { kind, location, ...rest } = effect;
      const change: Record<string, unknown> =
        kind === 'delta' ? { ...(rest as { delta: object }).delta } : { [kind]: rest };
      return { location, sku: row.body.sku, change };
    });
    return {
      seq: row.seq,
      event_id: row.body.event_id,
      type: row.body.type,
      occurred_at: row.at,
      ingested_at: row.ingested_at,
      location: row.body.location,
      sku: row.body.sku,
      event: row.body,
      changes: changes.filter((c) => Object.keys(c.change).length > 0),
    };
  });
}

/**
 * Drops the projection and applies the whole log again, in batches, through the same
 * code as live ingestion. Holds the ingest lock throughout, so no event slips between.
 */
export async function rebuildProjection(
  db: Database,
  onProgress?: (done: number) => void,
  batchSize = 10_000,
): Promise<{ events: number }> {
  return db.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(hashtext('invex:ingest'))`);
    await tx.query('truncate stock_levels, source_snapshots, listings');
    const { rows: top } = await tx.query<{ max: number | null }>('select max(seq) as max from events');
    const last = top[0]?.max ?? 0;
    let done = 0;
    // Seq ranges, not "the next N rows": each range is one cheap BRIN lookup.
    for (let from = 0; from < last; from += batchSize) {
      const to = Math.min(from + batchSize, last);
      const { rows } = await tx.query<{
        seq: number;
        body: InventoryEvent;
        at: string;
        qty_base: number | null;
      }>(
        `select seq, body, ${utcText('occurred_at')} as at, qty_base from events
         where seq > $1 and seq <= $2 order by seq`,
        [from, to],
      );
      if (rows.length === 0) continue;
      await applyToProjection(
        tx,
        rows.map((r) => ({ event: r.body, at: r.at, qtyBase: r.qty_base })),
        to,
      );
      done += rows.length;
      onProgress?.(done);
    }
    return { events: done };
  });
}
