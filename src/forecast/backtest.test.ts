import { describe, expect, it } from 'vitest';
import { autoForecast, type BatchRunner, runInline } from './auto.ts';
import { MetricsAccumulator, rememberingRunner, rollingOriginBacktest } from './backtest.ts';
import { mase } from './metrics.ts';

const series = Array.from({ length: 6 }, (_, k) => {
  let s = k + 1;
  return {
    id: String(k),
    group: k % 2 ? 'a' : 'b',
    y: Array.from({ length: 120 }, (_, i) => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return Math.round((4 + k) * (0.5 + s / 2147483648) * (i % 7 >= 5 ? 1.5 : 1));
    }),
  };
});
const options = { horizon: 7, period: 7, windows: 3, methods: ['ets', 'seasonal_level', 'naive'] as const };

describe('rolling-origin backtest', () => {
  it('gives the same figures with remembered backtest jobs, computing far fewer', async () => {
    let jobs = 0;
    const counting: BatchRunner = async (batch, context) => {
      jobs += batch.length;
      return runInline(batch, context);
    };
    const plain = await rollingOriginBacktest(
      series,
      { ...options, methods: [...options.methods] },
      3,
      counting,
    );
    const plainJobs = jobs;
    jobs = 0;
    const runner = rememberingRunner(counting);
    const remembered = await rollingOriginBacktest(
      series,
      { ...options, methods: [...options.methods] },
      3,
      runner,
    );
    expect(remembered).toEqual(plain);
    const final = await autoForecast(series, { ...options, methods: [...options.methods] }, runner);
    expect(final).toEqual(await autoForecast(series, { ...options, methods: [...options.methods] }));
    // 3 origins x (3 backtest cuts + final) plain; remembered: cuts 2..6 once, the finals, then
    // the full fit's cut 1 and its final.
    expect(plainJobs).toBe(6 * 3 * 4);
    expect(jobs).toBe(6 * (5 + 3) + 6 * 2);
  });

  it('pools MASE over forecasts and WAPE, bias, coverage and pinball over points', () => {
    const acc = new MetricsAccumulator([0.1, 0.9]);
    acc.add(
      [2, 4],
      [3, 3],
      [
        [1, 1],
        [5, 5],
      ],
      [1, 2, 3],
    );
    acc.add(
      [0, 10],
      [5, 5],
      [
        [0, 0],
        [8, 8],
      ],
      [5, 5, 6],
    );
    const m = acc.metrics();
    expect(m).toMatchObject({ forecasts: 2, points: 4, actual_units: 16, forecast_units: 16, bias: 0 });
    expect(m.wape).toBeCloseTo(12 / 16, 6);
    expect(m.mase).toBeCloseTo((mase([2, 4], [3, 3], [1, 2, 3]) + mase([0, 10], [5, 5], [5, 5, 6])) / 2, 6);
    expect(m.coverage).toBeCloseTo(3 / 4, 6);
    // Pinball at 0.9 of [1,1] vs [2,4] and [0,0] vs [0,10]: 0.9 * (1 + 3 + 0 + 10) / 4.
    expect(m.pinball['0.1']).toBeCloseTo((0.1 * (1 + 3 + 0 + 10)) / 4, 6);
    expect(m.interval).toEqual([0.1, 0.9]);
    expect(m.nominal_coverage).toBeCloseTo(0.8, 6);
  });
});
