import { describe, expect, it } from 'vitest';
import { categoryTables, dayFactors, drawCategoryDemand } from './demand.ts';
import type { TwinSku } from './network.ts';
import { createRandom } from './random.ts';
import { scenarioSchema } from './scenario.ts';

const sku = (index: number, category: number, baseRate: number, basket: number, lump = 1): TwinSku => ({
  index,
  sku: `S${index}`,
  name: `item ${index}`,
  category,
  unitCost: 1,
  unitPrice: 2,
  caseSize: 1,
  regulated: false,
  velocity: lump > 1 ? 'intermittent' : 'fast',
  baseRate,
  lump,
  basket,
  supplier: 0,
});

// Two categories of six SKUs: baskets from near-single units to lumpy, and one SKU that sells in lumps of 4.
const SKUS: TwinSku[] = [0, 1].flatMap((c) => [
  sku(c * 6, c, 12, 0.05),
  sku(c * 6 + 1, c, 10, 0.2),
  sku(c * 6 + 2, c, 8, 0.35),
  sku(c * 6 + 3, c, 8, 0.55),
  sku(c * 6 + 4, c, 6, 0.3),
  sku(c * 6 + 5, c, 1, 0, 4),
]);

/** Draws `days` store-days and returns each SKU's units per day. */
function draw(demand: { dispersion: number; store_dispersion: number }, days: number, seed = 11): number[][] {
  const random = createRandom(seed);
  const tables = categoryTables(SKUS, 2);
  const series = SKUS.map(() => new Array<number>(days).fill(0));
  const into = new Map<number, number[]>();
  for (let d = 0; d < days; d++) {
    into.clear();
    drawCategoryDemand(
      random,
      tables,
      SKUS,
      [tables[0]!.baseTotal, tables[1]!.baseTotal],
      dayFactors(random, 2, demand),
      into,
    );
    for (const [s, baskets] of into) series[s]![d] = baskets.reduce((a, b) => a + b, 0);
  }
  return series;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
function cov(xs: number[], ys: number[]): number {
  const mx = mean(xs);
  const my = mean(ys);
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += (xs[i]! - mx) * (ys[i]! - my);
  return sum / (xs.length - 1);
}
/** What M5 is read with: the share of pairs' covariance in their means' product (1 / the shared factor's r). */
function shared(series: number[][], a: number[], b: number[]): number {
  let num = 0;
  let den = 0;
  for (const i of a)
    for (const j of b) {
      if (i === j) continue;
      num += cov(series[i]!, series[j]!);
      den += mean(series[i]!) * mean(series[j]!);
    }
  return num / den;
}
const FIRST = [0, 1, 2, 3, 4, 5];
const SECOND = [6, 7, 8, 9, 10, 11];

describe("a store-day's demand", () => {
  const demand = { dispersion: 40, store_dispersion: 60 };
  const series = draw(demand, 20_000);

  it("sells each SKU's base rate in units, whatever its basket or lump", () => {
    for (const s of SKUS) {
      const expected = s.baseRate * (s.lump > 1 ? s.lump : 1);
      expect(Math.abs(mean(series[s.index]!) / expected - 1)).toBeLessThan(0.03);
    }
  });

  it("moves a store's categories together by its traffic, and a category's SKUs by its own swing too", () => {
    // Between categories, only the traffic is shared: 1 / 60.
    expect(shared(series, FIRST, SECOND) * 60).toBeGreaterThan(0.8);
    expect(shared(series, FIRST, SECOND) * 60).toBeLessThan(1.2);
    // Within one, the traffic and the category's swing: 1 / 60 + 1 / 40 + 1 / 2400.
    const within = 1 / 60 + 1 / 40 + 1 / 2400;
    expect(shared(series, FIRST, FIRST) / within).toBeGreaterThan(0.85);
    expect(shared(series, FIRST, FIRST) / within).toBeLessThan(1.15);
  });

  it("gives single SKUs the lumpiness of their baskets: variance over mean (1 + p) / (1 - p), plus the day's swing", () => {
    const within = 1 / 60 + 1 / 40 + 1 / 2400;
    for (const s of SKUS) {
      const xs = series[s.index]!;
      const m = mean(xs);
      const size = s.lump > 1 ? s.lump : (1 + s.basket) / (1 - s.basket);
      const expected = size + m * within;
      expect(Math.abs(cov(xs, xs) / m / expected - 1)).toBeLessThan(0.08);
    }
  });

  it('swings by default as real stores do (M5): a category 24 to 135, between categories 50 to 150', () => {
    const defaults = scenarioSchema.parse({
      name: 'x',
      start: '2026-01-05',
      days: 1,
      network: { stores: 1, dcs: 1, skus: 1 },
    }).demand;
    const drawn = draw(defaults, 20_000, 5);
    const r = (x: number) => 1 / x;
    expect(r(shared(drawn, FIRST, FIRST))).toBeGreaterThan(24);
    expect(r(shared(drawn, FIRST, FIRST))).toBeLessThan(135);
    expect(r(shared(drawn, FIRST, SECOND))).toBeGreaterThan(50);
    expect(r(shared(drawn, FIRST, SECOND))).toBeLessThan(150);
  });
});
