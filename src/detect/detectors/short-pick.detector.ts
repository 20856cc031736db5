import { type Detector, iso } from '../detector.ts';
import { DAY } from '../state.ts';
import { oversellKey } from './oversell.detector.ts';
import { phantomKey } from './phantom-inventory.detector.ts';

/**
 * Short-pick pattern at a location: pickers keep failing to find units the record says
 * are there, across several SKUs (a location-accuracy or slotting problem, not one empty
 * shelf). Short picks of a SKU already explained by an oversell or a phantom-inventory
 * exception stay with it.
 */
export function createShortPickDetector(): Detector {
  return {
    name: 'short-pick',
    types: ['short_pick_pattern'],
    onEvent(ctx, o, cell) {
      const e = o.event;
      if (e.type !== 'short_pick') return;
      const loc = ctx.state.location(cell.loc.location);
      if (!loc) return;
      const s = ctx.cellSettings(cell);
      loc.shortPicks.push({ event_id: e.event_id, sku: cell.sku.sku, at: o.at, qty: o.qtyBase ?? 0 });
      const window = s.short_pick_window_days * DAY;
      loc.shortPicks = loc.shortPicks.filter((p) => p.at > o.at - window);
      const unexplained = loc.shortPicks.filter((p) => {
        const c = ctx.state.cell(cell.loc.location, p.sku);
        return !c || (!ctx.open(oversellKey(c)) && !ctx.open(phantomKey(c)));
      });
      const skus = new Set(unexplained.map((p) => p.sku));
      if (unexplained.length < s.short_pick_min || skus.size < 2) return;
      const units = unexplained.reduce((sum, p) => sum + p.qty, 0);
      ctx.raise({
        key: `short_pick_pattern:${cell.loc.location}`,
        type: 'short_pick_pattern',
        sku: skus.size === 1 ? cell.sku.sku : null,
        location: cell.loc.location,
        channel: null,
        group: `location:${cell.loc.location}`,
        root_cause: 'physical_discrepancy',
        reasoning: `${unexplained.length} short picks of ${skus.size} SKUs in ${s.short_pick_window_days} days: the records say the units are there, the pickers cannot find them (mislocated stock or unrecorded loss).`,
        confidence: Math.min(0.97, 0.6 + 0.08 * unexplained.length),
        evidence: {
          events: unexplained.map((p) => ({
            event_id: p.event_id,
            type: 'short_pick',
            occurred_at: iso(p.at),
            qty: p.qty,
            note: p.sku,
          })),
          figures: { short_picks: unexplained.length, skus: skus.size, units },
          thresholds: { short_pick_min: s.short_pick_min, short_pick_window_days: s.short_pick_window_days },
        },
        explanation: `Pickers at ${cell.loc.location} came up short ${unexplained.length} times on ${skus.size} SKUs (${[...skus].slice(0, 5).join(', ')}) in the last ${s.short_pick_window_days} days. Count those locations and check slotting.`,
        actions: [...skus].slice(0, 10).map((sku) => ({
          kind: 'count_task' as const,
          detail: `Count ${sku} at ${cell.loc.location}`,
          sku,
          location: cell.loc.location,
        })),
        impact: {
          units_at_risk: units,
          lost_units_per_day: units / s.short_pick_window_days,
          horizon_days: s.store_lead_days,
          unit_margin: Math.max(0, cell.sku.unitPrice - cell.sku.unitCost),
        },
        urgency: 0.7,
      });
    },
    sweep(ctx) {
      for (const open of ctx.openWithPrefix('short_pick_pattern:')) {
        const loc = open.location ? ctx.state.location(open.location) : undefined;
        const last = loc?.shortPicks.at(-1);
        const s = ctx.settings(null, loc?.info.region ?? null);
        if (!last || ctx.now - last.at > s.short_pick_window_days * DAY) {
          ctx.close(open.key, `no short pick for ${s.short_pick_window_days} days`);
        }
      }
    },
  };
}
