-- Planner intents: what a planner wants the plans to respect, beyond what the numbers say.
--   pin:    keep at least min_units of a SKU at a location (a flagship launch)
--   freeze: no transfers in or out, for a SKU, a location, or a SKU at a location
--   cap:    at most max_units on the lane from_location -> to_location per plan (for one SKU or all)
-- Each is in force from starts_on to ends_on (local dates, inclusive; null = open) until revoked.
-- Revoking keeps the row: who wanted what, when and why stays on record.
create table plan_intents (
  id text collate "C" primary key,
  kind text not null check (kind in ('pin', 'freeze', 'cap')),
  sku text collate "C",
  location text collate "C",
  from_location text collate "C",
  to_location text collate "C",
  min_units bigint check (min_units is null or min_units > 0),
  max_units bigint check (max_units is null or max_units >= 0),
  starts_on date,
  ends_on date,
  reason text not null,
  created_by text not null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  revoked_by text,
  check (starts_on is null or ends_on is null or starts_on <= ends_on),
  check (
    (kind = 'pin' and sku is not null and location is not null and min_units is not null
      and from_location is null and to_location is null and max_units is null)
    or (kind = 'freeze' and (sku is not null or location is not null)
      and from_location is null and to_location is null and min_units is null and max_units is null)
    or (kind = 'cap' and from_location is not null and to_location is not null and max_units is not null
      and location is null and min_units is null)
  )
);
create index plan_intents_in_force on plan_intents (kind, sku) where revoked_at is null;
