-- What-ifs asked for over the API (docs/twin.md): each runs the twin twice on a worker
-- thread, one at a time, and keeps its report. A run interrupted by a restart is queued
-- again: the twin is deterministic, so running it again gives the same report.

create table what_if_runs (
  id text collate "C" primary key,
  status text not null check (status in ('queued', 'running', 'done', 'failed')),
  scenario text not null,
  request jsonb not null,
  requested_by text collate "C" not null,
  report jsonb,
  error text,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz
);
create index what_if_runs_queue on what_if_runs (status, id);
