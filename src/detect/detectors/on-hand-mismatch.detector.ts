import { type Detector, iso, margin } from '../detector.ts';
import { type Cell, DAY, type Report } from '../state.ts';

/** On-hand in the ledger as of a time: today's balance less the movements after it. */
function ledgerAt(cell: Cell, at: number): number {
  let after = 0;
  for (const m of cell.recent) if (m.at > at) after += m.d;
  return cell.onHand - after;
}

/**
 * Store vs ERP vs WMS on-hand: each system reports its own on-hand (stock_snapshot); when
 * two systems keep disagreeing about the same SKU x location, one is out of sync. The
 * ledger, rebuilt from every movement, is the tie-breaker that says which one.
 */
export function createOnHandMismatchDetector(): Detector {
  const runs = new Map<string, number>();
  return {
    name: 'on-hand-mismatch',
    types: ['on_hand_mismatch'],
    onEvent(ctx, o, cell) {
      const e = o.event;
      if (e.type !== 'stock_snapshot') return;
      const s = ctx.cellSettings(cell);
      const reports = [...cell.reports.entries()].filter(([, r]) => Math.abs(r.at - o.at) <= 1.5 * DAY);
      if (reports.length < 2) return;
      const key = `on_hand_mismatch:${cell.loc.location}:${cell.sku.sku}`;
      let worst: { a: [string, Report]; b: [string, Report]; gap: number } | undefined;
      for (let i = 0; i < reports.length; i++) {
        for (let j = i + 1; j < reports.length; j++) {
          const gap = Math.abs(reports[i]![1].qty - reports[j]![1].qty);
          if (!worst || gap > worst.gap) worst = { a: reports[i]!, b: reports[j]!, gap };
        }
      }
      if (!worst) return;
      if (worst.gap < s.mismatch_min_units) {
        runs.delete(key);
        if (ctx.open(key))
          ctx.close(
            key,
            `${worst.a[0]} and ${worst.b[0]} agree again (${worst.a[1].qty} and ${worst.b[1].qty}) as of ${iso(o.at)}`,
          );
        return;
      }
      const run = (runs.get(key) ?? 0) + (e.source === worst.a[0] || e.source === worst.b[0] ? 1 : 0);
      runs.set(key, run);
      if (run < s.mismatch_min_reports * 2 - 1) return;
      const ledger = ledgerAt(cell, Math.max(worst.a[1].at, worst.b[1].at));
      const [aName, a] = worst.a;
      const [bName, b] = worst.b;
      const odd = Math.abs(a.qty - ledger) > Math.abs(b.qty - ledger) ? aName : bName;
      const oddQty = odd === aName ? a.qty : b.qty;
      const excess = oddQty - ledger;
      ctx.raise({
        key,
        type: 'on_hand_mismatch',
        sku: cell.sku.sku,
        location: cell.loc.location,
        channel: null,
        group: `location:${cell.loc.location}`,
        root_cause: 'data_synchronisation',
        reasoning: `${aName} reports ${a.qty} and ${bName} ${b.qty}; the ledger built from every movement has ${ledger}, so ${odd} is the one out of sync (a stale or failed sync, not a physical loss).`,
        confidence: run >= 4 ? 0.97 : 0.9,
        evidence: {
          events: [
            {
              event_id: a.event_id,
              type: 'stock_snapshot',
              occurred_at: iso(a.at),
              qty: a.qty,
              note: `source ${aName}`,
            },
            {
              event_id: b.event_id,
              type: 'stock_snapshot',
              occurred_at: iso(b.at),
              qty: b.qty,
              note: `source ${bName}`,
            },
          ],
          figures: {
            [aName]: a.qty,
            [bName]: b.qty,
            ledger,
            difference: worst.gap,
            out_of_sync: odd,
            consecutive_reports: run,
          },
          thresholds: {
            mismatch_min_units: s.mismatch_min_units,
            mismatch_min_reports: s.mismatch_min_reports,
          },
        },
        explanation: `${cell.sku.sku} at ${cell.loc.location}: ${aName} says ${a.qty}, ${bName} says ${b.qty}, invex's ledger ${ledger}. ${odd} has disagreed for ${run} reports: re-sync it from the ledger${excess > 0 ? `; until then it over-states stock by ${excess} units, and anything planned on it may oversell` : ''}.`,
        actions: [
          {
            kind: 'retry_sync',
            detail: `Re-sync ${odd}'s on-hand for ${cell.sku.sku} at ${cell.loc.location} from the ledger (${ledger})`,
            sku: cell.sku.sku,
            location: cell.loc.location,
            qty: ledger,
          },
          {
            kind: 'count_task',
            detail: 'Count to settle it if the ledger is in doubt',
            sku: cell.sku.sku,
            location: cell.loc.location,
          },
        ],
        impact: {
          units_at_risk: Math.abs(excess),
          lost_units_per_day: 0,
          horizon_days: 1,
          unit_margin: margin(cell),
        },
        urgency: 0.3,
      });
    },
  };
}
