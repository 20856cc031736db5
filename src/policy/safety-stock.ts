/**
 * Reorder points for a periodic-review (R, s, S) policy: every R days the inventory
 * position (on hand + on order - backorders) is checked, and when it is at or below the
 * reorder point s an order brings it up to S. An order placed now arrives after the lead
 * time L, and the next chance to order is R days away, so s must cover the demand over
 * the protection interval L + R (Silver, Pyke and Peterson, "Inventory Management and
 * Production Planning and Scheduling", 3rd ed., ch. 7). The undershoot of s at a review is
 * ignored, as in that text.
 *
 * The protection-interval demand is read as a count: negative binomial matched to its mean
 * and variance, Poisson when the variance does not exceed the mean. Quantiles and the loss
 * function are computed exactly on that distribution, not from a normal approximation,
 * which matters for the slow movers most retail items are.
 */
import { cdfAt, firstAccepted, lossAt, matchedDistribution } from './count-distribution.ts';
import { checkNumber, roundUpToPacks } from './validate.ts';

export interface LeadTimeDemandInput {
  /** Mean demand per day, units. */
  dailyMean: number;
  /** Variance of one day's demand, units^2. */
  dailyVariance: number;
  /** Mean replenishment lead time, days. */
  leadTimeMean: number;
  /** Standard deviation of the lead time, days (0 for a fixed lead time). */
  leadTimeSd: number;
  /** Days between reviews (0 for continuous review). */
  reviewDays: number;
}

export interface ProtectionDemand {
  mean: number;
  variance: number;
}

/**
 * Mean and variance of the demand over the protection interval L + R, with a random lead
 * time independent of the daily demands:
 *   mean     = d * (L + R)
 *   variance = (L + R) * var_d + d^2 * sd_L^2
 * (the variance of a random sum; the review period R is fixed, so only L contributes the
 * second term).
 */
export function leadTimeDemand(input: LeadTimeDemandInput): ProtectionDemand {
  const d = checkNumber('dailyMean', input.dailyMean, { min: 0 });
  const varD = checkNumber('dailyVariance', input.dailyVariance, { min: 0 });
  const lead = checkNumber('leadTimeMean', input.leadTimeMean, { min: 0 });
  const leadSd = checkNumber('leadTimeSd', input.leadTimeSd, { min: 0 });
  const review = checkNumber('reviewDays', input.reviewDays, { min: 0 });
  const days = lead + review;
  return { mean: d * days, variance: days * varD + d * d * leadSd * leadSd };
}

/**
 * The service to plan for.
 * - `cycle_service`: the probability that a replenishment cycle ends without a stock-out
 *   (P(D <= s) over the protection interval).
 * - `fill_rate`: the fraction of demand served from stock.
 */
export type ServiceTarget = { kind: 'cycle_service'; level: number } | { kind: 'fill_rate'; level: number };

export interface ReorderPolicyInput extends LeadTimeDemandInput {
  target: ServiceTarget;
  /** Units per pack; order quantities are whole packs. Default 1. */
  packSize?: number;
  /** Smallest order in units. Default 0. */
  minOrder?: number;
}

export interface ReorderPolicy {
  /** reorderPoint - protectionMean; negative when the target is below about 50%. */
  safetyStock: number;
  /** s: order when the inventory position is at or below this. */
  reorderPoint: number;
  /** S: order up to this; S - s is the cycle demand rounded up to whole packs. */
  orderUpTo: number;
  /**
   * Expected demand per replenishment cycle, the fill rate's denominator: the review
   * period's demand d * R, or the smallest possible order when that is larger.
   */
  cycleDemand: number;
  protectionMean: number;
  /** Standard deviation of the distribution s is read from (at least sqrt(mean): see the module doc). */
  protectionSd: number;
  /** The distribution s is read from. */
  distribution: 'none' | 'poisson' | 'negative_binomial';
  /** Safety stock in standard deviations: (s - mean) / sd, 0 when there is no demand. */
  z: number;
  /** 1 - E[(D - s)^+] / cycleDemand, the fill rate s gives (floored at 0). */
  expectedFillRate: number;
  /** P(D <= s), the cycle service s gives. */
  expectedCycleService: number;
}

/**
 * Reorder point and order-up-to level for a service target.
 *
 * - Cycle service: s is the smallest count with P(D <= s) >= level.
 * - Fill rate: s is the smallest count with E[(D - s)^+] <= (1 - level) * Q, where the
 *   loss function E[(D - s)^+] is the expected shortage per replenishment cycle and Q the
 *   expected demand per cycle (Silver, Pyke and Peterson's P2 service). Computed exactly on
 *   the discrete distribution.
 *
 * Q is the demand over the review period, d * R, or the smallest possible order (the
 * minimum order, at least one unit, rounded up to whole packs) when that is larger: with
 * continuous review (R = 0) the review period's demand is zero and the smallest order is
 * what a cycle sells. S = s + Q rounded up to whole packs. That rounding lengthens cycles a
 * little and would allow slightly less stock for the same fill rate; the credit is not
 * taken (it would make s jump down each time d * R crosses a pack boundary), so the fill
 * rate is met with a small margin.
 */
export function reorderPolicy(input: ReorderPolicyInput): ReorderPolicy {
  const protection = leadTimeDemand(input);
  const target = input.target as ServiceTarget | undefined;
  if (target?.kind !== 'cycle_service' && target?.kind !== 'fill_rate') {
    throw new RangeError(
      `target.kind must be 'cycle_service' or 'fill_rate', got ${String((target as { kind?: unknown } | undefined)?.kind)}`,
    );
  }
  const level = checkNumber('target.level', target.level, {
    min: 0,
    minExclusive: true,
    max: 1,
    maxExclusive: true,
  });
  const packSize = checkNumber('packSize', input.packSize ?? 1, { min: 1, integer: true });
  const minOrder = checkNumber('minOrder', input.minOrder ?? 0, { min: 0 });

  const daily = input.dailyMean;
  const smallestOrder = roundUpToPacks(Math.max(minOrder, 1), packSize);
  const cycleDemand = daily > 0 ? Math.max(daily * input.reviewDays, smallestOrder) : 0;
  const dist = matchedDistribution(protection.mean, protection.variance);
  const fillRateAt = (s: number) => (cycleDemand > 0 ? Math.max(0, 1 - lossAt(dist, s) / cycleDemand) : 1);

  // Both predicates are monotone in s (the CDF rises, the loss falls), and each is the very
  // expression reported back, so the reported service is never below the target.
  const reorderPoint =
    target.kind === 'cycle_service'
      ? firstAccepted(dist, (s) => cdfAt(dist, s) >= level)
      : firstAccepted(dist, (s) => fillRateAt(s) >= level);

  const sd = Math.sqrt(dist.variance);
  return {
    safetyStock: reorderPoint - protection.mean,
    reorderPoint,
    orderUpTo: reorderPoint + roundUpToPacks(cycleDemand, packSize),
    cycleDemand,
    protectionMean: protection.mean,
    protectionSd: sd,
    distribution: dist.kind,
    z: sd > 0 ? (reorderPoint - protection.mean) / sd : 0,
    expectedFillRate: fillRateAt(reorderPoint),
    expectedCycleService: cdfAt(dist, reorderPoint),
  };
}

export interface OrderQuantityInput {
  /** Inventory position: on hand + on order - backorders (may be negative). */
  position: number;
  reorderPoint: number;
  orderUpTo: number;
  /** Units per pack. Default 1. */
  packSize?: number;
  /** Smallest order in units. Default 0. */
  minOrder?: number;
}

/**
 * Units to order under (s, S): nothing while the position is above s; otherwise S minus the
 * position, raised to the minimum order and rounded up to whole packs. Rounding up (not to
 * the nearest pack) keeps the position after ordering at or above S.
 */
export function orderQuantity(input: OrderQuantityInput): number {
  const position = checkNumber('position', input.position);
  const reorderPoint = checkNumber('reorderPoint', input.reorderPoint);
  const orderUpTo = checkNumber('orderUpTo', input.orderUpTo, { min: reorderPoint });
  const packSize = checkNumber('packSize', input.packSize ?? 1, { min: 1, integer: true });
  const minOrder = checkNumber('minOrder', input.minOrder ?? 0, { min: 0 });
  if (position > reorderPoint) return 0;
  const need = orderUpTo - position;
  if (need <= 0) return 0;
  return roundUpToPacks(Math.max(need, minOrder), packSize);
}
