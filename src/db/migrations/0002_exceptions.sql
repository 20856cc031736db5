-- The exception engine (docs/exceptions.md): exceptions with their evidence, the
-- deliveries idempotency turned away (evidence of duplicate or conflicting feeds), the
-- engine's position in the log, and record confidence per SKU x location.

create table exceptions (
  id text collate "C" primary key,
  key text collate "C" not null,
  type text collate "C" not null,
  status text not null check (status in ('open', 'closed')),
  sku text collate "C",
  location text collate "C",
  channel text collate "C",
  region text collate "C",
  category text collate "C",
  grp text collate "C",
  opened_at timestamptz not null,
  updated_at timestamptz not null,
  closed_at timestamptz,
  close_reason text,
  root_cause text not null,
  reasoning text not null,
  confidence double precision not null,
  impact jsonb not null,
  urgency double precision not null,
  priority double precision not null,
  priority_band text not null,
  evidence jsonb not null,
  explanation text not null,
  actions jsonb not null,
  updates integer not null default 0
);
-- One open exception per underlying problem.
create unique index exceptions_open_key on exceptions (key) where status = 'open';
create index exceptions_status_priority on exceptions (status, priority desc, id);
create index exceptions_type on exceptions (type, status);
create index exceptions_location on exceptions (location, status);
create index exceptions_updated on exceptions (updated_at);

create table delivery_anomalies (
  seq bigint generated always as identity primary key,
  kind text not null check (kind in ('duplicate', 'conflict')),
  event_id text collate "C" not null,
  type text not null,
  sku text collate "C" not null,
  location text collate "C" not null,
  occurred_at timestamptz not null,
  received_at timestamptz not null default now()
);

create table detector_checkpoints (
  name text primary key,
  events_seq bigint not null default 0,
  anomalies_seq bigint not null default 0,
  updated_at timestamptz not null default now()
);

create table record_confidence (
  location text collate "C" not null,
  sku text collate "C" not null,
  confidence double precision not null,
  probability_empty double precision not null,
  updated_at timestamptz not null,
  primary key (location, sku)
);
