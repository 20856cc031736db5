import { describe, expect, it } from 'vitest';
import { loadScenario } from '../twin/index.ts';
import { evaluateReturns } from './returns-eval.ts';

describe('the returns evaluation on the twin', () => {
  it("recovers the twin's return process and scores every method on the last 28 days", async () => {
    const r = await evaluateReturns(loadScenario('quiet'), 1);
    expect(r.horizon).toBe(28);
    expect(r.origin).toBe('2026-04-03');
    const fitted = (category: string) => r.fit.find((f) => f.category === category && f.channel === 'store')!;
    // The twin returns a unit of a sale line with the category's rate, 1 to 10 days later
    // (mean 5.5), and puts 80% back to sale 1 to 3 days after (mean 2).
    for (const category of ['outerwear', 'electronics', 'toys']) {
      const f = fitted(category);
      expect(Math.abs(f.rate / f.true_rate! - 1)).toBeLessThan(0.15);
      expect(f.mean_lag_days).toBeGreaterThan(4.5);
      expect(f.mean_lag_days).toBeLessThan(6.5);
      expect(f.sellable_share).toBeGreaterThan(0.7);
      expect(f.sellable_share).toBeLessThan(0.9);
      expect(f.mean_delay_days).toBeGreaterThan(1.5);
      expect(f.mean_delay_days).toBeLessThan(2.5);
    }
    // Online orders are never returned in the twin: nothing comes back, nothing is forecast.
    const online = r.rows.filter((row) => row.channel !== 'store');
    expect(online.length).toBeGreaterThan(0);
    for (const row of online) {
      expect(row.actual).toBe(0);
      for (const m of Object.values(row.methods)) expect(m.forecast).toBe(0);
    }
    // Every method is scored, and the lag model's total lands within a fifth of what came.
    const total = r.rows.reduce((a, row) => a + row.actual, 0);
    expect(total).toBeGreaterThan(500);
    for (const m of Object.values(r.overall)) expect(m.wape).toBeGreaterThan(0);
    expect(Math.abs(r.overall.lag_model.bias!)).toBeLessThan(0.2);
    expect(Math.abs(r.overall.true_rate.bias!)).toBeLessThan(0.1);
    expect(r.sellable.actual).toBeGreaterThan(0.6 * total);
  });

  it('refuses a scenario too short to leave 28 days of history before the test', async () => {
    const s = { ...loadScenario('quiet'), days: 40 };
    await expect(evaluateReturns(s, 1)).rejects.toThrow(/quiet has 40 days: a 28-day test needs at least 56/);
  });
});
