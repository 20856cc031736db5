import { type Detector, fixed, iso } from '../detector.ts';
import type { DetectorSettings } from '../settings.ts';
import { DAY, HOUR, type LaneStats, laneKey, type TransferFlow } from '../state.ts';

/** What a lane's history says about its transfers (null without enough of it). */
export interface LaneView {
  transfers: number;
  /** Hours past expected arrival after which a transfer on this lane is delayed. */
  graceHours: number;
  p90Hours: number;
  medianHours: number;
  /** Share of the lane's recent transfers that arrived later than the grace. */
  breachShare: number;
}

export function laneView(lane: LaneStats | undefined, s: DetectorSettings): LaneView | null {
  if (!lane || lane.lateness.length < s.transfer_lane_min_transfers) return null;
  const sorted = [...lane.lateness].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))]!;
  const p90 = at(0.9);
  const grace = Math.min(s.transfer_grace_hours, Math.max(s.transfer_min_grace_hours, p90 + 2));
  return {
    transfers: sorted.length,
    graceHours: grace,
    p90Hours: p90,
    medianHours: at(0.5),
    breachShare: sorted.filter((h) => h > grace).length / sorted.length,
  };
}

/** Share of the lane's transfers that arrived later than `hours` past expected (smoothed). */
const laterThan = (lane: LaneStats, hours: number) =>
  (lane.lateness.filter((h) => h > hours).length + 0.5) / (lane.lateness.length + 1);

/**
 * Transfers against their lane's service: `transfer_delayed` once overdue by the lane's
 * grace (learned from how late its recent transfers arrived; the configured grace on a
 * lane without that history), or before it is due when most of the lane's recent
 * transfers broke their grace (a breach predicted); `transfer_lost` once overdue by the
 * lost threshold (the same exception, re-typed as the evidence grows). Arrival closes it
 * with how late it was.
 */
export function createTransferDetector(): Detector {
  const key = (t: TransferFlow) => `transfer:${t.id}`;
  return {
    name: 'transfer',
    types: ['transfer_delayed', 'transfer_lost'],
    onEvent(ctx, o) {
      const e = o.event;
      if (e.type !== 'transfer_received' || !e.ref?.transfer_id) return;
      const t = ctx.state.transfers.get(e.ref.transfer_id);
      if (!t || !ctx.open(key(t))) return;
      if (t.received >= t.qty) {
        ctx.close(
          key(t),
          o.at > t.expectedAt
            ? `received ${fixed((o.at - t.expectedAt) / HOUR, 0)} hours after it was expected (${t.received} of ${t.qty} units)`
            : `received on time, ${fixed((t.expectedAt - o.at) / HOUR, 0)} hours before it was due (${t.received} of ${t.qty} units): the predicted delay did not happen`,
        );
      }
    },
    sweep(ctx) {
      for (const t of ctx.state.transfers.values()) {
        if (t.received >= t.qty) continue;
        const sku = ctx.state.master.skus.get(t.sku);
        const s = ctx.settingsAt(t.sku, t.to);
        const overdue = ctx.now - t.expectedAt;
        const lane = ctx.state.lanes.get(laneKey(t.from, t.to));
        const view = laneView(lane, s);
        const grace = view ? view.graceHours : s.transfer_grace_hours;
        const lost = overdue >= s.transfer_lost_after_days * DAY;
        // A destination that stopped reporting explains a missing receipt until it is lost.
        const destination = ctx.state.locations.get(t.to);
        if (!lost && destination && !Number.isNaN(destination.gapSince)) continue;
        const predicted =
          overdue < grace * HOUR && view !== null && view.breachShare >= s.transfer_breach_share;
        if (overdue < grace * HOUR && !predicted) continue;
        const missing = t.qty - t.received;
        const unitMargin = sku ? Math.max(0, sku.unitPrice - sku.unitCost) : 0;
        const cell = ctx.state.cell(t.to, t.sku);
        const sellable = cell ? cell.onHand - cell.pending - cell.damaged : 0;
        const rate = cell ? cell.demand.on(cell.demand.day) : 0;
        ctx.raise({
          key: key(t),
          type: lost ? 'transfer_lost' : 'transfer_delayed',
          sku: t.sku,
          location: t.to,
          channel: null,
          group: `transfer-lane:${t.from}>${t.to}`,
          root_cause: lost ? 'physical_discrepancy' : 'timing_delay',
          reasoning: lost
            ? `Transfer ${t.id} is ${fixed(overdue / DAY, 1)} days past its expected arrival with ${missing} units unreceived; beyond ${s.transfer_lost_after_days} days a delay is almost always a loss.`
            : predicted
              ? `Transfer ${t.id} is due at ${iso(t.expectedAt)}, but ${fixed(view!.breachShare * 100, 0)}% of the last ${view!.transfers} transfers on ${t.from} to ${t.to} arrived more than ${fixed(grace, 0)} hours late (median ${fixed(view!.medianHours, 0)} hours): it will probably be late too.`
              : `Transfer ${t.id} was expected at ${iso(t.expectedAt)} and ${missing} units have not been received ${fixed(overdue / HOUR, 0)} hours later${view ? `; on ${t.from} to ${t.to}, ${fixed((1 - laterThan(lane!, overdue / HOUR)) * 100, 0)}% of the last ${view.transfers} transfers had arrived by now (90% within ${fixed(view.p90Hours, 0)} hours of expected)` : ''}.`,
          confidence: lost
            ? 0.9
            : predicted
              ? Math.min(0.95, view!.breachShare)
              : Math.min(
                  0.97,
                  Math.max(0.7 + overdue / (4 * DAY), view ? 1 - laterThan(lane!, overdue / HOUR) : 0),
                ),
          evidence: {
            events: [
              {
                event_id: t.shipEventId,
                type: 'transfer_shipped',
                occurred_at: iso(t.shippedAt),
                qty: t.qty,
                note: `${t.from} to ${t.to}`,
              },
              ...t.receiptEventIds.map((id) => ({
                event_id: id,
                type: 'transfer_received',
                occurred_at: iso(t.receivedAt),
              })),
            ],
            figures: {
              transfer_id: t.id,
              from: t.from,
              to: t.to,
              shipped: t.qty,
              received: t.received,
              expected_at: iso(t.expectedAt),
              hours_overdue: fixed(overdue / HOUR, 1),
              destination_sellable: sellable,
              breach_predicted: predicted ? 'yes' : 'no',
              ...(view
                ? {
                    lane_transfers: view.transfers,
                    lane_median_hours_late: fixed(view.medianHours, 1),
                    lane_p90_hours_late: fixed(view.p90Hours, 1),
                    lane_breach_share: fixed(view.breachShare, 2),
                  }
                : {}),
              grace_hours: fixed(grace, 1),
            },
            thresholds: {
              transfer_grace_hours: s.transfer_grace_hours,
              transfer_min_grace_hours: s.transfer_min_grace_hours,
              transfer_lane_min_transfers: s.transfer_lane_min_transfers,
              transfer_breach_share: s.transfer_breach_share,
              transfer_lost_after_days: s.transfer_lost_after_days,
            },
          },
          explanation: lost
            ? `Transfer ${t.id} (${t.qty} of ${t.sku}, ${t.from} to ${t.to}) left on ${iso(t.shippedAt)} and never arrived. Trace it with the carrier, write it off, and re-send stock: ${t.to} has ${sellable} sellable.`
            : predicted
              ? `Transfer ${t.id} (${t.qty} of ${t.sku}, ${t.from} to ${t.to}) is due ${iso(t.expectedAt)}, and this lane's transfers have mostly come late lately. Plan for ${t.to} to have only its ${sellable} sellable for longer, and take it up with the carrier.`
              : `Transfer ${t.id} (${t.qty} of ${t.sku}, ${t.from} to ${t.to}) is ${fixed(overdue / HOUR, 0)} hours late. ${t.to} has ${sellable} sellable meanwhile.`,
          actions: lost
            ? [
                {
                  kind: 'carrier_trace',
                  detail: `Trace transfer ${t.id} with the carrier`,
                  sku: t.sku,
                  location: t.to,
                },
                {
                  kind: 'transfer',
                  detail: `Re-send ${missing} units of ${t.sku} to ${t.to}`,
                  sku: t.sku,
                  location: t.to,
                  qty: missing,
                },
              ]
            : [
                {
                  kind: 'carrier_trace',
                  detail: `Ask the carrier for the arrival time of ${t.id}`,
                  sku: t.sku,
                  location: t.to,
                },
              ],
          impact: {
            units_at_risk: missing,
            lost_units_per_day: sellable <= 0 ? Math.max(rate, 0.5) : 0,
            horizon_days: s.store_lead_days,
            unit_margin: unitMargin,
            expedite_cost: lost ? 25 + 0.1 * missing : 0,
          },
          urgency: sellable <= 0 ? 0.9 : 0.4,
        });
      }
    },
  };
}
