import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { poisson as draw, createRandom as rng } from '../twin/index.ts';
import { autoForecast, type SeriesInput, selectionSample } from './auto.ts';
import { workerRunner } from './batch.ts';
import { DEMAND_CLASSES } from './demand-class.ts';

const poisson = (mean: number, u: () => number) => draw(u, mean);

const shape = [1.6, 0.7, 0.7, 0.8, 0.9, 1.5, 0.8];

function weeklySeries(count: number, days: number, seed: number): SeriesInput[] {
  const u = rng(seed);
  return Array.from({ length: count }, (_, i) => {
    const level = 4 + (i % 5) * 3;
    return {
      id: `s${i}`,
      group: 'store',
      y: Array.from({ length: days }, (_, t) => poisson(level * shape[t % 7]!, u)),
    };
  });
}

describe('automatic forecasting', () => {
  it('chooses a method that sees the weekly pattern for weekly series, and forecasts the pattern', async () => {
    const series = weeklySeries(40, 400, 7);
    const result = await autoForecast(series, { horizon: 14, period: 7 });
    const smooth = result.selection.find((s) => s.demandClass === 'smooth')!;
    expect(['seasonal_level', 'ets']).toContain(smooth.method);
    expect(smooth.backtest[smooth.method]!).toBeLessThan(smooth.backtest.moving_average!);
    // The last series sells 16 a day on average: Saturday (phase 0) well above Monday (phase 2).
    const f = result.forecasts.at(-1)!.mean;
    const saturday = f[(7 - (400 % 7)) % 7]!;
    const monday = f[(9 - (400 % 7)) % 7]!;
    expect(saturday / monday).toBeGreaterThan(1.8);
    expect(saturday / monday).toBeLessThan(2.8);
  });

  it('corrects a decline every method trails, by the factor the backtest measures', async () => {
    const u = rng(11);
    // Monthly parts in decline: the rate falls 4% a month, so a level estimate lags the truth.
    const series: SeriesInput[] = Array.from({ length: 300 }, (_, i) => ({
      id: `p${i}`,
      y: Array.from({ length: 48 }, (_, t) => poisson(3 * 0.96 ** t, u)),
    }));
    const truth = 3 * 0.96 ** 51; // the mean of the horizon's middle months
    const calibrated = await autoForecast(series, {
      horizon: 6,
      period: 12,
      criterion: 'rmse',
      methods: ['moving_average'],
    });
    const raw = await autoForecast(series, {
      horizon: 6,
      period: 12,
      criterion: 'rmse',
      methods: ['moving_average'],
      calibrate: false,
    });
    const mean = (r: typeof raw) => r.forecasts.reduce((a, f) => a + f.mean[2]!, 0) / r.forecasts.length;
    expect(Math.max(...calibrated.selection.map((s) => s.calibration))).toBeLessThan(1);
    expect(Math.abs(mean(calibrated) - truth)).toBeLessThan(Math.abs(mean(raw) - truth) / 2);
  });

  it('returns ordered quantiles around the mean', async () => {
    const result = await autoForecast(weeklySeries(10, 200, 3), {
      horizon: 7,
      period: 7,
      quantiles: [0.1, 0.5, 0.9],
    });
    for (const f of result.forecasts)
      for (let j = 0; j < 7; j++) {
        const [lo, mid, hi] = f.quantiles.map((q) => q.values[j]!);
        expect(lo!).toBeLessThanOrEqual(mid!);
        expect(mid!).toBeLessThanOrEqual(hi!);
        expect(hi!).toBeGreaterThan(f.mean[j]!);
      }
  });

  it('gives the same forecasts on worker threads as on the calling thread', async () => {
    const series = weeklySeries(12, 300, 5);
    const options = { horizon: 7, period: 7, methods: ['seasonal_level', 'ets', 'tsb'] as const };
    const inline = await autoForecast(series, options);
    const threaded = await autoForecast(series, options, workerRunner({ workers: 2, minimumJobs: 1 }));
    expect(threaded.selection).toEqual(inline.selection);
    expect(threaded.forecasts.map((f) => [...f.mean])).toEqual(inline.forecasts.map((f) => [...f.mean]));
  });

  it('forecasts zero for a series that never sold, and handles an empty history', async () => {
    const result = await autoForecast(
      [{ id: 'never', y: [0, 0, 0, 0] }, { id: 'empty', y: [] }, ...weeklySeries(5, 100, 1)],
      { horizon: 3, period: 7 },
    );
    expect([...result.forecasts[0]!.mean]).toEqual([0, 0, 0]);
    expect([...result.forecasts[1]!.mean]).toEqual([0, 0, 0]);
  });
});

describe('the selection sample', () => {
  it('scores every series of a class up to the cap, and the cap spread over the class beyond it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...DEMAND_CLASSES), { maxLength: 300 }),
        fc.integer({ min: 1, max: 60 }),
        (classes, cap) => {
          const chosen = selectionSample(classes, cap);
          for (const cls of DEMAND_CLASSES) {
            const members = classes.flatMap((c, i) => (c === cls ? [i] : []));
            const picked = members.filter((i) => chosen[i]);
            expect(picked).toHaveLength(Math.min(members.length, cap));
            // Spread: no stretch of the class longer than its share between picks.
            if (picked.length > 1) {
              const positions = picked.map((i) => members.indexOf(i));
              const widest = Math.max(...positions.slice(1).map((p, k) => p - positions[k]!));
              expect(widest).toBeLessThanOrEqual(Math.ceil(members.length / picked.length));
            }
          }
        },
      ),
    );
  });

  it('chooses the same method per class from a sample as from every series', async () => {
    const series = weeklySeries(120, 200, 11);
    const all = await autoForecast(series, { horizon: 14, period: 7 });
    const sampled = await autoForecast(series, { horizon: 14, period: 7, selectionSample: 40 });
    expect(sampled.selection.map((s) => [s.demandClass, s.method])).toEqual(
      all.selection.map((s) => [s.demandClass, s.method]),
    );
    expect(sampled.forecasts).toHaveLength(120);
  });
});
