import { type Detector, iso, leadDays, margin } from '../detector.ts';
import { WorldState } from '../state.ts';
import { glitchKey } from './data-glitch.detector.ts';

const MOVES = new Set([
  'sale',
  'shipment',
  'transfer_shipped',
  'adjustment',
  'return_disposition',
  'cycle_count',
  'receipt',
  'transfer_received',
  'return',
]);

/**
 * Negative on-hand: the record went below zero. Nothing physical is negative, so either
 * a movement was posted out of order (the receipt after the sales it made possible), an
 * event is missing, or a quantity is wrong; a negative already explained by a data glitch
 * belongs to that exception and is not raised twice.
 */
export function createNegativeOnHandDetector(): Detector {
  const trail = new Map<string, { event_id: string; type: string; occurred_at: string; qty: number }[]>();
  return {
    name: 'negative-on-hand',
    types: ['negative_on_hand'],
    onEvent(ctx, o, cell) {
      const e = o.event;
      if (!MOVES.has(e.type)) return;
      const key = `negative_on_hand:${cell.loc.location}:${cell.sku.sku}`;
      const open = ctx.open(key);
      if (cell.onHand >= 0) {
        if (open) {
          const late =
            e.type === 'receipt' || e.type === 'transfer_received'
              ? ' (a receipt posted after the sales it made possible: a sequencing delay)'
              : '';
          ctx.close(key, `${e.type} ${e.event_id} brought the record back to ${cell.onHand}${late}`);
          trail.delete(key);
        }
        return;
      }
      if (ctx.open(glitchKey(cell))) return;
      const events = trail.get(key) ?? [];
      events.push({ event_id: e.event_id, type: e.type, occurred_at: iso(o.at), qty: o.qtyBase ?? 0 });
      trail.set(key, events.slice(-25));
      const inbound = cell.inTransitIn > 0;
      const s = ctx.cellSettings(cell);
      ctx.raise({
        key,
        type: 'negative_on_hand',
        sku: cell.sku.sku,
        location: cell.loc.location,
        channel: null,
        group: `location:${cell.loc.location}`,
        root_cause: inbound ? 'timing_delay' : 'data_synchronisation',
        reasoning: inbound
          ? `${cell.inTransitIn} units are on their way to this location; if they arrived but their receipt is not yet posted, the sales of those units ran ahead of it.`
          : 'No inbound stock explains it: a receipt, transfer or count is missing, or a quantity is wrong.',
        confidence: 0.97,
        evidence: {
          events,
          figures: {
            on_hand: cell.onHand,
            sellable: WorldState.sellable(cell),
            in_transit_in: cell.inTransitIn,
            last_count_qty: cell.countQty,
            last_count_event_id: cell.countEventId,
          },
          thresholds: { minimum_on_hand: 0 },
        },
        explanation: `The record of ${cell.sku.sku} at ${cell.loc.location} is ${cell.onHand} after ${e.type} ${e.event_id} (${iso(o.at)}). ${inbound ? `${cell.inTransitIn} units are in transit here: check whether they arrived unposted.` : 'Check for a missing receipt or a wrong quantity, then count.'}`,
        actions: inbound
          ? [
              {
                kind: 'retry_sync',
                detail: `Post the pending receipt for ${cell.sku.sku} at ${cell.loc.location}`,
                sku: cell.sku.sku,
                location: cell.loc.location,
              },
              {
                kind: 'count_task',
                detail: `Count ${cell.sku.sku} at ${cell.loc.location} if no receipt turns up today`,
                sku: cell.sku.sku,
                location: cell.loc.location,
              },
            ]
          : [
              {
                kind: 'count_task',
                detail: `Count ${cell.sku.sku} at ${cell.loc.location}`,
                sku: cell.sku.sku,
                location: cell.loc.location,
              },
            ],
        impact: {
          units_at_risk: -cell.onHand,
          lost_units_per_day: 0,
          horizon_days: leadDays(cell, s),
          unit_margin: margin(cell),
        },
        urgency: 0.5,
      });
    },
  };
}
