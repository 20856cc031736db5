import { type Detector, fixed, iso } from '../detector.ts';
import { DAY, HOUR, type TransferFlow } from '../state.ts';

/**
 * Transfers past their expected arrival: `transfer_delayed` once overdue by the grace
 * period, `transfer_lost` once overdue by the lost threshold (the same exception, re-typed
 * as the evidence grows). Arrival closes it with how late it was.
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
          `received ${fixed((o.at - t.expectedAt) / HOUR, 0)} hours after it was expected (${t.received} of ${t.qty} units)`,
        );
      }
    },
    sweep(ctx) {
      for (const t of ctx.state.transfers.values()) {
        if (t.received >= t.qty) continue;
        const sku = ctx.state.master.skus.get(t.sku);
        const s = ctx.settingsAt(t.sku, t.to);
        const overdue = ctx.now - t.expectedAt;
        if (overdue < s.transfer_grace_hours * HOUR) continue;
        const lost = overdue >= s.transfer_lost_after_days * DAY;
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
            : `Transfer ${t.id} was expected at ${iso(t.expectedAt)} and ${missing} units have not been received ${fixed(overdue / HOUR, 0)} hours later.`,
          confidence: lost ? 0.9 : Math.min(0.95, 0.7 + overdue / (4 * DAY)),
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
            },
            thresholds: {
              transfer_grace_hours: s.transfer_grace_hours,
              transfer_lost_after_days: s.transfer_lost_after_days,
            },
          },
          explanation: lost
            ? `Transfer ${t.id} (${t.qty} of ${t.sku}, ${t.from} to ${t.to}) left on ${iso(t.shippedAt)} and never arrived. Trace it with the carrier, write it off, and re-send stock: ${t.to} has ${sellable} sellable.`
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
