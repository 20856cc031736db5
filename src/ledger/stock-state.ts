import { BUCKETS, type Bucket, compareKeys, effectsOf, type LedgerEvent, onHandDelta } from './movements.ts';

export interface Reported {
  on_hand: number;
  reported_at: string;
  event_id: string;
}

/**
 * The projected state of one SKU x location: exactly what the stock_levels,
 * source_snapshots and listings tables hold for it. A function of the set of events.
 */
export interface StockState {
  count: { at: string; event_id: string; qty: number } | null;
  /** Sum of on-hand movements after the latest count (all of them if never counted). */
  on_hand_delta: number;
  buckets: Record<Exclude<Bucket, 'on_hand'>, number>;
  event_count: number;
  last_event_at: string | null;
  snapshots: Record<string, Reported>;
  listings: Record<string, { status: 'active' | 'paused'; changed_at: string; event_id: string }>;
}

export function emptyState(): StockState {
  return {
    count: null,
    on_hand_delta: 0,
    buckets: {
      reserved: 0,
      picked: 0,
      in_transit_in: 0,
      in_transit_out: 0,
      on_order: 0,
      returns_pending: 0,
      damaged: 0,
    },
    event_count: 0,
    last_event_at: null,
    snapshots: {},
    listings: {},
  };
}

/**
 * The reference fold: the state of `location` from the events that touch it, in any
 * order. In `lot` scope (the events of one lot) counts naming a lot anchor; in `sku`
 * scope only counts of the whole SKU do. The database projection (projection.repository.ts) must agree with it; tests
 * hold them to that, and point-in-time queries use it directly.
 */
export function foldStock(
  location: string,
  events: Iterable<LedgerEvent>,
  scope: 'sku' | 'lot' = 'sku',
): StockState {
  const state = emptyState();
  const onHandMoves: { at: string; id: string; delta: number }[] = [];
  for (const event of events) {
    const id = event.event.event_id;
    const key = { at: event.at, id };
    for (const effect of effectsOf(event)) {
      if (effect.location !== location) continue;
      switch (effect.kind) {
        case 'delta':
          if (effect.primary) {
            state.event_count += 1;
            onHandMoves.push({ ...key, delta: effect.delta.on_hand ?? 0 });
          }
          for (const bucket of BUCKETS) {
            if (bucket !== 'on_hand') state.buckets[bucket] += effect.delta[bucket] ?? 0;
          }
          if (state.last_event_at === null || event.at > state.last_event_at) state.last_event_at = event.at;
          break;
        case 'count':
          if ((effect.lot !== undefined) !== (scope === 'lot')) break;
          if (!state.count || compareKeys(key, { at: state.count.at, id: state.count.event_id }) > 0) {
            state.count = { at: event.at, event_id: id, qty: effect.qty };
          }
          break;
        case 'snapshot': {
          const current = state.snapshots[effect.source];
          if (!current || compareKeys(key, { at: current.reported_at, id: current.event_id }) > 0) {
            state.snapshots[effect.source] = { on_hand: effect.onHand, reported_at: event.at, event_id: id };
          }
          break;
        }
        case 'listing': {
          const current = state.listings[effect.channel];
          if (!current || compareKeys(key, { at: current.changed_at, id: current.event_id }) > 0) {
            state.listings[effect.channel] = { status: effect.status, changed_at: event.at, event_id: id };
          }
          break;
        }
      }
    }
  }
  const anchor = state.count ? { at: state.count.at, id: state.count.event_id } : null;
  for (const move of onHandMoves) {
    if (!anchor || compareKeys(move, anchor) > 0) state.on_hand_delta += move.delta;
  }
  return state;
}

export { onHandDelta };
