-- Forecasting as a product feature (docs/forecasting.md): periods people mark as not to be
-- learned from, the model registry (named configurations, fitted versions with their
-- backtest metrics and forecasts, the promote / rollback history).

-- A person's mark on a stretch of demand history: a one-off (a bulk order, a local event)
-- or data not to trust (a stockout, a feed fault). Fitting treats the marked periods as
-- missing. Never deleted: removing one sets revoked_at, so the audit keeps who did what.
create table demand_annotations (
  id text collate "C" primary key,
  sku text collate "C",
  location text collate "C",
  category text collate "C",
  channel text collate "C",
  from_day date not null,
  to_day date not null,
  kind text not null check (kind in ('one_off', 'exclude')),
  reason text not null,
  created_by text not null,
  created_at timestamptz not null,
  revoked_at timestamptz,
  revoked_by text,
  check (to_day >= from_day),
  check (sku is not null or location is not null or category is not null)
);
create index demand_annotations_live on demand_annotations (from_day, to_day) where revoked_at is null;

-- A named forecasting configuration; `config` is the latest one a fit used.
create table forecast_models (
  name text collate "C" primary key,
  config jsonb not null,
  created_at timestamptz not null,
  created_by text not null,
  updated_at timestamptz not null
);

-- One fit of a model: its configuration, what the automatic selection chose per demand
-- class, the rolling-origin backtest metrics, and the data it saw. Exactly one version of
-- a model is active (the unique index below); the others are candidates or retired.
create table forecast_versions (
  id text collate "C" primary key,
  model text collate "C" not null references forecast_models (name),
  version integer not null,
  status text not null check (status in ('candidate', 'active', 'retired')),
  config jsonb not null,
  selection jsonb not null,
  metrics jsonb not null,
  grain text not null check (grain in ('day', 'week')),
  horizon integer not null,
  data_from date not null,
  data_to date not null,
  -- The first forecast period: the day (or the Monday of the week) after the data window.
  forecast_start date not null,
  series_count integer not null,
  annotated_periods integer not null,
  fit_seconds double precision not null,
  created_at timestamptz not null,
  created_by text not null,
  promoted_at timestamptz,
  promoted_by text,
  unique (model, version)
);
create unique index forecast_versions_one_active on forecast_versions (model) where status = 'active';

-- A version's forecast of one series: one row, the horizon as arrays.
create table forecast_series (
  version_id text collate "C" not null references forecast_versions (id),
  sku text collate "C" not null,
  location text collate "C" not null,
  channel text collate "C" not null,
  category text collate "C" not null,
  region text collate "C" not null,
  demand_class text not null,
  method text not null,
  mean jsonb not null,
  -- {"0.1": [...], "0.5": [...], ...}
  quantiles jsonb not null,
  primary key (version_id, sku, location, channel)
);
create index forecast_series_key on forecast_series (sku, location, channel);

-- Every status change of a version: fitted (candidate), promoted, rolled back. The stack
-- of promotions minus rollbacks says which version a rollback returns to.
create table forecast_transitions (
  seq bigint generated always as identity primary key,
  model text collate "C" not null references forecast_models (name),
  version_id text collate "C" not null references forecast_versions (id),
  action text not null check (action in ('fit', 'promote', 'rollback')),
  from_status text,
  to_status text not null,
  -- The version that was active before this transition (null: none).
  previous_active text collate "C",
  actor text not null,
  at timestamptz not null,
  reason text
);
create index forecast_transitions_model on forecast_transitions (model, seq);
