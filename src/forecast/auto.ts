import { classifyDemand, type DemandClass } from './demand-class.ts';
import { negativeBinomialQuantile } from './distribution.ts';
import { rmse as rmseOf } from './metrics.ts';
import { autoEts, etsForecast, fitEts } from './models/ets.model.ts';
import { croston, sba, tsb } from './models/intermittent.model.ts';
import { movingAverage, naive, seasonalNaive } from './models/naive.model.ts';
import {
  type EventFlags,
  fitSeasonalLevel,
  phaseTotals,
  profileFromTotals,
  type SeasonalLevelSettings,
  seasonalLevelForecast,
} from './models/seasonal-level.model.ts';

/**
 * Automatic forecasting for many series at once. Per demand class, every candidate method
 * is backtested on the last windows of history (rolling origin, pooled over the class's
 * series) and the class takes the method with the lowest error; a persistent bias the
 * backtest shows (a catalogue in decline, a level every method trails) is corrected by one
 * factor per class, estimated by least squares on the same windows. Choosing per class
 * rather than per series keeps the choice stable: one series' 28 days say little about
 * which method is right, a few hundred series' do.
 */
export const METHODS = [
  'seasonal_level',
  'ets',
  'ses',
  'croston',
  'sba',
  'tsb',
  'moving_average',
  'seasonal_naive',
  'naive',
] as const;
export type MethodName = (typeof METHODS)[number];

export interface SeriesInput {
  id: string;
  /** History, oldest first. Leading zeros (before the first sale) are dropped. */
  y: ArrayLike<number>;
  /** Absolute period index of y[0]: series of one calendar share phases (default 0). */
  start?: number;
  /** Series pooled for seasonal profiles and event uplifts (a store, a category). */
  group?: string;
  /** Known drivers, with `future` covering the horizon. */
  events?: EventFlags[];
  /** Weight in the selection criterion (default 1), e.g. recent revenue. */
  weight?: number;
}

export type Criterion = 'rmsse' | 'rmse';

export interface AutoOptions {
  horizon: number;
  period: number;
  methods?: readonly MethodName[];
  /** Backtest windows of `horizon` periods each, ending at the last observation (default 3). */
  windows?: number;
  criterion?: Criterion;
  seasonalLevel?: Partial<SeasonalLevelSettings>;
  /** Correct a class's backtest bias with one factor (default true). */
  calibrate?: boolean;
  /** Quantile levels to return (default 0.1, 0.5, 0.9). */
  quantiles?: readonly number[];
  /**
   * Most series per demand class the backtest scores (default 2,000): the choice is per
   * class, and a few thousand series settle it; beyond that a spread sample is scored, and
   * every series still gets its class's method fitted on its own history.
   */
  selectionSample?: number;
}

/** Default of AutoOptions.selectionSample. */
export const SELECTION_SAMPLE = 2000;

/** Which series the backtest scores: all of a class up to `cap`, else `cap` spread evenly over it. */
export function selectionSample(classes: readonly DemandClass[], cap: number): boolean[] {
  const byClass = new Map<DemandClass, number[]>();
  classes.forEach((c, i) => {
    const list = byClass.get(c) ?? [];
    list.push(i);
    byClass.set(c, list);
  });
  const chosen = new Array<boolean>(classes.length).fill(false);
  for (const list of byClass.values()) {
    const n = list.length;
    const take = Math.min(n, Math.max(1, Math.floor(cap)));
    for (let k = 0; k < take; k++) chosen[list[Math.floor((k * n) / take)]!] = true;
  }
  return chosen;
}

export interface SeriesForecast {
  id: string;
  method: MethodName;
  demandClass: DemandClass;
  mean: Float64Array;
  quantiles: { level: number; values: Float64Array }[];
}

export interface ClassSelection {
  demandClass: DemandClass;
  series: number;
  method: MethodName;
  /** Multiplier applied to the method's forecasts (1 = none). */
  calibration: number;
  /** Negative binomial dispersion of the backtest errors (Infinity = Poisson). */
  dispersion: number;
  /** Backtest criterion per candidate (lower is better). */
  backtest: Partial<Record<MethodName, number>>;
}

export interface AutoResult {
  forecasts: SeriesForecast[];
  selection: ClassSelection[];
}

/** What one series needs to be forecast at one origin: pure data, so it can cross a worker boundary. */
export interface FitTask {
  y: Float64Array;
  start: number;
  events: EventFlags[];
  groupProfile: Float64Array | null;
  groupUplift: Map<string, number> | null;
}

interface PreparedEvent {
  name: string;
  history: Float64Array;
  future: ArrayLike<number>;
}

interface Prepared {
  input: SeriesInput;
  y: Float64Array;
  start: number;
  events: PreparedEvent[];
  demandClass: DemandClass;
}

export function seasonalSettings(options: AutoOptions): SeasonalLevelSettings {
  const m = options.period;
  return {
    period: m,
    profileCycles: m === 7 ? 52 : m === 12 ? 4 : Math.max(1, Math.floor(364 / Math.max(1, m))),
    levelWindow: m === 7 ? 28 : m === 12 ? 12 : Math.max(m, options.horizon),
    profileStrength: 28,
    eventStrength: 20,
    ...options.seasonalLevel,
  };
}

/** Drops the zeros before the first sale (a product not yet listed is not a product selling zero). */
function prepare(input: SeriesInput): Prepared {
  let first = 0;
  while (first < input.y.length && input.y[first]! <= 0) first++;
  const y = Float64Array.from(Array.prototype.slice.call(input.y, first) as number[]);
  const events = (input.events ?? []).map(
    (e): PreparedEvent => ({
      name: e.name,
      history: Float64Array.from(Array.prototype.slice.call(e.history, first) as number[]),
      future: e.future,
    }),
  );
  return { input, y, start: (input.start ?? 0) + first, events, demandClass: classifyDemand(y).class };
}

/** The series' history cut `cut` periods before its end, with events split at the origin. */
function cutTask(p: Prepared, cut: number, horizon: number): FitTask {
  const n = p.y.length - cut;
  return {
    y: p.y.subarray(0, n),
    start: p.start,
    events: p.events.map((e) => ({
      name: e.name,
      history: e.history.subarray(0, n),
      future: cut > 0 ? e.history.subarray(n, n + horizon) : e.future,
    })),
    groupProfile: null,
    groupUplift: null,
  };
}

/** Pools profiles and event uplifts per group at one origin (in place on the tasks). */
function poolGroups(tasks: FitTask[], groups: (string | undefined)[], settings: SeasonalLevelSettings): void {
  const m = settings.period;
  if (m < 2 && tasks.every((t) => t.events.length === 0)) return;
  const totals = new Map<string, Float64Array>();
  tasks.forEach((task, i) => {
    const key = groups[i] ?? '';
    const own = phaseTotals(task.y, settings, task.start);
    const sum = totals.get(key);
    if (sum) for (let k = 0; k < m; k++) sum[k]! += own[k]!;
    else totals.set(key, own);
  });
  const profiles = new Map([...totals].map(([key, t]) => [key, profileFromTotals(t)]));
  const evidence = new Map<string, Map<string, { observed: number; expected: number }>>();
  tasks.forEach((task, i) => {
    const key = groups[i] ?? '';
    task.groupProfile = profiles.get(key)!;
    if (task.events.length === 0) return;
    const fit = fitSeasonalLevel(
      { y: task.y, start: task.start, events: task.events, groupProfile: task.groupProfile },
      settings,
    );
    const byEvent = evidence.get(key) ?? new Map<string, { observed: number; expected: number }>();
    evidence.set(key, byEvent);
    for (const [name, e] of fit.eventEvidence) {
      const acc = byEvent.get(name) ?? { observed: 0, expected: 0 };
      acc.observed += e.observed;
      acc.expected += e.expected;
      byEvent.set(name, acc);
    }
  });
  tasks.forEach((task, i) => {
    const byEvent = evidence.get(groups[i] ?? '');
    if (!byEvent) return;
    task.groupUplift = new Map(
      [...byEvent].map(([name, e]) => [name, e.expected > 0 ? e.observed / e.expected : 1]),
    );
  });
}

/** One method's forecast for one task. */
export function forecastWith(
  method: MethodName,
  task: FitTask,
  horizon: number,
  period: number,
  settings: SeasonalLevelSettings,
): Float64Array {
  const { y } = task;
  const flat = (v: number) => new Float64Array(horizon).fill(Math.max(0, v));
  switch (method) {
    case 'seasonal_level': {
      const input = {
        y,
        start: task.start,
        events: task.events,
        ...(task.groupProfile ? { groupProfile: task.groupProfile } : {}),
        ...(task.groupUplift ? { groupUplift: task.groupUplift } : {}),
      };
      return seasonalLevelForecast(fitSeasonalLevel(input, settings), input, horizon);
    }
    case 'ets': {
      const fit = autoEts(y, period);
      return fit ? clampNonNegative(etsForecast(fit, horizon)) : flat(movingAverage(y, settings.levelWindow));
    }
    case 'ses': {
      const fit = fitEts(y, { error: 'A', trend: 'N', season: 'N' });
      return fit ? clampNonNegative(etsForecast(fit, horizon)) : flat(movingAverage(y, settings.levelWindow));
    }
    case 'croston':
      return flat(croston(y, 0.1));
    case 'sba':
      return flat(sba(y, 0.1));
    case 'tsb':
      return flat(tsb(y, 0.1, 0.1));
    case 'moving_average':
      return flat(movingAverage(y, settings.levelWindow));
    case 'seasonal_naive':
      return seasonalNaive(y, horizon, Math.max(1, period));
    case 'naive':
      return naive(y, horizon);
  }
}

function clampNonNegative(f: Float64Array): Float64Array {
  for (let j = 0; j < f.length; j++) if (f[j]! < 0) f[j] = 0;
  return f;
}

/** Backtest statistics of every method on one series and window. */
export interface BacktestCell {
  /** Criterion value per method (NaN when the series cannot be scored, e.g. a constant history). */
  error: Float64Array;
  /** Sums for the least-squares calibration factor, scaled like the criterion: sum a f, sum f^2. */
  af: Float64Array;
  ff: Float64Array;
  /** Unscaled sums of (a - f)^2 - f and of f^2: the dispersion of count errors. */
  excess: Float64Array;
  squares: Float64Array;
}

export function backtestTask(
  task: FitTask,
  actual: Float64Array,
  methods: readonly MethodName[],
  options: AutoOptions,
  settings: SeasonalLevelSettings,
): BacktestCell {
  const scale = criterionScale(task.y, options.criterion ?? 'rmsse');
  const cell: BacktestCell = {
    error: new Float64Array(methods.length).fill(Number.NaN),
    af: new Float64Array(methods.length),
    ff: new Float64Array(methods.length),
    excess: new Float64Array(methods.length),
    squares: new Float64Array(methods.length),
  };
  if (!(scale > 0)) return cell;
  methods.forEach((method, i) => {
    const f = forecastWith(method, task, options.horizon, options.period, settings);
    cell.error[i] = rmseOf(actual, f) / Math.sqrt(scale);
    for (let j = 0; j < actual.length; j++) {
      cell.af[i]! += (actual[j]! * f[j]!) / scale;
      cell.ff[i]! += (f[j]! * f[j]!) / scale;
      cell.excess[i]! += (actual[j]! - f[j]!) ** 2 - f[j]!;
      cell.squares[i]! += f[j]! * f[j]!;
    }
  });
  return cell;
}

function criterionScale(history: ArrayLike<number>, criterion: Criterion): number {
  if (criterion === 'rmse') return 1;
  let s = 0;
  for (let t = 1; t < history.length; t++) s += (history[t]! - history[t - 1]!) ** 2;
  return history.length > 1 ? s / (history.length - 1) : 0;
}

/** A unit of work the runner may send to another thread: plain data in, plain data out. */
export type BatchJob =
  | { kind: 'backtest'; task: FitTask; actual: Float64Array }
  | { kind: 'final'; task: FitTask; method: MethodName };

export interface BatchContext {
  methods: readonly MethodName[];
  options: AutoOptions;
  settings: SeasonalLevelSettings;
}

export type BatchOutput = BacktestCell | Float64Array;

export function runJob(job: BatchJob, context: BatchContext): BatchOutput {
  if (job.kind === 'backtest')
    return backtestTask(job.task, job.actual, context.methods, context.options, context.settings);
  return job.task.y.length > 0
    ? forecastWith(job.method, job.task, context.options.horizon, context.options.period, context.settings)
    : new Float64Array(context.options.horizon);
}

/** Runs jobs and returns their outputs in order; the batch module runs them on worker threads. */
export type BatchRunner = (jobs: BatchJob[], context: BatchContext) => Promise<BatchOutput[]>;

export const runInline: BatchRunner = async (jobs, context) => jobs.map((job) => runJob(job, context));

export async function autoForecast(
  series: SeriesInput[],
  options: AutoOptions,
  runner: BatchRunner = runInline,
): Promise<AutoResult> {
  const methods = options.methods ?? METHODS;
  const windows = options.windows ?? 3;
  const horizon = options.horizon;
  const settings = seasonalSettings(options);
  const prepared = series.map(prepare);
  const groups = prepared.map((p) => p.input.group);
  const scored = selectionSample(
    prepared.map((p) => p.demandClass),
    options.selectionSample ?? SELECTION_SAMPLE,
  );

  // 1. Backtest every method on each window, pooled per demand class.
  const minimum = Math.max(2 * options.period + 2, 8);
  const jobs: { index: number; task: FitTask; actual: Float64Array }[] = [];
  const context: BatchContext = { methods, options: { ...options, methods }, settings };
  for (let w = 1; w <= windows; w++) {
    const cut = w * horizon;
    const tasks = prepared.map((p) => (p.y.length - cut >= minimum ? cutTask(p, cut, horizon) : null));
    const live = tasks.flatMap((t, i) => (t ? [{ t, i }] : []));
    poolGroups(
      live.map((l) => l.t),
      live.map((l) => groups[l.i]),
      settings,
    );
    for (const { t, i } of live) {
      if (!scored[i]) continue;
      const y = prepared[i]!.y;
      jobs.push({ index: i, task: t, actual: y.subarray(y.length - cut, y.length - cut + horizon) });
    }
  }
  const cells = (await runner(
    jobs.map((job) => ({ kind: 'backtest', task: job.task, actual: job.actual })),
    context,
  )) as BacktestCell[];

  const selection = new Map<DemandClass, ClassSelection>();
  const byClass = new Map<DemandClass, number[]>();
  jobs.forEach((job, j) => {
    const cls = prepared[job.index]!.demandClass;
    const list = byClass.get(cls) ?? [];
    list.push(j);
    byClass.set(cls, list);
  });
  for (const [cls, list] of byClass) {
    const backtest: Partial<Record<MethodName, number>> = {};
    let best = -1;
    let bestScore = Number.POSITIVE_INFINITY;
    methods.forEach((method, i) => {
      let total = 0;
      let weight = 0;
      for (const j of list) {
        const e = cells[j]!.error[i]!;
        if (Number.isNaN(e)) continue;
        const w = prepared[jobs[j]!.index]!.input.weight ?? 1;
        total += w * e;
        weight += w;
      }
      const score = weight > 0 ? total / weight : Number.POSITIVE_INFINITY;
      backtest[method] = score;
      if (score < bestScore) {
        bestScore = score;
        best = i;
      }
    });
    let calibration = 1;
    let af = 0;
    let ff = 0;
    let excess = 0;
    let fsq = 0;
    for (const j of list) {
      const c = cells[j]!;
      if (Number.isNaN(c.error[best]!)) continue;
      const w = prepared[jobs[j]!.index]!.input.weight ?? 1;
      af += w * c.af[best]!;
      ff += w * c.ff[best]!;
      excess += c.excess[best]!;
      fsq += c.squares[best]!;
    }
    if ((options.calibrate ?? true) && ff > 0) calibration = Math.min(2, Math.max(0.25, af / ff));
    const inverseDispersion = fsq > 0 ? Math.max(0, excess) / fsq : 0;
    selection.set(cls, {
      demandClass: cls,
      series: prepared.filter((p) => p.demandClass === cls).length,
      method: methods[Math.max(0, best)]!,
      calibration,
      dispersion: inverseDispersion > 0 ? 1 / inverseDispersion : Number.POSITIVE_INFINITY,
      backtest,
    });
  }

  // 2. Final forecasts with each class's method, from the whole history.
  const finals = prepared.map((p) => cutTask(p, 0, horizon));
  poolGroups(finals, groups, settings);
  const levels = options.quantiles ?? [0.1, 0.5, 0.9];
  const fallback: MethodName = 'moving_average';
  const means = (await runner(
    finals.map((task, i) => ({
      kind: 'final',
      task,
      method: selection.get(prepared[i]!.demandClass)?.method ?? fallback,
    })),
    context,
  )) as Float64Array[];
  return {
    selection: [...selection.values()],
    forecasts: prepared.map((p, i) => {
      const chosen = selection.get(p.demandClass);
      const factor = chosen?.calibration ?? 1;
      const mean = means[i]!.map((v) => v * factor);
      const r = chosen?.dispersion ?? Number.POSITIVE_INFINITY;
      return {
        id: p.input.id,
        method: chosen?.method ?? fallback,
        demandClass: p.demandClass,
        mean,
        quantiles: levels.map((level) => ({
          level,
          values: mean.map((mu) => negativeBinomialQuantile(level, mu, r)),
        })),
      };
    }),
  };
}
