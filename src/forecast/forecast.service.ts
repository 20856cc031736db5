import { InvexError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Database, Queryable } from '../db/index.ts';
import { type ExceptionRecord, findOpenException, saveExceptions } from '../detect/index.ts';
import { insertAnnotation, listAnnotations, revokeAnnotation } from './annotation.repository.ts';
import {
  type AnnotationInput,
  annotatedMask,
  annotationInputSchema,
  type DemandAnnotation,
  excludeAnnotated,
} from './annotations.ts';
import { type AutoOptions, autoForecast, type BatchRunner, runInline, type SeriesInput } from './auto.ts';
import { rememberingRunner, rollingOriginBacktest } from './backtest.ts';
import type { DemandClass } from './demand-class.ts';
import {
  assessDrift,
  type DriftAssessment,
  driftException,
  driftKey,
  type LiveAccuracy,
  liveAccuracy,
} from './drift.ts';
import { type DemandSeries, loadDemandHistory } from './history.repository.ts';
import { loadPromotionDays, type PromotionDays } from './promotion.repository.ts';
import {
  activeVersions,
  applyStatusChanges,
  type ForecastModelRecord,
  type ForecastVersionRecord,
  findActiveForecasts,
  findActiveSeries,
  getModel,
  getVersion,
  getVersionByNumber,
  insertVersion,
  latestSaleDay,
  listModels,
  listTransitions,
  listVersions,
  loadUnitMargins,
  loadVersionSeries,
  lockModel,
  type SeriesForecastRow,
  type StoredSelection,
  upsertModel,
} from './registry.repository.ts';
import {
  type DriftSettings,
  type ModelConfig,
  type ModelConfigInput,
  modelNameSchema,
  parseVersionRef,
  planPromotion,
  planRollback,
  resolveModelConfig,
} from './registry.ts';

/**
 * Forecasting over the ledger: fit a named model on the event log's demand history (minus
 * what people annotated, with the log's promotions as known events), keep each fit as a
 * version with its backtest, promote and roll back, serve the active forecast, and watch
 * its accuracy as actuals arrive (docs/forecasting.md).
 */

const DAY_MS = 86_400_000;
const dayMs = (d: string) => Date.parse(`${d}T00:00:00Z`);
const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const addDays = (d: string, n: number) => dayText(dayMs(d) + n * DAY_MS);
/** The Sunday on or before a day. */
const sundayOnOrBefore = (d: string) => addDays(d, -new Date(dayMs(d)).getUTCDay());

export const DEFAULT_MODEL = 'default';

export interface FitRequest {
  model?: string;
  /** Overrides of the model's configuration (the rest is the model's, or the defaults). */
  config?: ModelConfigInput;
  /** The data window (local days); default the model's history_days up to the last complete day. */
  from?: string;
  to?: string;
  actor: string;
  /** Refuse scopes with more series than this (the API's bound). */
  maxSeries?: number;
  runner?: BatchRunner;
  now?: number;
}

const resolveName = (name: string | undefined) => {
  const parsed = modelNameSchema.safeParse(name ?? DEFAULT_MODEL);
  if (!parsed.success)
    throw new InvexError(
      'invalid_input',
      'request_invalid',
      `model name "${name}": ${parsed.error.issues[0]!.message}`,
    );
  return parsed.data;
};

const scopeQuery = (config: ModelConfig) => ({
  ...(config.scope.skus ? { skus: config.scope.skus } : {}),
  ...(config.scope.locations ? { locations: config.scope.locations } : {}),
  ...(config.scope.channels ? { channels: config.scope.channels } : {}),
  ...(config.scope.categories ? { categories: config.scope.categories } : {}),
  ...(config.scope.regions ? { regions: config.scope.regions } : {}),
});

const describeScope = (config: ModelConfig) => {
  const parts = Object.entries(config.scope).map(([k, v]) => `${k} ${(v as string[]).join(',')}`);
  return parts.length ? parts.join('; ') : 'every SKU x location x channel';
};

/** The window a fit reads: explicit, or history_days up to the day before the latest sale. */
async function fitWindow(db: Queryable, config: ModelConfig, request: FitRequest) {
  let to = request.to;
  if (!to) {
    const latest = await latestSaleDay(db, config.scope);
    if (!latest)
      throw new InvexError(
        'invalid_input',
        'forecast_history_empty',
        `no sales in the event log for ${describeScope(config)}: nothing to fit`,
      );
    // The latest day is still trading: the last complete day is the one before.
    to = addDays(latest, -1);
  }
  // A week grain fits whole weeks: the last one ends on the Sunday on or before `to`.
  if (config.grain === 'week') to = sundayOnOrBefore(to);
  const from = request.from ?? addDays(to, -(config.history_days - 1));
  return { from, to };
}

/** A series' promotion flags over its history and the horizon after it. */
function promotionFlags(
  series: DemandSeries,
  promotions: PromotionDays[],
  horizon: number,
): { history: Float64Array; future: Float64Array } | null {
  const mine = promotions.filter(
    (p) =>
      p.sku === series.sku &&
      p.location === series.location &&
      (p.channel === null || p.channel === series.channel),
  );
  if (mine.length === 0) return null;
  const width = series.grain === 'day' ? 1 : 7;
  const n = series.y.length;
  const flags = new Float64Array(n + horizon);
  const first = dayMs(series.start) / DAY_MS;
  for (const p of mine) {
    const lo = Math.max(0, Math.floor((dayMs(p.first) / DAY_MS - first) / width));
    const hi = Math.min(n + horizon - 1, Math.floor((dayMs(p.last) / DAY_MS - first) / width));
    for (let t = lo; t <= hi; t++) flags[t] = 1;
  }
  return { history: flags.subarray(0, n), future: flags.subarray(n) };
}

const finite = (x: number) => (Number.isFinite(x) ? x : null);
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

export interface PreparedHistory {
  series: DemandSeries[];
  inputs: SeriesInput[];
  annotatedPeriods: number;
  options: AutoOptions;
}

/** The fit's inputs from the log: history minus annotations, promotions as events. */
export async function prepareHistory(
  db: Queryable,
  config: ModelConfig,
  window: { from: string; to: string },
): Promise<PreparedHistory> {
  const series = await loadDemandHistory(db, { ...window, grain: config.grain, ...scopeQuery(config) });
  const annotations = await listAnnotations(db, { from: window.from, to: window.to }, 100_000);
  const promotions = await loadPromotionDays(db, {
    from: window.from,
    to: addDays(window.to, config.horizon * (config.grain === 'day' ? 1 : 7)),
    ...(config.scope.skus ? { skus: config.scope.skus } : {}),
    ...(config.scope.locations ? { locations: config.scope.locations } : {}),
  });
  let annotatedPeriods = 0;
  const inputs = series.map((s, i): SeriesInput => {
    const mask = annotatedMask(s, annotations);
    for (const v of mask) annotatedPeriods += v;
    const promotion = promotionFlags(s, promotions, config.horizon);
    return {
      id: String(i),
      y: excludeAnnotated(s.y, mask, config.period),
      start: s.startIndex,
      group: s.location,
      ...(promotion ? { events: [{ name: 'promotion', ...promotion }] } : {}),
    };
  });
  const options: AutoOptions = {
    horizon: config.horizon,
    period: config.period,
    methods: config.methods,
    windows: config.windows,
    criterion: config.criterion,
    calibrate: config.calibrate,
    quantiles: config.quantiles,
  };
  return { series, inputs, annotatedPeriods, options };
}

/** Fits a model and stores the result as a new candidate version. */
export async function fitModel(db: Database, request: FitRequest): Promise<ForecastVersionRecord> {
  const name = resolveName(request.model);
  const existing = await getModel(db, name);
  const config = resolveModelConfig({ ...(existing?.config ?? {}), ...(request.config ?? {}) });
  const window = await fitWindow(db, config, request);
  const started = performance.now();
  const prepared = await prepareHistory(db, config, window);
  if (prepared.series.length === 0)
    throw new InvexError(
      'invalid_input',
      'forecast_history_empty',
      `no sales in the event log for ${describeScope(config)} from ${window.from} to ${window.to}: nothing to fit`,
      { model: name, ...window },
    );
  if (request.maxSeries !== undefined && prepared.series.length > request.maxSeries)
    throw new InvexError(
      'payload_too_large',
      'forecast_fit_too_large',
      `model ${name} covers ${prepared.series.length} series; this route fits at most ${request.maxSeries} at once: narrow the scope or run invex forecast fit`,
      { model: name, series: prepared.series.length, limit: request.maxSeries },
    );
  const runner = rememberingRunner(request.runner ?? runInline);
  const backtest = await rollingOriginBacktest(prepared.inputs, prepared.options, config.windows, runner);
  const result = await autoForecast(prepared.inputs, prepared.options, runner);
  const fitSeconds = (performance.now() - started) / 1000;
  const now = request.now ?? Date.now();
  const selection: StoredSelection[] = result.selection.map((s) => ({
    demand_class: s.demandClass,
    series: s.series,
    method: s.method,
    calibration: s.calibration,
    dispersion: finite(s.dispersion),
    backtest: Object.fromEntries(Object.entries(s.backtest).map(([m, v]) => [m, finite(v!)])),
  }));
  const rows: SeriesForecastRow[] = result.forecasts.map((f, i) => {
    const s = prepared.series[i]!;
    return {
      sku: s.sku,
      location: s.location,
      channel: s.channel,
      category: s.category,
      region: s.region,
      demand_class: f.demandClass,
      method: f.method,
      mean: Array.from(f.mean, round4),
      quantiles: Object.fromEntries(f.quantiles.map((q) => [String(q.level), Array.from(q.values, round4)])),
    };
  });
  return db.transaction(async (tx) => {
    await lockModel(tx, name);
    await upsertModel(tx, name, config, request.actor, now);
    return insertVersion(
      tx,
      {
        id: newId('fcv', now),
        model: name,
        config,
        selection,
        metrics: backtest,
        grain: config.grain,
        horizon: config.horizon,
        data_from: prepared.series[0]!.start,
        data_to: window.to,
        forecast_start: addDays(window.to, 1),
        series_count: prepared.series.length,
        annotated_periods: prepared.annotatedPeriods,
        fit_seconds: Math.round(fitSeconds * 1000) / 1000,
        created_at: now,
        created_by: request.actor,
      },
      rows,
    );
  });
}

async function resolveVersion(db: Queryable, ref: string): Promise<ForecastVersionRecord> {
  const parsed = parseVersionRef(ref);
  const found =
    'id' in parsed
      ? await getVersion(db, parsed.id)
      : await getVersionByNumber(db, parsed.model, parsed.version);
  if (!found)
    throw new InvexError(
      'not_found',
      'forecast_version_not_found',
      `forecast version ${ref} does not exist`,
      { version: ref },
    );
  return found;
}

export async function getForecastVersion(db: Queryable, ref: string): Promise<ForecastVersionRecord> {
  return resolveVersion(db, ref);
}

async function requireModel(db: Queryable, name: string): Promise<ForecastModelRecord> {
  const model = await getModel(db, resolveName(name));
  if (!model)
    throw new InvexError('not_found', 'forecast_model_not_found', `forecast model ${name} does not exist`, {
      model: name,
    });
  return model;
}

/** Closes the model's open drift exception: its forecasts are no longer the ones in use. */
async function closeDrift(db: Queryable, model: string, reason: string, now: number): Promise<void> {
  const open = await findOpenException(db, driftKey(model));
  if (!open) return;
  const at = new Date(now).toISOString();
  await saveExceptions(db, [
    { ...open, status: 'closed', closed_at: at, close_reason: reason, updated_at: at },
  ]);
}

/** Makes a version its model's active one; `model`, when given, must be the version's. */
export async function promoteVersion(
  db: Database,
  ref: string,
  actor: string,
  options: { model?: string; reason?: string; now?: number } = {},
): Promise<ForecastVersionRecord> {
  const now = options.now ?? Date.now();
  const target = await resolveVersion(db, ref);
  return db.transaction(async (tx) => {
    await lockModel(tx, target.model);
    const fresh = (await getVersion(tx, target.id))!;
    const plan = planPromotion(await listVersions(tx, fresh.model), fresh, options.model);
    const at = new Date(now).toISOString();
    await applyStatusChanges(tx, fresh.model, plan.changes, {
      action: 'promote',
      previous_active: plan.previous,
      actor,
      at,
      reason: options.reason ?? null,
    });
    await closeDrift(tx, fresh.model, `version ${fresh.id} (v${fresh.version}) promoted by ${actor}`, now);
    return (await getVersion(tx, fresh.id))!;
  });
}

/** Returns a model to the version that was active before the current one. */
export async function rollbackModel(
  db: Database,
  model: string,
  actor: string,
  options: { reason?: string; now?: number } = {},
): Promise<ForecastVersionRecord> {
  const now = options.now ?? Date.now();
  await requireModel(db, model);
  return db.transaction(async (tx) => {
    await lockModel(tx, model);
    const plan = planRollback(model, await listVersions(tx, model), await listTransitions(tx, model));
    const at = new Date(now).toISOString();
    await applyStatusChanges(tx, model, plan.changes, {
      action: 'rollback',
      previous_active: plan.from,
      actor,
      at,
      reason: options.reason ?? null,
    });
    const back = (await getVersion(tx, plan.to))!;
    await closeDrift(tx, model, `rolled back to version ${back.id} (v${back.version}) by ${actor}`, now);
    return back;
  });
}

export async function forecastModels(db: Queryable): Promise<ForecastModelRecord[]> {
  return listModels(db);
}

export async function forecastVersions(db: Queryable, model?: string): Promise<ForecastVersionRecord[]> {
  if (model !== undefined) await requireModel(db, model);
  return listVersions(db, model);
}

export async function forecastTransitions(db: Queryable, model: string) {
  await requireModel(db, model);
  return listTransitions(db, model);
}

export interface ForecastView {
  model: string;
  /** The version these numbers come from: what a recommendation records. */
  model_version: string;
  version: number;
  grain: 'day' | 'week';
  sku: string;
  location: string;
  channel: string;
  demand_class: DemandClass;
  method: string;
  /** First day of each period (the Monday for weeks). */
  periods: string[];
  mean: number[];
  quantiles: Record<string, number[]>;
}

/**
 * A model's active version and its daily forecasts for many cells at once, for planning:
 * null when the model has no active version or it is not at daily grain.
 */
export async function activeDailyForecasts(
  db: Queryable,
  cells: { skus: readonly string[]; locations: readonly string[] },
  model: string = DEFAULT_MODEL,
): Promise<{ version: ForecastVersionRecord; rows: SeriesForecastRow[] } | null> {
  const found = await findActiveSeries(db, model, cells.skus, cells.locations);
  return found && found.version.grain === 'day' ? found : null;
}

/** The active versions' forecasts for a SKU at a location (every model that covers it). */
export async function getForecast(
  db: Queryable,
  key: { sku: string; location: string; channel?: string; model?: string },
): Promise<ForecastView[]> {
  const rows = await findActiveForecasts(db, key);
  if (rows.length === 0)
    throw new InvexError(
      'not_found',
      'forecast_not_found',
      `no active forecast for ${key.sku} at ${key.location}${key.channel ? ` (${key.channel})` : ''}${key.model ? ` in model ${key.model}` : ''}: fit and promote a model that covers it`,
      key,
    );
  return rows.map((r) => {
    const width = r.version.grain === 'day' ? 1 : 7;
    return {
      model: r.version.model,
      model_version: r.version.id,
      version: r.version.version,
      grain: r.version.grain,
      sku: r.sku,
      location: r.location,
      channel: r.channel,
      demand_class: r.demand_class,
      method: r.method,
      periods: r.mean.map((_, i) => addDays(r.version.forecast_start, i * width)),
      mean: r.mean,
      quantiles: r.quantiles,
    };
  });
}

export interface DriftReport {
  model: string;
  model_version: string;
  version: number;
  as_of: string;
  assessment: DriftAssessment;
  live: { overall: LiveAccuracy; by_class: Partial<Record<DemandClass, LiveAccuracy>> };
  exception: { id: string; status: 'open' | 'closed'; action: 'opened' | 'updated' | 'closed' | 'none' };
}

/**
 * Scores every active version (or one model's) on the actuals since its data window and
 * raises, updates or closes its `forecast_drift` exception.
 */
export async function checkDrift(
  db: Database,
  options: {
    model?: string;
    asOf?: string;
    settings?: Partial<DriftSettings>;
    currency?: string;
    now?: number;
  } = {},
): Promise<DriftReport[]> {
  const now = options.now ?? Date.now();
  let versions = await activeVersions(db);
  if (options.model !== undefined) {
    await requireModel(db, options.model);
    versions = versions.filter((v) => v.model === options.model);
  }
  const reports: DriftReport[] = [];
  for (const version of versions) {
    const settings = { ...version.config.drift, ...(options.settings ?? {}) } as DriftSettings;
    let asOf = options.asOf;
    if (!asOf) {
      const latest = await latestSaleDay(db, version.config.scope);
      asOf = latest ? addDays(latest, -1) : version.data_to;
    }
    const width = version.grain === 'day' ? 1 : 7;
    const daysElapsed = (dayMs(asOf) - dayMs(version.forecast_start)) / DAY_MS + 1;
    const periods = Math.max(0, Math.min(version.horizon, Math.floor(daysElapsed / width)));
    const series = await loadVersionSeries(db, version.id);
    const rows = [];
    if (periods > 0) {
      const window = {
        from: version.forecast_start,
        to: addDays(version.forecast_start, periods * width - 1),
      };
      const actuals = await loadDemandHistory(db, {
        ...window,
        grain: version.grain,
        ...scopeQuery(version.config),
      });
      const byKey = new Map(actuals.map((s) => [`${s.sku}\u0000${s.location}\u0000${s.channel}`, s]));
      const annotations = await listAnnotations(db, window, 100_000);
      const margins = await loadUnitMargins(db, [...new Set(series.map((s) => s.sku))]);
      for (const f of series) {
        const actual =
          byKey.get(`${f.sku}\u0000${f.location}\u0000${f.channel}`)?.y ?? new Array<number>(periods).fill(0);
        const mask = annotatedMask(
          { ...f, grain: version.grain, start: version.forecast_start, y: actual },
          annotations,
        );
        rows.push({
          demandClass: f.demand_class,
          mean: f.mean.slice(0, periods),
          actual,
          mask,
          unitMargin: margins.get(f.sku) ?? 0,
        });
      }
    }
    const dispersion = Object.fromEntries(version.selection.map((s) => [s.demand_class, s.dispersion]));
    const live = liveAccuracy(rows, dispersion);
    const assessment = assessDrift(version.metrics, live, periods, settings);
    const exception = await db.transaction(async (tx) => {
      await lockModel(tx, version.model);
      const open = await findOpenException(tx, driftKey(version.model));
      if (assessment.drifting) {
        const scope = assessment.worst!.scope;
        const record: ExceptionRecord = driftException({
          model: version.model,
          version,
          assessment,
          live: scope === 'overall' ? live.overall : live.by_class[scope]!,
          grain: version.grain,
          settings,
          currency: options.currency ?? 'USD',
          now,
          ...(open ? { open } : {}),
          newId: () => newId('exc', now),
        });
        await saveExceptions(tx, [record]);
        return {
          id: record.id,
          status: 'open' as const,
          action: open ? ('updated' as const) : ('opened' as const),
        };
      }
      if (open) {
        const overall = assessment.checks[0]!;
        const reason = overall.enough_data
          ? `drift cleared: live WAPE ${overall.live_wape ?? 'n/a'} within ${settings.wape_ratio}x the backtest's ${overall.backtest_wape ?? 'n/a'}, tracking signal ${overall.tracking_signal ?? 'n/a'} within +/-${settings.tracking_limit}`
          : `drift cleared: too little since ${version.forecast_start} to judge version ${version.id}`;
        await closeDrift(tx, version.model, reason, now);
        return { id: open.id, status: 'closed' as const, action: 'closed' as const };
      }
      return { id: '', status: 'closed' as const, action: 'none' as const };
    });
    reports.push({
      model: version.model,
      model_version: version.id,
      version: version.version,
      as_of: asOf,
      assessment,
      live,
      exception,
    });
  }
  return reports;
}

/** Records a person's annotation after validating it. */
export async function annotateDemand(
  db: Queryable,
  input: AnnotationInput,
  actor: string,
  now: number = Date.now(),
): Promise<DemandAnnotation> {
  const parsed = annotationInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvexError(
      'invalid_input',
      'request_invalid',
      `annotation: ${issue.path.join('.') || '(root)'} ${issue.message}`,
      { field: issue.path.join('.') },
    );
  }
  return insertAnnotation(db, newId('ann', now), parsed.data, actor, now);
}

export async function removeAnnotation(
  db: Queryable,
  id: string,
  actor: string,
  now: number = Date.now(),
): Promise<DemandAnnotation> {
  const found = await revokeAnnotation(db, id, actor, now);
  if (!found)
    throw new InvexError('not_found', 'annotation_not_found', `demand annotation ${id} does not exist`, {
      id,
    });
  return found;
}

export { listAnnotations as demandAnnotations };
