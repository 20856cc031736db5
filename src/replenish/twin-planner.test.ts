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
  it('loses fewer sales than the baseline, for less once they are counted and about the same stock cost, facing the same customers', async () => {
    const baseline = playScenario(small, 3, 'baseline');
    const invex = playScenario(small, 3, await invexPolicy(small));
    expect(invex.policy).toBe('invex');
    expect(invex.demand_units).toBe(baseline.demand_units);
    expect(balanced(invex) && balanced(baseline)).toBe(true);
    expect(invex.lost_sales_units).toBeLessThan(baseline.lost_sales_units);
    // It trades a little holding for service: counting the sales lost (at their price), it
    // costs less, and what it spends on stock and moves is within 1% of the baseline's. (On
    // the calibrated twin's seed 3 it loses 39% fewer units for 0.4% more total cost.)
    expect(invex.total_cost + invex.lost_sales_value).toBeLessThan(
      baseline.total_cost + baseline.lost_sales_value,
    );
    expect(invex.total_cost).toBeLessThanOrEqual(1.01 * baseline.total_cost);
  });

  it('moves stock between stores only when redistribution is on', async () => {
    const on = playScenario(small, 3, await invexPolicy(small));
    const off = playScenario(small, 3, await invexPolicy(small, { redistribute: false }));
    expect(on.store_transfers).toBeGreaterThan(0);
    expect(off.store_transfers).toBe(0);
    expect(balanced(on) && balanced(off)).toBe(true);
  });

  it('counts returns only once it has four weeks of them to fit, and only when asked', async () => {
    // Each day's store reorder points and order-up-to levels, summed.
    const plans = async (countReturns: boolean) => {
      const levels: number[] = [];
      const policy = await invexPolicy(small, { redistribute: false, countReturns });
      const kpis = playScenario(small, 3, (net) => {
        const planner = policy(net);
        return {
          name: planner.name,
          plan(view) {
            planner.plan(view);
            let sum = 0;
            for (const store of net.stores)
              for (let s = 0; s < view.nSkus; s++)
                sum += view.reorderPoint[store * view.nSkus + s]! + view.orderUpTo[store * view.nSkus + s]!;
            levels.push(sum);
          },
          allocate: planner.allocate?.bind(planner),
        };
      });
      return { levels, kpis };
    };
    const off = await plans(false);
    const on = await plans(true);
    expect(balanced(on.kpis) && balanced(off.kpis)).toBe(true);
    // The first fit comes after 28 days of history: until then the plans are the same.
    expect(on.levels.slice(0, 27)).toEqual(off.levels.slice(0, 27));
    expect(on.levels[27]).toBeLessThan(off.levels[27]!);
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
