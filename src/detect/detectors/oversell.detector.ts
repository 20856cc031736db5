import { type DetectContext, type Detector, fixed, iso, margin } from '../detector.ts';
import type { EvidenceEvent, ExceptionType } from '../exception.ts';
import { type Cell, DAY, HOUR, WorldState } from '../state.ts';
import { glitchKey } from './data-glitch.detector.ts';

const TOUCHING = new Set([
  'reservation',
  'reservation_released',
  'pick',
  'short_pick',
  'shipment',
  'sale',
  'cycle_count',
  'receipt',
  'transfer_received',
  'adjustment',
  'listing_status',
]);

export const oversellKey = (cell: Cell) => `oversell:${cell.loc.location}:${cell.sku.sku}`;

/**
 * Oversell risk across channels, one problem per SKU x location whichever signal shows it:
 *  - `listing_below_threshold`: a marketplace listing keeps selling while the location can
 *    promise no more than the safety threshold: an active listing for longer than the
 *    grace period, or (where no listing status is reported) marketplace orders accepted
 *    with nothing left to promise;
 *  - `atp_overcommitted`: reservations from other channels exceed sellable stock.
 * Short picks of the SKU there are evidence of the same problem, not another exception.
 */
export function createOversellDetector(): Detector {
  /** Since when a record's ATP has been at or below the threshold (by cell key). */
  const lowSince = new Map<string, number>();
  /** Marketplace orders accepted with nothing to promise, and short picks (by cell key). */
  const trail = new Map<string, EvidenceEvent[]>();

  function raise(ctx: DetectContext, cell: Cell, type: ExceptionType) {
    // A record wrecked by an implausible quantity is one problem, already open with its
    // availability hold: what it promises is not another exception.
    if (ctx.open(glitchKey(cell))) return;
    const s = ctx.cellSettings(cell);
    const atp = WorldState.atp(cell);
    const events = trail.get(cell.key) ?? [];
    const shortPicks = events.filter((e) => e.type === 'short_pick').length;
    const emptyOrders = events.filter((e) => e.type === 'reservation').length;
    const since = lowSince.get(cell.key);
    const hours = since === undefined ? 0 : (ctx.now - since) / HOUR;
    const marketplace = type === 'listing_below_threshold';
    const orders = Math.max(1, shortPicks, emptyOrders);
    ctx.raise({
      key: oversellKey(cell),
      type,
      sku: cell.sku.sku,
      location: cell.loc.location,
      channel: marketplace ? 'marketplace' : null,
      group: `location:${cell.loc.location}`,
      root_cause: marketplace ? 'data_synchronisation' : 'business_rule_violation',
      reasoning: marketplace
        ? `The marketplace kept taking orders for ${cell.sku.sku} here while the location could promise ${atp} (threshold ${s.listing_safety_units}) for ${fixed(hours, 0)} hours: its stock feed is not following the shelf.`
        : `Reservations (${cell.reserved}) exceed sellable stock (${WorldState.sellable(cell)}): orders were promised units another channel already took.`,
      confidence: shortPicks > 0 ? 0.97 : marketplace ? 0.85 : 0.9,
      evidence: {
        events,
        figures: {
          atp,
          sellable: WorldState.sellable(cell),
          reserved: cell.reserved,
          picked: cell.picked,
          orders_with_nothing_to_promise: emptyOrders,
          short_picks: shortPicks,
          hours_at_or_below_threshold: fixed(hours, 1),
          listing: cell.listings.get('marketplace') ?? 'not reported',
        },
        thresholds: {
          listing_safety_units: s.listing_safety_units,
          listing_grace_hours: s.listing_grace_hours,
          minimum_atp: 0,
        },
      },
      explanation: marketplace
        ? `Marketplace orders for ${cell.sku.sku} at ${cell.loc.location} keep coming while it can promise ${atp}${shortPicks > 0 ? `; ${shortPicks} of them could not be picked and were cancelled` : ''}. Pause the listing until stock arrives, and fix the stock feed.`
        : `${cell.sku.sku} at ${cell.loc.location} is promised ${-atp} units beyond its sellable stock. Hold availability, then cover or reassign the excess orders.`,
      actions: marketplace
        ? [
            {
              kind: 'listing_pause',
              detail: `Pause the marketplace listing of ${cell.sku.sku} at ${cell.loc.location}`,
              sku: cell.sku.sku,
              location: cell.loc.location,
            },
            {
              kind: 'retry_sync',
              detail: "Re-send the location's stock feed to the marketplace",
              location: cell.loc.location,
            },
          ]
        : [
            {
              kind: 'availability_hold',
              detail: `Stop promising ${cell.sku.sku} at ${cell.loc.location} until reservations are covered`,
              sku: cell.sku.sku,
              location: cell.loc.location,
            },
            {
              kind: 'transfer',
              detail: `Cover ${Math.max(1, -atp)} units from another node or reassign the orders`,
              sku: cell.sku.sku,
              location: cell.loc.location,
              qty: Math.max(1, -atp),
            },
          ],
      impact: {
        units_at_risk: Math.max(1, -atp, orders),
        lost_units_per_day: orders / Math.max(1, hours / 24),
        horizon_days: 1,
        unit_margin: margin(cell),
        // A cancelled order costs its margin and a marketplace penalty (about a tenth of the price).
        cancellation_cost: shortPicks * cell.sku.unitPrice * 0.1,
      },
      urgency: 0.9,
    });
  }

  return {
    name: 'oversell',
    types: ['atp_overcommitted', 'listing_below_threshold'],
    onEvent(ctx, o, cell) {
      const e = o.event;
      if (!TOUCHING.has(e.type)) return;
      const s = ctx.cellSettings(cell);
      const atp = WorldState.atp(cell);
      if (e.type === 'reservation' && e.channel === 'marketplace' && atp + (o.qtyBase ?? 0) <= 0) {
        addTrail(trail, cell.key, {
          event_id: e.event_id,
          type: e.type,
          occurred_at: iso(o.at),
          qty: o.qtyBase ?? 0,
          note: 'accepted with nothing to promise',
        });
      }
      if (e.type === 'short_pick') {
        addTrail(trail, cell.key, {
          event_id: e.event_id,
          type: e.type,
          occurred_at: iso(o.at),
          qty: o.qtyBase ?? 0,
          note: e.channel ? `channel ${e.channel}` : undefined,
        });
      }
      if (atp <= s.listing_safety_units) {
        if (!lowSince.has(cell.key)) lowSince.set(cell.key, o.at);
      } else {
        lowSince.delete(cell.key);
      }
      const open = ctx.open(oversellKey(cell));
      if (open) {
        if (e.type === 'short_pick' || e.type === 'reservation') raise(ctx, cell, open.type);
        return;
      }
      if (atp < 0 && cell.reserved > 0 && !(e.type === 'reservation' && e.channel === 'marketplace')) {
        raise(ctx, cell, 'atp_overcommitted');
      }
    },
    sweep(ctx) {
      for (const [key, since] of lowSince) {
        const cell = ctx.state.cells.get(key);
        if (!cell) {
          lowSince.delete(key);
          continue;
        }
        if (ctx.open(oversellKey(cell))) continue;
        const s = ctx.cellSettings(cell);
        const listing = cell.listings.get('marketplace');
        const hours = (ctx.now - since) / HOUR;
        if (listing === 'active' && hours >= s.listing_grace_hours) {
          raise(ctx, cell, 'listing_below_threshold');
          continue;
        }
        // No listing status reported: the orders themselves show the listing is live.
        const events = (trail.get(key) ?? []).filter((ev) => Date.parse(ev.occurred_at) >= since);
        const empty = events.filter((ev) => ev.type === 'reservation').length;
        const short = events.filter((ev) => ev.type === 'short_pick').length;
        if (listing === undefined && (empty >= 2 || short >= 1)) raise(ctx, cell, 'listing_below_threshold');
      }
      for (const open of ctx.openWithPrefix('oversell:')) {
        const cell = open.location && open.sku ? ctx.state.cell(open.location, open.sku) : undefined;
        if (!cell) continue;
        const atp = WorldState.atp(cell);
        const s = ctx.cellSettings(cell);
        const last = trail.get(cell.key)?.at(-1);
        const quiet = !last || ctx.now - Date.parse(last.occurred_at) > DAY;
        const paused = cell.listings.get('marketplace') === 'paused';
        if (
          quiet &&
          (atp > s.listing_safety_units || paused || (atp >= 0 && open.type === 'atp_overcommitted'))
        ) {
          ctx.close(
            open.key,
            paused
              ? 'the marketplace listing was paused'
              : `available-to-promise is back to ${atp} and no order has come in short for a day`,
          );
          trail.delete(cell.key);
        }
      }
      for (const [key, list] of trail) {
        if (list.length > 0 && ctx.now - Date.parse(list.at(-1)!.occurred_at) > 7 * DAY) trail.delete(key);
      }
    },
  };
}

function addTrail(trail: Map<string, EvidenceEvent[]>, key: string, event: EvidenceEvent) {
  const list = trail.get(key) ?? [];
  list.push(event);
  if (list.length > 50) list.splice(0, list.length - 50);
  trail.set(key, list);
}
