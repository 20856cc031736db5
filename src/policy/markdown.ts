/**
 * Whether to mark an item down before its season ends, and by how much.
 *
 * Demand at a discount d follows a constant price elasticity e (e < 0):
 *   mean(d) = mean(0) x (1 - d)^e
 * so with e = -2.5 a 20% discount raises demand by 0.8^-2.5 = 1.75 times. Demand over the T
 * days left is negative binomial with mean T x mean(d) and dispersion T x r (the sum of T
 * independent days of dispersion r; r = Infinity is Poisson). Units sold are min(D, onHand),
 * whose mean is computed exactly as the sum over k < onHand of P(D > k); what is left at the
 * end of the season is sold at the salvage value:
 *   revenue(d) = E[sold] x price x (1 - d) + E[leftover] x salvageValue.
 * The unit cost is sunk and does not change the choice; it is reported as the margin.
 *
 * The discount is held from now to the end of the season (a single markdown, not a
 * schedule), and the elasticity is taken as known.
 */
import { expectedSales } from './count-distribution.ts';
import { checkNumber } from './validate.ts';

export interface MarkdownInput {
  /** Units on hand, to be sold by the end of the season. */
  onHand: number;
  /** Mean units per day at the current price. */
  dailyDemandMean: number;
  /** Negative binomial dispersion r of one day's demand (variance = mean + mean^2 / r); Infinity for Poisson. */
  dailyDispersion: number;
  daysToSeasonEnd: number;
  unitCost: number;
  /** Current selling price per unit. */
  price: number;
  /** What a unit left at the end of the season brings (clearance, return to vendor); 0 if nothing. */
  salvageValue: number;
  /** Constant price elasticity of demand, <= 0 (e.g. -2.5). */
  elasticity: number;
  /** Discount fractions to consider, each 0 <= d < 1; no discount (0) is always considered. */
  steps: readonly number[];
  /** Markdowns are recommended only when weeks of cover at the current price exceed this. */
  weeksOfCoverThreshold: number;
}

export interface MarkdownRow {
  discount: number;
  /** price x (1 - discount). */
  unitPrice: number;
  /** Mean daily demand at this price. */
  dailyDemandMean: number;
  expectedUnitsSold: number;
  /** expectedUnitsSold / onHand (1 when nothing is on hand). */
  expectedSellThrough: number;
  expectedLeftover: number;
  expectedRevenue: number;
  /** expectedRevenue - onHand x unitCost. */
  expectedMargin: number;
}

export interface MarkdownRecommendation {
  /** onHand / (7 x dailyDemandMean) at the current price; Infinity with no demand. */
  weeksOfCover: number;
  recommended: boolean;
  /** The recommended discount; 0 when no markdown is recommended. */
  discount: number;
  expectedSellThrough: number;
  expectedUnitsSold: number;
  expectedRevenue: number;
  expectedLeftover: number;
  /** One row per distinct step, ascending, no discount first. */
  rows: MarkdownRow[];
  why: string;
}

/**
 * Evaluates each discount step and recommends the one with the highest expected revenue,
 * provided the item has more than `weeksOfCoverThreshold` weeks of cover at the current price.
 * A tie in revenue keeps the smaller discount. The expected figures returned are those of the
 * recommended discount, or of no discount when none is recommended.
 */
export function recommendMarkdown(input: MarkdownInput): MarkdownRecommendation {
  const onHand = checkNumber('onHand', input.onHand, { min: 0, integer: true });
  const mean = checkNumber('dailyDemandMean', input.dailyDemandMean, { min: 0 });
  const dispersion = checkNumber('dailyDispersion', input.dailyDispersion, {
    min: 0,
    minExclusive: true,
    allowInfinity: true,
  });
  const days = checkNumber('daysToSeasonEnd', input.daysToSeasonEnd, { min: 0 });
  const unitCost = checkNumber('unitCost', input.unitCost, { min: 0 });
  const price = checkNumber('price', input.price, { min: 0, minExclusive: true });
  const salvage = checkNumber('salvageValue', input.salvageValue, { min: 0 });
  const elasticity = checkNumber('elasticity', input.elasticity, { max: 0 });
  const threshold = checkNumber('weeksOfCoverThreshold', input.weeksOfCoverThreshold, { min: 0 });
  input.steps.forEach((d, i) => {
    checkNumber(`steps[${i}]`, d, { min: 0, max: 1, maxExclusive: true });
  });
  const discounts = [...new Set([0, ...input.steps])].sort((a, b) => a - b);

  const rows = discounts.map((discount): MarkdownRow => {
    const dailyMean = mean * (1 - discount) ** elasticity;
    const sold = expectedSales(days * dailyMean, days * dispersion, onHand);
    const leftover = Math.max(0, onHand - sold);
    const unitPrice = price * (1 - discount);
    const revenue = sold * unitPrice + leftover * salvage;
    return {
      discount,
      unitPrice,
      dailyDemandMean: dailyMean,
      expectedUnitsSold: sold,
      expectedSellThrough: onHand > 0 ? sold / onHand : 1,
      expectedLeftover: leftover,
      expectedRevenue: revenue,
      expectedMargin: revenue - onHand * unitCost,
    };
  });

  const full = rows[0]!;
  let best = full;
  for (const row of rows) if (row.expectedRevenue > best.expectedRevenue) best = row;

  const weeksOfCover = mean > 0 ? onHand / (7 * mean) : onHand > 0 ? Number.POSITIVE_INFINITY : 0;
  const overCovered = weeksOfCover > threshold;
  const recommended = overCovered && best.discount > 0;
  const chosen = recommended ? best : full;
  const cover = Number.isFinite(weeksOfCover) ? weeksOfCover.toFixed(1) : 'unlimited (no demand)';
  const money = (x: number) => x.toFixed(2);
  const why = !overCovered
    ? `Weeks of cover ${cover} do not exceed the threshold of ${threshold}: no markdown.`
    : recommended
      ? `Weeks of cover ${cover} exceed the threshold of ${threshold}. A ${pct(best.discount)} markdown ` +
        `raises expected revenue to season end from ${money(full.expectedRevenue)} to ` +
        `${money(best.expectedRevenue)}, and sell-through from ${pct(full.expectedSellThrough)} to ` +
        `${pct(best.expectedSellThrough)}.`
      : `Weeks of cover ${cover} exceed the threshold of ${threshold}, but no discount step raises expected ` +
        `revenue above full price (${money(full.expectedRevenue)}): no markdown.`;

  return {
    weeksOfCover,
    recommended,
    discount: chosen.discount,
    expectedSellThrough: chosen.expectedSellThrough,
    expectedUnitsSold: chosen.expectedUnitsSold,
    expectedRevenue: chosen.expectedRevenue,
    expectedLeftover: chosen.expectedLeftover,
    rows,
    why,
  };
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}
