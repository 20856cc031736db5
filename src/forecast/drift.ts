import type { ExceptionRecord, RecommendedAction } from '../detect/index.ts';
import { bandOf, impactOf, priorityOf } from '../detect/index.ts';
import { type BacktestReport, round } from './backtest.ts';
import type { DemandClass } from './demand-class.ts';
import { normalQuantile } from './distribution.ts';
import type { DriftSettings } from './registry.ts';

/**
 * Forecast drift, pure: how the active version's forecasts compare with what has sold
 * since its data window, and whether that is worse than its backtest promised.
 *
 * Two tests, each per demand class and overall, judged only once enough has happened
 * (`min_periods` elapsed and `min_units` sold):
 * - accuracy: the live WAPE above the backtest's WAPE x `wape_ratio` (default 1.5);
 * - bias: a tracking signal beyond +/- `tracking_limit` (default 4, Brown's and Trigg's
 *   classic limit) with the live bias at least `min_bias` from zero. The signal is the
 *   cumulative error over its standard deviation under the version's own predictive
 *   distribution, sum(actual - forecast) / sqrt(sum(mu + mu^2 / r)) (negative binomial,
 *   r the class's dispersion): Brown's cumulative error over MAD, put on a scale that
 *   stays right when thousands of series are summed (a MAD-scaled sum over many series
 *   grows with their number even when nothing is wrong). Under the model it is about
 *   standard normal, so 4 is a false alarm about once in 15,000 checks.
 */

export interface LiveSeries {
  demandClass: DemandClass;
  /** The version's forecast for the elapsed periods. */
  mean: ArrayLike<number>;
  /** What sold in them (same length). */
  actual: ArrayLike<number>;
  /** Periods a person annotated (1): left out of the live score as they are of fitting. */
  mask?: ArrayLike<number>;
  /** Price minus cost of the SKU, for the money at stake. */
  unitMargin?: number;
}

export interface LiveAccuracy {
  series: number;
  points: number;
  actual_units: number;
  forecast_units: number;
  absolute_error: number;
  wape: number | null;
  bias: number | null;
  tracking_signal: number | null;
  /** Units sold beyond the forecast (summed where actual > forecast): demand the plan missed. */
  shortfall_units: number;
  shortfall_margin: number;
}

class LiveAccumulator {
  series = 0;
  points = 0;
  actual = 0;
  forecast = 0;
  absolute = 0;
  error = 0;
  variance = 0;
  shortfall = 0;
  shortfallMargin = 0;

  result(): LiveAccuracy {
    return {
      series: this.series,
      points: this.points,
      actual_units: round(this.actual),
      forecast_units: round(this.forecast),
      absolute_error: round(this.absolute),
      wape: this.actual > 0 ? round(this.absolute / this.actual) : null,
      bias: this.actual > 0 ? round(this.forecast / this.actual - 1) : null,
      tracking_signal: this.variance > 0 ? round(this.error / Math.sqrt(this.variance)) : null,
      shortfall_units: round(this.shortfall),
      shortfall_margin: round(this.shortfallMargin),
    };
  }
}

/** Live accuracy per demand class and overall; `dispersion` per class (null = Poisson). */
export function liveAccuracy(
  rows: readonly LiveSeries[],
  dispersion: Partial<Record<DemandClass, number | null>>,
): { overall: LiveAccuracy; by_class: Partial<Record<DemandClass, LiveAccuracy>> } {
  const overall = new LiveAccumulator();
  const byClass = new Map<DemandClass, LiveAccumulator>();
  for (const row of rows) {
    let acc = byClass.get(row.demandClass);
    if (!acc) {
      acc = new LiveAccumulator();
      byClass.set(row.demandClass, acc);
    }
    const r = dispersion[row.demandClass] ?? null;
    let points = 0;
    for (let j = 0; j < row.actual.length; j++) {
      if (row.mask?.[j]) continue;
      const a = row.actual[j]!;
      const f = row.mean[j]!;
      const variance = f + (r !== null && r > 0 ? (f * f) / r : 0);
      const shortfall = Math.max(0, a - f);
      for (const target of [overall, acc]) {
        target.points++;
        target.actual += a;
        target.forecast += f;
        target.absolute += Math.abs(a - f);
        target.error += a - f;
        target.variance += variance;
        target.shortfall += shortfall;
        target.shortfallMargin += shortfall * (row.unitMargin ?? 0);
      }
      points++;
    }
    if (points > 0) {
      overall.series++;
      acc.series++;
    }
  }
  return {
    overall: overall.result(),
    by_class: Object.fromEntries([...byClass].map(([cls, acc]) => [cls, acc.result()])),
  };
}

export interface DriftCheck {
  scope: 'overall' | DemandClass;
  enough_data: boolean;
  live_wape: number | null;
  backtest_wape: number | null;
  wape_ratio: number | null;
  live_bias: number | null;
  tracking_signal: number | null;
  accuracy_drift: boolean;
  bias_drift: boolean;
  drift: boolean;
}

export interface DriftAssessment {
  drifting: boolean;
  /** The scope that drifts most (overall first), or null. */
  worst: DriftCheck | null;
  checks: DriftCheck[];
  periods_elapsed: number;
}

/** The drift decision for a version, from its backtest and its live accuracy. */
export function assessDrift(
  backtest: BacktestReport,
  live: { overall: LiveAccuracy; by_class: Partial<Record<DemandClass, LiveAccuracy>> },
  periodsElapsed: number,
  settings: DriftSettings,
): DriftAssessment {
  const check = (scope: DriftCheck['scope'], l: LiveAccuracy): DriftCheck => {
    const reference = scope === 'overall' ? backtest.overall : backtest.by_class[scope];
    const backtestWape = reference?.wape ?? null;
    const enough = periodsElapsed >= settings.min_periods && l.actual_units >= settings.min_units;
    const ratio =
      l.wape !== null && backtestWape !== null && backtestWape > 0 ? round(l.wape / backtestWape) : null;
    const accuracyDrift = enough && ratio !== null && ratio > settings.wape_ratio;
    const biasDrift =
      enough &&
      l.tracking_signal !== null &&
      Math.abs(l.tracking_signal) > settings.tracking_limit &&
      l.bias !== null &&
      Math.abs(l.bias) >= settings.min_bias;
    return {
      scope,
      enough_data: enough,
      live_wape: l.wape,
      backtest_wape: backtestWape,
      wape_ratio: ratio,
      live_bias: l.bias,
      tracking_signal: l.tracking_signal,
      accuracy_drift: accuracyDrift,
      bias_drift: biasDrift,
      drift: accuracyDrift || biasDrift,
    };
  };
  const checks = [
    check('overall', live.overall),
    ...Object.entries(live.by_class).map(([cls, l]) => check(cls as DemandClass, l!)),
  ];
  const drifting = checks.filter((c) => c.drift);
  const severity = (c: DriftCheck) =>
    Math.max(
      (c.wape_ratio ?? 0) / settings.wape_ratio,
      Math.abs(c.tracking_signal ?? 0) / settings.tracking_limit,
    );
  const worst =
    drifting.find((c) => c.scope === 'overall') ??
    [...drifting].sort((a, b) => severity(b) - severity(a))[0] ??
    null;
  return { drifting: drifting.length > 0, worst, checks, periods_elapsed: periodsElapsed };
}

/** Two-sided normal tail: the chance a standard normal is this far out. */
function twoSidedTail(z: number): number {
  // Bisection on the quantile function keeps this module free of a separate CDF.
  const x = Math.abs(z);
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (normalQuantile(mid) < x) lo = mid;
    else hi = mid;
  }
  return 2 * (1 - lo);
}

export interface DriftExceptionInput {
  model: string;
  version: { id: string; version: number; data_to: string; forecast_start: string };
  assessment: DriftAssessment;
  live: LiveAccuracy;
  grain: 'day' | 'week';
  settings: DriftSettings;
  currency: string;
  now: number;
  /** The open exception to update, if any. */
  open?: ExceptionRecord;
  newId: () => string;
}

export const driftKey = (model: string) => `forecast_drift:${model}`;

/**
 * The `forecast_drift` exception for a drifting model: one per model (keyed by its name),
 * its evidence the live and backtest figures and the thresholds they broke.
 */
export function driftException(input: DriftExceptionInput): ExceptionRecord {
  const { assessment, live, settings, model, version } = input;
  const worst = assessment.worst!;
  const at = new Date(input.now).toISOString();
  const days = assessment.periods_elapsed * (input.grain === 'day' ? 1 : 7);
  const under = (worst.tracking_signal ?? 0) > 0;
  const fmt = (x: number | null, digits = 2) => (x === null ? 'n/a' : x.toFixed(digits));
  const scopeText = worst.scope === 'overall' ? 'across all its series' : `for its ${worst.scope} series`;
  const reasons: string[] = [];
  if (worst.accuracy_drift)
    reasons.push(
      `live WAPE ${fmt(worst.live_wape)} is ${fmt(worst.wape_ratio)}x the backtest's ${fmt(worst.backtest_wape)} (limit ${settings.wape_ratio}x)`,
    );
  if (worst.bias_drift)
    reasons.push(
      `the tracking signal is ${fmt(worst.tracking_signal, 1)} (limit +/-${settings.tracking_limit}): demand runs ${under ? 'above' : 'below'} the forecast by ${fmt(Math.abs(worst.live_bias ?? 0) * 100, 0)}% of actual`,
    );
  const tail = worst.tracking_signal !== null ? twoSidedTail(worst.tracking_signal) : 1;
  // Confidence that the drift is real: the bias test's own significance; an accuracy
  // breach alone is judged against one backtest, so it counts for less.
  const confidence = Math.min(0.999, Math.max(worst.accuracy_drift ? 0.7 : 0.5, 1 - tail));
  const impact = impactOf(
    {
      units_at_risk: live.shortfall_units,
      lost_units_per_day: days > 0 ? live.shortfall_units / days : 0,
      unit_margin: live.shortfall_units > 0 ? live.shortfall_margin / live.shortfall_units : 0,
      horizon_days: 7,
    },
    input.currency,
  );
  const urgency = under ? 0.8 : 0.4;
  const priority = priorityOf(impact, confidence, urgency);
  const actions: RecommendedAction[] = [
    {
      kind: 'refit_forecast',
      detail: `Refit forecast model ${model} on the latest history (invex forecast fit --model ${model}), compare the candidate's backtest, and promote it if it is better.`,
    },
    {
      kind: 'review_forecast',
      detail: `Review the plans that used ${model} v${version.version} (${version.id}); demand since ${version.forecast_start} does not follow it.`,
    },
    {
      kind: 'annotate_demand',
      detail:
        'If a one-off explains it (an event, a bulk order, a stockout), annotate the period instead: it is then left out of the drift score and of the next fit.',
    },
  ];
  const fields = {
    type: 'forecast_drift' as const,
    sku: null,
    location: null,
    channel: null,
    region: null,
    category: null,
    group: `forecast_model:${model}`,
    updated_at: at,
    root_cause: 'business_rule_violation' as const,
    reasoning: `Forecast model ${model} v${version.version} no longer performs as its backtest promised ${scopeText}: ${reasons.join('; ')}. Demand has changed since the data window that ended ${version.data_to}.`,
    confidence: Number(confidence.toFixed(4)),
    impact,
    urgency,
    priority,
    priority_band: bandOf(priority),
    evidence: {
      events: [],
      figures: {
        model,
        version: version.id,
        version_number: version.version,
        scope: worst.scope,
        periods_elapsed: assessment.periods_elapsed,
        series: live.series,
        live_wape: worst.live_wape,
        backtest_wape: worst.backtest_wape,
        wape_ratio: worst.wape_ratio,
        live_bias: worst.live_bias,
        tracking_signal: worst.tracking_signal,
        actual_units: live.actual_units,
        forecast_units: live.forecast_units,
        shortfall_units: live.shortfall_units,
      },
      thresholds: {
        wape_ratio: settings.wape_ratio,
        tracking_limit: settings.tracking_limit,
        min_bias: settings.min_bias,
        min_periods: settings.min_periods,
        min_units: settings.min_units,
      },
    },
    explanation: `Since ${version.forecast_start}, ${fmt(live.actual_units, 0)} units sold against ${fmt(live.forecast_units, 0)} forecast by ${model} v${version.version} over ${assessment.periods_elapsed} ${input.grain === 'day' ? 'days' : 'weeks'} (${live.series} series). ${reasons.join('; ')}. Plans built on this version (replenishment, allocation) inherit the error until it is refitted.`,
    actions,
  };
  if (input.open) return { ...input.open, ...fields, updates: input.open.updates + 1 };
  return {
    id: input.newId(),
    key: driftKey(model),
    status: 'open',
    opened_at: at,
    closed_at: null,
    close_reason: null,
    updates: 0,
    ...fields,
  };
}
