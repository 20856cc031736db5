import { allocateChannels } from '../allocate/index.ts';
import { spanDemand } from './demand.ts';
import type { CellStock, ChannelForecast, ForecastUsed, PlanLocation, PlanSku } from './plan.model.ts';

export interface AllocateCell {
  sku: PlanSku;
  location: PlanLocation;
  stock: CellStock;
  channels: ChannelForecast[];
}

export interface AllocateSettings {
  horizonDays: number;
  maxOversellRisk: number;
  /** Cost of a cancelled unit as a share of the unit price, per channel; others take `defaultShare`. */
  oversellCostShare: Record<string, number>;
  defaultShare: number;
  shrinkDispersion: number;
}

export interface ChannelLine {
  channel: string;
  promise: number;
  /** What the ledger would let the channel promise (sellable - committed - buffer). */
  ledger_atp: number;
  listing: 'active' | 'paused';
  demand_mean: number;
  expected_sales: number;
  expected_margin: number;
  oversell_cost: number;
  forecast: ForecastUsed;
  why: string;
}

export interface AllocateRecommendation {
  sku: string;
  location: string;
  on_hand_record: number;
  record_confidence: number;
  reserved: number;
  promisable: number;
  oversell_risk: number;
  max_oversell_risk: number;
  /** Units the ledger's ATP offers beyond what is safe to promise (the largest channel ATP less promisable). */
  held_back: number;
  sellable_estimate: { p10: number; p50: number; mean: number };
  channels: ChannelLine[];
  why: string;
}

/**
 * Channel promises per SKU x location with `allocateChannels`: the record and its
 * confidence give the true-stock distribution, the oversell-risk limit what may be
 * committed, and the channel forecasts over the horizon how to split it. Paused listings
 * get nothing. Most units held back first.
 */
export function planAllocation(
  cells: readonly AllocateCell[],
  settings: AllocateSettings,
): AllocateRecommendation[] {
  const out: AllocateRecommendation[] = [];
  for (const cell of cells) {
    const margin = Math.max(0, cell.sku.unitPrice - cell.sku.unitCost);
    const byChannel = new Map(cell.channels.map((c) => [c.channel, c]));
    const names = cell.location.channels;
    if (names.length === 0) continue;
    const active = names.filter((ch) => (cell.stock.atp[ch]?.listing ?? 'active') === 'active');
    const costOf = (ch: string) =>
      (settings.oversellCostShare[ch] ?? settings.defaultShare) * cell.sku.unitPrice;
    const record = Math.max(0, cell.stock.sellable);
    const confidence = cell.stock.recordConfidence ?? 1;
    const reserved = Math.min(record, cell.stock.reserved + cell.stock.picked);
    const demand = (ch: string) => {
      const f = byChannel.get(ch);
      return f
        ? spanDemand([f], settings.horizonDays)
        : { mean: 0, variance: 0, dispersion: Number.POSITIVE_INFINITY };
    };
    const allocation = allocateChannels({
      sku: cell.sku.sku,
      location: cell.location.location,
      onHandRecord: record,
      recordConfidence: confidence,
      shrinkDispersion: settings.shrinkDispersion,
      reserved,
      maxOversellRisk: settings.maxOversellRisk,
      channels: active.map((ch) => {
        const d = demand(ch);
        return {
          channel: ch,
          demandMean: d.mean,
          demandDispersion: d.dispersion,
          unitMargin: margin,
          oversellCost: costOf(ch),
        };
      }),
    });
    const promised = new Map(allocation.perChannel.map((p) => [p.channel, p]));
    const none: ForecastUsed = { method: 'no_sales', demand_class: null, model_version: null };
    const channels: ChannelLine[] = names.map((ch) => {
      const p = promised.get(ch);
      const listing = cell.stock.atp[ch]?.listing ?? 'active';
      return {
        channel: ch,
        promise: p?.promise ?? 0,
        ledger_atp: cell.stock.atp[ch]?.qty ?? 0,
        listing,
        demand_mean: demand(ch).mean,
        expected_sales: p?.expectedSales ?? 0,
        expected_margin: p?.expectedMargin ?? 0,
        oversell_cost: costOf(ch),
        forecast: byChannel.get(ch)?.forecast ?? none,
        why: p?.why ?? (listing === 'paused' ? 'listing paused: nothing promised' : 'nothing promised'),
      };
    });
    const ledgerMax = Math.max(0, ...channels.map((c) => c.ledger_atp));
    out.push({
      sku: cell.sku.sku,
      location: cell.location.location,
      on_hand_record: record,
      record_confidence: confidence,
      reserved,
      promisable: allocation.promisable,
      oversell_risk: allocation.oversellRisk,
      max_oversell_risk: settings.maxOversellRisk,
      held_back: Math.max(0, ledgerMax - allocation.promisable),
      sellable_estimate: allocation.sellableEstimate,
      channels,
      why: allocation.why,
    });
  }
  return out.sort(
    (a, b) =>
      b.held_back - a.held_back ||
      b.channels.reduce((s, c) => s + c.expected_margin, 0) -
        a.channels.reduce((s, c) => s + c.expected_margin, 0) ||
      (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : a.location < b.location ? -1 : 1),
  );
}
