import type { Queryable } from '../db/index.ts';
import type { BacktestReport } from './backtest.ts';
import type { DemandClass } from './demand-class.ts';
import type { Grain } from './history.repository.ts';
import type {
  ModelConfig,
  StatusChange,
  TransitionAction,
  TransitionRecord,
  VersionRef,
} from './registry.ts';

/** The model registry's tables (0003_forecast.sql): reads and writes, no rules. */

export interface ForecastModelRecord {
  name: string;
  config: ModelConfig;
  created_at: string;
  created_by: string;
  updated_at: string;
  active_version: { id: string; version: number } | null;
  versions: number;
}

/** What the selection chose for a demand class, as stored (JSON has no Infinity: null is Poisson). */
export interface StoredSelection {
  demand_class: DemandClass;
  series: number;
  method: string;
  calibration: number;
  dispersion: number | null;
  backtest: Record<string, number | null>;
}

export interface ForecastVersionRecord extends VersionRef {
  config: ModelConfig;
  selection: StoredSelection[];
  metrics: BacktestReport;
  grain: Grain;
  horizon: number;
  data_from: string;
  data_to: string;
  forecast_start: string;
  series_count: number;
  annotated_periods: number;
  fit_seconds: number;
  created_at: string;
  created_by: string;
  promoted_at: string | null;
  promoted_by: string | null;
}

export interface SeriesForecastRow {
  sku: string;
  location: string;
  channel: string;
  category: string;
  region: string;
  demand_class: DemandClass;
  method: string;
  mean: number[];
  /** Per quantile level ("0.1"), the values per period. */
  quantiles: Record<string, number[]>;
}

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());
const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

const VERSION_COLUMNS = `id, model, version, status, config, selection, metrics, grain, horizon,
  to_char(data_from, 'YYYY-MM-DD') as data_from, to_char(data_to, 'YYYY-MM-DD') as data_to,
  to_char(forecast_start, 'YYYY-MM-DD') as forecast_start, series_count, annotated_periods, fit_seconds,
  created_at, created_by, promoted_at, promoted_by`;

type VersionRow = Omit<ForecastVersionRecord, 'created_at' | 'promoted_at'> & {
  created_at: Date | string;
  promoted_at: Date | string | null;
};

const versionFromRow = (r: VersionRow): ForecastVersionRecord => ({
  ...r,
  version: Number(r.version),
  horizon: Number(r.horizon),
  series_count: Number(r.series_count),
  annotated_periods: Number(r.annotated_periods),
  fit_seconds: Number(r.fit_seconds),
  config: json(r.config),
  selection: json(r.selection),
  metrics: json(r.metrics),
  created_at: iso(r.created_at)!,
  promoted_at: iso(r.promoted_at),
});

export async function listModels(db: Queryable): Promise<ForecastModelRecord[]> {
  const { rows } = await db.query<{
    name: string;
    config: unknown;
    created_at: Date;
    created_by: string;
    updated_at: Date;
    active_id: string | null;
    active_version: number | null;
    versions: number;
  }>(
    `select m.name, m.config, m.created_at, m.created_by, m.updated_at,
       a.id as active_id, a.version as active_version,
       (select count(*) from forecast_versions v where v.model = m.name) as versions
     from forecast_models m
     left join forecast_versions a on a.model = m.name and a.status = 'active'
     order by m.name`,
  );
  return rows.map((r) => ({
    name: r.name,
    config: json(r.config),
    created_at: iso(r.created_at)!,
    created_by: r.created_by,
    updated_at: iso(r.updated_at)!,
    active_version: r.active_id ? { id: r.active_id, version: Number(r.active_version) } : null,
    versions: Number(r.versions),
  }));
}

export async function getModel(db: Queryable, name: string): Promise<ForecastModelRecord | undefined> {
  return (await listModels(db)).find((m) => m.name === name);
}

export async function upsertModel(
  db: Queryable,
  name: string,
  config: ModelConfig,
  actor: string,
  now: number,
): Promise<void> {
  const at = new Date(now).toISOString();
  await db.query(
    `insert into forecast_models (name, config, created_at, created_by, updated_at) values ($1, $2, $3, $4, $3)
     on conflict (name) do update set config = excluded.config, updated_at = excluded.updated_at`,
    [name, JSON.stringify(config), at, actor],
  );
}

export async function listVersions(db: Queryable, model?: string): Promise<ForecastVersionRecord[]> {
  const { rows } = await db.query<VersionRow>(
    `select ${VERSION_COLUMNS} from forecast_versions ${model !== undefined ? 'where model = $1' : ''}
     order by model, version desc`,
    model !== undefined ? [model] : [],
  );
  return rows.map(versionFromRow);
}

export async function getVersion(db: Queryable, id: string): Promise<ForecastVersionRecord | undefined> {
  const { rows } = await db.query<VersionRow>(
    `select ${VERSION_COLUMNS} from forecast_versions where id = $1`,
    [id],
  );
  return rows[0] ? versionFromRow(rows[0]) : undefined;
}

export async function getVersionByNumber(
  db: Queryable,
  model: string,
  version: number,
): Promise<ForecastVersionRecord | undefined> {
  const { rows } = await db.query<VersionRow>(
    `select ${VERSION_COLUMNS} from forecast_versions where model = $1 and version = $2`,
    [model, version],
  );
  return rows[0] ? versionFromRow(rows[0]) : undefined;
}

export async function activeVersions(db: Queryable): Promise<ForecastVersionRecord[]> {
  const { rows } = await db.query<VersionRow>(
    `select ${VERSION_COLUMNS} from forecast_versions where status = 'active' order by model`,
  );
  return rows.map(versionFromRow);
}

export type NewVersion = Omit<
  ForecastVersionRecord,
  'version' | 'status' | 'promoted_at' | 'promoted_by' | 'created_at'
> & {
  created_at: number;
};

/**
 * Stores a fitted version as a candidate with its series' forecasts, and records the
 * fit. Its number is the model's next; the caller holds the model's lock.
 */
export async function insertVersion(
  db: Queryable,
  v: NewVersion,
  series: SeriesForecastRow[],
): Promise<ForecastVersionRecord> {
  const { rows: numbers } = await db.query<{ next: number }>(
    'select coalesce(max(version), 0) + 1 as next from forecast_versions where model = $1',
    [v.model],
  );
  const version = Number(numbers[0]!.next);
  const at = new Date(v.created_at).toISOString();
  await db.query(
    `insert into forecast_versions (id, model, version, status, config, selection, metrics, grain, horizon,
       data_from, data_to, forecast_start, series_count, annotated_periods, fit_seconds, created_at, created_by)
     values ($1, $2, $3, 'candidate', $4, $5, $6, $7, $8, $9::date, $10::date, $11::date, $12, $13, $14, $15, $16)`,
    [
      v.id,
      v.model,
      version,
      JSON.stringify(v.config),
      JSON.stringify(v.selection),
      JSON.stringify(v.metrics),
      v.grain,
      v.horizon,
      v.data_from,
      v.data_to,
      v.forecast_start,
      v.series_count,
      v.annotated_periods,
      v.fit_seconds,
      at,
      v.created_by,
    ],
  );
  for (let i = 0; i < series.length; i += 2000) {
    const chunk = series.slice(i, i + 2000).map((s) => ({ ...s, version_id: v.id }));
    await db.query(
      `insert into forecast_series (version_id, sku, location, channel, category, region, demand_class, method,
         mean, quantiles)
       select version_id, sku, location, channel, category, region, demand_class, method, mean, quantiles
       from jsonb_to_recordset($1::jsonb) as x(version_id text, sku text, location text, channel text,
         category text, region text, demand_class text, method text, mean jsonb, quantiles jsonb)`,
      [JSON.stringify(chunk)],
    );
  }
  await recordTransition(db, {
    model: v.model,
    version_id: v.id,
    action: 'fit',
    from_status: null,
    to_status: 'candidate',
    previous_active: null,
    actor: v.created_by,
    at,
    reason: null,
  });
  return (await getVersion(db, v.id))!;
}

export async function recordTransition(db: Queryable, t: Omit<TransitionRecord, 'seq'>): Promise<void> {
  await db.query(
    `insert into forecast_transitions (model, version_id, action, from_status, to_status, previous_active, actor,
       at, reason)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [t.model, t.version_id, t.action, t.from_status, t.to_status, t.previous_active, t.actor, t.at, t.reason],
  );
}

export async function listTransitions(db: Queryable, model?: string): Promise<TransitionRecord[]> {
  const { rows } = await db.query<Omit<TransitionRecord, 'at'> & { at: Date }>(
    `select seq, model, version_id, action, from_status, to_status, previous_active, actor, at, reason
     from forecast_transitions ${model !== undefined ? 'where model = $1' : ''} order by seq`,
    model !== undefined ? [model] : [],
  );
  return rows.map((r) => ({ ...r, seq: Number(r.seq), at: iso(r.at)! }));
}

/**
 * Applies status changes (retirements first, so that the one-active index never sees two)
 * and records the transition of the version that becomes active.
 */
export async function applyStatusChanges(
  db: Queryable,
  model: string,
  changes: StatusChange[],
  transition: {
    action: TransitionAction;
    previous_active: string | null;
    actor: string;
    at: string;
    reason: string | null;
  },
): Promise<void> {
  const ordered = [...changes].sort(
    (a, b) => (a.to_status === 'active' ? 1 : 0) - (b.to_status === 'active' ? 1 : 0),
  );
  for (const c of ordered) {
    const promoting = c.to_status === 'active' && transition.action === 'promote';
    await db.query(
      `update forecast_versions set status = $2
         ${promoting ? ', promoted_at = $4, promoted_by = $5' : ''}
       where id = $1 and status = $3`,
      promoting
        ? [c.version_id, c.to_status, c.from_status, transition.at, transition.actor]
        : [c.version_id, c.to_status, c.from_status],
    );
  }
  const activated = changes.find((c) => c.to_status === 'active');
  if (activated)
    await recordTransition(db, {
      model,
      version_id: activated.version_id,
      action: transition.action,
      from_status: activated.from_status,
      to_status: 'active',
      previous_active: transition.previous_active,
      actor: transition.actor,
      at: transition.at,
      reason: transition.reason,
    });
}

/** Serialises registry writes for one model (a fit's numbering, promote, rollback). */
export async function lockModel(db: Queryable, model: string): Promise<void> {
  await db.query(`select pg_advisory_xact_lock(hashtext($1))`, [`invex:forecast:${model}`]);
}

type SeriesRow = Omit<SeriesForecastRow, 'mean' | 'quantiles'> & { mean: unknown; quantiles: unknown };
const seriesFromRow = (r: SeriesRow): SeriesForecastRow => ({
  ...r,
  mean: json(r.mean),
  quantiles: json(r.quantiles),
});

export async function loadVersionSeries(db: Queryable, versionId: string): Promise<SeriesForecastRow[]> {
  const { rows } = await db.query<SeriesRow>(
    `select sku, location, channel, category, region, demand_class, method, mean, quantiles
     from forecast_series where version_id = $1 order by sku, location, channel`,
    [versionId],
  );
  return rows.map(seriesFromRow);
}

/** The active versions' forecasts of one SKU at one location (one channel, or every one). */
export async function findActiveForecasts(
  db: Queryable,
  key: { sku: string; location: string; channel?: string; model?: string },
): Promise<(SeriesForecastRow & { version: ForecastVersionRecord })[]> {
  const params: unknown[] = [key.sku, key.location];
  let extra = '';
  if (key.channel) {
    params.push(key.channel);
    extra += ` and s.channel = $${params.length}`;
  }
  if (key.model) {
    params.push(key.model);
    extra += ` and v.model = $${params.length}`;
  }
  const { rows } = await db.query<SeriesRow & { version_id: string }>(
    `select s.version_id, s.sku, s.location, s.channel, s.category, s.region, s.demand_class, s.method, s.mean,
       s.quantiles
     from forecast_series s join forecast_versions v on v.id = s.version_id and v.status = 'active'
     where s.sku = $1 and s.location = $2${extra}
     order by v.model, s.channel`,
    params,
  );
  const versions = new Map<string, ForecastVersionRecord>();
  const out: (SeriesForecastRow & { version: ForecastVersionRecord })[] = [];
  for (const r of rows) {
    let version = versions.get(r.version_id);
    if (!version) {
      version = (await getVersion(db, r.version_id))!;
      versions.set(r.version_id, version);
    }
    const { version_id: _, ...row } = r;
    out.push({ ...seriesFromRow(row), version });
  }
  return out;
}

/**
 * The active version of a model and its forecasts for the SKUs at the locations asked for
 * (null when the model has no active version).
 */
export async function findActiveSeries(
  db: Queryable,
  model: string,
  skus: readonly string[],
  locations: readonly string[],
): Promise<{ version: ForecastVersionRecord; rows: SeriesForecastRow[] } | null> {
  const { rows: active } = await db.query<{ id: string }>(
    `select id from forecast_versions where model = $1 and status = 'active'`,
    [model],
  );
  if (active.length === 0) return null;
  const version = (await getVersion(db, active[0]!.id))!;
  const { rows } = await db.query<SeriesRow>(
    `select sku, location, channel, category, region, demand_class, method, mean, quantiles
     from forecast_series where version_id = $1 and sku = any($2::text[]) and location = any($3::text[])`,
    [version.id, [...skus], [...locations]],
  );
  return { version, rows: rows.map(seriesFromRow) };
}

/** Unit margin (price minus cost, at least 0) per SKU. */
export async function loadUnitMargins(db: Queryable, skus: string[]): Promise<Map<string, number>> {
  const { rows } = await db.query<{ sku: string; margin: number }>(
    'select sku, greatest(0, unit_price - unit_cost) as margin from skus where sku = any($1::text[])',
    [skus],
  );
  return new Map(rows.map((r) => [r.sku, Number(r.margin)]));
}

/** The latest local day with a sale in a scope (null: none). */
export async function latestSaleDay(
  db: Queryable,
  scope: { skus?: string[]; locations?: string[]; categories?: string[]; regions?: string[] },
): Promise<string | null> {
  const params: unknown[] = [];
  const filters: string[] = [];
  const filter = (column: string, values: string[] | undefined) => {
    if (!values?.length) return;
    params.push(values);
    filters.push(`and ${column} = any($${params.length}::text[])`);
  };
  filter('e.sku', scope.skus);
  filter('e.location', scope.locations);
  filter('s.category', scope.categories);
  filter('l.region', scope.regions);
  const { rows } = await db.query<{ day: string | null }>(
    `select to_char(max((e.occurred_at at time zone l.timezone)::date), 'YYYY-MM-DD') as day
     from events e join locations l on l.location = e.location join skus s on s.sku = e.sku
     where e.type = 'sale' ${filters.join(' ')}`,
    params,
  );
  return rows[0]?.day ?? null;
}
