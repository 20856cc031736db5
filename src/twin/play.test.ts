import { describe, expect, it } from 'vitest';
import { buildNetwork } from './network.ts';
import { playScenario } from './play.ts';
import { type FAULT_TYPES, loadScenario, scenarioSchema } from './scenario.ts';
import { World } from './world.ts';

const scenario = (faults: { type: (typeof FAULT_TYPES)[number]; count: number }[]) =>
  scenarioSchema.parse({
    name: 'play',
    start: '2026-01-05',
    days: 60,
    network: { stores: 6, dcs: 1, skus: 60, suppliers: 2 },
    faults,
  });

describe('the closed loop', () => {
  it('keeps the records equal to the truth, cell by cell and day by day, in the quiet scenario', () => {
    const s = loadScenario('quiet');
    const world = new World(buildNetwork(s, 4), s, 4);
    const sink = { events: () => {}, truth: () => {} };
    world.open();
    for (let day = 0; day < s.days; day++) {
      world.step(day, sink);
      expect(world.recordedSellable).toEqual(world.sellable);
    }
  });

  it('loses fewer sales with the oracle than with the baseline, facing the same customers', () => {
    const s = scenario([
      { type: 'phantom_inventory', count: 12 },
      { type: 'transfer_lost', count: 6 },
      { type: 'data_glitch', count: 3 },
    ]);
    const baseline = playScenario(s, 5, 'baseline');
    const oracle = playScenario(s, 5, 'oracle');
    expect(oracle.demand_units).toBe(baseline.demand_units);
    expect(oracle.lost_sales_units).toBeLessThan(baseline.lost_sales_units);
    expect(oracle.fill_rate).toBeGreaterThan(baseline.fill_rate);
    for (const kpis of [baseline, oracle]) {
      expect(kpis.sold_units + kpis.lost_sales_units).toBe(kpis.demand_units);
      expect(kpis.inventory_turns).toBeGreaterThan(0);
      expect(kpis.counts_performed).toBeGreaterThan(0);
    }
  });

  it('scores both policies alike when the records are right', () => {
    const s = scenario([]);
    expect({ ...playScenario(s, 6, 'oracle'), policy: 'baseline' }).toEqual(playScenario(s, 6, 'baseline'));
  });
});

describe('the planner hook', () => {
  const s = scenario([{ type: 'transfer_lost', count: 2 }]);

  it('orders nothing when a planner sets every reorder point below zero, and keeps every unit accounted for', () => {
    const kpis = playScenario(s, 2, () => ({
      name: 'invex',
      plan(view) {
        view.reorderPoint.fill(-1);
        view.orderUpTo.fill(0);
      },
    }));
    expect(kpis.purchase_orders).toBe(0);
    expect(kpis.transfers).toBe(0);
    expect(kpis.sold_units + kpis.lost_sales_units).toBe(kpis.demand_units);
  });

  it('ships the store-to-store transfers a planner asks for, never more than the source holds', () => {
    const net = buildNetwork(s, 2);
    const [a, b] = net.stores as [number, number];
    const world = new World(net, s, 2, {
      name: 'invex',
      plan() {},
      redistribute: (view) =>
        view.day === 10
          ? [
              { from: a, to: b, sku: 0, qty: 1_000_000 },
              { from: a, to: a, sku: 1, qty: 1 },
            ]
          : [],
    });
    const sink = { events: () => {}, truth: () => {} };
    world.open();
    const cellA = world.cell(a, 0);
    let before = 0;
    for (let day = 0; day <= 10; day++) {
      if (day === 10) before = world.sellable[cellA]!;
      world.step(day, sink);
    }
    // The whole shelf went (the request was far more than it held); the self-transfer did not.
    expect(before).toBeGreaterThan(0);
    expect(world.kpi.storeTransfers).toBe(1);
    expect(world.sellable[cellA]).toBe(0);
  });
});
