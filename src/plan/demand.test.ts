import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { averageDay, dominantForecast, spanDemand } from './demand.ts';
import type { ChannelForecast } from './plan.model.ts';

const forecast = (channel: string, daily: number[], dispersion: number): ChannelForecast => ({
  sku: 'S',
  location: 'L',
  channel,
  daily,
  dispersion,
  forecast: { method: channel === 'store' ? 'ets' : 'croston', demand_class: 'smooth', model_version: null },
});

describe('demand over a span', () => {
  it('with a constant daily mean has T times the daily dispersion (the markdown model)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 50, noNaN: true }),
        fc.double({ min: 0.05, max: 100, noNaN: true }),
        fc.integer({ min: 1, max: 60 }),
        (mu, r, days) => {
          const span = spanDemand([forecast('store', new Array(days).fill(mu), r)]);
          expect(span.mean).toBeCloseTo(mu * days, 8);
          expect(span.variance).toBeCloseTo(days * (mu + (mu * mu) / r), 6);
          expect(span.dispersion / (days * r)).toBeCloseTo(1, 8);
        },
      ),
    );
  });

  it('adds means and variances over channels and days, and a prefix never exceeds the whole', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 20, noNaN: true }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.double({ min: 0, max: 20, noNaN: true }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 40 }),
        (a, b, days) => {
          const fa = forecast('store', a, 3);
          const fb = forecast('ecommerce', b, Number.POSITIVE_INFINITY);
          const both = spanDemand([fa, fb]);
          const sa = spanDemand([fa]);
          const sb = spanDemand([fb]);
          expect(both.mean).toBeCloseTo(sa.mean + sb.mean, 8);
          expect(both.variance).toBeCloseTo(sa.variance + sb.variance, 6);
          expect(sb.dispersion).toBe(Number.POSITIVE_INFINITY);
          expect(both.variance).toBeGreaterThanOrEqual(both.mean - 1e-9);
          expect(spanDemand([fa, fb], days).mean).toBeLessThanOrEqual(both.mean + 1e-9);
        },
      ),
    );
  });

  it("averages the horizon into one day and names the busiest channel's forecast", () => {
    const day = averageDay([
      forecast('store', [2, 4], Number.POSITIVE_INFINITY),
      forecast('ecommerce', [1, 1], 1),
    ]);
    expect(day.mean).toBe(4);
    expect(day.variance).toBe(3 + 1 + 1);
    expect(dominantForecast([forecast('ecommerce', [1, 1], 1), forecast('store', [2, 4], 1)]).method).toBe(
      'ets',
    );
    expect(dominantForecast([]).method).toBe('no_sales');
  });
});
