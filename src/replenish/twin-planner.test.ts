import { describe, expect, it } from 'vitest';
import { loadScenario, type PlayKpis, playScenario, scenarioSchema } from '../twin/index.ts';
import { invexPolicy } from './twin-planner.ts';

const small = scenarioSchema.parse({
  name: 'small-peak',
  start: '2026-10-20',
  days: 60,
  network: { stores: 6, dcs: 1, skus: 80, suppliers: 2 },
  demand: { scale: 1.2, dispersion: 3, online_orders_per_dc: 60 },
  promotions: 12,
  faults: [{ type: 'supplier_lead_time_slip', count: 1 }],
});

const balanced = (k: PlayKpis) => k.sold_units + k.lost_sales_units === k.demand_units;

describe('the invex planner in the closed loop', () => {
  it('loses fewer sales than the baseline at no more total cost, facing the same customers', async () => {
    const baseline = playScenario(small, 3, 'baseline');
    const invex = playScenario(small, 3, await invexPolicy(small));
    expect(invex.policy).toBe('invex');
    expect(invex.demand_units).toBe(baseline.demand_units);
    expect(balanced(invex) && balanced(baseline)).toBe(true);
    expect(invex.lost_sales_units).toBeLessThan(baseline.lost_sales_units);
    expect(invex.total_cost).toBeLessThanOrEqual(baseline.total_cost);
  });

  it('moves stock between stores only when redistribution is on', async () => {
    const on = playScenario(small, 3, await invexPolicy(small));
    const off = playScenario(small, 3, await invexPolicy(small, { redistribute: false }));
    expect(on.store_transfers).toBeGreaterThan(0);
    expect(off.store_transfers).toBe(0);
    expect(balanced(on) && balanced(off)).toBe(true);
  });

  it('plans on the records alone when they are wrong (phantom shelves), keeping every unit accounted for', async () => {
    const s = loadScenario('quiet');
    const faulty = scenarioSchema.parse({
      ...s,
      name: 'phantoms',
      days: 40,
      network: { stores: 4, dcs: 1, skus: 40, suppliers: 2 },
      faults: [{ type: 'phantom_inventory', count: 8 }],
    });
    const invex = playScenario(faulty, 2, await invexPolicy(faulty));
    expect(balanced(invex)).toBe(true);
    expect(invex.lost_sales_units).toBeGreaterThan(0);
  });
});
