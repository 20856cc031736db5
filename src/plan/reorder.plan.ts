import {
  type ItemSegment,
  orderQuantity,
  reorderPolicy,
  type SegmentationOptions,
  type SegmentItem,
  segmentItems,
} from '../policy/index.ts';
import { averageDay, dominantForecast } from './demand.ts';
import type { CellStock, ChannelForecast, ForecastUsed, PlanLocation, PlanSku } from './plan.model.ts';

export interface LeadTime {
  mean: number;
  sd: number;
  source: 'measured' | 'default';
  /** Receipts behind a measured lead time. */
  samples: number;
}

export interface ReorderCell {
  sku: PlanSku;
  location: PlanLocation;
  stock: CellStock;
  channels: ChannelForecast[];
  /** Units sold per day over the history window, all channels, oldest first, ending the day before the plan date. */
  dailySales: number[];
  leadTime: LeadTime;
}

/** Another SKU sold at a location in the history window: it ranks the cell's ABC and margin band. */
export interface AssortmentItem {
  sku: string;
  units: number;
  unitCost: number;
  unitPrice: number;
}

export interface ReorderInputs {
  /** Day number (days since 1970-01-01) of the plan date. */
  today: number;
  historyDays: number;
  cells: ReorderCell[];
  /** Per location, every SKU sold there in the history window (the set ABC is relative to). */
  assortment: Map<string, AssortmentItem[]>;
  /** Overrides the segment's review period. */
  reviewDays?: number;
  segmentation?: SegmentationOptions;
}

export interface ReorderRecommendation {
  sku: string;
  location: string;
  segment: {
    segment: string;
    abc: string;
    xyz: string;
    velocity: string;
    lifecycle: string;
    margin_band: string;
    service_level: number;
    review_days: number;
  };
  forecast: ForecastUsed;
  daily_demand: number;
  daily_variance: number;
  lead_time: { days: number; sd: number; source: 'measured' | 'default'; samples: number };
  protection_mean: number;
  protection_sd: number;
  reorder_point: number;
  order_up_to: number;
  safety_stock: number;
  expected_cycle_service: number;
  position: {
    sellable: number;
    on_order: number;
    in_transit_in: number;
    committed: number;
    position: number;
  };
  pack_size: number;
  order_qty: number;
  order_value: number;
  why: string;
}

const fixed = (x: number, digits = 1) => x.toFixed(digits);

/** Segments each location's assortment: ABC and margin bands rank a cell against all SKUs sold there. */
function segmentsFor(inputs: ReorderInputs): Map<string, ItemSegment> {
  const byLocation = new Map<string, ReorderCell[]>();
  for (const cell of inputs.cells) {
    const list = byLocation.get(cell.location.location) ?? [];
    list.push(cell);
    byLocation.set(cell.location.location, list);
  }
  const out = new Map<string, ItemSegment>();
  const yearShare = 365 / inputs.historyDays;
  for (const [location, cells] of byLocation) {
    const inScope = new Set(cells.map((c) => c.sku.sku));
    const items: SegmentItem[] = cells.map((c) => ({
      id: c.sku.sku,
      annualUnits: c.dailySales.reduce((s, v) => s + v, 0) * yearShare,
      unitCost: c.sku.unitCost,
      unitMargin: c.sku.unitPrice - c.sku.unitCost,
      dailySales: c.dailySales,
      today: inputs.today,
    }));
    for (const other of inputs.assortment.get(location) ?? []) {
      if (inScope.has(other.sku)) continue;
      items.push({
        id: other.sku,
        annualUnits: other.units * yearShare,
        unitCost: other.unitCost,
        unitMargin: other.unitPrice - other.unitCost,
        dailySales: [],
        today: inputs.today,
      });
    }
    for (const segment of segmentItems(items, inputs.segmentation)) {
      if (inScope.has(segment.id)) out.set(`${segment.id}\u0000${location}`, segment);
    }
  }
  return out;
}

/**
 * Reorder recommendations per SKU x location under a periodic-review (R, s, S) policy:
 * the segment sets the cycle-service target and the review period, the forecast the
 * daily demand (its average over the horizon, negative binomial with the class's
 * dispersion), the lead time its mean and spread; s and S come from `reorderPolicy`, the
 * order from `orderQuantity` against the inventory position, in whole cases. Biggest order
 * value first.
 */
export function planReorder(inputs: ReorderInputs): ReorderRecommendation[] {
  const segments = segmentsFor(inputs);
  const out: ReorderRecommendation[] = [];
  for (const cell of inputs.cells) {
    const segment = segments.get(`${cell.sku.sku}\u0000${cell.location.location}`)!;
    const day = averageDay(cell.channels);
    const reviewDays = inputs.reviewDays ?? segment.reviewDays;
    const pack = cell.sku.caseSize;
    const policy = reorderPolicy({
      dailyMean: day.mean,
      dailyVariance: day.variance,
      leadTimeMean: cell.leadTime.mean,
      leadTimeSd: cell.leadTime.sd,
      reviewDays,
      target: { kind: 'cycle_service', level: segment.serviceLevel },
      packSize: pack,
    });
    const s = cell.stock;
    const committed = s.reserved + s.picked;
    const position = s.sellable + s.onOrder + s.inTransitIn - committed;
    const qty = orderQuantity({
      position,
      reorderPoint: policy.reorderPoint,
      orderUpTo: policy.orderUpTo,
      packSize: pack,
    });
    const forecast = dominantForecast(cell.channels);
    const lead =
      cell.leadTime.source === 'measured'
        ? `lead time ${fixed(cell.leadTime.mean)} d (sd ${fixed(cell.leadTime.sd)}, measured on ${cell.leadTime.samples} receipts)`
        : `lead time ${fixed(cell.leadTime.mean)} d (default for a ${cell.location.kind})`;
    const decision =
      qty > 0
        ? `position ${position} <= reorder point ${policy.reorderPoint}: order ${qty} to reach ${policy.orderUpTo}${pack > 1 ? ` (${qty / pack} cases of ${pack})` : ''}`
        : position > policy.reorderPoint
          ? `position ${position} > reorder point ${policy.reorderPoint}: no order`
          : `position ${position} is at the order-up-to level: no order`;
    out.push({
      sku: cell.sku.sku,
      location: cell.location.location,
      segment: {
        segment: segment.segment,
        abc: segment.abc,
        xyz: segment.xyz,
        velocity: segment.velocity,
        lifecycle: segment.lifecycle,
        margin_band: segment.marginBand,
        service_level: segment.serviceLevel,
        review_days: reviewDays,
      },
      forecast,
      daily_demand: day.mean,
      daily_variance: day.variance,
      lead_time: {
        days: cell.leadTime.mean,
        sd: cell.leadTime.sd,
        source: cell.leadTime.source,
        samples: cell.leadTime.samples,
      },
      protection_mean: policy.protectionMean,
      protection_sd: policy.protectionSd,
      reorder_point: policy.reorderPoint,
      order_up_to: policy.orderUpTo,
      safety_stock: policy.safetyStock,
      expected_cycle_service: policy.expectedCycleService,
      position: {
        sellable: s.sellable,
        on_order: s.onOrder,
        in_transit_in: s.inTransitIn,
        committed,
        position,
      },
      pack_size: pack,
      order_qty: qty,
      order_value: qty * cell.sku.unitCost,
      why:
        `segment ${segment.segment} (${segment.lifecycle}, ${segment.velocity}): cycle service ${segment.serviceLevel}, review every ${reviewDays} d; ` +
        `demand ${fixed(day.mean, 2)}/day (sd ${fixed(Math.sqrt(day.variance), 2)}, ${forecast.method}${forecast.demand_class ? `, ${forecast.demand_class}` : ''}); ${lead}; ` +
        `over ${fixed(cell.leadTime.mean + reviewDays)} d demand averages ${fixed(policy.protectionMean)} (sd ${fixed(policy.protectionSd)}) ` +
        `so the reorder point is ${policy.reorderPoint} and the order-up-to ${policy.orderUpTo}; ` +
        `position = sellable ${s.sellable} + on order ${s.onOrder} + in transit ${s.inTransitIn} - committed ${committed}; ${decision}.`,
    });
  }
  return out.sort(
    (a, b) =>
      b.order_value - a.order_value ||
      a.position.position - a.reorder_point - (b.position.position - b.reorder_point) ||
      (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : a.location < b.location ? -1 : 1),
  );
}
