import type { TransferLocation, TransferPlan, TransferProblem } from '../optimize/index.ts';
import { dominantForecast, spanDemand } from './demand.ts';
import { applyIntents, type PlanIntent } from './intents.ts';
import { buildLanes, type LaneSettings, laneDistance } from './lanes.ts';
import type {
  CellStock,
  ChannelForecast,
  ForecastUsed,
  PlanLocation,
  PlanLocationKind,
  PlanSku,
} from './plan.model.ts';

export interface TransferSkuInput {
  sku: PlanSku;
  locations: { location: PlanLocation; stock: CellStock | null; channels: ChannelForecast[] }[];
}

export interface TransferSettings extends LaneSettings {
  horizonDays: number;
  minBenefit: number;
  minTransferUnits: number;
  /** Days of its own demand a source keeps, per location kind. */
  keepDays: Record<PlanLocationKind, number>;
}

export interface BuiltTransferProblem {
  sku: string;
  /** With the planner's intents applied. */
  problem: TransferProblem;
  /** The same without intents, to price them (only when some intent applies). */
  free: TransferProblem | null;
  intents: string[];
  forecasts: Map<string, ForecastUsed>;
  km: Map<string, number>;
}

/**
 * What a location can send or sell now: the record's expected true stock less what is
 * committed. Under the record-error model (allocate/record-error.ts) a wrong record's true
 * stock averages (n - 1) / 2 whatever its spread, so E[T] = c n + (1 - c)(n - 1) / 2.
 */
export function usableStock(stock: CellStock | null): number {
  if (!stock) return 0;
  const n = Math.max(0, stock.sellable);
  const c = stock.recordConfidence ?? 1;
  const expected = n === 0 ? 0 : c * n + ((1 - c) * (n - 1)) / 2;
  return Math.max(0, Math.floor(expected + 1e-9) - stock.reserved - stock.picked);
}

/**
 * The DC that replenishes each store: the nearest DC with a lane distance (master data does
 * not say which DC serves which store; the nearest is the usual answer).
 */
export function servedBy(locations: readonly PlanLocation[], settings: LaneSettings): Map<string, string> {
  const dcs = locations.filter((l) => l.kind === 'dc');
  const out = new Map<string, string>();
  for (const store of locations) {
    if (store.kind !== 'store' && store.kind !== 'dark_store') continue;
    let best: { dc: string; km: number } | null = null;
    for (const dc of dcs) {
      const km = laneDistance(dc, store, settings);
      if (km !== null && (best === null || km < best.km || (km === best.km && dc.location < best.dc)))
        best = { dc: dc.location, km };
    }
    if (best) out.set(store.location, best.dc);
  }
  return out;
}

/**
 * One transfer problem per SKU over the stores (both ways) and DCs (as sources) in scope:
 * stock confidence-adjusted, demand over the horizon from the forecasts (a DC's: its own
 * channels' and its stores', an echelon demand), margin = price -
 * cost, lanes from coordinates, the intents in force applied. SKUs without margin or
 * without a lane are left out (nothing to gain).
 */
export function buildTransferProblems(
  inputs: readonly TransferSkuInput[],
  settings: TransferSettings,
  intents: readonly PlanIntent[],
): BuiltTransferProblem[] {
  const out: BuiltTransferProblem[] = [];
  for (const input of inputs) {
    const margin = input.sku.unitPrice - input.sku.unitCost;
    if (!(margin > 0)) continue;
    const places = input.locations.filter((l) => l.location.kind !== 'marketplace_node');
    const lanes = buildLanes(
      places.map((p) => p.location),
      settings,
    );
    if (lanes.length === 0) continue;
    const served = servedBy(
      places.map((p) => p.location),
      settings,
    );
    const locations: TransferLocation[] = places.map((p) => {
      // A DC's units are charged for its own channels and for the stores it replenishes.
      const channels = [
        ...p.channels,
        ...places
          .filter((q) => served.get(q.location.location) === p.location.location)
          .flatMap((q) => q.channels),
      ];
      const demand = spanDemand(channels, settings.horizonDays);
      const keep = spanDemand(channels, Math.ceil(settings.keepDays[p.location.kind]));
      return {
        id: p.location.location,
        onHand: usableStock(p.stock),
        safetyStock: Math.ceil(keep.mean - 1e-9),
        demandMean: demand.mean,
        demandDispersion: demand.dispersion,
        unitMargin: margin,
        region: p.location.region,
      };
    });
    const base = {
      sku: input.sku.sku,
      horizonDays: settings.horizonDays,
      packSize: 1,
      minTransferUnits: settings.minTransferUnits,
      minBenefit: settings.minBenefit,
    };
    const plain = lanes.map(({ km: _km, ...lane }) => lane);
    const applied = applyIntents(input.sku.sku, locations, plain, intents);
    out.push({
      sku: input.sku.sku,
      problem: { ...base, locations: applied.locations, lanes: applied.lanes },
      free: applied.applied.length > 0 ? { ...base, locations, lanes: plain } : null,
      intents: applied.applied,
      forecasts: new Map(places.map((p) => [p.location.location, dominantForecast(p.channels)])),
      km: new Map(lanes.map((l) => [`${l.from}\u0000${l.to}`, l.km])),
    });
  }
  return out;
}

export interface TransferLine {
  from: string;
  to: string;
  units: number;
  packs: number;
  expected_gain: number;
  expected_loss: number;
  cost: number;
  benefit: number;
  lead_time_days: number;
  distance_km: number;
  forecast: ForecastUsed;
  source_forecast: ForecastUsed;
  why: string;
}

export interface TransferRecommendation {
  sku: string;
  status: string;
  net_benefit: number;
  /** Net benefit the planner's intents cost this SKU (null: not priced, the free plan was not solved to optimality). */
  intent_cost: number | null;
  intents: string[];
  pins_short: { location: string; units: number }[];
  objective: number;
  bound: number;
  seconds: number;
  transfers: TransferLine[];
}

// The penalty per unit short of a pin in the transfer program (optimize/transfer.model.ts).
const PIN_PENALTY = 1e6;

/**
 * The recommendations from the solved plans. An intent's cost is the objective of the
 * plan without intents less that of the plan with them (pin penalties put back), as
 * `planTransfers` prices pins and freezes, here extended to lane caps. SKUs with neither a
 * transfer nor an intent are left out; biggest net benefit first.
 */
export function transferRecommendations(
  built: readonly BuiltTransferProblem[],
  plans: readonly TransferPlan[],
  freePlans: ReadonlyMap<string, TransferPlan>,
): TransferRecommendation[] {
  const out: TransferRecommendation[] = [];
  built.forEach((b, i) => {
    const plan = plans[i]!;
    if (plan.transfers.length === 0 && b.intents.length === 0) return;
    const free = freePlans.get(b.sku);
    const short = plan.pinsShort.reduce((s, p) => s + p.units, 0);
    const intentCost =
      b.intents.length === 0
        ? 0
        : free && free.status === 'optimal' && (plan.status === 'optimal' || plan.status === 'time_limit')
          ? Math.max(0, free.objective - (plan.objective + PIN_PENALTY * short))
          : null;
    const none: ForecastUsed = { method: 'no_sales', demand_class: null, model_version: null };
    out.push({
      sku: b.sku,
      status: plan.status,
      net_benefit: plan.netBenefit,
      intent_cost: intentCost,
      intents: b.intents,
      pins_short: plan.pinsShort,
      objective: plan.objective,
      bound: plan.bound,
      seconds: plan.seconds,
      transfers: plan.transfers
        .map((t) => ({
          from: t.from,
          to: t.to,
          units: t.units,
          packs: t.packs,
          expected_gain: t.expectedGain,
          expected_loss: t.expectedLoss,
          cost: t.cost,
          benefit: t.benefit,
          lead_time_days: t.leadTimeDays,
          distance_km: Math.round((b.km.get(`${t.from}\u0000${t.to}`) ?? 0) * 10) / 10,
          forecast: b.forecasts.get(t.to) ?? none,
          source_forecast: b.forecasts.get(t.from) ?? none,
          why: t.why,
        }))
        .sort((x, y) => y.benefit - x.benefit),
    });
  });
  return out.sort((a, b) => b.net_benefit - a.net_benefit || (a.sku < b.sku ? -1 : 1));
}
