import { assertUnreachable } from '../core/errors.ts';
import type { InventoryEvent } from '../ingest/event.schema.ts';

/**
 * An event after validation and unit conversion: what the ledger consumes.
 * `at` is occurred_at in UTC with microseconds (`2026-03-01T09:30:00.000000Z`), so that
 * ordering by (at, event_id) as strings matches PostgreSQL's (timestamptz, text collate "C").
 */
export interface LedgerEvent {
  event: InventoryEvent;
  at: string;
  /** The event's quantity in the SKU's base unit (counted_qty / on_hand for counts and snapshots). */
  qtyBase: number | null;
}

export const BUCKETS = [
  'on_hand',
  'reserved',
  'picked',
  'in_transit_in',
  'in_transit_out',
  'on_order',
  'returns_pending',
  'damaged',
] as const;
export type Bucket = (typeof BUCKETS)[number];
export type Delta = Partial<Record<Bucket, number>>;

/** What one event does to the stock picture of one SKU x location. */
export type Effect =
  /** Movements add to buckets. `primary` is false on the other end of a transfer. */
  | { kind: 'delta'; location: string; delta: Delta; primary: boolean }
  /** A count that names a lot counts that lot only: it anchors the lot's balance, not the SKU's. */
  | { kind: 'count'; location: string; qty: number; lot?: string | undefined }
  | { kind: 'snapshot'; location: string; source: string; onHand: number }
  | { kind: 'listing'; location: string; channel: string; status: 'active' | 'paused' };

/**
 * The ledger rules, one place. Every quantity effect is an addition, so the result is
 * the same whatever order the events arrive in; only counts (latest wins, later movements
 * add to it) and reports (latest wins) depend on (occurred_at, event_id) order.
 * Buckets may go negative: a negative is a fact for the exception engine, not an error.
 */
export function effectsOf({ event: e, qtyBase }: LedgerEvent): Effect[] {
  const q = qtyBase ?? 0;
  const here = (delta: Delta): Effect => ({ kind: 'delta', location: e.location, delta, primary: true });
  switch (e.type) {
    case 'sale':
      return [here({ on_hand: -q })];
    case 'return':
      return [
        here(
          e.disposition === 'pending'
            ? { on_hand: q, returns_pending: q }
            : e.disposition === 'damaged'
              ? { on_hand: q, damaged: q }
              : { on_hand: q },
        ),
      ];
    case 'return_disposition': {
      const from: Bucket = e.from === 'damaged' ? 'damaged' : 'returns_pending';
      const delta: Delta = { [from]: -q };
      if (e.disposition === 'damaged') delta.damaged = (delta.damaged ?? 0) + q;
      if (e.disposition === 'disposed') delta.on_hand = -q;
      return [here(delta)];
    }
    case 'purchase_order':
      return [here({ on_order: q })];
    case 'asn':
      return [here(e.ref?.po_id ? { in_transit_in: q, on_order: -q } : { in_transit_in: q })];
    case 'receipt':
      return [
        here(
          e.ref?.asn_id
            ? { on_hand: q, in_transit_in: -q }
            : e.ref?.po_id
              ? { on_hand: q, on_order: -q }
              : { on_hand: q },
        ),
      ];
    case 'transfer_shipped':
      return [
        here({ on_hand: -q, in_transit_out: q }),
        { kind: 'delta', location: e.to_location, delta: { in_transit_in: q }, primary: false },
      ];
    case 'transfer_received':
      return [
        here({ on_hand: q, in_transit_in: -q }),
        { kind: 'delta', location: e.from_location, delta: { in_transit_out: -q }, primary: false },
      ];
    case 'reservation':
      return [here({ reserved: q })];
    case 'reservation_released':
      return [here({ reserved: -q })];
    case 'pick':
      return [here({ reserved: -q, picked: q })];
    case 'short_pick':
      return [here({ reserved: -q })];
    case 'shipment':
      return [here({ picked: -q, on_hand: -q })];
    case 'adjustment':
      return [here({ on_hand: e.reason === 'shrink' || e.reason === 'damage' ? -q : q })];
    case 'cycle_count':
      return [here({}), { kind: 'count', location: e.location, qty: q, lot: e.lot }];
    case 'stock_snapshot':
      return [here({}), { kind: 'snapshot', location: e.location, source: e.source, onHand: q }];
    case 'listing_status':
      return [here({}), { kind: 'listing', location: e.location, channel: e.channel, status: e.status }];
    case 'promotion':
      return [here({})];
    default:
      return assertUnreachable(e, 'event type');
  }
}

/** The on-hand change an event makes at its own location (on-hand never changes elsewhere). */
export function onHandDelta(event: LedgerEvent): number {
  let total = 0;
  for (const effect of effectsOf(event)) {
    if (effect.kind === 'delta' && effect.primary) total += effect.delta.on_hand ?? 0;
  }
  return total;
}

/** The other location an event touches, if any. */
export function counterpartOf(event: InventoryEvent): string | null {
  if (event.type === 'transfer_shipped') return event.to_location;
  if (event.type === 'transfer_received') return event.from_location;
  return null;
}

/** `kind:value` strings of an event's correlation ids, for lineage. */
export function refsOf(event: InventoryEvent): string[] {
  if (!event.ref) return [];
  return Object.entries(event.ref)
    .filter(([, value]) => value !== undefined)
    .map(([kind, value]) => `${kind}:${value}`);
}

/** Total order of events: occurred_at, then event_id. */
export function compareKeys(a: { at: string; id: string }, b: { at: string; id: string }): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
