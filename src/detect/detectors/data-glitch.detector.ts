import { type Detector, fixed, iso, margin } from '../detector.ts';
import type { Cell } from '../state.ts';

const WATCHED = new Set(['sale', 'return', 'adjustment', 'reservation', 'pick', 'shipment', 'short_pick']);

export const glitchKey = (cell: Cell) => `data_glitch:${cell.loc.location}:${cell.sku.sku}`;

/**
 * Data glitch: a quantity no till, picker or clerk plausibly entered (a sale of 4,000
 * coats), measured against the largest this record usually sees. The record it corrupted
 * stays suspect until a count resets it.
 */
export function createDataGlitchDetector(): Detector {
  return {
    name: 'data-glitch',
    types: ['data_glitch'],
    onEvent(ctx, o, cell) {
      const e = o.event;
      const key = glitchKey(cell);
      if (e.type === 'cycle_count' && ctx.open(key)) {
        ctx.close(key, `count ${e.event_id} at ${e.occurred_at} reset the record to ${o.qtyBase} units`);
        return;
      }
      if (!WATCHED.has(e.type)) return;
      const q = Math.abs(o.qtyBase ?? 0);
      const s = ctx.cellSettings(cell);
      const usual = cell.maxQty.get(e.type) ?? 0;
      const limit = Math.max(s.glitch_min_qty, usual * s.glitch_factor);
      if (q <= limit) {
        if (q > usual) cell.maxQty.set(e.type, q);
        return;
      }
      // The quantity is not demand: keep it out of the histories forecasts and tests read.
      if (e.type === 'sale') ctx.state.retractSale(cell, o.at, q);
      const plausible = Math.max(1, usual);
      const factor = q / plausible;
      ctx.raise({
        key,
        type: 'data_glitch',
        sku: cell.sku.sku,
        location: cell.loc.location,
        channel: e.channel ?? null,
        group: `location:${cell.loc.location}`,
        root_cause: 'data_synchronisation',
        reasoning: `A ${e.type} of ${q} units is ${fixed(factor, 0)} times the largest usual ${e.type} here (${usual}); no real ${e.type} is that size, so the source system sent a wrong quantity (a unit or scanning error).`,
        confidence: factor >= 500 ? 0.98 : factor >= 100 ? 0.93 : 0.8,
        evidence: {
          events: [
            {
              event_id: e.event_id,
              type: e.type,
              occurred_at: iso(o.at),
              qty: q,
              note: `source ${e.source}`,
            },
          ],
          figures: {
            qty: q,
            largest_usual_qty: usual,
            factor: fixed(factor, 1),
            record_on_hand_after: cell.onHand,
          },
          thresholds: { glitch_min_qty: s.glitch_min_qty, glitch_factor: s.glitch_factor },
        },
        explanation: `${e.source.toUpperCase()} reported a ${e.type} of ${q} units of ${cell.sku.sku} at ${cell.loc.location} on ${iso(o.at)}, ${fixed(factor, 0)}x the largest usual ${e.type} (${usual}). The record now shows ${cell.onHand} on hand, which cannot be right. Correct the event at its source and count the shelf to reset the record.`,
        actions: [
          {
            kind: 'retry_sync',
            detail: `Ask ${e.source} to correct or re-send event ${e.event_id} with the right quantity`,
            sku: cell.sku.sku,
            location: cell.loc.location,
          },
          {
            kind: 'count_task',
            detail: `Count ${cell.sku.sku} at ${cell.loc.location} to reset the record`,
            sku: cell.sku.sku,
            location: cell.loc.location,
          },
          {
            kind: 'availability_hold',
            detail: 'Hold online availability of this record until the count',
            sku: cell.sku.sku,
            location: cell.loc.location,
          },
        ],
        // The record is unusable for planning: its sales look like a stock-out, so replenishment and ATP are off until fixed.
        impact: {
          units_at_risk: q,
          lost_units_per_day: 0,
          horizon_days: 1,
          unit_margin: margin(cell),
          expedite_cost: 0,
        },
        urgency: 0.8,
      });
    },
  };
}
