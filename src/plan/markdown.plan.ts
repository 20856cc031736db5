import { recommendMarkdown } from '../policy/index.ts';
import { averageDay, dominantForecast } from './demand.ts';
import type { CellStock, ChannelForecast, ForecastUsed, PlanLocation, PlanSku } from './plan.model.ts';

export interface MarkdownCell {
  sku: PlanSku;
  location: PlanLocation;
  stock: CellStock;
  channels: ChannelForecast[];
}

export interface MarkdownSettings {
  daysToSeasonEnd: number;
  weeksOfCoverThreshold: number;
  elasticity: number;
  steps: readonly number[];
  salvageShareOfCost: number;
}

export interface MarkdownPlanRecommendation {
  sku: string;
  location: string;
  on_hand: number;
  daily_demand: number;
  weeks_of_cover: number | null;
  days_to_season_end: number;
  recommended: boolean;
  discount: number;
  unit_price: number;
  markdown_price: number;
  expected_units_sold: number;
  expected_sell_through: number;
  expected_leftover: number;
  expected_revenue: number;
  full_price_revenue: number;
  /** Expected revenue to season end at the discount less at full price. */
  revenue_gain: number;
  forecast: ForecastUsed;
  steps: { discount: number; expected_sell_through: number; expected_revenue: number }[];
  why: string;
}

/**
 * Markdown candidates: sellable stock with more weeks of cover at full price than the
 * threshold (by default the weeks left to the season end: stock that outlasts the
 * season). Each is priced with `recommendMarkdown` on the forecast's average day (negative
 * binomial, the class's dispersion) to the season end. Biggest revenue gain first.
 */
export function planMarkdowns(
  cells: readonly MarkdownCell[],
  settings: MarkdownSettings,
): MarkdownPlanRecommendation[] {
  const out: MarkdownPlanRecommendation[] = [];
  for (const cell of cells) {
    const onHand = Math.max(0, cell.stock.sellable - cell.stock.reserved - cell.stock.picked);
    if (onHand <= 0 || !(cell.sku.unitPrice > 0)) continue;
    const day = averageDay(cell.channels);
    const cover = day.mean > 0 ? onHand / (7 * day.mean) : Number.POSITIVE_INFINITY;
    if (!(cover > settings.weeksOfCoverThreshold)) continue;
    const result = recommendMarkdown({
      onHand,
      dailyDemandMean: day.mean,
      dailyDispersion: day.dispersion,
      daysToSeasonEnd: settings.daysToSeasonEnd,
      unitCost: cell.sku.unitCost,
      price: cell.sku.unitPrice,
      salvageValue: settings.salvageShareOfCost * cell.sku.unitCost,
      elasticity: settings.elasticity,
      steps: settings.steps,
      weeksOfCoverThreshold: settings.weeksOfCoverThreshold,
    });
    const full = result.rows.find((r) => r.discount === 0)!;
    out.push({
      sku: cell.sku.sku,
      location: cell.location.location,
      on_hand: onHand,
      daily_demand: day.mean,
      weeks_of_cover: Number.isFinite(cover) ? cover : null,
      days_to_season_end: settings.daysToSeasonEnd,
      recommended: result.recommended,
      discount: result.discount,
      unit_price: cell.sku.unitPrice,
      markdown_price: cell.sku.unitPrice * (1 - result.discount),
      expected_units_sold: result.expectedUnitsSold,
      expected_sell_through: result.expectedSellThrough,
      expected_leftover: result.expectedLeftover,
      expected_revenue: result.expectedRevenue,
      full_price_revenue: full.expectedRevenue,
      revenue_gain: result.expectedRevenue - full.expectedRevenue,
      forecast: dominantForecast(cell.channels),
      steps: result.rows.map((r) => ({
        discount: r.discount,
        expected_sell_through: r.expectedSellThrough,
        expected_revenue: r.expectedRevenue,
      })),
      why: result.why,
    });
  }
  return out.sort(
    (a, b) =>
      Number(b.recommended) - Number(a.recommended) ||
      b.revenue_gain - a.revenue_gain ||
      (b.weeks_of_cover ?? Number.POSITIVE_INFINITY) - (a.weeks_of_cover ?? Number.POSITIVE_INFINITY) ||
      (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : a.location < b.location ? -1 : 1),
  );
}
