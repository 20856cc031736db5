import { describe, expect, it } from 'vitest';
import { scenarioSchema } from '../twin/index.ts';
import { runWhatIf } from './what-if.ts';

const base = {
  name: 'what-if',
  start: '2026-10-20',
  days: 40,
  network: { stores: 4, dcs: 1, skus: 40, suppliers: 2 },
  demand: { scale: 1.2, dispersion: 3, online_orders_per_dc: 40 },
};

describe('what-if on the twin', () => {
  it('a two-week supplier slip costs sales, and the planner orders more from that supplier in response', async () => {
    const s = scenarioSchema.parse({
      ...base,
      what_if: { supplier_slips: [{ supplier: 'SUP01', day: 5, days: 14 }] },
    });
    const report = await runWhatIf(s, 1);
    expect(report.base.demand_units).toBe(report.withWhatIf.demand_units);
    expect(report.delta.lost_sales_units).toBeGreaterThan(0);
    expect(report.delta.lost_sales_units).toBe(
      report.withWhatIf.lost_sales_units - report.base.lost_sales_units,
    );
    const fromSlipped = report.responses.filter((r) => r.kind === 'order' && r.from === 'SUP01');
    expect(fromSlipped.length).toBeGreaterThan(0);
    expect(fromSlipped.reduce((a, r) => a + r.change, 0)).toBeGreaterThan(0);
    for (const r of report.responses) expect(r.firstDay).toBeGreaterThanOrEqual(0);
  });

  it('a closed store loses that day’s store sales, the same customers coming', async () => {
    const s = scenarioSchema.parse({ ...base, what_if: { closures: [{ store: 'S002', day: 10, days: 2 }] } });
    const report = await runWhatIf(s, 2, { policy: 'baseline' });
    expect(report.policy).toBe('baseline');
    expect(report.withWhatIf.lost_by_channel.store).toBeGreaterThan(report.base.lost_by_channel.store);
    expect(report.withWhatIf.demand_units).toBe(report.base.demand_units);
  });

  it('an added promotion raises demand for its SKU, announced a week ahead', async () => {
    const s = scenarioSchema.parse({
      ...base,
      what_if: { promotions: [{ sku: 'SKU00001', region: 'florida', day: 15, days: 7, uplift: 4 }] },
    });
    const report = await runWhatIf(s, 3);
    expect(report.withWhatIf.demand_units).toBeGreaterThan(report.base.demand_units);
  });

  it('names what it cannot find', async () => {
    const s = scenarioSchema.parse({ ...base, what_if: { closures: [{ store: 'S999', day: 1 }] } });
    await expect(runWhatIf(s, 1)).rejects.toThrow(/no store S999 in this network/);
  });
});
