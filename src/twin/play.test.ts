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
