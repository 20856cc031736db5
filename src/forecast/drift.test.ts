import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BacktestReport } from './backtest.ts';
import { assessDrift, driftException, liveAccuracy } from './drift.ts';
import { resolveModelConfig } from './registry.ts';

const settings = resolveModelConfig({}).drift;
const backtest = (wape: number): BacktestReport => {
  const m = {
    forecasts: 10,
    points: 280,
    actual_units: 2800,
    forecast_units: 2800,
    mase: 0.8,
    rmsse: 0.8,
    wape,
    bias: 0,
    pinball: {},
    coverage: 0.8,
    interval: [0.1, 0.9] as [number, number],
    nominal_coverage: 0.8,
  };
  return { origins: 3, horizon: 28, overall: m, by_class: { smooth: m } };
};

describe('live accuracy', () => {
  it('sums errors over unannotated periods, per class and overall', () => {
    const live = liveAccuracy(
      [
        { demandClass: 'smooth', mean: [10, 10, 10], actual: [12, 8, 100], mask: [0, 0, 1], unitMargin: 2 },
        { demandClass: 'lumpy', mean: [1, 1], actual: [0, 3] },
      ],
      { smooth: null, lumpy: 2 },
    );
    expect(live.overall).toMatchObject({
      series: 2,
      points: 4,
      actual_units: 23,
      forecast_units: 22,
      absolute_error: 7,
    });
    expect(live.overall.wape).toBeCloseTo(7 / 23, 6);
    expect(live.overall.bias).toBeCloseTo(22 / 23 - 1, 6);
    // Poisson variance for smooth (10 + 10), negative binomial r = 2 for lumpy (1 + 0.5 each).
    expect(live.overall.tracking_signal).toBeCloseTo(1 / Math.sqrt(23), 6);
    expect(live.by_class.smooth).toMatchObject({ points: 2, shortfall_units: 2, shortfall_margin: 4 });
  });
});

describe('the drift rule', () => {
  const steady = (factor: number, days: number) =>
    liveAccuracy(
      [{ demandClass: 'smooth', mean: new Array(days).fill(20), actual: new Array(days).fill(20 * factor) }],
      {},
    );

  it('flags demand that doubled, once enough periods and units are in', () => {
    const live = steady(2, 14);
    const a = assessDrift(backtest(0.3), live, 14, settings);
    expect(a.drifting).toBe(true);
    expect(a.worst).toMatchObject({ scope: 'overall', accuracy_drift: true, bias_drift: true });
    expect(assessDrift(backtest(0.3), steady(2, 5), 5, settings).drifting).toBe(false);
    expect(assessDrift(backtest(0.3), steady(2, 14), 14, { ...settings, min_units: 10_000 }).drifting).toBe(
      false,
    );
  });

  it('does not flag a forecast that is as good as its backtest, whatever the volume', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0.5, max: 500, noNaN: true }),
        (days, level) => {
          // Errors of alternating sign, as big as the backtest's WAPE: no bias, no accuracy loss.
          const mean = new Array(days).fill(level);
          const actual = mean.map((f, j) => f * (j % 2 === 0 ? 1.2 : 0.8));
          const live = liveAccuracy([{ demandClass: 'smooth', mean, actual }], {});
          expect(assessDrift(backtest(0.2), live, days, settings).drifting).toBe(false);
        },
      ),
    );
  });

  it('flags a bias the tracking signal finds even when WAPE alone stays in range', () => {
    // 15% under-forecast on high volume: WAPE 0.13 (< 1.5 x 0.3) but the cumulative error is far beyond 4 sd.
    const live = liveAccuracy(
      [{ demandClass: 'smooth', mean: new Array(28).fill(100), actual: new Array(28).fill(115) }],
      {},
    );
    const a = assessDrift(backtest(0.3), live, 28, settings);
    expect(a.worst).toMatchObject({ accuracy_drift: false, bias_drift: true });
  });

  it('builds one exception per model with the figures and thresholds as evidence', () => {
    const live = steady(2, 14);
    const assessment = assessDrift(backtest(0.3), live, 14, settings);
    const e = driftException({
      model: 'default',
      version: { id: 'fcv_1', version: 2, data_to: '2026-01-31', forecast_start: '2026-02-01' },
      assessment,
      live: live.overall,
      grain: 'day',
      settings,
      currency: 'USD',
      now: Date.parse('2026-02-15T00:00:00Z'),
      newId: () => 'exc_1',
    });
    expect(e).toMatchObject({
      id: 'exc_1',
      key: 'forecast_drift:default',
      type: 'forecast_drift',
      status: 'open',
    });
    expect(e.evidence.figures).toMatchObject({ version: 'fcv_1', wape_ratio: 1.666667, periods_elapsed: 14 });
    expect(e.evidence.thresholds).toMatchObject({ wape_ratio: 1.5, tracking_limit: 4 });
    expect(e.confidence).toBeGreaterThan(0.99);
    expect(e.explanation).toContain('default v2');
    const updated = driftException({
      model: 'default',
      version: { id: 'fcv_1', version: 2, data_to: '2026-01-31', forecast_start: '2026-02-01' },
      assessment,
      live: live.overall,
      grain: 'day',
      settings,
      currency: 'USD',
      now: Date.parse('2026-02-16T00:00:00Z'),
      open: e,
      newId: () => 'exc_2',
    });
    expect(updated).toMatchObject({ id: 'exc_1', updates: 1, opened_at: e.opened_at });
  });
});
