import { type DetectContext, type Detector, fixed, iso } from '../detector.ts';
import type { EvidenceEvent } from '../exception.ts';
import { DAY, HOUR, type SupplyFlow } from '../state.ts';

const flowEvents = (f: SupplyFlow): EvidenceEvent[] => {
  const list: EvidenceEvent[] = [];
  if (f.poEventId)
    list.push({
      event_id: f.poEventId,
      type: 'purchase_order',
      occurred_at: iso(f.orderedAt),
      qty: f.ordered,
    });
  if (f.asnEventId)
    list.push({ event_id: f.asnEventId, type: 'asn', occurred_at: iso(f.asnAt), qty: f.asnQty });
  for (const id of f.receiptEventIds)
    list.push({ event_id: id, type: 'receipt', occurred_at: iso(f.receivedAt) });
  return list;
};

/** The purchase-order flow an event belongs to (by po_id, else asn_id). */
const flowOf = (ctx: DetectContext, e: { ref?: { po_id?: string; asn_id?: string } | undefined }) => {
  const id = e.ref?.po_id ?? e.ref?.asn_id;
  return id ? ctx.state.supply.get(id) : undefined;
};

const unitMargin = (ctx: DetectContext, sku: string) => {
  const info = ctx.state.master.skus.get(sku);
  return info ? Math.max(0, info.unitPrice - info.unitCost) : 0;
};

/**
 * Receiving variance: what a receipt counted against what the ASN (or, without one, the
 * PO) said was coming, correlated by po_id / asn_id. A shortfall is a supplier claim.
 */
export function createReceivingVarianceDetector(): Detector {
  return {
    name: 'receiving-variance',
    types: ['receiving_variance'],
    onEvent(ctx, o) {
      const e = o.event;
      if (e.type !== 'receipt') return;
      const f = flowOf(ctx, e);
      if (!f) return;
      const basis = f.asnQty > 0 ? 'ASN' : 'PO';
      const expected = f.asnQty > 0 ? f.asnQty : f.ordered;
      if (expected <= 0) return;
      const s = ctx.settingsAt(f.sku, f.location);
      const diff = f.received - expected;
      const tolerance = Math.max(s.receiving_tolerance_units, expected * s.receiving_tolerance_share);
      const key = `receiving_variance:${f.id}`;
      if (Math.abs(diff) <= tolerance) {
        if (ctx.open(key)) ctx.close(key, `later receipts bring the total to ${f.received} of ${expected}`);
        return;
      }
      const short = diff < 0;
      const m = unitMargin(ctx, f.sku);
      const cost = ctx.state.master.skus.get(f.sku)?.unitCost ?? 0;
      ctx.raise({
        key,
        type: 'receiving_variance',
        sku: f.sku,
        location: f.location,
        channel: null,
        group: f.supplier ? `supplier:${f.supplier}` : `po:${f.id}`,
        root_cause: short ? 'physical_discrepancy' : 'data_synchronisation',
        reasoning: short
          ? `Received ${f.received} against ${expected} on the ${basis}: ${-diff} units never arrived (a short shipment or a loss on the way).`
          : `Received ${f.received} against ${expected} on the ${basis}: ${diff} more than announced (a wrong ASN or a mis-scan).`,
        confidence: 0.95,
        evidence: {
          events: flowEvents(f),
          figures: {
            po_id: f.id,
            asn_id: f.asnId,
            supplier: f.supplier,
            ordered: f.ordered,
            asn_qty: f.asnQty,
            received: f.received,
            difference: diff,
            basis,
          },
          thresholds: {
            receiving_tolerance_share: s.receiving_tolerance_share,
            receiving_tolerance_units: s.receiving_tolerance_units,
          },
        },
        explanation: `PO ${f.id}${f.asnId ? ` / ASN ${f.asnId}` : ''} of ${f.sku} to ${f.location}: the ${basis} says ${expected}, the receipt counted ${f.received} (${diff > 0 ? '+' : ''}${diff}). ${short ? `Claim ${-diff} units (${fixed(-diff * cost)} at cost) from ${f.supplier ?? 'the supplier'}.` : 'Check the ASN and the receipt scan.'}`,
        actions: short
          ? [
              {
                kind: 'supplier_claim',
                detail: `Claim ${-diff} units of ${f.sku} on PO ${f.id} from ${f.supplier ?? 'the supplier'}`,
                sku: f.sku,
                location: f.location,
                qty: -diff,
              },
              {
                kind: 'replenishment_priority',
                detail: `Re-order the ${-diff} missing units`,
                sku: f.sku,
                location: f.location,
                qty: -diff,
              },
            ]
          : [
              {
                kind: 'count_task',
                detail: `Count ${f.sku} at ${f.location} to confirm the receipt`,
                sku: f.sku,
                location: f.location,
              },
            ],
        impact: {
          units_at_risk: Math.abs(diff),
          lost_units_per_day: 0,
          horizon_days: s.dc_lead_days,
          unit_margin: m,
          expedite_cost: short ? Math.abs(diff) * cost * 0.05 : 0,
        },
        urgency: short ? 0.6 : 0.3,
      });
    },
  };
}

/**
 * ASN late or missing: goods received against a PO whose ASN never came (or comes after
 * them), or a PO past its expected date with no ASN at all.
 */
export function createAsnDetector(): Detector {
  function raise(ctx: DetectContext, f: SupplyFlow, why: 'received_without_asn' | 'overdue_without_asn') {
    const s = ctx.settingsAt(f.sku, f.location);
    const overdueHours = Number.isFinite(f.poExpectedAt) ? (ctx.now - f.poExpectedAt) / HOUR : 0;
    ctx.raise({
      key: `asn_late_or_missing:${f.id}`,
      type: 'asn_late_or_missing',
      sku: f.sku,
      location: f.location,
      channel: null,
      group: f.supplier ? `supplier:${f.supplier}` : null,
      root_cause: 'timing_delay',
      reasoning:
        why === 'received_without_asn'
          ? `Goods for PO ${f.id} were received with no ASN before them: the receiving dock had no notice, and in-transit stock was never visible.`
          : `PO ${f.id} was expected ${fixed(overdueHours, 0)} hours ago and no ASN has come: the shipment's status is unknown.`,
      confidence: why === 'received_without_asn' ? 0.95 : 0.8,
      evidence: {
        events: flowEvents(f),
        figures: {
          po_id: f.id,
          asn_id: f.asnId,
          supplier: f.supplier,
          ordered: f.ordered,
          received: f.received,
          po_expected_at: Number.isFinite(f.poExpectedAt) ? iso(f.poExpectedAt) : null,
        },
        thresholds: { asn_grace_hours: s.asn_grace_hours },
      },
      explanation:
        why === 'received_without_asn'
          ? `${f.received} units of ${f.sku} arrived at ${f.location} on PO ${f.id} with no ASN from ${f.supplier ?? 'the supplier'}. Ask the supplier for the ASN; repeated, it breaks dock planning and in-transit visibility.`
          : `PO ${f.id} (${f.ordered} of ${f.sku} to ${f.location}) was due ${Number.isFinite(f.poExpectedAt) ? iso(f.poExpectedAt) : 'by now'} with no ASN. Ask ${f.supplier ?? 'the supplier'} whether it shipped.`,
      actions: [
        {
          kind: 'supplier_claim',
          detail: `Ask ${f.supplier ?? 'the supplier'} for the ASN of PO ${f.id}`,
          sku: f.sku,
          location: f.location,
        },
      ],
      impact: {
        units_at_risk: why === 'received_without_asn' ? 0 : f.ordered,
        lost_units_per_day: 0,
        horizon_days: s.dc_lead_days,
        unit_margin: unitMargin(ctx, f.sku),
      },
      urgency: why === 'received_without_asn' ? 0.2 : 0.5,
    });
  }
  return {
    name: 'asn',
    types: ['asn_late_or_missing'],
    onEvent(ctx, o) {
      const e = o.event;
      if (e.type !== 'receipt' && e.type !== 'asn') return;
      const f = flowOf(ctx, e);
      if (!f || f.ordered <= 0) return;
      const key = `asn_late_or_missing:${f.id}`;
      if (e.type === 'receipt' && !f.asnEventId) raise(ctx, f, 'received_without_asn');
      if (e.type === 'asn' && ctx.open(key)) {
        const late =
          f.received > 0 ? ` ${fixed((f.asnAt - f.receivedAt) / HOUR, 0)} hours after the goods` : '';
        ctx.close(key, `ASN ${f.asnId} arrived${late}`);
      }
    },
    sweep(ctx) {
      for (const f of ctx.state.supply.values()) {
        if (f.asnEventId || f.received > 0 || !Number.isFinite(f.poExpectedAt)) continue;
        const s = ctx.settings(null, null);
        if (ctx.now > f.poExpectedAt + s.asn_grace_hours * HOUR) raise(ctx, f, 'overdue_without_asn');
      }
    },
  };
}

/**
 * Supplier lead-time slip: a supplier's shipments keep arriving (or keep being overdue)
 * days after the date its ASNs promised. Open overdue shipments count as they age, so the
 * slip shows before the goods do.
 */
export function createSupplierSlipDetector(): Detector {
  const late = new Map<string, { id: string; days: number; at: number; eventId: string | null }[]>();
  return {
    name: 'supplier-slip',
    types: ['supplier_lead_time_slip'],
    onEvent(ctx, o) {
      const e = o.event;
      if (e.type !== 'receipt') return;
      const f = flowOf(ctx, e);
      if (!f?.supplier) return;
      const promised = Number.isFinite(f.asnExpectedAt) ? f.asnExpectedAt : f.poExpectedAt;
      if (!Number.isFinite(promised)) return;
      const list = late.get(f.supplier) ?? [];
      list.push({ id: f.id, days: (o.at - promised) / DAY, at: o.at, eventId: e.event_id });
      late.set(f.supplier, list.slice(-10));
    },
    sweep(ctx) {
      const s = ctx.settings(null, null);
      const overdue = new Map<string, SupplyFlow[]>();
      for (const f of ctx.state.supply.values()) {
        if (!f.supplier || f.received > 0 || !Number.isFinite(f.asnExpectedAt)) continue;
        if (ctx.now - f.asnExpectedAt >= s.slip_min_days * DAY) {
          const list = overdue.get(f.supplier) ?? [];
          list.push(f);
          overdue.set(f.supplier, list);
        }
      }
      const suppliers = new Set([...late.keys(), ...overdue.keys()]);
      for (const supplier of suppliers) {
        const recent = (late.get(supplier) ?? []).filter((r) => r.at > ctx.now - 30 * DAY).slice(-5);
        const lateRecent = recent.filter((r) => r.days >= s.slip_min_days);
        const open = overdue.get(supplier) ?? [];
        const key = `supplier_lead_time_slip:${supplier}`;
        const signals = lateRecent.length + open.length;
        const lastTwoOnTime =
          recent.length >= 2 && recent.slice(-2).every((r) => r.days < s.slip_min_days / 2);
        if (signals >= s.slip_min_receipts && !lastTwoOnTime) {
          const days = [
            ...lateRecent.map((r) => r.days),
            ...open.map((f) => (ctx.now - f.asnExpectedAt) / DAY),
          ];
          const mean = days.reduce((a, b) => a + b, 0) / days.length;
          const units = open.reduce((sum, f) => sum + f.asnQty, 0);
          ctx.raise({
            key,
            type: 'supplier_lead_time_slip',
            sku: null,
            location: supplier,
            channel: null,
            group: `supplier:${supplier}`,
            root_cause: 'timing_delay',
            reasoning: `${lateRecent.length} recent receipts came a mean of ${fixed(mean, 1)} days after the ASN's date and ${open.length} shipments are overdue by ${s.slip_min_days}+ days: the supplier's lead time has slipped.`,
            confidence: Math.min(0.97, 0.6 + 0.1 * signals),
            evidence: {
              events: [
                ...lateRecent.map((r) => ({
                  event_id: r.eventId ?? '',
                  type: 'receipt',
                  occurred_at: iso(r.at),
                  note: `PO ${r.id}: ${fixed(r.days, 1)} days late`,
                })),
                ...open.slice(0, 15).map((f) => ({
                  event_id: f.asnEventId ?? '',
                  type: 'asn',
                  occurred_at: iso(f.asnAt),
                  qty: f.asnQty,
                  note: `PO ${f.id}: due ${iso(f.asnExpectedAt)}, not received`,
                })),
              ],
              figures: {
                late_receipts: lateRecent.length,
                overdue_shipments: open.length,
                mean_days_late: fixed(mean, 1),
                units_overdue: units,
              },
              thresholds: { slip_min_days: s.slip_min_days, slip_min_receipts: s.slip_min_receipts },
            },
            explanation: `${supplier} is running about ${fixed(mean, 0)} days late: ${lateRecent.length} late receipts, ${open.length} overdue shipments (${units} units). Plan with the longer lead time and raise safety stock for its SKUs until it recovers.`,
            actions: [
              {
                kind: 'supplier_claim',
                detail: `Ask ${supplier} for revised ship dates of the ${open.length} overdue shipments`,
                location: supplier,
              },
              {
                kind: 'replenishment_priority',
                detail: `Use a lead time ${fixed(mean, 0)} days longer for ${supplier}'s SKUs`,
                location: supplier,
              },
            ],
            impact: {
              units_at_risk: units,
              lost_units_per_day: 0,
              horizon_days: s.dc_lead_days,
              unit_margin: 0,
              expedite_cost: units * 0.5,
            },
            urgency: 0.6,
          });
        } else if (ctx.open(key) && signals === 0) {
          ctx.close(key, 'no shipment is overdue and recent receipts are on time');
        }
      }
    },
  };
}
