import type { TwinSku } from './network.ts';
import { AliasTable, gamma, poisson, type Random } from './random.ts';

/**
 * A store's demand on one day, calibrated on real stores (M5; docs/twin.md):
 * - the day's traffic at the store, a gamma factor of mean 1 that all its categories share;
 * - each category's own swing on top of it, another such factor;
 * - shoppers, Poisson around the category's mean times both factors, each of one SKU by
 *   popularity;
 * - each shopper's units: an intermittent SKU's fixed lump, or a geometric basket.
 * Cost is O(shoppers), the same for 50 or 5,000 SKUs in a category.
 */

/** A category's SKUs, drawn by popularity (their shoppers a day). */
export interface CategoryTable {
  skus: number[];
  table: AliasTable;
  /** Shoppers a store-day of the whole category, before seasonality. */
  baseTotal: number;
}

/** Mean shoppers of a SKU per store-day before seasonality (what its demand is drawn in). */
export function shopperRate(sku: TwinSku): number {
  return sku.baseRate * (1 - sku.basket);
}

/** Units one shopper of a SKU takes: its lump, or a geometric basket. */
export function unitsPerShopper(random: Random, sku: TwinSku): number {
  let units = sku.lump;
  if (sku.basket > 0) while (random() < sku.basket) units++;
  return units;
}

export function categoryTables(skus: readonly TwinSku[], categories: number): CategoryTable[] {
  return Array.from({ length: categories }, (_, c) => {
    const members = skus.filter((s) => s.category === c).map((s) => s.index);
    const weights = members.map((i) => shopperRate(skus[i]!));
    return {
      skus: members,
      table: new AliasTable(weights.length > 0 ? weights : [1]),
      baseTotal: weights.reduce((a, b) => a + b, 0),
    };
  });
}

/** The day's factors of a store: its traffic and each category's swing (gamma, mean 1). */
export interface DayFactors {
  traffic: number;
  swing: number[];
}

/** Gamma of mean 1 and shape k (variance 1 / k). */
const factor = (random: Random, k: number) => gamma(random, k) / k;

export function dayFactors(
  random: Random,
  categories: number,
  demand: { dispersion: number; store_dispersion: number },
): DayFactors {
  const traffic = factor(random, demand.store_dispersion);
  return { traffic, swing: Array.from({ length: categories }, () => factor(random, demand.dispersion)) };
}

/**
 * Adds a store-day's shoppers of every category to `into` (SKU index to the units of each of
 * its shoppers: their baskets, which the till records one line each). `means[c]` is the
 * category's shoppers at a factor of 1 (seasonality, weekday, scale and any fault's shift
 * applied); `skip` drops a shopper of a SKU (one whose promotion just ended).
 */
export function drawCategoryDemand(
  random: Random,
  tables: readonly CategoryTable[],
  skus: readonly TwinSku[],
  means: readonly number[],
  factors: DayFactors,
  into: Map<number, number[]>,
  skip?: (sku: number) => boolean,
): void {
  tables.forEach((category, c) => {
    if (category.skus.length === 0) return;
    const shoppers = poisson(random, means[c]! * factors.traffic * factors.swing[c]!);
    for (let i = 0; i < shoppers; i++) {
      const sku = category.skus[category.table.draw(random)]!;
      if (skip?.(sku)) continue;
      addBasket(into, sku, unitsPerShopper(random, skus[sku]!));
    }
  });
}

/** Adds one shopper's basket of a SKU to a day's baskets. */
export function addBasket(into: Map<number, number[]>, sku: number, units: number): void {
  const baskets = into.get(sku);
  if (baskets) baskets.push(units);
  else into.set(sku, [units]);
}

/** Adds the baskets of `shoppers` more shoppers of one SKU (a promotion's extra buyers). */
export function addShoppers(
  random: Random,
  into: Map<number, number[]>,
  sku: TwinSku,
  shoppers: number,
): void {
  for (let n = shoppers; n > 0; n--) addBasket(into, sku.index, unitsPerShopper(random, sku));
}
