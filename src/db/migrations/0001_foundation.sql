-- Codes (sku, location, event_id, …) are ASCII identifiers compared in byte order:
-- collate "C" is the order the code's fold uses, and far cheaper in B-trees.
--
-- Foundation: master data, the append-only event log, the stock projection, dead
-- letters and API tokens. Large tables carry their distribution key (location) first in
-- the primary key so they can be partitioned and distributed later (docs/scaling.md).

create table skus (
  sku text collate "C" primary key,
  gtin text,
  name text not null,
  category text collate "C" not null,
  unit_cost numeric(14, 4) not null,
  unit_price numeric(14, 4) not null,
  base_uom text not null,
  uoms jsonb not null default '{}',
  regulated boolean not null default false,
  updated_at timestamptz not null default now()
);
create index skus_category on skus (category);
create index skus_gtin on skus (gtin) where gtin is not null;

create table locations (
  location text collate "C" primary key,
  name text,
  kind text collate "C" not null check (kind in ('store', 'dc', 'dark_store', 'marketplace_node', 'supplier')),
  region text collate "C" not null,
  lat double precision,
  lon double precision,
  timezone text not null,
  channels text[] not null,
  updated_at timestamptz not null default now()
);
create index locations_region on locations (region);

create table channels (
  channel text collate "C" primary key,
  name text not null,
  updated_at timestamptz not null default now()
);
insert into channels (channel, name) values
  ('store', 'Store'), ('ecommerce', 'Ecommerce'), ('marketplace', 'Marketplace');

-- Idempotency registry: one row per event_id ever applied. Kept apart from the log so
-- that the log can be distributed by location while event_id stays globally unique.
create table event_ids (
  event_id text collate "C" primary key,
  body_hash text collate "C" not null
);

-- The event log. Append-only: nothing updates or deletes rows here.
create table events (
  location text collate "C" not null,
  sku text collate "C" not null,
  occurred_at timestamptz not null,
  event_id text collate "C" not null,
  seq bigint generated always as identity,
  type text not null,
  source text collate "C" not null,
  channel text collate "C",
  qty_base bigint,
  d_on_hand bigint not null default 0,
  counterpart_location text collate "C",
  refs text[] not null default '{}',
  -- json, not jsonb: the log is written far more than it is queried by content, and json
  -- is stored as sent without building jsonb's binary form (a third of the insert cost).
  body json not null,
  ingested_at timestamptz not null default now(),
  primary key (location, sku, occurred_at, event_id)
);
-- seq follows insertion order, so a BRIN index (a few pages) serves rebuilds, which read the
-- log in seq ranges, at almost no cost per insert.
create index events_seq on events using brin (seq);
create index events_counterpart on events (counterpart_location, sku, occurred_at)
  where counterpart_location is not null;
create index events_refs on events using gin (refs);

-- The stock projection: a function of the set of events (see ledger/stock-state.ts).
-- on-hand = count_qty (the latest cycle count, if any) + on_hand_delta (movements after it).
create table stock_levels (
  location text collate "C" not null,
  sku text collate "C" not null,
  count_at timestamptz,
  count_event_id text collate "C",
  count_qty bigint,
  on_hand_delta bigint not null default 0,
  reserved bigint not null default 0,
  picked bigint not null default 0,
  in_transit_in bigint not null default 0,
  in_transit_out bigint not null default 0,
  on_order bigint not null default 0,
  returns_pending bigint not null default 0,
  damaged bigint not null default 0,
  event_count bigint not null default 0,
  last_event_at timestamptz,
  primary key (location, sku)
)
-- Rows are updated in place by every batch: free space on each page lets PostgreSQL keep
-- the new version on the same page without touching the indexes (HOT updates).
with (fillfactor = 70);
create index stock_levels_sku on stock_levels (sku);

-- On-hand as each source system last reported it (latest occurred_at, then event_id, wins).
create table source_snapshots (
  location text collate "C" not null,
  sku text collate "C" not null,
  source text collate "C" not null,
  on_hand bigint not null,
  reported_at timestamptz not null,
  event_id text collate "C" not null,
  primary key (location, sku, source)
);

create table listings (
  location text collate "C" not null,
  sku text collate "C" not null,
  channel text collate "C" not null,
  status text not null,
  changed_at timestamptz not null,
  event_id text collate "C" not null,
  primary key (location, sku, channel)
);

create table dead_letters (
  id text collate "C" primary key,
  event_id text collate "C",
  body_hash text collate "C" not null,
  record jsonb not null,
  reason text not null,
  field text,
  rule text,
  message text not null,
  origin text not null,
  attempts integer not null default 1,
  status text not null default 'open' check (status in ('open', 'resolved')),
  first_seen_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  resolved_at timestamptz,
  resolution text
);
create unique index dead_letters_open_body on dead_letters (body_hash) where status = 'open';
create index dead_letters_status on dead_letters (status, id);

create table api_tokens (
  id text collate "C" primary key,
  name text not null,
  role text not null,
  token_hash text not null unique,
  created_at timestamptz not null default now(),
  created_by text not null,
  last_used_at timestamptz,
  revoked_at timestamptz
);
