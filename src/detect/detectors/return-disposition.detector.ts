import { type Detector, fixed, iso } from '../detector.ts';
import { DAY } from '../state.ts';

/**
 * Return back on sale without disposition: a customer return still awaiting inspection
 * on the record long after inspections normally happen. Either it was inspected and the
 * result never posted (it may be on the shelf, unverified) or it is lost in the back room.
 */
export function createReturnDispositionDetector(): Detector {
  return {
    name: 'return-disposition',
    types: ['return_without_disposition'],
    onEvent(ctx, o) {
      const e = o.event;
      if (e.type !== 'return_disposition' || !e.ref?.return_id) return;
      const r = ctx.state.returns.get(e.ref.return_id);
      const key = `return_without_disposition:${e.ref.return_id}`;
      if (r && r.settled >= r.qty && ctx.open(key))
        ctx.close(key, `disposition ${e.disposition} recorded by ${e.event_id}`);
    },
    sweep(ctx) {
      for (const r of ctx.state.returns.values()) {
        if (r.settled >= r.qty) continue;
        const sku = ctx.state.master.skus.get(r.sku);
        const s = ctx.settingsAt(r.sku, r.location);
        const age = (ctx.now - r.at) / DAY;
        if (age < s.return_inspection_days) continue;
        const units = r.qty - r.settled;
        ctx.raise({
          key: `return_without_disposition:${r.id}`,
          type: 'return_without_disposition',
          sku: r.sku,
          location: r.location,
          channel: null,
          group: `location:${r.location}`,
          root_cause: 'business_rule_violation',
          reasoning: `Return ${r.id} has waited ${fixed(age, 1)} days for an inspection result (usual: under ${s.return_inspection_days}); the unit is likely back on the shelf without one, or lost.`,
          confidence: Math.min(0.95, 0.6 + 0.08 * (age - s.return_inspection_days)),
          evidence: {
            events: [
              {
                event_id: r.eventId,
                type: 'return',
                occurred_at: iso(r.at),
                qty: r.qty,
                note: 'disposition pending',
              },
            ],
            figures: { return_id: r.id, units_pending: units, days_pending: fixed(age, 1) },
            thresholds: { return_inspection_days: s.return_inspection_days },
          },
          explanation: `${units} unit(s) of ${r.sku} returned at ${r.location} on ${iso(r.at)} still have no inspection result after ${fixed(age, 0)} days. Find the unit: if it is on the shelf, inspect it and post the disposition; a regulated or damaged item must not be sold uninspected.`,
          actions: [
            {
              kind: 'inspect_returns',
              detail: `Find and inspect return ${r.id} (${r.sku}) at ${r.location}, then post its disposition`,
              sku: r.sku,
              location: r.location,
              qty: units,
            },
          ],
          impact: {
            units_at_risk: units,
            lost_units_per_day: 0,
            horizon_days: 1,
            unit_margin: sku ? sku.unitPrice * 0.2 : 0,
          },
          urgency: 0.3,
        });
      }
    },
  };
}
