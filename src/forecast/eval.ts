import { InvexError } from '../core/errors.ts';
import {
  type AutoOptions,
  type AutoResult,
  autoForecast,
  type BatchRunner,
  forecastWith,
  type MethodName,
  runInline,
  type SeriesInput,
  seasonalSettings,
} from './auto.ts';
import {
  type CarpartsData,
  type DatasetName,
  loadCarparts,
  loadM5Tiny,
  loadReference,
  type M5Data,
} from './datasets.ts';
import { AccuracyTotals, mae, mase, meanError, pinball, rmse, rmsse } from './metrics.ts';

/**
 * `invex eval forecast`: invex's automatic forecast on a public dataset's split, scored by
 * the dataset's own protocol next to R's forecast package on the same split (the reference
 * tables in the shared data folder), and next to invex's implementation of each single
 * method at the same origin.
 */
export interface ForecastEvalOptions {
  dataset: DatasetName;
  dataDir: string;
  /** Last training period: a date (YYYY-MM-DD, YYYY-MM for carparts) or a 1-based period index. */
  trainEnd?: string;
  runner?: BatchRunner;
  workers?: number;
}

type MetricName = 'mean_rmsse' | 'weighted_rmsse' | 'mae' | 'rmse' | 'mase' | 'me';
type Metrics = Partial<Record<MetricName, number>>;

export interface ForecastEvalReport {
  dataset: DatasetName;
  protocol: string;
  train_end: { period: number; date: string };
  horizon: number;
  invex: Metrics & {
    method: string;
    series: number;
    fit_seconds: number;
    fit_seconds_per_series: number;
    workers: number;
    selection: {
      demand_class: string;
      series: number;
      method: MethodName;
      calibration: number;
      backtest: Partial<Record<MethodName, number>>;
    }[];
    intervals: { level: number; coverage: number; pinball: number }[];
    wape: number;
    bias: number;
  };
  /** R's automatic ETS on the protocol's split; null at another origin (R was run on that split only). */
  reference: (Metrics & { method: string; fit_seconds_per_series: number }) | null;
  ratio_vs_reference: number | null;
  /** Every method in the reference tables (R, same split), null at another origin. */
  reference_methods: Record<string, Metrics> | null;
  /** invex's own implementation of each single method at this origin. */
  single_methods: Record<string, Metrics>;
  primary_metric: string;
  better_than_every_reference_method: boolean | null;
}

const SPEC = {
  'm5-tiny': {
    horizon: 28,
    defaultTrain: 1885,
    period: 7,
    primary: 'weighted_rmsse',
    referenceSeconds: 0.36,
  },
  carparts: { horizon: 6, defaultTrain: 45, period: 12, primary: 'rmse', referenceSeconds: 0.13 },
} as const;

const REFERENCE_KEYS: Record<DatasetName, Partial<Record<MetricName, string>>> = {
  'm5-tiny': { mean_rmsse: 'mean_RMSSE', weighted_rmsse: 'dollar_weighted_RMSSE_L12' },
  carparts: { mae: 'MAE', rmse: 'RMSE', mase: 'MASE', me: 'ME' },
};

const SINGLE: MethodName[] = [
  'naive',
  'seasonal_naive',
  'moving_average',
  'ses',
  'croston',
  'sba',
  'tsb',
  'ets',
  'seasonal_level',
];

function parseTrainEnd(
  value: string | undefined,
  labels: string[],
  fallback: number,
  horizon: number,
): number {
  if (value === undefined) return fallback;
  const byIndex = /^\d+$/.test(value) ? Number(value) : labels.indexOf(value) + 1;
  if (byIndex < 1)
    throw new InvexError(
      'invalid_input',
      'request_invalid',
      `--train-end ${value} is neither a period index nor a date of the dataset (${labels[0]} .. ${labels.at(-1)})`,
    );
  if (byIndex + horizon > labels.length || byIndex < 3 * horizon)
    throw new InvexError(
      'invalid_input',
      'request_invalid',
      `--train-end ${value} leaves no room: the origin must be between period ${3 * horizon} and ${labels.length - horizon} (${labels[labels.length - horizon - 1]}) for a ${horizon}-period horizon`,
    );
  return byIndex;
}

interface Case {
  labels: string[];
  inputs: SeriesInput[];
  actuals: Float64Array[];
  /** Training history per series as the protocol scores it (leading zeros dropped for M5). */
  histories: Float64Array[];
  weights: number[] | null;
}

function m5Case(data: M5Data, n: number, h: number): Case {
  const inputs: SeriesInput[] = [];
  const actuals: Float64Array[] = [];
  const histories: Float64Array[] = [];
  const weights: number[] = [];
  for (const s of data.series) {
    const snap = data.snap.get(s.state)!;
    inputs.push({
      id: s.id,
      y: s.units.subarray(0, n),
      group: s.state,
      events: [{ name: 'snap', history: snap.subarray(0, n), future: snap.subarray(n, n + h) }],
    });
    actuals.push(s.units.subarray(n, n + h));
    let first = 0;
    while (first < n && s.units[first] === 0) first++;
    histories.push(s.units.subarray(first, n));
    let revenue = 0;
    for (let t = n - 28; t < n; t++) if (!Number.isNaN(s.price[t]!)) revenue += s.units[t]! * s.price[t]!;
    weights.push(revenue);
  }
  const total = weights.reduce((a, b) => a + b, 0);
  return { labels: data.dates, inputs, actuals, histories, weights: weights.map((w) => w / total) };
}

function carpartsCase(data: CarpartsData, n: number, h: number): Case {
  return {
    labels: data.months,
    inputs: data.series.map((s) => ({ id: s.id, y: s.units.subarray(0, n) })),
    actuals: data.series.map((s) => s.units.subarray(n, n + h)),
    histories: data.series.map((s) => s.units.subarray(0, n)),
    weights: null,
  };
}

function score(dataset: DatasetName, c: Case, forecasts: ArrayLike<number>[]): Metrics {
  if (dataset === 'm5-tiny') {
    let mean = 0;
    let weighted = 0;
    forecasts.forEach((f, i) => {
      const e = rmsse(c.actuals[i]!, f, c.histories[i]!);
      mean += e / forecasts.length;
      weighted += e * c.weights![i]!;
    });
    return { mean_rmsse: mean, weighted_rmsse: weighted };
  }
  const m = { mae: 0, rmse: 0, mase: 0, me: 0 };
  forecasts.forEach((f, i) => {
    const a = c.actuals[i]!;
    m.mae += mae(a, f) / forecasts.length;
    m.rmse += rmse(a, f) / forecasts.length;
    m.mase += mase(a, f, c.histories[i]!) / forecasts.length;
    m.me += meanError(a, f) / forecasts.length;
  });
  return m;
}

/**
 * The series the dataset's protocol fits R's ets() to (reference/ref_*.R), at its origin:
 * M5 series from their first sale, car parts series from their first month. For timing R
 * beside invex on the same work (bench/forecast-reference.bench.ts).
 */
export function referenceTrainingSeries(
  dataset: DatasetName,
  dataDir: string,
): { period: number; horizon: number; series: Float64Array[] } {
  const spec = SPEC[dataset];
  const data = dataset === 'm5-tiny' ? loadM5Tiny(dataDir) : loadCarparts(dataDir);
  const c =
    'dates' in data
      ? m5Case(data, spec.defaultTrain, spec.horizon)
      : carpartsCase(data, spec.defaultTrain, spec.horizon);
  return { period: spec.period, horizon: spec.horizon, series: c.histories };
}

export async function evaluateForecast(options: ForecastEvalOptions): Promise<ForecastEvalReport> {
  const spec = SPEC[options.dataset];
  const h = spec.horizon;
  // Read once: the labels give the origin, then the case is cut at it.
  const data = options.dataset === 'm5-tiny' ? loadM5Tiny(options.dataDir) : loadCarparts(options.dataDir);
  const labels = 'dates' in data ? data.dates : data.months;
  const n = parseTrainEnd(options.trainEnd, labels, spec.defaultTrain, h);
  const c = 'dates' in data ? m5Case(data, n, h) : carpartsCase(data, n, h);
  const auto: AutoOptions = {
    horizon: h,
    period: spec.period,
    criterion: options.dataset === 'm5-tiny' ? 'rmsse' : 'rmse',
    quantiles: [0.05, 0.1, 0.5, 0.9, 0.95],
  };
  const runner = options.runner ?? runInline;
  const started = performance.now();
  const result: AutoResult = await autoForecast(c.inputs, auto, runner);
  const seconds = (performance.now() - started) / 1000;
  const invexMetrics = score(
    options.dataset,
    c,
    result.forecasts.map((f) => f.mean),
  );
  const totals = new AccuracyTotals();
  const q = (f: AutoResult['forecasts'][number], level: number) =>
    f.quantiles.find((x) => x.level === level)!.values;
  result.forecasts.forEach((f, i) => {
    totals.add(c.actuals[i]!, f.mean, q(f, 0.1), q(f, 0.9));
  });
  const intervals = [0.8, 0.9].map((width) => {
    const lower = (1 - width) / 2;
    const upper = 1 - lower;
    let covered = 0;
    let points = 0;
    let loss = 0;
    result.forecasts.forEach((f, i) => {
      const a = c.actuals[i]!;
      const lo = q(f, Math.round(lower * 100) / 100);
      const hi = q(f, Math.round(upper * 100) / 100);
      for (let j = 0; j < a.length; j++) {
        points++;
        if (a[j]! >= lo[j]! && a[j]! <= hi[j]!) covered++;
      }
      loss += (pinball(a, lo, lower) + pinball(a, hi, upper)) / 2 / result.forecasts.length;
    });
    return { level: width, coverage: covered / points, pinball: loss };
  });

  const single: Record<string, Metrics> = {};
  const settings = seasonalSettings(auto);
  for (const method of SINGLE) {
    const forecasts = c.inputs.map((input) => {
      // As the protocol (and R's script) has it: M5 drops the leading zeros, carparts keeps them.
      let first = 0;
      if (options.dataset === 'm5-tiny') while (first < input.y.length && input.y[first]! <= 0) first++;
      const y = Float64Array.from(Array.prototype.slice.call(input.y, first) as number[]);
      return forecastWith(
        method,
        { y, start: first, events: [], groupProfile: null, groupUplift: null },
        h,
        spec.period,
        settings,
      );
    });
    single[method] = score(options.dataset, c, forecasts);
  }

  const atProtocol = n === spec.defaultTrain;
  const table = atProtocol ? loadReference(options.dataDir, options.dataset) : null;
  const keys = REFERENCE_KEYS[options.dataset];
  const renamed = table
    ? Object.fromEntries(
        Object.entries(table).map(([method, row]) => [
          method,
          Object.fromEntries(Object.entries(keys).map(([ours, theirs]) => [ours, row[theirs]!])) as Metrics,
        ]),
      )
    : null;
  const reference = renamed?.ETS_auto
    ? {
        method: 'ETS_auto (R forecast 8.20, ets())',
        ...renamed.ETS_auto,
        fit_seconds_per_series: spec.referenceSeconds,
      }
    : null;
  const primary: MetricName = spec.primary;
  return {
    dataset: options.dataset,
    protocol:
      options.dataset === 'm5-tiny'
        ? 'train on days 1..n, forecast 28 days; RMSSE per series (leading zeros dropped), mean and weighted by dollar sales over the last 28 training days'
        : 'the 1,046 complete series with >= 10 demand months and demand in the first and last 15 months; train on months 1..n, forecast 6; MAE, RMSE, MASE, ME averaged over series',
    train_end: { period: n, date: c.labels[n - 1]! },
    horizon: h,
    invex: {
      method: 'auto (per demand class, chosen by rolling-origin backtest)',
      ...invexMetrics,
      series: c.inputs.length,
      fit_seconds: seconds,
      fit_seconds_per_series: seconds / c.inputs.length,
      workers: options.workers ?? 1,
      selection: result.selection.map((s) => ({
        demand_class: s.demandClass,
        series: s.series,
        method: s.method,
        calibration: s.calibration,
        backtest: s.backtest,
      })),
      intervals,
      wape: totals.wape,
      bias: totals.bias,
    },
    reference,
    ratio_vs_reference: reference ? invexMetrics[primary]! / reference[primary]! : null,
    reference_methods: renamed,
    single_methods: single,
    primary_metric: primary,
    better_than_every_reference_method: renamed
      ? Object.values(renamed).every((row) => invexMetrics[primary]! < row[primary]!)
      : null,
  };
}
