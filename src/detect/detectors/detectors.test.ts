import { describe, expect, it } from 'vitest';
import { DAY, DetectHarness, HOUR, T0 } from '../detect.test-support.ts';
import type { DetectorConfigInput } from '../settings.ts';
import { DemandHistory } from '../state.ts';
import { baselineMargin, overdispersion, pooledDispersion } from './demand.detector.ts';
import { promotionSales, soldOutReading } from './promotion-stockout.detector.ts';

describe('data glitch', () => {
  it('flags an implausible sale, keeps its negative on-hand inside it, and closes when a count resets the record', () => {
    const h = new DetectHarness();
    h.count('S1', 'A', 30, 0);
    h.sales('S1', 'A', 0, 10, () => 2);
    h.feed([
      { type: 'sale', sku: 'A', location: 'S1', channel: 'store', qty: 2000, at: 10 * DAY + 10 * HOUR },
    ]);
    const [glitch] = h.open('data_glitch');
    expect(glitch).toMatchObject({ sku: 'A', location: 'S1', root_cause: 'data_synchronisation' });
    expect(glitch!.evidence.figures.qty).toBe(2000);
    expect(glitch!.actions.map((a) => a.kind)).toContain('count_task');
    expect(h.of('negative_on_hand')).toHaveLength(0);
    // What the wrecked record promises is the same problem, not an oversell of its own.
    for (let i = 0; i < 3; i++) {
      const common = { sku: 'A', location: 'S1', channel: 'marketplace', qty: 1, ref: { order_id: `G${i}` } };
      const at = 10 * DAY + (12 + 2 * i) * HOUR;
      h.feed([{ type: 'reservation', source: 'marketplace', ...common, at }]);
      h.feed([{ type: 'pick', source: 'store_ops', ...common, at: at + HOUR }]);
    }
    h.sweep(10 * DAY + 20 * HOUR);
    expect(h.of('listing_below_threshold')).toHaveLength(0);
    expect(h.of('atp_overcommitted')).toHaveLength(0);
    h.count('S1', 'A', 8, 11 * DAY);
    expect(h.of('data_glitch')[0]).toMatchObject({ status: 'closed' });
    expect(h.of('data_glitch')[0]!.close_reason).toContain('reset the record to 8');
  });

  it('leaves ordinary large quantities alone', () => {
    const h = new DetectHarness();
    h.count('S1', 'A', 500, 0);
    h.feed([{ type: 'sale', sku: 'A', location: 'S1', channel: 'store', qty: 150, at: HOUR }]);
    expect(h.of('data_glitch')).toHaveLength(0);
  });
});

describe('negative on-hand', () => {
  it('opens when sales take the record below zero and closes with the late receipt, naming the sequencing', () => {
    const h = new DetectHarness();
    h.count('S1', 'B', 1, 0);
    h.count('DC1', 'B', 50, 0);
    h.feed([
      {
        type: 'transfer_shipped',
        source: 'wms',
        sku: 'B',
        location: 'DC1',
        to_location: 'S1',
        qty: 6,
        ref: { transfer_id: 'T1' },
        at: 2 * HOUR,
      },
    ]);
    h.feed([
      { type: 'sale', sku: 'B', location: 'S1', channel: 'store', qty: 2, at: DAY + 10 * HOUR },
      { type: 'sale', sku: 'B', location: 'S1', channel: 'store', qty: 1, at: DAY + 11 * HOUR },
    ]);
    const [negative] = h.open('negative_on_hand');
    expect(negative).toMatchObject({ sku: 'B', location: 'S1', root_cause: 'timing_delay' });
    expect(negative!.evidence.figures.on_hand).toBe(-2);
    h.feed([
      {
        type: 'transfer_received',
        source: 'wms',
        sku: 'B',
        location: 'S1',
        from_location: 'DC1',
        qty: 6,
        ref: { transfer_id: 'T1' },
        at: DAY + 20 * HOUR,
      },
    ]);
    expect(h.of('negative_on_hand')[0]!.status).toBe('closed');
    expect(h.of('negative_on_hand')[0]!.close_reason).toContain('sequencing');
  });
});

describe('on-hand mismatch', () => {
  it('names the system out of sync after repeated disagreement, using the ledger as tie-breaker', () => {
    const h = new DetectHarness();
    h.count('S1', 'C', 10, 0);
    for (let d = 1; d <= 3; d++) {
      h.feed([
        {
          type: 'stock_snapshot',
          source: 'erp',
          sku: 'C',
          location: 'S1',
          on_hand: 25,
          at: d * DAY + 2 * HOUR,
        },
        {
          type: 'stock_snapshot',
          source: 'store_ops',
          sku: 'C',
          location: 'S1',
          on_hand: 10,
          at: d * DAY + 2 * HOUR,
        },
      ]);
    }
    const [mismatch] = h.open('on_hand_mismatch');
    expect(mismatch!.evidence.figures.out_of_sync).toBe('erp');
    expect(mismatch!.evidence.figures.ledger).toBe(10);
    h.feed([
      {
        type: 'stock_snapshot',
        source: 'erp',
        sku: 'C',
        location: 'S1',
        on_hand: 10,
        at: 4 * DAY + 2 * HOUR,
      },
      {
        type: 'stock_snapshot',
        source: 'store_ops',
        sku: 'C',
        location: 'S1',
        on_hand: 10,
        at: 4 * DAY + 2 * HOUR,
      },
    ]);
    expect(h.of('on_hand_mismatch')[0]!.status).toBe('closed');
  });

  it('ignores a single disagreement', () => {
    const h = new DetectHarness();
    h.feed([
      { type: 'stock_snapshot', source: 'erp', sku: 'C', location: 'S1', on_hand: 25, at: 2 * HOUR },
      { type: 'stock_snapshot', source: 'store_ops', sku: 'C', location: 'S1', on_hand: 10, at: 2 * HOUR },
    ]);
    expect(h.of('on_hand_mismatch')).toHaveLength(0);
  });
});

describe('oversell', () => {
  it('raises overcommitted ATP when reservations exceed sellable stock', () => {
    const h = new DetectHarness();
    h.count('DC1', 'D', 3, 0);
    h.feed([
      {
        type: 'reservation',
        source: 'oms',
        sku: 'D',
        location: 'DC1',
        channel: 'ecommerce',
        qty: 2,
        at: HOUR,
      },
      {
        type: 'reservation',
        source: 'oms',
        sku: 'D',
        location: 'DC1',
        channel: 'ecommerce',
        qty: 2,
        at: 2 * HOUR,
      },
    ]);
    const [over] = h.open('atp_overcommitted');
    expect(over).toMatchObject({ sku: 'D', location: 'DC1', root_cause: 'business_rule_violation' });
    expect(over!.evidence.figures.atp).toBe(-1);
  });

  it('raises a marketplace listing that keeps selling an empty record, with its short picks as evidence', () => {
    const h = new DetectHarness();
    h.count('S2', 'A', 1, 0);
    h.sales('S2', 'A', 0, 1, () => 1);
    for (let i = 0; i < 2; i++) {
      const at = DAY + (10 + 3 * i) * HOUR;
      h.feed([
        {
          type: 'reservation',
          source: 'marketplace',
          sku: 'A',
          location: 'S2',
          channel: 'marketplace',
          qty: 1,
          ref: { order_id: `M${i}` },
          at,
        },
      ]);
      h.feed([
        {
          type: 'short_pick',
          source: 'store_ops',
          sku: 'A',
          location: 'S2',
          channel: 'marketplace',
          qty: 1,
          ref: { order_id: `M${i}` },
          at: at + 2 * HOUR,
        },
      ]);
    }
    h.sweep(DAY + 18 * HOUR);
    const [listing] = h.open('listing_below_threshold');
    expect(listing).toMatchObject({ sku: 'A', location: 'S2', channel: 'marketplace' });
    expect(listing!.evidence.figures.short_picks).toBe(2);
    expect(listing!.actions[0]!.kind).toBe('listing_pause');
    // The same problem does not also appear as a short-pick pattern or as overcommitted ATP.
    expect(h.of('short_pick_pattern')).toHaveLength(0);
    expect(h.of('atp_overcommitted')).toHaveLength(0);
  });

  it('raises an active listing that stays at or below the safety threshold past the grace period', () => {
    const h = new DetectHarness();
    h.count('DC1', 'E', 2, 0);
    h.feed([
      {
        type: 'listing_status',
        source: 'marketplace',
        sku: 'E',
        location: 'DC1',
        channel: 'marketplace',
        status: 'active',
        at: HOUR,
      },
    ]);
    h.sweep(20 * HOUR);
    expect(h.of('listing_below_threshold')).toHaveLength(0);
    h.sweep(40 * HOUR);
    expect(h.open('listing_below_threshold')).toHaveLength(1);
    h.feed([
      {
        type: 'listing_status',
        source: 'marketplace',
        sku: 'E',
        location: 'DC1',
        channel: 'marketplace',
        status: 'paused',
        at: 41 * HOUR,
      },
    ]);
    h.sweep(3 * DAY);
    expect(h.of('listing_below_threshold')[0]!.status).toBe('closed');
  });
});

describe('short-pick pattern', () => {
  it('raises repeated short picks across SKUs at a location', () => {
    const h = new DetectHarness();
    for (const sku of ['A', 'B', 'C']) h.count('DC1', sku, 20, 0);
    h.feed([
      {
        type: 'short_pick',
        source: 'wms',
        sku: 'A',
        location: 'DC1',
        channel: 'ecommerce',
        qty: 1,
        at: 5 * HOUR,
      },
      {
        type: 'short_pick',
        source: 'wms',
        sku: 'B',
        location: 'DC1',
        channel: 'ecommerce',
        qty: 2,
        at: 9 * HOUR,
      },
      {
        type: 'short_pick',
        source: 'wms',
        sku: 'C',
        location: 'DC1',
        channel: 'ecommerce',
        qty: 1,
        at: 12 * HOUR,
      },
    ]);
    const [pattern] = h.open('short_pick_pattern');
    expect(pattern).toMatchObject({ location: 'DC1', root_cause: 'physical_discrepancy' });
    expect(pattern!.evidence.figures.skus).toBe(3);
    h.sweep(5 * DAY);
    expect(h.of('short_pick_pattern')[0]!.status).toBe('closed');
  });
});

describe('supply chain', () => {
  const po = (id: string, at: number, qty = 100) => ({
    type: 'purchase_order',
    source: 'erp',
    sku: 'F',
    location: 'DC1',
    supplier: 'SUP1',
    qty,
    expected_at: new Date(Date.parse('2026-03-02T00:00:00Z') + at + 10 * DAY).toISOString(),
    ref: { po_id: id },
    at,
  });
  const asn = (id: string, at: number, qty = 100) => ({
    type: 'asn',
    source: 'supplier',
    sku: 'F',
    location: 'DC1',
    supplier: 'SUP1',
    qty,
    expected_at: new Date(Date.parse('2026-03-02T00:00:00Z') + at + 2 * DAY).toISOString(),
    ref: { po_id: id, asn_id: `A-${id}` },
    at,
  });

  it('raises a receipt short of its ASN as a receiving variance with a supplier claim', () => {
    const h = new DetectHarness();
    h.feed([po('P1', 0)]);
    h.feed([asn('P1', 8 * DAY)]);
    h.feed([
      {
        type: 'receipt',
        source: 'wms',
        sku: 'F',
        location: 'DC1',
        qty: 80,
        ref: { po_id: 'P1', asn_id: 'A-P1' },
        at: 10 * DAY,
      },
    ]);
    const [variance] = h.open('receiving_variance');
    expect(variance!.evidence.figures).toMatchObject({
      asn_qty: 100,
      received: 80,
      difference: -20,
      basis: 'ASN',
    });
    expect(variance!.actions[0]).toMatchObject({ kind: 'supplier_claim', qty: 20 });
    expect(variance!.group).toBe('supplier:SUP1');
  });

  it('raises goods received without an ASN, and closes when the ASN turns up late', () => {
    const h = new DetectHarness();
    h.feed([po('P2', 0)]);
    h.feed([
      {
        type: 'receipt',
        source: 'wms',
        sku: 'F',
        location: 'DC1',
        qty: 100,
        ref: { po_id: 'P2' },
        at: 10 * DAY,
      },
    ]);
    expect(h.open('asn_late_or_missing')).toHaveLength(1);
    expect(h.of('receiving_variance')).toHaveLength(0);
    h.feed([asn('P2', 11 * DAY)]);
    expect(h.of('asn_late_or_missing')[0]!.close_reason).toContain('after the goods');
  });

  it('raises a supplier whose shipments keep arriving days after their ASN dates', () => {
    const h = new DetectHarness();
    for (const id of ['P3', 'P4', 'P5']) {
      h.feed([po(id, 0)]);
      h.feed([asn(id, DAY)]);
    }
    h.sweep(4 * DAY);
    expect(h.of('supplier_lead_time_slip')).toHaveLength(0);
    h.sweep(7 * DAY);
    const [slip] = h.open('supplier_lead_time_slip');
    expect(slip).toMatchObject({ location: 'SUP1', root_cause: 'timing_delay' });
    expect(slip!.evidence.figures.overdue_shipments).toBe(3);
  });
});

describe('transfers', () => {
  it('raises an overdue transfer as delayed, re-types it as lost, and closes it when it arrives', () => {
    const h = new DetectHarness();
    h.transferShipped({ id: 'TR9', sku: 'A', from: 'DC1', to: 'S3', qty: 12, at: 0, dueAt: DAY });
    h.sweep(DAY + 12 * HOUR);
    expect(h.of('transfer_delayed')).toHaveLength(0);
    h.sweep(2 * DAY + HOUR);
    const [delayed] = h.open('transfer_delayed');
    expect(delayed).toMatchObject({ sku: 'A', location: 'S3' });
    h.sweep(9 * DAY);
    const [lost] = h.open('transfer_lost');
    expect(lost!.id).toBe(delayed!.id);
    expect(lost!.actions.map((a) => a.kind)).toEqual(['carrier_trace', 'transfer']);
    h.feed([
      {
        type: 'transfer_received',
        source: 'wms',
        sku: 'A',
        location: 'S3',
        from_location: 'DC1',
        qty: 12,
        ref: { transfer_id: 'TR9' },
        at: 9 * DAY + HOUR,
      },
    ]);
    expect(h.of('transfer_lost')[0]!.status).toBe('closed');
  });

  /** Ships a transfer on a lane at `at`, due a day later; received `late` hours after that (never if null). */
  function transfer(h: DetectHarness, id: string, to: string, at: number, late: number | null) {
    const due = at + DAY;
    h.transferShipped({ id, sku: 'A', from: 'DC1', to, qty: 6, at, dueAt: due });
    if (late !== null) receive(h, id, to, due + late * HOUR);
  }

  function receive(h: DetectHarness, id: string, to: string, at: number) {
    h.feed([
      {
        type: 'transfer_received',
        source: 'wms',
        sku: 'A',
        location: to,
        from_location: 'DC1',
        qty: 6,
        ref: { transfer_id: id },
        at,
      },
    ]);
  }

  it("learns each lane's grace from how late its transfers arrived", () => {
    const h = new DetectHarness();
    // DC1 to S3 delivers on time (one in ten an hour late); DC1 to S4 has no history.
    for (let i = 0; i < 10; i++) transfer(h, `ok${i}`, 'S3', i * DAY, i === 4 ? 1 : 0);
    transfer(h, 'T-S3', 'S3', 20 * DAY, null);
    transfer(h, 'T-S4', 'S4', 20 * DAY, null);
    h.sweep(21 * DAY + 15 * HOUR);
    const delayed = h.open('transfer_delayed');
    expect(delayed.map((e) => e.location)).toEqual(['S3']);
    expect(delayed[0]!.evidence.figures).toMatchObject({
      lane_transfers: 10,
      grace_hours: 14,
      breach_predicted: 'no',
    });
    expect(delayed[0]!.confidence).toBeGreaterThan(0.9);
    // The lane without history waits the configured 24 hours.
    h.sweep(22 * DAY + HOUR);
    expect(
      h
        .open('transfer_delayed')
        .map((e) => e.location)
        .sort(),
    ).toEqual(['S3', 'S4']);
  });

  it('predicts a breach before the transfer is due when the lane has been running late', () => {
    const h = new DetectHarness();
    for (let i = 0; i < 10; i++) transfer(h, `slow${i}`, 'S3', i * 2 * DAY, i < 7 ? 30 : 0);
    transfer(h, 'T-next', 'S3', 30 * DAY, null);
    h.sweep(30 * DAY + 2 * HOUR);
    const [predicted] = h.open('transfer_delayed');
    expect(predicted).toMatchObject({ sku: 'A', location: 'S3', root_cause: 'timing_delay' });
    expect(predicted!.evidence.figures).toMatchObject({ breach_predicted: 'yes', lane_breach_share: 0.7 });
    expect(predicted!.confidence).toBeCloseTo(0.7, 5);
    expect(predicted!.reasoning).toContain('70% of the last 10 transfers');
    // On a lane that delivers on time, nothing is raised before the grace runs out.
    const on = new DetectHarness();
    for (let i = 0; i < 10; i++) transfer(on, `ok${i}`, 'S3', i * 2 * DAY, 0);
    transfer(on, 'T-next', 'S3', 30 * DAY, null);
    on.sweep(30 * DAY + 2 * HOUR);
    expect(on.of('transfer_delayed')).toHaveLength(0);
    // Arrival closes the prediction with how late it was.
    receive(h, 'T-next', 'S3', 31 * DAY + 30 * HOUR);
    expect(h.of('transfer_delayed')[0]).toMatchObject({ status: 'closed' });
    expect(h.of('transfer_delayed')[0]!.close_reason).toContain('30 hours after it was expected');
    // A prediction that did not come true says so when the transfer lands on time.
    const early = new DetectHarness();
    for (let i = 0; i < 10; i++) transfer(early, `slow${i}`, 'S3', i * 2 * DAY, 30);
    transfer(early, 'T-next', 'S3', 30 * DAY, null);
    early.sweep(30 * DAY + 2 * HOUR);
    expect(early.open('transfer_delayed')).toHaveLength(1);
    receive(early, 'T-next', 'S3', 30 * DAY + 20 * HOUR);
    expect(early.of('transfer_delayed')[0]!.close_reason).toContain('the predicted delay did not happen');
  });
});

describe('returns', () => {
  it('raises a return left without an inspection result and closes on its disposition', () => {
    const h = new DetectHarness();
    h.feed([
      {
        type: 'return',
        source: 'pos',
        sku: 'B',
        location: 'S1',
        qty: 1,
        disposition: 'pending',
        ref: { return_id: 'R1' },
        at: HOUR,
      },
    ]);
    h.sweep(3 * DAY);
    expect(h.of('return_without_disposition')).toHaveLength(0);
    h.sweep(5 * DAY);
    expect(h.open('return_without_disposition')[0]!.actions[0]!.kind).toBe('inspect_returns');
    h.feed([
      {
        type: 'return_disposition',
        source: 'store_ops',
        sku: 'B',
        location: 'S1',
        qty: 1,
        disposition: 'sellable',
        from: 'pending',
        ref: { return_id: 'R1' },
        at: 5 * DAY + HOUR,
      },
    ]);
    expect(h.of('return_without_disposition')[0]!.status).toBe('closed');
  });
});

describe('duplicate events', () => {
  it('raises a burst of re-sent events well above at-least-once noise', () => {
    const h = new DetectHarness();
    h.sales('S4', 'A', 0, 1, () => 40);
    const dup = (i: number) => ({
      kind: 'duplicate' as const,
      event_id: `d${i}`,
      type: 'sale',
      sku: 'A',
      location: 'S4',
      at: Date.parse('2026-03-02T10:00:00Z'),
    });
    h.deliveries([dup(1)], Date.parse('2026-03-02T22:00:00Z'));
    expect(h.of('duplicate_events')).toHaveLength(0);
    h.deliveries(
      Array.from({ length: 30 }, (_, i) => dup(i + 2)),
      Date.parse('2026-03-02T22:00:00Z'),
    );
    const [burst] = h.open('duplicate_events');
    expect(burst).toMatchObject({ location: 'S4', root_cause: 'data_synchronisation' });
    expect(burst!.impact.value).toBe(0);
  });
});

describe('reporting gap', () => {
  it('raises a busy store whose till goes silent in trading hours and closes when sales resume', () => {
    const h = new DetectHarness();
    h.sales('S1', 'A', 0, 14, () => 60);
    h.sweep(14 * DAY + 10 * HOUR);
    expect(h.of('reporting_gap')).toHaveLength(0);
    h.sweep(14 * DAY + 15 * HOUR);
    const [gap] = h.open('reporting_gap');
    expect(gap).toMatchObject({ location: 'S1' });
    expect(Number(gap!.evidence.figures.expected_events)).toBeGreaterThan(25);
    h.sales('S1', 'A', 14, 15, () => 60);
    h.sweep(14 * DAY + 22 * HOUR);
    expect(h.of('reporting_gap')[0]!.status).toBe('closed');
  });

  it('says nothing about the night', () => {
    const h = new DetectHarness();
    h.sales('S1', 'A', 0, 15, () => 60);
    h.sweep(15 * DAY + 6 * HOUR);
    expect(h.of('reporting_gap')).toHaveLength(0);
  });
});

describe('demand', () => {
  it("flags a one-off day far above a SKU's usual and its biggest day, with the forecast risk", () => {
    const h = new DetectHarness();
    h.sales('S1', 'C', 0, 28, (d) => (d % 3 === 0 ? 2 : 1));
    h.sales('S1', 'C', 28, 29, () => 40);
    const [spike] = h.open('demand_spike');
    expect(spike).toMatchObject({ sku: 'C', location: 'S1' });
    expect(Number(spike!.evidence.figures.next_season_forecast_risk_units)).toBeGreaterThan(30);
    expect(spike!.actions[0]!.kind).toBe('annotate_demand');
  });

  it('still flags a one-off SKU day when the rest of its category sells as usual', () => {
    // The same day for C alone is a one-off.
    const alone = new DetectHarness();
    for (const sku of ['A', 'B', 'C', 'D']) alone.sales('S1', sku, 0, 28, (d) => (d % 3 === 0 ? 2 : 1));
    for (const sku of ['A', 'B', 'D']) alone.sales('S1', sku, 28, 29, () => 1);
    alone.sales('S1', 'C', 28, 29, () => 18);
    const [spike] = alone.open('demand_spike');
    expect(spike).toMatchObject({ sku: 'C', location: 'S1' });
    expect(Number(spike!.evidence.figures.category_factor_today)).toBeLessThan(1.5);
  });

  it("reads the SKU's biggest usual day against how its category sold that day", () => {
    const run = (busyDay: boolean) => {
      const h = new DetectHarness();
      // C sells 2 a day, B and D 10 each; on day 10 the whole category ran at 4x (a
      // payday, the weather) and C sold 8 with it, or C alone sold 8 (a lumpy buyer).
      for (let d = 0; d < 28; d++) {
        const lifted = d === 10;
        h.sales('S1', 'C', d, d + 1, () => (lifted ? 8 : 2));
        for (const sku of ['B', 'D']) h.sales('S1', sku, d, d + 1, () => (lifted && busyDay ? 40 : 10));
      }
      for (const sku of ['B', 'D']) h.sales('S1', sku, 28, 29, () => 10);
      h.sales('S1', 'C', 28, 29, () => 18);
      return h.open('demand_spike');
    };
    // A traffic day sets no lump: 18 against a usual 2 is a one-off.
    const [spike] = run(true);
    expect(spike).toMatchObject({ sku: 'C', location: 'S1' });
    expect(Number(spike!.evidence.figures.biggest_usual_day)).toBeLessThan(4);
    // C's own 8 on a usual day is a lump it has: 18 is not 2.5 times that.
    expect(run(false)).toHaveLength(0);
  });

  it("reads a big day against the baskets a SKU's shoppers take, as its stores' days show them", () => {
    // A sells in baskets, B in single units.
    const run = (sku: 'A' | 'B', units: number) => {
      const h = new DetectHarness();
      // Both sell 13 units a week. The basket seller's shoppers take one to five at a time,
      // on four days of seven; the single-unit seller's come every day.
      const basket = [0, 4, 0, 1, 5, 0, 3];
      const single = [2, 1, 2, 3, 1, 2, 2];
      const week = sku === 'A' ? basket : single;
      for (const store of ['S1', 'S2', 'S3']) h.sales(store, sku, 0, 28, (d) => week[d % 7]!);
      h.sales('S1', sku, 28, 29, () => units);
      return h.open('demand_spike');
    };
    // 25 in a day is nearly 14 usual days: from single-unit shoppers a one-off, from
    // shoppers who take up to five, five of them on one day is within reach.
    expect(run('B', 25)).toHaveLength(1);
    expect(run('A', 25)).toHaveLength(0);
    // A film crew's 60 is a one-off whatever the baskets.
    const [crew] = run('A', 60);
    expect(crew).toMatchObject({ sku: 'A', location: 'S1' });
    expect(Number(crew!.evidence.figures.basket_mean_units)).toBeGreaterThan(2);
  });

  it('flags one sale line far beyond the baskets its shoppers take, though the shelf held only nine', () => {
    // C sells three a day at three stores; then at S1 two shoppers, and a film crew that
    // takes the nine left on the rail in one line: eleven, under four usual days.
    const run = (usual: (d: number, i: number) => number, crew: boolean) => {
      const h = new DetectHarness();
      for (const store of ['S1', 'S2', 'S3'])
        for (let d = 0; d < 28; d++)
          h.feed(
            [0, 1, 2].map((i) => ({
              type: 'sale',
              sku: 'C',
              location: store,
              channel: 'store',
              qty: usual(d, i),
              at: d * DAY + (10 + 3 * i) * HOUR,
            })),
          );
      const day = (qty: number, i: number) => ({
        type: 'sale',
        sku: 'C',
        location: 'S1',
        channel: 'store',
        qty,
        at: 28 * DAY + (10 + i) * HOUR,
      });
      h.feed(crew ? [day(1, 0), day(1, 1), day(9, 2)] : Array.from({ length: 11 }, (_, i) => day(1, i / 2)));
      return h.open('demand_spike');
    };
    const single = () => 1;
    const [spike] = run(single, true);
    expect(spike).toMatchObject({ sku: 'C', location: 'S1' });
    expect(spike!.evidence.figures).toMatchObject({
      largest_line: 9,
      largest_earlier_line: 1,
      units_that_day: 11,
    });
    expect(spike!.evidence.events.some((e) => e.note === 'the largest sale line of the day')).toBe(false);
    expect(spike!.reasoning).toContain('9 of them in one sale line');
    // The same eleven units from eleven shoppers: a busy day, not a one-off.
    expect(run(single, false)).toHaveLength(0);
    // Shoppers who take up to four at a time (the largest line S1 had was four): nine in a line is within reach.
    expect(run((d, i) => (i === 0 && d % 2 === 0 ? 4 : i === 0 ? 2 : 1), true)).toHaveLength(0);
  });

  it("reads a thin record's line against the chain's baskets, not its own few lines", () => {
    // S1 sold C seven times in four weeks, two at a time; S2 and S3 sell three singles a
    // day. A crew then takes the ten on S1's rail in one line.
    const h = new DetectHarness();
    const sale = (location: string, qty: number, at: number) => ({
      type: 'sale',
      sku: 'C',
      location,
      channel: 'store',
      qty,
      at,
    });
    for (let d = 0; d < 28; d++) {
      h.feed([
        ...['S2', 'S3'].flatMap((store) =>
          [0, 1, 2].map((i) => sale(store, 1, d * DAY + (10 + 3 * i) * HOUR)),
        ),
        ...(d % 4 === 0 ? [sale('S1', 2, d * DAY + 12 * HOUR)] : []),
      ]);
    }
    h.feed([sale('S1', 10, 28 * DAY + 15 * HOUR)]);
    const [crew] = h.open('demand_spike');
    expect(crew).toMatchObject({ sku: 'C', location: 'S1' });
    // Seven lines of two would leave a basket of ten about a chance in 200 (a Beta of 8 and
    // 8); the chain's 259 lines make it one in tens of millions.
    expect(Number(crew!.evidence.figures.line_tail_probability)).toBeLessThan(1e-6);
  });

  it("holds a day of several shoppers' baskets to a stricter bar than one buyer's line, where the till records baskets", () => {
    // C's shoppers take one or two at a time at three stores, three lines a day; at S1 a day
    // of `lines` lines of `qty` (or, through a till that scans unit by unit, as many single lines).
    const run = (lines: number, qty: number, perUnit: boolean, bar?: number) => {
      const h = new DetectHarness(bar ? { defaults: { spike_shoppers_max_tail_probability: bar } } : {});
      const sale = (store: string, d: number, q: number, i: number) => ({
        type: 'sale',
        sku: 'C',
        location: store,
        channel: 'store',
        qty: q,
        at: d * DAY + (9 + (11 * i) / 40) * HOUR,
      });
      const split = (store: string, d: number, q: number, i: number) =>
        perUnit ? Array.from({ length: q }, () => sale(store, d, 1, i)) : [sale(store, d, q, i)];
      for (const store of ['S1', 'S2', 'S3'])
        for (let d = 0; d < 28; d++)
          h.feed([0, 1, 2].flatMap((i) => split(store, d, i === 0 && d % 2 === 0 ? 2 : 1, i)));
      h.feed(Array.from({ length: lines }, (_, i) => split('S1', 28, qty, i)).flat());
      return h.open('demand_spike');
    };
    // Twenty-seven units from nine shoppers where three come a day: rare, and no one buyer.
    expect(run(9, 3, false)).toHaveLength(0);
    // It is the stricter bar that holds it: at the line's bar it would be raised.
    expect(run(9, 3, false, 1e-5)).toHaveLength(1);
    // The same units through a unit-by-unit till: the day is all there is to go on.
    const [day] = run(9, 3, true);
    expect(day).toMatchObject({ sku: 'C', location: 'S1' });
    expect(Number(day!.evidence.figures.day_tail_probability)).toBeGreaterThan(1e-7);
    // Twelve such shoppers pass even the stricter bar, and the exception says how many.
    const [many] = run(12, 3, false);
    expect(Number(many!.evidence.figures.day_tail_probability)).toBeLessThan(1e-7);
    expect(many!.reasoning).toContain('in 12 sale lines');
  });

  it('gives a slow seller with little history the doubt its loose usual rate and unknown baskets leave', () => {
    const run = (days: number) => {
      const h = new DetectHarness();
      // One unit every third day at three stores, for `days` days; then 11 in a day at S1.
      for (const store of ['S1', 'S2', 'S3']) h.sales(store, 'C', 0, days, (d) => (d % 3 === 0 ? 1 : 0));
      h.sales('S1', 'C', days, days + 1, () => 11);
      return h.open('demand_spike');
    };
    // Nine days: three units a store, too few to say how often a shopper takes several.
    expect(run(9)).toHaveLength(0);
    // Eight weeks of single units at the same pace: eleven in a day is a one-off.
    const [spike] = run(56);
    expect(spike).toMatchObject({ sku: 'C', location: 'S1' });
    expect(Number(spike!.evidence.figures.usual_rate_shoppers_seen)).toBeGreaterThan(5);
  });

  it("expects a planned promotion's uplift", () => {
    const h = new DetectHarness();
    h.sales('S1', 'C', 0, 28, () => 3);
    h.promotion('S1', 'C', 'PR1', 28, 35, 5, 20 * DAY);
    h.sales('S1', 'C', 28, 29, () => 14);
    expect(h.of('demand_spike')).toHaveLength(0);
  });

  it('flags a category falling to a fraction of its usual at one store while its peers sell as usual, not shelves run empty', () => {
    const run = (stocked: boolean, restockDay = 99) => {
      const h = new DetectHarness();
      for (const store of ['S1', 'S2', 'S3'])
        for (const sku of ['A', 'B', 'C', 'D']) h.count(store, sku, 1000, 0);
      for (const store of ['S1', 'S2', 'S3'])
        for (const sku of ['A', 'B', 'C', 'D']) h.sales(store, sku, 0, 28, () => 5);
      // Unless stocked, S1 runs out of A, B and C (a supplier slipping): empty shelves, not lost demand.
      if (!stocked) for (const sku of ['A', 'B', 'C']) h.count('S1', sku, 0, 28 * DAY);
      for (let d = 28; d < 35; d++) {
        for (const store of ['S2', 'S3'])
          for (const sku of ['A', 'B', 'C', 'D']) h.sales(store, sku, d, d + 1, () => 5);
        if (stocked) for (const sku of ['A', 'B', 'C', 'D']) h.sales('S1', sku, d, d + 1, () => 1);
        else h.sales('S1', 'D', d, d + 1, () => 5);
        if (d === restockDay)
          for (const sku of ['A', 'B', 'C'])
            h.feed([
              { type: 'receipt', source: 'wms', sku, location: 'S1', qty: 50, at: d * DAY + 20 * HOUR },
            ]);
        h.sweep((d + 1) * DAY + HOUR);
      }
      return h.of('demand_drop');
    };
    const drops = run(true);
    expect(drops).toHaveLength(1);
    expect(drops[0]).toMatchObject({ location: 'S1', category: 'toys' });
    expect(drops[0]!.evidence.figures.usual_demand_in_stock_share).toBe(1);
    expect(run(false)).toHaveLength(0);
    // Restocked on the last evening: the shelves were still empty for the days being judged.
    expect(run(false, 34)).toHaveLength(0);
  });

  it("flags a drop in a store's second week, judged against its first with a wider margin", () => {
    const run = (after: number) => {
      const h = new DetectHarness();
      for (const store of ['S1', 'S2', 'S3'])
        for (const sku of ['A', 'B', 'C', 'D']) h.count(store, sku, 1000, 0);
      for (const store of ['S1', 'S2', 'S3'])
        for (const sku of ['A', 'B', 'C', 'D']) h.sales(store, sku, 0, 9, () => 5);
      for (let d = 9; d < 16; d++) {
        for (const store of ['S2', 'S3'])
          for (const sku of ['A', 'B', 'C', 'D']) h.sales(store, sku, d, d + 1, () => 5);
        for (const sku of ['A', 'B', 'C', 'D']) h.sales('S1', sku, d, d + 1, () => after);
        h.sweep((d + 1) * DAY + HOUR);
      }
      return h.of('demand_drop');
    };
    expect(run(1)).toHaveLength(1);
    expect(run(1)[0]).toMatchObject({
      location: 'S1',
      category: 'toys',
      opened_at: expect.stringMatching(/^2026-03-1[0-8]/),
    });
    // Four days in five of the usual is within what nine days of history can say.
    expect(run(4)).toHaveLength(0);
  });

  it('judges a category that sells in lumps by its purchases: a quiet fortnight of six-packs is not a drop', () => {
    const run = (lumpy: boolean) => {
      const h = new DetectHarness();
      const skus = ['A', 'B', 'C', 'D'];
      for (const store of ['S1', 'S2', 'S3']) for (const sku of skus) h.count(store, sku, 1000, 0);
      // Eight units a day either way: six-packs on one day in three, or two singles a day.
      const usual = (i: number) => (d: number) => (lumpy ? ((d + i) % 3 === 0 ? 6 : 0) : 2);
      for (const store of ['S1', 'S2', 'S3'])
        for (const [i, sku] of skus.entries()) h.sales(store, sku, 0, 28, usual(i));
      for (let d = 28; d < 42; d++) {
        for (const store of ['S2', 'S3'])
          for (const [i, sku] of skus.entries()) h.sales(store, sku, d, d + 1, usual(i));
        // S1 sells 24 units in the fortnight: four six-packs, or twelve days of two singles.
        h.sales('S1', 'A', d, d + 1, () => (lumpy ? (d % 3 === 0 && d < 40 ? 6 : 0) : d % 7 === 0 ? 0 : 2));
        h.sweep((d + 1) * DAY + HOUR);
      }
      return h.of('demand_drop');
    };
    // 24 singles for 112 is a drop; 4 purchases for 19 is within what a lumpy category does.
    const singles = run(false);
    expect(singles).toHaveLength(1);
    expect(singles[0]!.evidence.figures.units_per_purchase).toBeLessThan(1.1);
    expect(run(true)).toHaveLength(0);
  });

  it('takes a category slump of a few days for noise, and one that lasts a week for a drop', () => {
    const run = (slumpDays: number) => {
      const h = new DetectHarness();
      for (const store of ['S1', 'S2', 'S3'])
        for (const sku of ['A', 'B', 'C', 'D', 'E', 'F']) h.count(store, sku, 1000, 0);
      for (let d = 0; d < 45; d++) {
        for (const store of ['S1', 'S2', 'S3'])
          for (const sku of ['A', 'B', 'C', 'D', 'E', 'F']) {
            // The toys at S1 slump; its food sells on, so the till is plainly not silent.
            const slump = store === 'S1' && sku < 'E' && d >= 28 && d < 28 + slumpDays;
            h.sales(store, sku, d, d + 1, () => (slump ? 0 : 8 + (d % 3)));
          }
        h.sweep((d + 1) * DAY + HOUR);
      }
      return h.of('demand_drop');
    };
    expect(run(3)).toHaveLength(0);
    const [drop] = run(9);
    expect(drop).toMatchObject({ location: 'S1', sku: null });
    expect(Number(drop!.evidence.figures.days)).toBeGreaterThanOrEqual(5);
  });

  it('widens the baseline margin for a history shorter than two weeks', () => {
    expect(baselineMargin(28)).toBe(0.15);
    expect(baselineMargin(14)).toBe(0.15);
    expect(baselineMargin(7)).toBeCloseTo(0.15 * Math.SQRT2, 10);
    expect(baselineMargin(0)).toBe(0.5);
  });

  it('flags an unplanned category surge at one store', () => {
    const h = new DetectHarness();
    for (const sku of ['A', 'B', 'C', 'D']) h.sales('S1', sku, 0, 28, () => 4);
    for (let d = 28; d < 32; d++) {
      for (const sku of ['A', 'B', 'C', 'D']) h.sales('S1', sku, d, d + 1, () => 20);
      h.sweep((d + 1) * DAY + HOUR);
    }
    expect(h.of('demand_spike').filter((e) => e.sku === null)).toHaveLength(1);
  });

  it('finds a surge that lifts a category led by one big seller, and not that seller alone', () => {
    // A sells 40 a day and B, C, D 12 each; then four days with every SKU up threefold, or
    // A alone up to 200. Without A's excess the first is the rest at three times its own
    // usual of 36 (the factor is 2), though A's usual and the rest's 108 are short of twice
    // the category's 76; the second is the rest as usual.
    const run = (everySku: boolean) => {
      const h = new DetectHarness();
      const usual: Record<string, number> = { A: 40, B: 12, C: 12, D: 12 };
      for (const sku of Object.keys(usual)) h.sales('S1', sku, 0, 28, () => usual[sku]!);
      for (let d = 28; d < 32; d++) {
        h.sales('S1', 'A', d, d + 1, () => (everySku ? 120 : 200));
        for (const sku of ['B', 'C', 'D']) h.sales('S1', sku, d, d + 1, () => (everySku ? 36 : 12));
        h.sweep((d + 1) * DAY + HOUR);
      }
      return h.of('demand_spike').filter((e) => e.sku === null);
    };
    const [surge] = run(true);
    expect(surge).toMatchObject({ location: 'S1', category: 'toys' });
    expect(run(false)).toHaveLength(0);
  });

  it('counts a surge in shoppers, where the units of a category bought in lumps vary too much to tell', () => {
    // Ten shoppers a day buy S1's toys, and on some days one to three of them a ten-pack:
    // 10 to 37 units a day (19 on average), ten sale lines. For three days three times as
    // many shoppers come, as many of them buying ten-packs (two or three a day).
    const big = [0, 3, 1, 0, 2, 0, 1];
    const run = (surge: boolean) => {
      const h = new DetectHarness();
      for (const sku of ['A', 'B', 'C', 'D']) h.count('S1', sku, 100_000, 0);
      for (let d = 0; d < 31; d++) {
        const shoppers = surge && d >= 28 ? 30 : 10;
        const packs = surge && d >= 28 ? 2 + (d % 2) : big[d % 7]!;
        h.feed(
          Array.from({ length: shoppers }, (_, i) => ({
            type: 'sale',
            sku: ['A', 'B', 'C', 'D'][i % 4]!,
            location: 'S1',
            channel: 'store',
            qty: i < packs ? 10 : 1,
            at: d * DAY + (9 + (12 * i) / shoppers) * HOUR,
          })),
          T0 + d * DAY + 21 * HOUR,
        );
        h.sweep((d + 1) * DAY + HOUR);
      }
      return h.of('demand_spike').filter((e) => e.sku === null);
    };
    const [surge] = run(true);
    expect(surge).toMatchObject({ location: 'S1', category: 'toys' });
    // Found in the shoppers: their units, near three times usual too, swing as much as a day of ten-packs.
    expect(surge!.evidence.figures).toMatchObject({ tested_in: 'sale_lines' });
    expect(run(false)).toHaveLength(0);
  });

  it("judges a store's surge by how much the category's days vary across the chain", () => {
    const run = (noisyChain: boolean) => {
      const h = new DetectHarness();
      // S1's toys sell 5 a SKU every day, then 20 for four days. Its peers sell 10 a day
      // either steadily or as 2 and 18 on alternate days: the same weeks, far noisier days.
      for (let d = 0; d < 32; d++) {
        for (const store of ['S2', 'S3', 'S4'])
          for (const sku of ['A', 'B', 'C', 'D'])
            h.sales(store, sku, d, d + 1, () => (noisyChain ? (d % 2 === 0 ? 2 : 18) : 10));
        for (const sku of ['A', 'B', 'C', 'D']) h.sales('S1', sku, d, d + 1, () => (d < 28 ? 5 : 20));
        h.sweep((d + 1) * DAY + HOUR);
      }
      return h.of('demand_spike').filter((e) => e.sku === null);
    };
    const [surge] = run(false);
    expect(surge).toMatchObject({ location: 'S1', category: 'toys' });
    expect(surge!.evidence.figures.chain_dispersion).toBeUndefined();
    // Where every store's days swing fourfold, four days at four times one store's usual
    // are within what the category does.
    expect(run(true)).toHaveLength(0);
  });

  it("reads a category's overdispersion from successive days, not from the season's trend", () => {
    const dow = new Array<number>(7).fill(1);
    const series = (units: (d: number) => number) => {
      const hist = new DemandHistory();
      for (let d = 0; d < 28; d++) hist.add(d, units(d));
      return overdispersion(hist, dow, 28, 1)!;
    };
    // A steady ramp from 20 to 74 a day: no day-to-day noise beyond chance.
    expect(series((d) => 20 + 2 * d).inverse).toBeLessThan(0);
    // 10 and 50 on alternate days: variance 400 on a mean of 30, 1 / r = (400 - 30) / 900.
    const swing = series((d) => (d % 2 === 0 ? 10 : 50));
    expect(swing.inverse).toBeCloseTo(((40 * 40) / 2 - 30) / 900, 6);
    // Pooled over stores, one store's real surge is capped at four times the median reading.
    const calm = { inverse: 0.25, weight: 20 };
    expect(pooledDispersion([calm, calm])).toBeUndefined();
    expect(pooledDispersion([calm, calm, calm])).toBeCloseTo(4, 6);
    expect(pooledDispersion([calm, calm, calm, { inverse: 5, weight: 20 }])).toBeCloseTo(1 / 0.4375, 6);
    // Stores whose days vary no more than chance say the category has no overdispersion.
    const still = { inverse: -0.1, weight: 20 };
    expect(pooledDispersion([calm, still, still, still])).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('demand, a shelf emptied in the morning', () => {
  it("tests a SKU's big morning again once the rest of its category's day is known", () => {
    /** D sells 1 a day beside A to C at 10 each; on day 28 ten of D go by 10:00, and A to C sell `rest` each. */
    const run = (rest: number) => {
      const h = new DetectHarness();
      for (const sku of ['A', 'B', 'C']) {
        h.count('S1', sku, 2000, 0);
        h.sales('S1', sku, 0, 28, () => 10);
      }
      h.count('S1', 'D', 100, 0);
      h.sales('S1', 'D', 0, 28, () => 1);
      // The ten arrive before the rest of the category's day: a morning with little of the
      // category seen yet says little of how busy the day is.
      h.sales('S1', 'D', 28, 29, () => 10, [9, 10]);
      const early = h.open('demand_spike').filter((e) => e.sku === 'D');
      for (const sku of ['A', 'B', 'C']) h.sales('S1', sku, 28, 29, () => rest);
      h.sweep(28 * DAY + 22 * HOUR);
      return { early, late: h.open('demand_spike').filter((e) => e.sku === 'D') };
    };
    // An ordinary day for the rest of toys: ten of D is its own, raised once the day shows it.
    const usual = run(10);
    expect(usual.early).toHaveLength(0);
    expect(usual.late).toHaveLength(1);
    expect(usual.late[0]!.evidence.figures).toMatchObject({ units_that_day: 10 });
    expect(Number(usual.late[0]!.evidence.figures.tail_probability)).toBeLessThan(1e-5);
    // The whole aisle ran at three times its usual: so did D, and nothing is raised.
    const busy = run(30);
    expect(busy.early).toHaveLength(0);
    expect(busy.late).toHaveLength(0);
  });
});

describe('promotion stock-out risk', () => {
  it('raises a promotion whose expected demand outruns the stock', () => {
    const h = new DetectHarness();
    h.count('S1', 'D', 60, 0);
    h.sales('S1', 'D', 0, 14, () => 4);
    h.promotion('S1', 'D', 'PR2', 15, 22, 3, 14 * DAY);
    h.sweep(14 * DAY + 22 * HOUR);
    const [risk] = h.open('promotion_stockout_risk');
    expect(risk).toMatchObject({ sku: 'D', location: 'S1', group: 'promotion:PR2' });
    expect(risk!.actions[0]!.kind).toBe('replenishment_priority');
  });
});

describe('promotion stock-out risk, with stock on its way', () => {
  /**
   * S1's open promotion risks for D: `shelf` counted, `daily` sold a day for 14 days, a
   * promotion (days [from, to), announced at `announced`), `qty` shipped from DC1 at
   * `shippedAt` and due at `dueAt` (ms from T0), a sweep at `sweepAt`.
   */
  const scene = (o: {
    shelf: number;
    daily: number;
    promotion: [id: string, from: number, to: number, uplift: number, announced: number];
    transfer: [id: string, qty: number, shippedAt: number, dueAt: number];
    sweepAt: number;
  }) => {
    const h = new DetectHarness();
    h.count('S1', 'D', o.shelf, 0);
    h.count('DC1', 'D', 200, 0);
    h.sales('S1', 'D', 0, 14, () => o.daily);
    h.promotion('S1', 'D', ...o.promotion);
    const [id, qty, at, dueAt] = o.transfer;
    h.transferShipped({ id, sku: 'D', from: 'DC1', to: 'S1', qty, at, dueAt });
    h.sweep(o.sweepAt);
    return h.open('promotion_stockout_risk');
  };

  it('counts a transfer as supply only if it lands before the stock runs out in the horizon', () => {
    // 6 left; the promotion's first three days at uplift 4 want about 16.
    const run = (dueDay: number) =>
      scene({
        shelf: 34,
        daily: 2,
        promotion: ['PR4', 15, 18, 4, 14 * DAY],
        transfer: ['T9', 30, 14 * DAY + 20 * HOUR, dueDay * DAY],
        sweepAt: 14 * DAY + 22 * HOUR,
      });
    // Due the morning the promotion starts: it fills the shelf in time.
    expect(run(15.3)).toHaveLength(0);
    // Due the day after it ends: the shelf empties first.
    const [risk] = run(19);
    expect(risk).toMatchObject({ sku: 'D', location: 'S1', group: 'promotion:PR4' });
    expect(risk!.evidence.figures).toMatchObject({
      in_transit_in: 30,
      inbound_landing_in_horizon: 0,
      inbound_due_after_horizon: 30,
    });
  });

  it('raises when the shelf empties before a transfer that covers the promotion lands', () => {
    // 4 left when the promotion starts at uplift 4: about 12 a day.
    const run = (dueAt: number) =>
      scene({
        shelf: 46,
        daily: 3,
        promotion: ['PR6', 14, 20, 4, 10 * DAY],
        transfer: ['T10', 60, 14 * DAY + HOUR, dueAt],
        sweepAt: 14 * DAY + 2 * HOUR,
      });
    // Landing before the shop opens, the 60 carry the promotion.
    expect(run(14 * DAY + 5 * HOUR)).toHaveLength(0);
    // Landing the next evening, after a day and a half of promotion trade on 4 units.
    const [risk] = run(15 * DAY + 20 * HOUR);
    expect(risk).toMatchObject({ sku: 'D', location: 'S1', group: 'promotion:PR6' });
    expect(risk!.evidence.figures).toMatchObject({
      sellable: 4,
      inbound_landing_in_horizon: 60,
      inbound_first_lands_at: new Date(T0 + 15 * DAY + 20 * HOUR).toISOString(),
    });
    expect(Number(risk!.evidence.figures.demand_before_inbound_lands)).toBeGreaterThan(15);
    expect(risk!.explanation).toMatch(/runs empty before they do/);
  });
});

describe('promotion stock-out risk, until a replenishment could land', () => {
  it("weighs the promotion's demand until a delivery asked for now would land, as the store's deliveries show", () => {
    /**
     * 8 of D on the shelf the morning a promotion of about 15 a day starts, nothing on its
     * way. S1's deliveries (of E) ship at 23:00 and take `transitHours`.
     */
    const run = (transitHours: number) => {
      const h = new DetectHarness();
      h.count('S1', 'D', 64, 0);
      h.count('DC1', 'E', 500, 0);
      h.sales('S1', 'D', 0, 14, () => 4);
      h.promotion('S1', 'D', 'PR9', 15, 20, 4, 8 * DAY);
      for (let d = 1; d <= 6; d++) {
        const shippedAt = d * DAY + 23 * HOUR;
        h.transferShipped({
          id: `TE${d}`,
          sku: 'E',
          from: 'DC1',
          to: 'S1',
          qty: 5,
          at: shippedAt,
          dueAt: shippedAt + 8 * HOUR,
        });
        h.feed([
          {
            type: 'transfer_received',
            source: 'wms',
            sku: 'E',
            location: 'S1',
            from_location: 'DC1',
            qty: 5,
            ref: { transfer_id: `TE${d}` },
            at: shippedAt + transitHours * HOUR,
          },
        ]);
      }
      h.sweep(15 * DAY + 8 * HOUR);
      return h.open('promotion_stockout_risk');
    };
    // Tonight's shipment lands before the shop opens tomorrow: the 8 carry one day of about
    // 15, which they may well do (not the day and a third a lead time from now would count).
    expect(run(8)).toHaveLength(0);
    // It lands the morning after: two promotion days on 8 units.
    const [risk] = run(32);
    expect(risk).toMatchObject({ sku: 'D', location: 'S1', group: 'promotion:PR9' });
    expect(risk!.confidence).toBeGreaterThan(0.9);
    expect(Number(risk!.evidence.figures.replenishment_lands_in_days)).toBeCloseTo(1.96, 2);
    expect(risk!.explanation).toMatch(/before a replenishment asked for now could land/);
  });
});

describe('promotion stock-out risk, once the shelf has sold out', () => {
  /**
   * S1's open promotion risks for D: `daily` sold a day for 14 days, then `shelf` left as a
   * promotion at `uplift` starts (days 14 to 20), 60 due before the shop opens on its second
   * day; `sold` go on its first day, from 9:00 to `lastSaleHour` (`beforeTrade` looks in
   * before they do). F, of another category, sells every hour from 9:00 to 21:00: the
   * store's trading day.
   */
  const soldOut = (o: {
    shelf: number;
    daily: number;
    uplift: number;
    sold: number;
    lastSaleHour: number;
    config?: DetectorConfigInput;
    beforeTrade?: (h: DetectHarness) => void;
  }) => {
    const h = new DetectHarness(o.config);
    h.count('S1', 'F', 1000, 0);
    h.sales('S1', 'F', 0, 15, () => 12);
    h.count('S1', 'D', 14 * o.daily + o.shelf, 0);
    h.count('DC1', 'D', 200, 0);
    h.sales('S1', 'D', 0, 14, () => o.daily);
    h.promotion('S1', 'D', 'PR7', 14, 20, o.uplift, 10 * DAY);
    h.transferShipped({
      id: 'T11',
      sku: 'D',
      from: 'DC1',
      to: 'S1',
      qty: 60,
      at: 14 * DAY + 2 * HOUR,
      dueAt: 15 * DAY + 5 * HOUR,
    });
    o.beforeTrade?.(h);
    h.sales('S1', 'D', 14, 15, () => o.sold, [9, o.lastSaleHour]);
    h.sweep(14 * DAY + 22 * HOUR);
    return h.open('promotion_stockout_risk');
  };

  it('raises a promotion whose shelf sold out on a promotion day, though the next refill covers the rest', () => {
    /** 10 on the shelf as a promotion of about 15 a day starts. */
    const run = (sold: number) =>
      soldOut({
        shelf: 10,
        daily: 3,
        uplift: 5,
        sold,
        lastSaleHour: 14,
        // Before the promotion trades, 10 units against about 15 of the first day's demand
        // (until the 60 land) is a risk, not a certainty: below the bar.
        beforeTrade(h) {
          h.sweep(14 * DAY + 3 * HOUR);
          expect(h.open('promotion_stockout_risk')).toHaveLength(0);
        },
      });
    // One unit still on the shelf at closing: the day's demand may all have been met.
    expect(run(9)).toHaveLength(0);
    // The shelf emptied at 14:00: the day's demand was at least 10, and at about 15 a day
    // someone came for it in the seven hours left with probability over 0.9.
    const [risk] = run(10);
    expect(risk).toMatchObject({ sku: 'D', location: 'S1', group: 'promotion:PR7' });
    expect(risk!.confidence).toBeGreaterThan(0.9);
    expect(risk!.evidence.figures).toMatchObject({ sold_on_sold_out_day: 10, sellable: 0 });
    expect(risk!.evidence.events.map((e) => e.type)).toEqual(['promotion', 'sale']);
    expect(risk!.explanation).toMatch(/sold out on/);
  });

  it('raises a sold-out promotion day once its demand more likely than not met an empty shelf, weighing the hour it emptied', () => {
    /** 6 units as a promotion of about 6 a day starts; the last goes at `hour`. */
    const run = (sold: number, hour: number, config: DetectorConfigInput = {}) =>
      soldOut({ shelf: 6, daily: 2, uplift: 3, sold, lastSaleHour: hour, config });
    // One left at closing: nothing says the day wanted more.
    expect(run(5, 20)).toHaveLength(0);
    // Empty at noon, with three quarters of the day's trade to come: shoppers surely found
    // it empty.
    const [noon] = run(6, 12);
    expect(noon!.confidence).toBeGreaterThan(0.99);
    // (D's own sales at 9:00 weigh the morning a little more than F's alone.)
    expect(Number(noon!.evidence.figures.day_traded_when_sold_out)).toBeCloseTo(0.3, 1);
    expect(noon!.explanation).toMatch(/sold out on/);
    // Empty at 18:00, a quarter of the day to come at about 6 a day: more likely than not
    // someone came. Under the look-ahead's bar of 0.9, but it reads what happened, not a
    // forecast.
    const [evening] = run(6, 18);
    expect(evening).toMatchObject({ sku: 'D', location: 'S1', group: 'promotion:PR7' });
    expect(evening!.confidence).toBeGreaterThan(0.5);
    expect(evening!.confidence).toBeLessThan(0.9);
    expect(evening!.reasoning).toMatch(/2\d% of the day's trade still to come/);
    expect(evening!.evidence.thresholds).toMatchObject({ promotion_sold_out_probability: 0.5 });
    // The bar is configuration.
    expect(run(6, 18, { defaults: { promotion_sold_out_probability: 0.9 } })).toHaveLength(0);
    // The last unit went fifteen minutes before closing: likely nobody came after it.
    expect(run(6, 20.75)).toHaveLength(0);
  });
});

describe('the sold-out reading, on a usual rate that rests on few units', () => {
  it("weighs the day's own pace more when the rate it is read against rests on few units", () => {
    // D sold 2 a day for two weeks; on the first promotion day its 6 were gone by 16:00,
    // two thirds into the day's trade.
    const h = new DetectHarness();
    h.count('S1', 'F', 1000, 0);
    h.sales('S1', 'F', 0, 15, () => 12);
    h.count('S1', 'D', 34, 0);
    h.sales('S1', 'D', 0, 14, () => 2);
    h.promotion('S1', 'D', 'PR7', 14, 20, 3, 10 * DAY);
    h.sales('S1', 'D', 14, 15, () => 6, [9, 16]);
    const cell = [...h.engine.state.cells.values()].find(
      (c) => c.sku.sku === 'D' && c.loc.location === 'S1',
    )!;
    const settings = h.engine.config.for(cell.sku.category, cell.loc.region);
    const read = (promoRate: number, evidence?: number) =>
      soldOutReading(
        h.engine.state,
        cell,
        cell.soldOutAt,
        { usual: 2, promoRate, lump: 1, evidence },
        settings,
      ).probability;
    // Read against a promotion rate of 2 a day, six gone by 16:00 is a day far busier than
    // the rate: resting on 3 units of history, the rate says little, and the day's own pace
    // says more (someone came after the last unit, likelier); on 3,000 units, the rate
    // holds the day's demand near 2, and six was most of what it wanted.
    expect(read(2, 3)).toBeGreaterThan(read(2, 3000) + 0.05);
    // Unstated evidence is read as certain.
    expect(read(2, undefined)).toBeCloseTo(read(2, 3000), 2);
    // Against the promotion's planned 6 a day, the pace was the rate's: the evidence barely
    // moves the reading.
    expect(Math.abs(read(6, 3) - read(6, 3000))).toBeLessThan(0.02);
  });
});

describe('promotion stock-out risk, read from the line that emptied the shelf', () => {
  it('counts the shopper who took the last units: a buyer of fives who found three wanted more', () => {
    // D sells in lines of `lump` at three stores, one every four days; S1's shelf is counted
    // at 3, and on the promotion's first evening one shopper takes all three.
    const run = (lump: number) => {
      const h = new DetectHarness();
      for (const store of ['S1', 'S2', 'S3']) {
        h.count(store, 'D', 1000, 0);
        for (let d = 0; d < 28; d += 4)
          h.feed([
            { type: 'sale', sku: 'D', location: store, channel: 'store', qty: lump, at: d * DAY + 12 * HOUR },
          ]);
      }
      h.count('S1', 'D', 3, 29 * DAY);
      h.promotion('S1', 'D', 'PR8', 30, 37, 2, 25 * DAY);
      h.feed([
        { type: 'sale', sku: 'D', location: 'S1', channel: 'store', qty: 3, at: 30 * DAY + 20.5 * HOUR },
      ]);
      const cell = [...h.engine.state.cells.values()].find(
        (c) => c.sku.sku === 'D' && c.loc.location === 'S1',
      )!;
      const settings = h.engine.config.for(cell.sku.category, cell.loc.region);
      return soldOutReading(
        h.engine.state,
        cell,
        cell.soldOutAt,
        { usual: lump / 4, promoRate: lump / 2, lump },
        settings,
      );
    };
    const fives = run(5);
    expect(fives).toMatchObject({ emptyingLine: 3 });
    expect(fives.emptyingShopperWantedMore).toBeGreaterThan(0.9);
    expect(fives.probability).toBeGreaterThan(0.9);
    // Where every line is three, the shopper took what such shoppers take; late in the day,
    // little demand was left to meet the empty shelf.
    const threes = run(3);
    expect(threes.emptyingShopperWantedMore).toBeLessThan(0.05);
    expect(threes.probability).toBeLessThan(0.5);
  });
});

describe('promotion stock-out risk, with the season turning', () => {
  it("carries the rest of the category's last week into the promotion's usual rate", () => {
    /** D sells 2 a day, then 4; the rest of its category 5 a day each, then `late`. */
    const run = (late: number) => {
      const h = new DetectHarness();
      for (const sku of ['A', 'B', 'C']) h.count('S1', sku, 1000, 0);
      h.count('S1', 'D', 76, 0);
      for (const sku of ['A', 'B', 'C']) {
        h.sales('S1', sku, 0, 14, () => 5);
        h.sales('S1', sku, 14, 21, () => late);
      }
      h.sales('S1', 'D', 0, 14, () => 2);
      h.sales('S1', 'D', 14, 21, () => 4);
      h.promotion('S1', 'D', 'PR8', 21, 28, 2, 18 * DAY);
      h.sweep(20 * DAY + 22 * HOUR);
      return h.open('promotion_stockout_risk');
    };
    // A steady category: the 20 left cover the promotion's first days at about 5 a day.
    expect(run(5)).toHaveLength(0);
    // The category tripled over the last week: the season is turning, and D's four weeks
    // behind it understate what the promotion will sell.
    const [risk] = run(15);
    expect(risk).toMatchObject({ sku: 'D', location: 'S1', group: 'promotion:PR8' });
    expect(Number(risk!.evidence.figures.category_trend)).toBeGreaterThan(2);
  });
});

describe("promotion stock-out risk, learning the promotion's own rate", () => {
  it('counts no promotion day before the promotion starts', () => {
    const h = new DetectHarness();
    h.count('S1', 'D', 100, 0);
    h.sales('S1', 'D', 0, 15, () => 3);
    h.promotion('S1', 'D', 'PR9', 15, 20, 2, 10 * DAY);
    const cell = [...h.engine.state.cells.values()].find(
      (c) => c.sku.sku === 'D' && c.loc.location === 'S1',
    )!;
    const [p] = cell.promotions;
    // The evening before: the day's trade was a usual day's, not a promotion day that sold nothing.
    expect(promotionSales(h.engine.state, cell, p!, 14 * DAY + 20 * HOUR + T0)).toEqual({
      units: 0,
      days: 0,
    });
    // Its first day, traded: 3 units over one promotion day.
    h.sales('S1', 'D', 15, 16, () => 3);
    const first = promotionSales(h.engine.state, cell, p!, 15 * DAY + 22 * HOUR + T0);
    expect(first.units).toBe(3);
    expect(first.days).toBeCloseTo(1, 1);
  });

  it('raises when the promotion days sell well above the planned uplift, which alone would not', () => {
    const run = (promoDaily: number) => {
      const h = new DetectHarness();
      h.count('S1', 'D', 100, 0);
      h.sales('S1', 'D', 0, 14, () => 3);
      h.promotion('S1', 'D', 'PR3', 14, 24, 2, 10 * DAY);
      h.sales('S1', 'D', 14, 16, () => promoDaily);
      h.sweep(16 * DAY + HOUR);
      return h.open('promotion_stockout_risk');
    };
    // 100 - 42 - 2 x 6 = 46 left: 3 lead days at the planned 6 a day are covered.
    expect(run(6)).toHaveLength(0);
    // 100 - 42 - 2 x 22 = 14 left against about 14 a day over 3 lead days (the plan of 6
    // updated by 44 sold in 2 days).
    const [risk] = run(22);
    expect(risk).toMatchObject({ sku: 'D', location: 'S1', group: 'promotion:PR3' });
    expect(Number(risk!.evidence.figures.promotion_units_sold)).toBe(44);
    expect(Number(risk!.evidence.figures.promotion_units_per_day)).toBeGreaterThan(10);
  });
});

describe('phantom inventory', () => {
  it('raises a record showing stock while a steady seller stops selling, and closes on the next sale', () => {
    const h = new DetectHarness();
    for (const store of ['S1', 'S2', 'S3']) h.count(store, 'A', 200, 0);
    for (let d = 0; d < 30; d++) {
      for (const store of ['S2', 'S3']) h.sales(store, 'A', d, d + 1, () => 5);
      if (d < 20) h.sales('S1', 'A', d, d + 1, () => 5);
      h.sweep((d + 1) * DAY);
      // One day without a sale is not evidence enough.
      if (d === 20) expect(h.of('phantom_inventory')).toHaveLength(0);
    }
    const [phantom] = h.open('phantom_inventory');
    expect(phantom).toMatchObject({ sku: 'A', location: 'S1', root_cause: 'physical_discrepancy' });
    expect(phantom!.confidence).toBeGreaterThan(0.9);
    expect(phantom!.actions[0]!.kind).toBe('count_task');
    h.sales('S1', 'A', 30, 31, () => 1);
    expect(h.of('phantom_inventory')[0]!.status).toBe('closed');
  });

  it("weighs the silence at the level its category sells at meanwhile: a slowing category's SKU needs a longer one", () => {
    const firstRaised = (categoryLater: number) => {
      const h = new DetectHarness();
      for (const store of ['S1', 'S2', 'S3']) h.count(store, 'A', 400, 0);
      for (let d = 0; d < 45; d++) {
        for (const store of ['S2', 'S3']) h.sales(store, 'A', d, d + 1, () => 1 + (d % 3 === 0 ? 1 : 0));
        if (d < 20) h.sales('S1', 'A', d, d + 1, () => 1 + (d % 3 === 0 ? 1 : 0));
        for (const sku of ['B', 'C', 'D']) h.sales('S1', sku, d, d + 1, () => (d < 20 ? 10 : categoryLater));
        h.sweep((d + 1) * DAY);
        const [phantom] = h.open('phantom_inventory');
        if (phantom) return { day: d, phantom };
      }
      return undefined;
    };
    const usual = firstRaised(10);
    const slower = firstRaised(6);
    expect(usual).toBeDefined();
    expect(usual!.phantom.evidence.figures.demand_level_read).toBe(1);
    expect(slower).toBeDefined();
    expect(slower!.day).toBeGreaterThan(usual!.day);
    expect(Number(slower!.phantom.evidence.figures.demand_level_read)).toBeLessThan(1);
    expect(slower!.phantom.reasoning).toContain('of its usual');
  });

  it('raises at once when a picker cannot find a SKU the record shows after a day of silence, with the pick as evidence', () => {
    const run = (pick: boolean) => {
      const h = new DetectHarness();
      for (const store of ['S1', 'S2', 'S3']) h.count(store, 'A', 200, 0);
      // About 2 a day, with a day without a sale now and then.
      const usual = (d: number) => (d % 5 === 4 ? 0 : 2 + (d % 2));
      for (let d = 0; d < 24; d++) {
        if (pick && d === 21) h.shortPick('S1', 'A', 21 * DAY + 15 * HOUR);
        for (const store of ['S2', 'S3']) h.sales(store, 'A', d, d + 1, usual);
        if (d < 20) h.sales('S1', 'A', d, d + 1, usual);
        h.sweep((d + 1) * DAY);
        if (d === 21) return h;
      }
      return h;
    };
    // Two silent days alone are not enough; with the failed pick they are.
    expect(run(false).of('phantom_inventory')).toHaveLength(0);
    const h = run(true);
    const [phantom] = h.open('phantom_inventory');
    expect(phantom).toMatchObject({ sku: 'A', location: 'S1' });
    expect(phantom!.opened_at).toBe(new Date(T0 + 21 * DAY + 15 * HOUR).toISOString());
    expect(phantom!.evidence.events[0]).toMatchObject({ type: 'short_pick' });
    expect(phantom!.evidence.figures.short_picked).toBe('yes');
    expect(phantom!.explanation).toContain('a picker could not find it');
    // The pick belongs to this shelf, not to a short-pick pattern at the store.
    expect(h.of('short_pick_pattern')).toHaveLength(0);
  });

  it('weighs a short pick on a record counted yesterday and selling today as a picker who missed: no phantom', () => {
    const h = new DetectHarness();
    for (const store of ['S1', 'S2', 'S3']) h.count(store, 'A', 200, 0);
    for (let d = 0; d < 20; d++) {
      for (const store of ['S1', 'S2', 'S3']) h.sales(store, 'A', d, d + 1, () => 3);
      h.sweep((d + 1) * DAY);
    }
    // Counted this morning: 200 - 60 sold.
    h.count('S1', 'A', 140, 20 * DAY + 6 * HOUR);
    for (const store of ['S1', 'S2', 'S3']) h.sales(store, 'A', 20, 21, () => 3);
    h.shortPick('S1', 'A', 20 * DAY + 22 * HOUR);
    h.sweep(21 * DAY + 2 * HOUR);
    expect(h.of('phantom_inventory')).toHaveLength(0);
    // The pick still lowers the record's confidence, for available-to-promise to see.
    const reading = h.engine.confidence('S1', 'A', T0 + 21 * DAY + 2 * HOUR)!;
    expect(reading.shortPicked).toBe(true);
    expect(reading.emptyProbability).toBeGreaterThan(0.05);
    expect(reading.emptyProbability).toBeLessThan(0.3);
  });

  it("learns each store's picker miss rate from how its short picks were settled", () => {
    const h = new DetectHarness();
    for (const store of ['S1', 'S2']) for (const sku of ['A', 'B', 'C']) h.count(store, sku, 50, 0);
    const miss = (store: string) => h.engine.confidence(store, 'A', T0 + 10 * DAY)!.pickMiss;
    expect(miss('S1')).toBeCloseTo(0.02, 6);
    for (let i = 0; i < 5; i++) {
      const at = (i + 1) * DAY;
      const sku = i % 2 === 0 ? 'B' : 'C';
      // S1: the count after each short pick finds less than the record (the picker was right).
      h.shortPick('S1', sku, at);
      h.count('S1', sku, 40 - i, at + 2 * HOUR);
      // S2: the next sale shows the units were there (the picker missed).
      h.shortPick('S2', sku, at);
      h.feed([{ type: 'sale', sku, location: 'S2', channel: 'store', qty: 1, at: at + 2 * HOUR }]);
    }
    // Beta-Binomial: the configured 0.02 is worth 10 settled picks.
    expect(miss('S1')).toBeCloseTo(0.2 / 15, 6);
    expect(miss('S2')).toBeCloseTo(5.2 / 15, 6);
    // A restock settles nothing: the shelf was not seen.
    h.shortPick('S1', 'A', 6 * DAY);
    h.feed([{ type: 'receipt', source: 'wms', sku: 'A', location: 'S1', qty: 10, at: 6 * DAY + HOUR }]);
    h.feed([{ type: 'sale', sku: 'A', location: 'S1', channel: 'store', qty: 1, at: 6 * DAY + 2 * HOUR }]);
    expect(miss('S1')).toBeCloseTo(0.2 / 15, 6);
  });

  it('does not count the days a record sat at zero against the shelf once it is restocked', () => {
    const h = new DetectHarness();
    for (const store of ['S1', 'S2', 'S3']) h.count(store, 'A', 100, 0);
    h.count('S1', 'A', 60, 0);
    for (let d = 0; d < 40; d++) {
      for (const store of ['S2', 'S3']) h.sales(store, 'A', d, d + 1, () => 5);
      // S1 sells its 60 in 12 days, then has nothing until a delivery on day 30.
      if (d < 12 || d >= 31) h.sales('S1', 'A', d, d + 1, () => 5);
      if (d === 30)
        h.feed([
          { type: 'receipt', source: 'wms', sku: 'A', location: 'S1', qty: 80, at: 30 * DAY + 8 * HOUR },
        ]);
      h.sweep((d + 1) * DAY);
      if (d === 30) h.sweep(30 * DAY + 12 * HOUR);
    }
    expect(h.of('phantom_inventory')).toHaveLength(0);
  });

  it('records the phantom inventory a count finds before the silence could tell, closed by the correction', () => {
    const h = new DetectHarness();
    for (const store of ['S1', 'S2']) h.count(store, 'A', 12, 0);
    h.count('S1', 'B', 20, 0);
    // A slow seller: half a unit a day, then a day of silence, then the count finds nothing.
    for (let d = 0; d < 10; d++) {
      h.sales('S1', 'A', d, d + 1, (day) => day % 2);
      h.sweep((d + 1) * DAY);
    }
    h.count('S1', 'A', 0, 11 * DAY + 6 * HOUR);
    // A count a unit short of the record is a miscount or a breakage, not a phantom.
    h.count('S1', 'B', 19, 11 * DAY + 6 * HOUR);
    const found = h.of('phantom_inventory');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      sku: 'A',
      location: 'S1',
      status: 'closed',
      root_cause: 'physical_discrepancy',
      opened_at: new Date(T0 + 11 * DAY + 6 * HOUR).toISOString(),
      confidence: 0.97,
    });
    expect(found[0]!.evidence.figures).toMatchObject({
      record_before_count: 7,
      counted: 0,
      missing_units: 7,
    });
    expect(found[0]!.evidence.events[0]).toMatchObject({ type: 'cycle_count', qty: 0 });
    expect(found[0]!.close_reason).toContain('corrected to the 0 counted');
    expect(found[0]!.impact.units_at_risk).toBe(7);
    expect(found[0]!.actions[0]).toMatchObject({ kind: 'replenishment_priority', qty: 7 });
    // The opening count compares with nothing: no exception from it.
    expect(h.of('phantom_inventory').filter((r) => r.sku === 'B')).toHaveLength(0);
  });

  it('stays quiet when the SKU stopped selling everywhere (a season ending, not a shelf)', () => {
    const h = new DetectHarness();
    for (const store of ['S1', 'S2', 'S3']) h.count(store, 'A', 200, 0);
    for (let d = 0; d < 30; d++) {
      for (const store of ['S1', 'S2', 'S3']) if (d < 20) h.sales(store, 'A', d, d + 1, () => 5);
      h.sweep((d + 1) * DAY);
    }
    expect(h.of('phantom_inventory')).toHaveLength(0);
  });
});

describe('record confidence in available-to-promise', () => {
  it('holds back online ATP in proportion to a doubtful record, never the store till', async () => {
    const { applyRecordConfidence } = await import('../record-confidence.ts');
    const picture = {
      atp: { store: { qty: 10 }, ecommerce: { qty: 10 }, marketplace: { qty: 7 } } as Record<
        string,
        { qty: number; confidence_factor?: number }
      >,
    };
    applyRecordConfidence(
      picture,
      { confidence: 0.3, probability_empty: 0.7, updated_at: '2026-03-02T00:00:00Z' },
      0.5,
    );
    expect(picture.atp.store!.qty).toBe(10);
    expect(picture.atp.ecommerce).toEqual({ qty: 3, confidence_factor: 0.3 });
    expect(picture.atp.marketplace!.qty).toBe(2);
    const sure = {
      atp: { ecommerce: { qty: 10 } } as Record<string, { qty: number; confidence_factor?: number }>,
    };
    applyRecordConfidence(
      sure,
      { confidence: 0.8, probability_empty: 0.2, updated_at: '2026-03-02T00:00:00Z' },
      0.5,
    );
    expect(sure.atp.ecommerce!.qty).toBe(10);
  });

  it('reads a long silence of a steady seller as a doubtful record', () => {
    const h = new DetectHarness();
    h.count('S1', 'B', 200, 0);
    for (let d = 0; d < 26; d++) {
      if (d < 18) h.sales('S1', 'B', d, d + 1, () => 4);
      h.sweep((d + 1) * DAY);
    }
    const reading = h.engine.confidence('S1', 'B')!;
    expect(reading.confidence).toBeLessThan(0.1);
    expect(reading.emptyProbability).toBeGreaterThan(0.9);
    expect(h.engine.confidence('S1', 'C')).toBeUndefined();
  });
});
