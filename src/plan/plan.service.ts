import type { Config } from '../core/config.ts';
import { InvexError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Queryable } from '../db/index.ts';
import { emptyState, readStates, stateKey, toPicture } from '../ledger/index.ts';
import { planNetwork, type TransferPlan } from '../optimize/index.ts';
import { type AllocateRecommendation, planAllocation } from './allocate.plan.ts';
import { type CellForecasts, type ForecastOptions, forecastsFor } from './forecasts.ts';
import {
  getIntent,
  type IntentFilter,
  insertIntent,
  intentsInForce,
  listIntents,
  markRevoked,
} from './intent.repository.ts';
import { type NewIntent, newIntentSchema, type PlanIntent } from './intents.ts';
import { type MarkdownPlanRecommendation, planMarkdowns } from './markdown.plan.ts';
import {
  type AllocateRequest,
  type CellStock,
  type ChannelForecast,
  cellKey,
  channelKey,
  DEFAULT_HORIZON,
  DEFAULT_KEEP_DAYS,
  DEFAULT_LEAD_TIME_DAYS,
  DEFAULT_OVERSELL_COST_SHARE,
  dayNumber,
  dayText,
  MAX_PLAN_CELLS,
  type MarkdownRequest,
  type PlanKind,
  type PlanLocation,
  type PlanLocationKind,
  type PlanScope,
  type PlanSku,
  type ReorderRequest,
  type TransfersRequest,
} from './plan.model.ts';
import {
  countScopeCells,
  latestEventDay,
  listScopeCells,
  loadAssortment,
  loadPlanLocations,
  loadPlanSkus,
  loadRecordConfidence,
  measuredLeadTimes,
  type ScopeCell,
} from './plan.repository.ts';
import { type LeadTime, planReorder, type ReorderRecommendation } from './reorder.plan.ts';
import {
  buildTransferProblems,
  type TransferRecommendation,
  transferRecommendations,
} from './transfers.plan.ts';

/** What every plan answers with: when it is for, what it covered, how long it took, and the recommendations. */
export interface PlanResult<T> {
  plan: PlanKind;
  as_of: string;
  horizon_days: number;
  history: { from: string; to: string };
  /** SKU x location cells in scope. */
  cells: number;
  /** Recommendations before the limit. */
  total: number;
  seconds: { load: number; forecast: number; plan: number };
  recommendations: T[];
}

export interface PlanDeps {
  db: Queryable;
  config: Pick<Config, 'atpBuffers'>;
  /** How forecasts are fitted (tests pass an inline runner). */
  forecastRunner?: ForecastOptions['runner'];
  /** Worker threads for the transfer solves (default: the machine's). */
  solverWorkers?: number;
  /** Most cells one plan may cover (default MAX_PLAN_CELLS). */
  maxCells?: number;
}

interface Common {
  scope: PlanScope;
  horizon_days?: number | undefined;
  history_days: number;
  as_of?: string | undefined;
  limit: number;
  forecast_model?: string | null | undefined;
}

interface Loaded {
  asOf: string;
  horizon: number;
  cells: ScopeCell[];
  skus: Map<string, PlanSku>;
  locations: Map<string, PlanLocation>;
  stock: Map<string, CellStock>;
  forecasts: CellForecasts;
  channels: (sku: string, location: string) => ChannelForecast[];
  seconds: { load: number; forecast: number };
}

const since = (start: number) => (performance.now() - start) / 1000;

async function loadInputs(
  deps: PlanDeps,
  kind: PlanKind,
  request: Common,
  kinds: readonly PlanLocationKind[],
): Promise<Loaded> {
  const started = performance.now();
  const { db } = deps;
  const asOf = request.as_of ?? (await latestEventDay(db)) ?? new Date().toISOString().slice(0, 10);
  const horizon = request.horizon_days ?? DEFAULT_HORIZON[kind];
  const count = await countScopeCells(db, request.scope, kinds);
  const maxCells = deps.maxCells ?? MAX_PLAN_CELLS;
  if (count > maxCells)
    throw new InvexError(
      'invalid_input',
      'plan_scope_too_large',
      `the ${kind} plan's scope covers ${count} SKU x location cells, more than the ${maxCells} one plan may cover; narrow it by sku, location, category or region`,
      { cells: count, max_cells: maxCells },
    );
  const cells = await listScopeCells(db, request.scope, kinds);
  const skus = await loadPlanSkus(db, [...new Set(cells.map((c) => c.sku))]);
  const locations = await loadPlanLocations(db, [...new Set(cells.map((c) => c.location))]);
  const states = await readStates(db, cells);
  const confidence = await loadRecordConfidence(db, cells);
  const stock = new Map<string, CellStock>();
  for (const cell of cells) {
    const location = locations.get(cell.location)!;
    const picture = toPicture(states.get(stateKey(cell.location, cell.sku)) ?? emptyState(), {
      sku: cell.sku,
      location: cell.location,
      channels: location.channels,
      buffers: deps.config.atpBuffers,
    });
    stock.set(cellKey(cell.sku, cell.location), {
      sku: cell.sku,
      location: cell.location,
      ledgerOnHand: picture.ledger_on_hand,
      sellable: picture.sellable,
      reserved: picture.reserved,
      picked: picture.picked,
      onOrder: picture.on_order,
      inTransitIn: picture.in_transit_in,
      atp: Object.fromEntries(
        Object.entries(picture.atp).map(([ch, a]) => [ch, { qty: a.qty, listing: a.listing }]),
      ),
      recordConfidence: confidence.get(cellKey(cell.sku, cell.location)) ?? null,
    });
  }
  const load = since(started);
  const forecastStarted = performance.now();
  const forecastCells = cells.flatMap((c) =>
    locations.get(c.location)!.channels.map((channel) => ({ sku: c.sku, location: c.location, channel })),
  );
  const forecasts = await forecastsFor(db, forecastCells, horizon, {
    asOf,
    historyDays: request.history_days,
    ...(request.forecast_model !== undefined ? { model: request.forecast_model } : {}),
    ...(deps.forecastRunner ? { runner: deps.forecastRunner } : {}),
  });
  const channels = (sku: string, location: string) =>
    (locations.get(location)?.channels ?? []).flatMap((ch) => {
      const f = forecasts.forecasts.get(channelKey(sku, location, ch));
      return f ? [f] : [];
    });
  return {
    asOf,
    horizon,
    cells,
    skus,
    locations,
    stock,
    forecasts,
    channels,
    seconds: { load, forecast: since(forecastStarted) },
  };
}

function result<T>(
  kind: PlanKind,
  loaded: Loaded,
  all: T[],
  limit: number,
  planStarted: number,
): PlanResult<T> {
  return {
    plan: kind,
    as_of: loaded.asOf,
    horizon_days: loaded.horizon,
    history: { from: loaded.forecasts.historyFrom, to: loaded.forecasts.historyTo },
    cells: loaded.cells.length,
    total: all.length,
    seconds: { ...loaded.seconds, plan: since(planStarted) },
    recommendations: all.slice(0, limit),
  };
}

const SELLING: PlanLocationKind[] = ['store', 'dc', 'dark_store', 'marketplace_node'];
/** Days of receipts a measured lead time looks back over. */
const LEAD_TIME_LOOKBACK_DAYS = 90;
/** Receipts needed before a measured lead time replaces the default. */
const MIN_LEAD_TIME_SAMPLES = 3;

/** Reorder points, order-up-to levels and orders per SKU x location (see docs/plans.md). */
export async function reorderPlan(
  deps: PlanDeps,
  request: ReorderRequest,
): Promise<PlanResult<ReorderRecommendation>> {
  const loaded = await loadInputs(deps, 'reorder', request, SELLING);
  const started = performance.now();
  const locationIds = [...loaded.locations.keys()];
  const measured = request.measure_lead_times
    ? await measuredLeadTimes(deps.db, locationIds, dayText(dayNumber(loaded.asOf) - LEAD_TIME_LOOKBACK_DAYS))
    : new Map();
  const assortment = await loadAssortment(
    deps.db,
    locationIds,
    loaded.forecasts.historyFrom,
    loaded.forecasts.historyTo,
  );
  const leadTimeOf = (location: PlanLocation): LeadTime => {
    const m = measured.get(location.location);
    if (m && m.samples >= MIN_LEAD_TIME_SAMPLES)
      return { mean: m.mean, sd: m.sd, source: 'measured', samples: m.samples };
    return {
      mean: request.lead_time_days[location.kind] ?? DEFAULT_LEAD_TIME_DAYS[location.kind],
      sd: 0,
      source: 'default',
      samples: m?.samples ?? 0,
    };
  };
  const recommendations = planReorder({
    today: dayNumber(loaded.asOf),
    historyDays: request.history_days,
    cells: loaded.cells.map((c) => {
      const location = loaded.locations.get(c.location)!;
      const daily = new Array<number>(request.history_days).fill(0);
      for (const ch of location.channels) {
        const y = loaded.forecasts.history.get(channelKey(c.sku, c.location, ch));
        if (y) for (let i = 0; i < y.length; i++) daily[i]! += y[i]!;
      }
      return {
        sku: loaded.skus.get(c.sku)!,
        location,
        stock: loaded.stock.get(cellKey(c.sku, c.location))!,
        channels: loaded.channels(c.sku, c.location),
        dailySales: daily,
        leadTime: leadTimeOf(location),
      };
    }),
    assortment,
    ...(request.review_days !== undefined ? { reviewDays: request.review_days } : {}),
  });
  return result('reorder', loaded, recommendations, request.limit, started);
}

/** Store-to-store and DC-to-store transfers per SKU, with the planner's intents in force and what they cost. */
export async function transfersPlan(
  deps: PlanDeps,
  request: TransfersRequest,
): Promise<PlanResult<TransferRecommendation>> {
  const loaded = await loadInputs(deps, 'transfers', request, ['store', 'dark_store', 'dc']);
  const started = performance.now();
  const end = dayText(dayNumber(loaded.asOf) + loaded.horizon - 1);
  const intents = await intentsInForce(deps.db, loaded.asOf, end);
  const bySku = new Map<string, ScopeCell[]>();
  for (const c of loaded.cells) {
    const list = bySku.get(c.sku) ?? [];
    list.push(c);
    bySku.set(c.sku, list);
  }
  const built = buildTransferProblems(
    [...bySku].map(([sku, cells]) => ({
      sku: loaded.skus.get(sku)!,
      locations: cells.map((c) => ({
        location: loaded.locations.get(c.location)!,
        stock: loaded.stock.get(cellKey(c.sku, c.location)) ?? null,
        channels: loaded.channels(c.sku, c.location),
      })),
    })),
    {
      horizonDays: loaded.horizon,
      minBenefit: request.min_benefit,
      minTransferUnits: request.min_transfer_units,
      keepDays: { ...DEFAULT_KEEP_DAYS, ...request.source_keep_days },
      costPerUnitKm: request.cost_per_unit_km,
      handlingCostPerUnit: request.handling_cost_per_unit,
      shipmentCost: request.shipment_cost,
      maxDistanceKm: request.max_distance_km,
      kmPerLeadDay: request.km_per_lead_day,
      sameRegionKm: request.same_region_km,
    },
    intents,
  );
  const solve = {
    timeLimitSeconds: request.search_seconds,
    priceIntent: false,
    ...(deps.solverWorkers !== undefined ? { workers: deps.solverWorkers } : {}),
  };
  const plans = await planNetwork(
    built.map((b) => b.problem),
    solve,
  );
  const priced = built.filter((b) => b.free !== null);
  const freePlans = await planNetwork(
    priced.map((b) => b.free!),
    solve,
  );
  const free = new Map<string, TransferPlan>(priced.map((b, i) => [b.sku, freePlans[i]!]));
  return result('transfers', loaded, transferRecommendations(built, plans, free), request.limit, started);
}

/** Channel promises per SKU x location under record confidence and an oversell-risk limit. */
export async function allocatePlan(
  deps: PlanDeps,
  request: AllocateRequest,
): Promise<PlanResult<AllocateRecommendation>> {
  const loaded = await loadInputs(deps, 'allocate', request, SELLING);
  const started = performance.now();
  const recommendations = planAllocation(
    loaded.cells.map((c) => ({
      sku: loaded.skus.get(c.sku)!,
      location: loaded.locations.get(c.location)!,
      stock: loaded.stock.get(cellKey(c.sku, c.location))!,
      channels: loaded.channels(c.sku, c.location),
    })),
    {
      horizonDays: loaded.horizon,
      maxOversellRisk: request.max_oversell_risk,
      oversellCostShare: { ...DEFAULT_OVERSELL_COST_SHARE, ...request.oversell_cost_share },
      defaultShare: 0.3,
      shrinkDispersion: request.shrink_dispersion,
    },
  );
  return result('allocate', loaded, recommendations, request.limit, started);
}

/** Markdowns for stock that outlasts the season. */
export async function markdownPlan(
  deps: PlanDeps,
  request: MarkdownRequest,
): Promise<PlanResult<MarkdownPlanRecommendation>> {
  const asOf = request.as_of ?? (await latestEventDay(deps.db)) ?? new Date().toISOString().slice(0, 10);
  const days = dayNumber(request.season_end) - dayNumber(asOf) + 1;
  if (days < 1)
    throw new InvexError(
      'invalid_input',
      'plan_option_invalid',
      `season_end ${request.season_end} is before the plan date ${asOf}`,
      { season_end: request.season_end, as_of: asOf },
    );
  const loaded = await loadInputs(deps, 'markdown', { ...request, as_of: asOf }, SELLING);
  const started = performance.now();
  const recommendations = planMarkdowns(
    loaded.cells.map((c) => ({
      sku: loaded.skus.get(c.sku)!,
      location: loaded.locations.get(c.location)!,
      stock: loaded.stock.get(cellKey(c.sku, c.location))!,
      channels: loaded.channels(c.sku, c.location),
    })),
    {
      daysToSeasonEnd: days,
      weeksOfCoverThreshold: request.weeks_of_cover_threshold ?? days / 7,
      elasticity: request.elasticity,
      steps: request.steps,
      salvageShareOfCost: request.salvage_share_of_cost,
    },
  );
  return result('markdown', loaded, recommendations, request.limit, started);
}

/** Records a planner intent after checking that the SKU and locations it names exist. */
export async function createIntent(db: Queryable, input: unknown, principalId: string): Promise<PlanIntent> {
  const parsed = newIntentSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(intent)'}: ${i.message}`);
    throw new InvexError('invalid_input', 'intent_invalid', `intent: ${issues.join('; ')}`, {
      errors: parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
    });
  }
  const intent: NewIntent = parsed.data;
  if (intent.sku !== undefined) {
    const skus = await loadPlanSkus(db, [intent.sku]);
    if (!skus.has(intent.sku))
      throw new InvexError('not_found', 'sku_not_found', `sku ${intent.sku} is not in master data`, {
        sku: intent.sku,
      });
  }
  const named =
    intent.kind === 'cap'
      ? [intent.from_location, intent.to_location]
      : intent.location !== undefined
        ? [intent.location]
        : [];
  const found = await loadPlanLocations(db, named);
  for (const location of named)
    if (!found.has(location))
      throw new InvexError('not_found', 'location_not_found', `location ${location} is not in master data`, {
        location,
      });
  return insertIntent(db, newId('intent'), intent, principalId);
}

export function findIntents(db: Queryable, filter: IntentFilter): Promise<PlanIntent[]> {
  return listIntents(db, filter);
}

/** Revokes an intent: it stays on record with who revoked it and when. */
export async function revokeIntent(db: Queryable, id: string, principalId: string): Promise<PlanIntent> {
  const revoked = await markRevoked(db, id, principalId);
  if (revoked) return revoked;
  const existing = await getIntent(db, id);
  if (!existing) throw new InvexError('not_found', 'intent_not_found', `intent ${id} does not exist`, { id });
  throw new InvexError(
    'conflict',
    'intent_already_revoked',
    `intent ${id} was already revoked at ${existing.revoked_at} by ${existing.revoked_by}`,
    { id },
  );
}
