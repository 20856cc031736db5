import {
  type AutoOptions,
  autoForecast,
  type BacktestCell,
  type BatchJob,
  type BatchOutput,
  type BatchRunner,
  type FitTask,
  runInline,
  type SeriesInput,
} from './auto.ts';
import type { DemandClass } from './demand-class.ts';
import { mae, naiveScale, pinball, rmse } from './metrics.ts';

/**
 * Rolling-origin evaluation of the whole automatic procedure (selection, calibration,
 * quantiles), as a model version's backtest: the history is cut 1, 2, ... `origins`
 * horizons before its end, `autoForecast` runs on what is left exactly as a fit would, and
 * its forecast of the next horizon is scored against what sold (Tashman 2000). The
 * selection inside each run backtests on its own earlier windows, so no window scores a
 * choice it helped to make.
 */

export interface AccuracyMetrics {
  /** Series x origins scored. */
  forecasts: number;
  points: number;
  actual_units: number;
  forecast_units: number;
  /** Mean over forecasts of MASE and RMSSE (those with a non-zero naive scale). */
  mase: number | null;
  rmsse: number | null;
  /** Total absolute error over total actual. */
  wape: number | null;
  /** Total forecast over total actual, minus one: positive is over-forecast. */
  bias: number | null;
  /** Mean pinball loss per quantile level, in units. */
  pinball: Record<string, number>;
  /** Share of actuals inside [lowest, highest] quantile, and what that interval promises. */
  coverage: number | null;
  interval: [number, number] | null;
  nominal_coverage: number | null;
}

export interface BacktestReport {
  origins: number;
  horizon: number;
  overall: AccuracyMetrics;
  by_class: Partial<Record<DemandClass, AccuracyMetrics>>;
}

/** Sums behind AccuracyMetrics, so they can be pooled across series, origins and classes. */
export class MetricsAccumulator {
  private forecasts = 0;
  private points = 0;
  private actual = 0;
  private forecast = 0;
  private absolute = 0;
  private maseSum = 0;
  private maseCount = 0;
  private rmsseSum = 0;
  private rmsseCount = 0;
  private covered = 0;
  private readonly pinballSums: number[];

  constructor(private readonly levels: readonly number[]) {
    this.pinballSums = levels.map(() => 0);
  }

  /**
   * One forecast of one series: `history` is what it was fitted on (its naive scale makes
   * MASE and RMSSE), `quantiles` aligned with the accumulator's levels.
   */
  add(
    actual: ArrayLike<number>,
    mean: ArrayLike<number>,
    quantiles: readonly ArrayLike<number>[],
    history: ArrayLike<number>,
  ): void {
    const h = actual.length;
    if (h === 0) return;
    this.forecasts++;
    this.points += h;
    for (let j = 0; j < h; j++) {
      this.actual += actual[j]!;
      this.forecast += mean[j]!;
      this.absolute += Math.abs(actual[j]! - mean[j]!);
    }
    const scale1 = naiveScale(history, 1);
    const scale2 = naiveScale(history, 2);
    if (scale1 > 0) {
      this.maseSum += mae(actual, mean) / scale1;
      this.maseCount++;
    }
    if (scale2 > 0) {
      this.rmsseSum += rmse(actual, mean) / Math.sqrt(scale2);
      this.rmsseCount++;
    }
    this.levels.forEach((level, i) => {
      this.pinballSums[i]! += pinball(actual, quantiles[i]!, level) * h;
    });
    if (this.levels.length >= 2) {
      const lower = quantiles[0]!;
      const upper = quantiles[this.levels.length - 1]!;
      for (let j = 0; j < h; j++) if (actual[j]! >= lower[j]! && actual[j]! <= upper[j]!) this.covered++;
    }
  }

  metrics(): AccuracyMetrics {
    const interval =
      this.levels.length >= 2
        ? ([this.levels[0]!, this.levels[this.levels.length - 1]!] as [number, number])
        : null;
    return {
      forecasts: this.forecasts,
      points: this.points,
      actual_units: round(this.actual),
      forecast_units: round(this.forecast),
      mase: this.maseCount > 0 ? round(this.maseSum / this.maseCount) : null,
      rmsse: this.rmsseCount > 0 ? round(this.rmsseSum / this.rmsseCount) : null,
      wape: this.actual > 0 ? round(this.absolute / this.actual) : null,
      bias: this.actual > 0 ? round(this.forecast / this.actual - 1) : null,
      pinball: Object.fromEntries(
        this.levels.map((level, i) => [
          String(level),
          this.points > 0 ? round(this.pinballSums[i]! / this.points) : 0,
        ]),
      ),
      coverage: interval && this.points > 0 ? round(this.covered / this.points) : null,
      interval,
      nominal_coverage: interval ? round(interval[1] - interval[0]) : null,
    };
  }
}

/** Six significant decimals: stored metrics compare equal to a recomputation's. */
export const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** Drops the zeros before the first sale, as autoForecast does. */
export function fromFirstSale(y: ArrayLike<number>): number[] {
  let first = 0;
  while (first < y.length && y[first]! <= 0) first++;
  return Array.prototype.slice.call(y, first) as number[];
}

/** The series as they stood `cut` periods before their end; events' futures are what followed. */
export function cutSeries(series: readonly SeriesInput[], cut: number, horizon: number): SeriesInput[] {
  return series.map((s) => {
    const n = s.y.length - cut;
    return {
      ...s,
      y: Array.prototype.slice.call(s.y, 0, n) as number[],
      ...(s.events
        ? {
            events: s.events.map((e) => ({
              name: e.name,
              history: Array.prototype.slice.call(e.history, 0, n) as number[],
              future: Array.prototype.slice.call(e.history, n, n + horizon) as number[],
            })),
          }
        : {}),
    };
  });
}

export async function rollingOriginBacktest(
  series: readonly SeriesInput[],
  options: AutoOptions,
  origins: number,
  runner: BatchRunner = runInline,
): Promise<BacktestReport> {
  const levels = options.quantiles ?? [0.1, 0.5, 0.9];
  const horizon = options.horizon;
  const overall = new MetricsAccumulator(levels);
  const byClass = new Map<DemandClass, MetricsAccumulator>();
  for (let w = 1; w <= origins; w++) {
    const cut = w * horizon;
    // A series with no sale before the origin was not yet a product there: nothing to score.
    const live = series.filter(
      (s) =>
        s.y.length > cut && fromFirstSale(Array.prototype.slice.call(s.y, 0, s.y.length - cut)).length > 0,
    );
    if (live.length === 0) continue;
    const result = await autoForecast(cutSeries(live, cut, horizon), options, runner);
    result.forecasts.forEach((f, i) => {
      const s = live[i]!;
      const n = s.y.length - cut;
      const actual = Array.prototype.slice.call(s.y, n, n + horizon) as number[];
      const history = fromFirstSale(Array.prototype.slice.call(s.y, 0, n));
      const quantiles = f.quantiles.map((q) => q.values.subarray(0, actual.length));
      const mean = f.mean.subarray(0, actual.length);
      overall.add(actual, mean, quantiles, history);
      let acc = byClass.get(f.demandClass);
      if (!acc) {
        acc = new MetricsAccumulator(levels);
        byClass.set(f.demandClass, acc);
      }
      acc.add(actual, mean, quantiles, history);
    });
  }
  return {
    origins,
    horizon,
    overall: overall.metrics(),
    by_class: Object.fromEntries([...byClass].map(([cls, acc]) => [cls, acc.metrics()])),
  };
}

/** FNV-1a over the bits of numbers: a key for a job's content. */
function hashNumbers(h: number, values: ArrayLike<number>): number {
  const view = new DataView(new ArrayBuffer(8));
  let x = h;
  for (let i = 0; i < values.length; i++) {
    view.setFloat64(0, values[i]!);
    for (let b = 0; b < 8; b++) x = Math.imul(x ^ view.getUint8(b), 16777619) >>> 0;
  }
  return x;
}

function jobKey(task: FitTask, actual: ArrayLike<number>): string {
  let h = hashNumbers(2166136261, task.y);
  h = hashNumbers(h, actual);
  for (const e of task.events) {
    h = hashNumbers(h, e.history);
    h = hashNumbers(h, e.future);
  }
  if (task.groupProfile) h = hashNumbers(h, task.groupProfile);
  if (task.groupUplift) h = hashNumbers(h, [...task.groupUplift.values()]);
  return `${task.start}:${task.y.length}:${task.events.map((e) => e.name).join(',')}:${h}`;
}

const sameValues = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
};

/**
 * A runner that remembers backtest jobs for one fit. The rolling origins' own selections
 * backtest at cuts the final fit and the other origins share (origin w backtests at cuts
 * w+1..w+windows horizons), with identical inputs, so each is computed once: a fit with 3
 * windows runs 6 cuts' backtests instead of 12. A remembered job is used only when its
 * history and actuals are equal value by value, so the results are those of a plain run.
 */
export function rememberingRunner(runner: BatchRunner): BatchRunner {
  const memory = new Map<string, { task: FitTask; actual: ArrayLike<number>; cell: BacktestCell }[]>();
  return async (jobs, context) => {
    const out = new Array<BatchOutput | undefined>(jobs.length);
    const pending: { index: number; key: string | null }[] = [];
    jobs.forEach((job, index) => {
      if (job.kind !== 'backtest') {
        pending.push({ index, key: null });
        return;
      }
      const key = jobKey(job.task, job.actual);
      const hit = memory
        .get(key)
        ?.find((m) => sameValues(m.task.y, job.task.y) && sameValues(m.actual, job.actual));
      if (hit) out[index] = hit.cell;
      else pending.push({ index, key });
    });
    const results = await runner(
      pending.map((p) => jobs[p.index]!),
      context,
    );
    pending.forEach((p, i) => {
      const result = results[i]!;
      out[p.index] = result;
      if (p.key === null) return;
      const job = jobs[p.index] as Extract<BatchJob, { kind: 'backtest' }>;
      const list = memory.get(p.key) ?? [];
      list.push({ task: job.task, actual: job.actual, cell: result as BacktestCell });
      memory.set(p.key, list);
    });
    return out as BatchOutput[];
  };
}
